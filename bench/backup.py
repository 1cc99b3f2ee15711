"""Backup and restore, tested: dump a database with ``pg_dump``, restore it into a fresh database with
``pg_restore``, and show the app runs on the copy (docs/operations.md, "Backups").

    .venv/bin/python bench/backup.py [--source postgres://…/smrc_load] [--target-name smrc_load_restored]
    make bench-backup

1. ``pg_dump --format=custom`` of ``--source`` into ``var/backup/`` (the format ``pg_restore`` can run in parallel
   and select from);
2. a fresh database ``--target-name`` (dropped first if it exists; only names starting with ``smrc_load`` or
   ``smrc_restore``), then ``pg_restore --no-owner --jobs 2``;
3. checks: the row count of every SMRC table equal in both; ``manage.py migrate --check`` on the copy (nothing
   left to apply); then the app itself on the copy, through the full Django stack: ``/healthz``, ``/readyz``'s
   database check, an operator's queue page and a brand manager's report, compared with the same pages on the
   source.

Prints the sizes and times. Never touches ``--source`` beyond reading it.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "backup"
sys.path.insert(0, str(ROOT / "bench"))

from load import connect, recreate_database  # noqa: E402

TABLES = (
    "brands_brand", "brands_channelaccount", "brands_membership", "auth_user", "tickets_author", "tickets_ticket",
    "tickets_mention", "tickets_reply", "tickets_event", "tickets_inbounddelivery", "tickets_deliveryattempt",
    "tickets_submission", "django_migrations",
)  # fmt: skip


def counts(url: str) -> dict[str, int]:
    connection = connect(url)
    found = {}
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - fixed names above
            found[table] = cursor.fetchone()[0]
    connection.close()
    return found


def pg_env(url: str) -> tuple[dict, list[str]]:
    import dj_database_url

    config = dj_database_url.parse(url)
    env = {**os.environ}
    if config["PASSWORD"]:
        env["PGPASSWORD"] = config["PASSWORD"]
    options = ["-h", config["HOST"] or "127.0.0.1", "-p", str(config["PORT"] or 5432)]
    options += ["-U", config["USER"] or "postgres"]
    return env, options


def app_check(url: str) -> dict:
    """The app on ``url``, in a subprocess of its own (Django is configured once per process)."""
    script = """
import json, django
django.setup()
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from brands.models import Membership
from smrc.health import check_database
settings.ALLOWED_HOSTS = ["testserver"]
client = Client()
out = {"healthz": client.get("/healthz").status_code, "database": check_database()}
operator = get_user_model().objects.filter(memberships__role="operator").order_by("pk").first()
manager = Membership.objects.filter(role="manager").select_related("user", "brand").order_by("pk").first()
if operator:
    client.force_login(operator)
    page = client.get("/queue/")
    out["queue"] = [page.status_code, page.content.decode().count('href="/tickets/')]
if manager:
    client.force_login(manager.user)
    page = client.get(f"/reports/{manager.brand.slug}/?start=2026-01-01&end=2026-12-31")
    out["report"] = [page.status_code, len(page.content) > 1000]
print(json.dumps(out))
"""
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "smrc.settings", "LOG_LEVEL": "WARNING"}
    env.pop("REDIS_URL", None)
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source", default="postgres://postgres@127.0.0.1:5432/smrc_load")
    parser.add_argument("--target-name", default="smrc_load_restored")
    args = parser.parse_args()
    if not args.target_name.startswith(("smrc_load", "smrc_restore")):
        sys.exit("the target must be a database named smrc_load… or smrc_restore… (it is dropped first)")
    import dj_database_url

    source = dj_database_url.parse(args.source)
    target_url = args.source.rsplit("/", 1)[0] + "/" + args.target_name
    OUT.mkdir(parents=True, exist_ok=True)
    dump = OUT / f"{source['NAME']}-{time.strftime('%Y%m%d-%H%M%S')}.dump"
    env, options = pg_env(args.source)

    started = time.monotonic()
    subprocess.run(["pg_dump", *options, "--format=custom", "--file", str(dump), source["NAME"]], env=env, check=True)
    dumped = time.monotonic() - started

    recreate_database(target_url, prefixes=("smrc_load", "smrc_restore"))
    started = time.monotonic()
    subprocess.run(
        ["pg_restore", *options, "--no-owner", "--jobs", "2", "--exit-on-error", "--dbname", args.target_name]
        + [str(dump)],
        env=env,
        check=True,
    )
    restored = time.monotonic() - started

    before, after = counts(args.source), counts(target_url)
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--check"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": target_url},
        capture_output=True,
        text=True,
        check=False,
    )
    on_source, on_copy = app_check(args.source), app_check(target_url)
    print(f"dump: {dump.relative_to(ROOT)} ({dump.stat().st_size / 1e6:.1f} MB) in {dumped:.1f} s")
    print(f"restore into {args.target_name}: {restored:.1f} s (pg_restore --jobs 2)")
    print("rows, source = copy:")
    for table in TABLES:
        print(f"  {table}: {before[table]:,} = {after[table]:,}{'' if before[table] == after[table] else '  MISMATCH'}")
    print(f"migrate --check on the copy: {'nothing to apply' if migrate.returncode == 0 else 'UNAPPLIED MIGRATIONS'}")
    print(f"the app on the source: {on_source}")
    print(f"the app on the copy:   {on_copy}")
    ok = before == after and migrate.returncode == 0 and on_source == on_copy and on_copy["healthz"] == 200
    print("backup and restore: OK" if ok else "backup and restore: FAILED")
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
