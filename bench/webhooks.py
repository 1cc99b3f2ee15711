"""Benchmark of inbound webhooks on PostgreSQL and Redis: acceptance latency and mentions per second.

Run it with::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/smrc_bench_webhooks REDIS_URL=redis://127.0.0.1:6379/9 \\
        .venv/bin/python bench/webhooks.py

1. Acceptance: ``--deliveries`` signed X Account Activity deliveries of ``--items`` mentions each (distinct
   posts by distinct people) are POSTed to ``/webhooks/x/`` in-process (``django.test.Client``) with no worker
   running: each request verifies the signature over the raw body, parses it, stores it and queues its task in
   Redis. p50 and p99 of the request time.
2. Processing: one Celery worker (``--pool=solo``, one process) is started and drains the queue; mentions per
   second from the first to the last delivery processed (``processed_at``), every item a new mention and a new
   ticket (the heaviest case: author upsert, threading lookups, SLA due times, events).
3. Raw PostgreSQL insert rate in the same run, for scale: rows of the mention table's width inserted one
   ``INSERT`` at a time in one transaction, and in multi-row ``INSERT``s of 1,000.

The database is created if missing and migrated; brand ``bench-webhooks`` and its rows are deleted first, so
every run starts from the same state. Figures and the load average go to stdout.
"""

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smrc.settings")


def ensure_database() -> None:
    import dj_database_url
    import psycopg2

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("set DATABASE_URL to a PostgreSQL database (and REDIS_URL to a Redis database)")
    if not os.environ.get("REDIS_URL"):
        sys.exit("set REDIS_URL: the benchmark measures the path through Redis and a worker")
    config = dj_database_url.parse(url)
    admin = psycopg2.connect(
        dbname="postgres",
        user=config["USER"],
        host=config["HOST"],
        port=config["PORT"] or 5432,
        password=config["PASSWORD"],
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]])
        if not cursor.fetchone():
            cursor.execute(f'CREATE DATABASE "{config["NAME"]}"')
    admin.close()


ensure_database()

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from bench._common import print_load, ratio  # noqa: E402
from brands.models import Brand, ChannelAccount  # noqa: E402
from smrc.celery import app  # noqa: E402
from tickets.channels import x  # noqa: E402
from tickets.models import Author, InboundDelivery, Mention  # noqa: E402

SECRET = "bench-consumer-secret"
ACCOUNT = "1587000000000009999"


def setup(fresh: bool) -> ChannelAccount:
    """The bench brand and its X account. Earlier runs' tickets are kept (a database with history, as in
    production) unless ``fresh``; the tables are analysed so the planner knows their size."""
    call_command("migrate", verbosity=0)
    if fresh:
        Brand.objects.filter(slug="bench-webhooks").delete()  # cascades to its tickets, mentions, events
        # its own authors only (bench-<digits>), never those of the other benchmarks sharing the database
        Author.objects.filter(platform="x", platform_user_id__regex=r"^bench-[0-9]+$").delete()
    InboundDelivery.objects.all().delete()
    app.control.purge()
    brand, _ = Brand.objects.get_or_create(slug="bench-webhooks", defaults={"name": "Bench Webhooks"})
    account, _ = ChannelAccount.objects.get_or_create(
        platform="x",
        external_id=ACCOUNT,
        defaults={"brand": brand, "name": "bench", "handle": "BenchCare", "webhook_secret": SECRET},
    )
    analyse()
    return account


def analyse() -> None:
    with connection.cursor() as cursor:
        for table in (
            "tickets_mention",
            "tickets_ticket",
            "tickets_author",
            "tickets_event",
            "tickets_inbounddelivery",
        ):
            cursor.execute(f"ANALYZE {table}")


def delivery(run: int, n: int, items: int) -> bytes:
    events = []
    for i in range(items):
        k = f"{run}{n:05d}{i:04d}"
        events.append(
            {
                "created_at": "Fri Nov 20 03:15:42 +0000 2026",
                "id_str": f"9{k}",
                "text": f"@BenchCare paket {k} belum sampai, tolong dicek &amp; dibantu ya min",
                "in_reply_to_status_id_str": None,
                "user": {"id_str": f"bench-{k}", "screen_name": f"user{k}", "name": "Bench User", "followers_count": i},
                "lang": "in",
                "timestamp_ms": "1795144542000",
            }
        )
    return json.dumps({"for_user_id": ACCOUNT, "tweet_create_events": events}, separators=(",", ":")).encode()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def accept(deliveries: int, items: int, run: int) -> list[float]:
    client = Client()
    bodies = [delivery(run, n, items) for n in range(deliveries + 5)]
    timings = []
    for index, body in enumerate(bodies):
        signature = "sha256=" + x._digest(SECRET, body)
        start = time.perf_counter()
        response = client.post(
            "/webhooks/x/", data=body, content_type="application/json", HTTP_X_TWITTER_WEBHOOKS_SIGNATURE=signature
        )
        elapsed = time.perf_counter() - start
        assert response.status_code == 200, response.content
        if index >= 5:  # warm-up
            timings.append(elapsed * 1000)
    return timings


