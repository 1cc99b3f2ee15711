"""`make prod`: the production stack on one machine, in one command (docs/operations.md).

Checks the environment (PostgreSQL ``DATABASE_URL`` and ``REDIS_URL`` are required), fills in what a local run
may default (a secret key generated once into ``var/secret_key``, loopback hosts, metrics for loopback only, JSON
logs), migrates and collects the static files, then runs every process of the ``Procfile`` under honcho: gunicorn,
one Celery worker per queue and beat. Ctrl-C stops them all. Options come from the environment:

``PORT`` (8000), ``WEB_CONCURRENCY`` (4 gunicorn workers), ``INGEST_CONCURRENCY`` (2), ``PUBLISHING_CONCURRENCY``
(2), ``MAIL_CONCURRENCY`` and ``PERIODIC_CONCURRENCY`` (1 each).
"""

import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
SECRET_FILE = VAR / "secret_key"


def fail(message: str) -> None:
    print(  # noqa: T201 - a command-line tool
        f"make prod: {message}", file=sys.stderr
    )
    raise SystemExit(2)


def environment(env: dict[str, str]) -> dict[str, str]:
    """The environment the processes run with, or exit with a clear message when something required is missing."""
    database, redis_url = env.get("DATABASE_URL", ""), env.get("REDIS_URL", "")
    missing = [name for name, value in (("DATABASE_URL", database), ("REDIS_URL", redis_url)) if not value]
    if missing:
        fail(
            f"{' and '.join(missing)} must be set: the production stack runs on PostgreSQL and Redis, e.g.\n"
            "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/smrc REDIS_URL=redis://127.0.0.1:6379/0 make prod"
        )
    if not database.startswith(("postgres://", "postgresql://")):
        fail("DATABASE_URL must be a PostgreSQL URL (postgres://…); SQLite is for `make run`.")
    if not redis_url.startswith(("redis://", "rediss://")):
        fail("REDIS_URL must be a Redis URL (redis://…).")
    env = dict(env)
    if not env.get("SECRET_KEY") and not env.get("SECRET_KEY_FILE"):
        VAR.mkdir(exist_ok=True)
        if not SECRET_FILE.exists():
            SECRET_FILE.touch(mode=0o600)
            SECRET_FILE.write_text(secrets.token_urlsafe(50))
            print(f"make prod: generated a secret key into {SECRET_FILE.relative_to(ROOT)} (kept)")  # noqa: T201
        env["SECRET_KEY_FILE"] = str(SECRET_FILE)
    env.setdefault("PORT", "8000")
    env.update(SMRC_PRODUCTION="true", DEBUG="false")
    env.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
    if not env.get("SITE_URL"):
        # `make prod` on this machine: mails link here, and `manage.py check` says so (smrc.W002)
        env["SITE_URL"] = f"http://127.0.0.1:{env['PORT']}"
    env.setdefault("SMRC_METRICS_ALLOWED_IPS", "127.0.0.1/32,::1/128")
    env.setdefault("LOG_FORMAT", "json")
    env.setdefault("PROMETHEUS_MULTIPROC_DIR", str(VAR / "prometheus"))
    env.setdefault("SMRC_BEAT_SCHEDULE", str(VAR / "celerybeat-schedule"))
    env.setdefault("SMRC_MANIFEST_STATIC", "true")
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def run(env: dict[str, str], *args: str) -> None:
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=False)
    if result.returncode:
        fail(f"`manage.py {' '.join(args)}` failed (exit {result.returncode}); nothing was started.")


def main() -> None:
    env = environment(dict(os.environ))
    run(env, "check", "--fail-level", "ERROR")
    run(env, "migrate", "--noinput")
    run(env, "collectstatic", "--noinput", "--verbosity", "0")
    folder = Path(env["PROMETHEUS_MULTIPROC_DIR"])
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    port = env["PORT"]
    print(  # noqa: T201 - a command-line tool
        f"make prod: SMRC on http://127.0.0.1:{port}/ (health /healthz, readiness /readyz, metrics /metrics)"
    )
    honcho = Path(sys.executable).parent / "honcho"
    os.execve(str(honcho), [str(honcho), "start", "--no-colour", "-f", str(ROOT / "Procfile"), "-p", port], env)


if __name__ == "__main__":
    main()
