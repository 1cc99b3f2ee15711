"""Every benchmark in bench/ end to end at a small size, on fresh databases it creates and drops: ``make bench-smoke``.

    .venv/bin/python bench/smoke.py [--only pages.py,reports.py] [--keep]

Catches the day a loader or a benchmark breaks (a new NOT NULL column, a renamed service, a changed page) long
before anyone needs the figures. Targets are not judged here (``SMRC_BENCH_SMOKE=1``: a small database on a busy CI
machine says nothing about them); a crash, a non-200 page, a report that differs from its recomputation, a mention
lost or stored twice, a backup that does not restore all fail the run.

- ``BENCH_DATABASE_URL`` (default ``postgres://postgres@127.0.0.1:5432/smrc_bench``) names the server; the databases
  are ``smrc_bench_smoke_<unique>`` (the in-process benchmarks, one after the other) and
  ``smrc_load_smoke_<unique>`` (load.py, then backup.py's restore target ``…_restored``), all dropped at the end.
- ``BENCH_REDIS_URL`` (default ``redis://127.0.0.1:6379/9``): webhooks.py and load.py empty it.
- faults.py runs its own PostgreSQL cluster and Redis (ports 5433 and 6380) in a temporary folder.

Exits non-zero if any benchmark fails; prints each one's time and the last lines of a failure's output (the whole
output of each is in ``var/bench-smoke/<script>.log``).
"""

import argparse
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "bench-smoke"  # each benchmark's whole output
sys.path.insert(0, str(ROOT / "bench"))

# Every script of bench/ (tests/test_bench_smoke.py fails when one is missing), in the order they run, with the
# arguments of a small run. {db}, {load_db}, {redis}, {port} are filled in; "database" is the one it runs on.
SCRIPTS = {
    "pages.py": {"args": ["--tickets", "3000", "--requests", "5", "--warmup", "2"], "database": "db"},
    "reports.py": {"args": ["--tickets", "3000", "--requests", "3", "--warmup", "1"], "database": "db"},
    "metrics_cost.py": {"args": ["--runs", "3"], "database": "db"},
    "snippets.py": {"args": ["--requests", "5", "--snippets", "300"], "database": "db"},
    "webhooks.py": {
        "args": ["--deliveries", "10", "--items", "20", "--raw-rows", "1000", "--timeout", "120", "--fresh"],
        "database": "db",
    },
    "sla_scan.py": {"args": ["--tickets", "5000", "--runs", "3", "--reload"], "database": "db"},
    "load.py": {
        "args": [
            "--database",
            "{load_db_url}",
            "--redis",
            "{redis}",
            "--port",
            "{port}",
            "--web-workers",
            "1",
            "--ingest-workers",
            "1",
            "--operators",
            "3",
            "--supervisors",
            "1",
            "--managers",
            "1",
            "--backlog",
            "30",
            "--burst",
            "200",
            "--burst-seconds",
            "5",
            "--burst-items",
            "20",
            "--burst-senders",
            "2",
            "--burst-at",
            "5",
            "--spawn-rate",
            "10",
            "--duration",
            "20",
            "--drain-timeout",
            "120",
        ],  # fmt: skip
        "database": None,
    },
    "backup.py": {"args": ["--source", "{load_db_url}", "--target-name", "{load_db}_restored"], "database": None},
    "faults.py": {
        # the faults come 10 to 40 s after the burst: all of them inside the run
        "args": [
            "--port",
            "{port}",
            "--burst",
            "300",
            "--burst-at",
            "5",
            "--duration",
            "60",
            "--recover-timeout",
            "180",
        ],
        "database": None,
    },
}
HELPERS = {"_bare.py", "_common.py", "smoke.py"}  # modules of bench/ that are not benchmarks


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def admin(server_url: str):
    import dj_database_url
    import psycopg2

    config = dj_database_url.parse(server_url)
    connection = psycopg2.connect(
        dbname="postgres",
        user=config["USER"],
        host=config["HOST"],
        port=config["PORT"] or 5432,
        password=config["PASSWORD"],
    )
    connection.autocommit = True
    return connection


def drop(server_url: str, names: list[str]) -> None:
    from psycopg2 import sql

    connection = admin(server_url)
    with connection.cursor() as cursor:
        for name in names:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", default="", help="comma-separated scripts to run (default: all)")
    parser.add_argument("--keep", action="store_true", help="keep the databases (to look at a failure)")
    args = parser.parse_args()
    server_url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/smrc_bench")
    redis = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
    server = server_url.rsplit("/", 1)[0]
    unique = f"{time.strftime('%Y%m%d%H%M%S')}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    db, load_db = f"smrc_bench_smoke_{unique}", f"smrc_load_smoke_{unique}"
    only = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = set(only) - set(SCRIPTS)
    if unknown:
        sys.exit(f"unknown benchmarks: {', '.join(sorted(unknown))}")

    from psycopg2 import sql

    connection = admin(server_url)
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db)))
    connection.close()
    print(f"smoke run of bench/ on {server}/{db} (and {load_db}); load average {os.getloadavg()[0]:.2f}", flush=True)

    results = []
    started_all = time.monotonic()
    try:
        for script, spec in SCRIPTS.items():
            if only and script not in only:
                continue
            fill = {
                "load_db_url": f"{server}/{load_db}",
                "load_db": load_db,
                "redis": redis,
                "port": str(free_port()),
            }
            argv = [a.format(**fill) for a in spec["args"]]
            env = {**os.environ, "SMRC_BENCH_SMOKE": "1", "DJANGO_SETTINGS_MODULE": "smrc.settings"}
            env.pop("DATABASE_URL", None)
            env["REDIS_URL"] = redis
            if spec["database"] == "db":
                env["DATABASE_URL"] = f"{server}/{db}"
            started = time.monotonic()
            proc = subprocess.run(
                [sys.executable, str(ROOT / "bench" / script), *argv],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            seconds = time.monotonic() - started
            OUT.mkdir(parents=True, exist_ok=True)
            (OUT / f"{Path(script).stem}.log").write_text(proc.stdout + "\n" + proc.stderr)
            results.append((script, proc.returncode, seconds))
            verdict = "ok" if proc.returncode == 0 else f"FAILED (exit {proc.returncode})"
            print(f"  {script:<18} {verdict:<18} {seconds:6.1f} s", flush=True)
            if proc.returncode != 0:
                tail = (proc.stdout + "\n" + proc.stderr).strip().splitlines()[-25:]
                print("\n".join("      " + line[:300] for line in tail), flush=True)
    finally:
        if not args.keep:
            drop(server_url, [db, load_db, f"{load_db}_restored"])
    failed = [script for script, code, _ in results if code != 0]
    print(
        f"{len(results) - len(failed)} of {len(results)} benchmarks ran in {time.monotonic() - started_all:.0f} s; "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    if failed:
        sys.exit(f"bench-smoke FAILED: {', '.join(failed)}")


if __name__ == "__main__":
    main()