def process(workers: int, timeout: float) -> tuple[float, int]:
    """Start ``workers`` worker processes on the ingest queue (as `make prod` does: one worker per queue), let them
    drain it; mentions per second from the first to the last delivery processed."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "smrc.settings"}
    log = tempfile.TemporaryFile()
    pool = ["--pool=solo"] if workers == 1 else ["--pool=prefork", f"--concurrency={workers}"]
    worker = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "celery"),
            "-A",
            "smrc",
            "worker",
            "-Q",
            "ingest",
            *pool,
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.time() + timeout
        while time.time() < deadline:
            left = InboundDelivery.objects.filter(state="pending").count()
            if left == 0:
                break
            time.sleep(0.5)
        else:
            log.seek(0)
            print(log.read().decode(errors="replace")[-3000:])
            raise SystemExit(f"the worker did not finish in {timeout} s")
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(30)
        except subprocess.TimeoutExpired:
            worker.kill()
    done = InboundDelivery.objects.filter(state="processed").order_by("processed_at")
    stamps = list(done.values_list("processed_at", flat=True))
    failed = InboundDelivery.objects.exclude(state="processed").count()
    if failed:
        print(
            "failed deliveries:",
            list(InboundDelivery.objects.exclude(state="processed").values_list("error", flat=True)[:3]),
        )
    span = (stamps[-1] - stamps[0]).total_seconds()
    created = sum(d["created"] for d in done.values_list("summary", flat=True))
    per_delivery = created / len(stamps)
    return ((len(stamps) - 1) * per_delivery) / span if span else float("inf"), created


def raw_inserts(rows: int) -> tuple[float, float]:
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_raw_insert")
        cursor.execute(
            "CREATE TABLE bench_raw_insert (id bigserial primary key, brand_id int, platform varchar(20),"
            " platform_id varchar(128), text text, posted_at timestamptz, raw jsonb,"
            " UNIQUE (brand_id, platform, platform_id))"
        )
        connection.commit() if not connection.get_autocommit() else None
    row = (1, "x", "", "paket belum sampai, tolong dicek", "2026-11-20T03:15:42Z", '{"id": "1"}')
    with connection.cursor() as cursor:
        start = time.perf_counter()
        cursor.execute("BEGIN")
        for i in range(rows):
            cursor.execute(
                "INSERT INTO bench_raw_insert (brand_id, platform, platform_id, text, posted_at, raw)"
                " VALUES (%s, %s, %s, %s, %s, %s)",
                (row[0], row[1], f"s{i}", row[3], row[4], row[5]),
            )
        cursor.execute("COMMIT")
        single = rows / (time.perf_counter() - start)
        start = time.perf_counter()
        cursor.execute("BEGIN")
        for chunk in range(0, rows, 1000):
            values = ",".join(
                cursor.mogrify("(%s,%s,%s,%s,%s,%s)", (row[0], row[1], f"m{i}", row[3], row[4], row[5])).decode()
                for i in range(chunk, min(rows, chunk + 1000))
            )
            cursor.execute(
                "INSERT INTO bench_raw_insert (brand_id, platform, platform_id, text, posted_at, raw) VALUES " + values
            )
        cursor.execute("COMMIT")
        multi = rows / (time.perf_counter() - start)
        cursor.execute("DROP TABLE bench_raw_insert")
    return single, multi


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--deliveries", type=int, default=200)
    parser.add_argument("--items", type=int, default=100)
    parser.add_argument("--raw-rows", type=int, default=20_000)
    parser.add_argument("--timeout", type=float, default=900)
    parser.add_argument("--workers", default="1,2", help="worker processes to measure, e.g. 1,2")
    parser.add_argument("--fresh", action="store_true", help="delete the earlier runs' tickets first")
    args = parser.parse_args()
    setup(args.fresh)
    history = Mention.objects.filter(brand__slug="bench-webhooks").count()
    print_load("start")
    # The limit, in the same run: rows of a mention's width written straight into PostgreSQL.
    single, multi = raw_inserts(args.raw_rows)
    print(
        f"limit, raw PostgreSQL inserts: {single:,.0f} rows/s one INSERT each, {multi:,.0f} rows/s in INSERTs of 1,000"
    )
    base = int(time.time()) % 10_000
    rates = {}
    timings = []
    for round_, workers in enumerate(int(w) for w in args.workers.split(",")):
        run = base * 10 + round_
        before = os.getloadavg()
        InboundDelivery.objects.all().delete()  # each round counts its own deliveries
        timings += accept(args.deliveries, args.items, run)
        analyse()
        rate, mentions = process(workers, args.timeout)
        after = os.getloadavg()
        rates[workers] = rate
        print(
            f"processing, {workers} worker process{'es' if workers > 1 else ''}: {rate:,.0f} mentions/s to new tickets "
            f"({mentions:,} mentions); the limit is {ratio(multi, rate)} that (multi-row), {ratio(single, rate)} "
            f"(one INSERT each); load {before[0]:.2f} → {after[0]:.2f}",
            flush=True,
        )
    print(
        f"deliveries: {args.deliveries} per round (+5 warm-up) of {args.items} items; CPUs: {os.cpu_count()}; "
        f"{history:,} mentions of the brand before the run"
    )
    print(
        f"acceptance (verify, parse, store, queue in Redis): p50 {statistics.median(timings):.1f} ms, "
        f"p99 {percentile(timings, 0.99):.1f} ms, max {max(timings):.1f} ms over {len(timings)} requests"
    )
    if len(rates) > 1:
        one = rates[min(rates)]
        print("scaling: " + ", ".join(f"{w} → {r / one:.2f}×" for w, r in sorted(rates.items())))
    print_load("end")


if __name__ == "__main__":
    main()
