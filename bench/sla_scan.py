"""Benchmark of the periodic SLA scan over 1,000,000 open tickets, on PostgreSQL.

Run it with ``make bench-sla`` or::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/smrc_bench_sla .venv/bin/python bench/sla_scan.py

1. Load (once, skipped when present; ``--reload`` to redo): ``--tickets`` open tickets (``new`` or ``open``)
   across eight brands with two supervisors each, their deadlines spread evenly from two days ago to five
   days ahead. Deadlines already passed are escalated and those inside the warning time already warned, as a
   scan running every minute would have left them.
2. Measure ``tickets.services.sla.scan`` as beat runs it: once a minute of simulated time, ``--runs`` times.
   Each run warns the tickets whose deadline entered the warning time in that minute and escalates those
   whose deadline passed (about 100 each at a million tickets), writing their notifications and events.
   Printed: tickets warned and escalated, median and p95 run time, queries per run, and the plan of the
   scan's read.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smrc.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench._common import insert_select, percentile, print_load, ratio  # noqa: E402
from brands.models import Brand, Membership, Role  # noqa: E402
from tickets.models import Author, Ticket  # noqa: E402
from tickets.services import sla  # noqa: E402

BRANDS = 8
SPREAD_BEFORE = timedelta(days=2)
SPREAD_AFTER = timedelta(days=5)


def load(n: int, reload: bool) -> None:
    call_command("migrate", verbosity=0)
    if not reload and Ticket.objects.filter(status__in=["new", "open"]).count() >= n:
        print(f"data present: {n:,} open tickets")
        return
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE tickets_notification, tickets_event, tickets_note, tickets_deliveryattempt, "
            "tickets_replyrevision, tickets_reply, tickets_mention, tickets_ticket, tickets_author, "
            "brands_membership, brands_brand CASCADE"
        )
        cursor.execute("DROP TABLE IF EXISTS smrc_bench_progress")  # bench/pages.py's data is gone: it reloads
    User = get_user_model()
    brands = [Brand.objects.create(slug=f"sla-bench-{i}", name=f"SLA bench {i}") for i in range(BRANDS)]
    for brand in brands:
        for k in range(2):
            user, _ = User.objects.get_or_create(username=f"{brand.slug}-sup{k}", defaults={"email": ""})
            Membership.objects.create(user=user, brand=brand, role=Role.SUPERVISOR)
    operator, _ = User.objects.get_or_create(username="sla-bench-operator")
    # customer profiles are per brand: one author for each brand
    authors = [
        Author.objects.create(brand=b, platform="x", platform_user_id="sla-bench", handle="sla_bench") for b in brands
    ]
    now = timezone.now()
    span = (SPREAD_BEFORE + SPREAD_AFTER).total_seconds()
    with connection.cursor() as cursor:
        cursor.execute(
            insert_select(
                Ticket,
                {
                    "brand_id": "(%(brands)s::bigint[])[1 + g %% %(nbrands)s]",
                    "platform": "'x'",
                    "author_id": "(%(authors)s::bigint[])[1 + g %% %(nbrands)s]",
                    "status": "CASE WHEN g %% 2 = 0 THEN 'new' ELSE 'open' END",
                    "priority": "1 + g %% 4",
                    "assignee_id": "CASE WHEN g %% 2 = 0 THEN NULL ELSE %(operator)s END",
                    "subject": "'bench ticket ' || g",
                    "conversation_key": "'x:sla-' || g",
                    "mention_count": "1",
                    "posted_at": "due - interval '1 hour'",
                    "received_at": "due - interval '1 hour'",
                    "last_customer_at": "due - interval '1 hour'",
                    "first_response_due_at": "due",
                    "resolution_due_at": "due + interval '1 day'",
                    "due_at": "due",
                    "sla_warned_at": "CASE WHEN due <= %(now)s + interval '15 minutes' THEN %(now)s END",
                    "sla_escalated_at": "CASE WHEN due <= %(now)s THEN %(now)s END",
                    "breached_at": "CASE WHEN due <= %(now)s THEN %(now)s END",
                    "updated_at": "%(now)s",
                },
                """FROM (SELECT g, %(start)s::timestamptz + (g * %(span)s / %(n)s) * interval '1 second' AS due
                      FROM generate_series(1, %(n)s) AS g) AS s""",
            ),
            {
                "brands": [b.pk for b in brands],
                "nbrands": BRANDS,
                "authors": [a.pk for a in authors],
                "operator": operator.pk,
                "now": now,
                "start": now - SPREAD_BEFORE,
                "span": span,
                "n": n,
            },
        )
        cursor.execute("ANALYZE tickets_ticket")
    print(f"loaded {n:,} open tickets in {time.perf_counter() - started:.1f} s")


def measure(runs: int) -> None:
    base = (
        Ticket.objects.filter(sla_warned_at__isnull=False)
        .order_by("-sla_warned_at")
        .values_list("sla_warned_at", flat=True)
        .first()
        or timezone.now()
    )
    open_count = Ticket.objects.filter(status__in=["new", "open"]).count()
    print_load("start")
    durations, queries, warned, escalated = [], [], [], []
    reads, read_times = [], []
    by_kind = {}  # statement kind → database ms per run
    for minute in range(1, runs + 1):
        now = base + timedelta(minutes=minute)
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            result = sla.scan(now=now)
            durations.append((time.perf_counter() - started) * 1000)
        queries.append(len(captured.captured_queries))
        kinds = {}
        for q in captured.captured_queries:
            kind = q["sql"].lstrip().split(None, 1)[0].upper()
            kinds[kind] = kinds.get(kind, 0.0) + float(q["time"]) * 1000
        for kind, ms in kinds.items():
            by_kind.setdefault(kind, []).append(ms)
        reads.append([q["sql"] for q in captured.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")])
    # The limit: the scan's own reads (its SELECTs, captured above, with their parameters) run raw, no writes.
    with connection.cursor() as cursor:
        for statements in reads:
            started = time.perf_counter()
            for statement in statements:
                cursor.execute(statement)
                cursor.fetchall()
            read_times.append((time.perf_counter() - started) * 1000)
        warned.append(result.warned)
        escalated.append(result.escalated)
    ordered = sorted(durations)
    p95 = ordered[max(0, int(round(0.95 * len(ordered))) - 1)]
    print()
    print(f"SLA scan, one run per simulated minute, {open_count:,} open tickets, {runs} runs")
    print(f"  tickets warned per run:    median {statistics.median(warned):.0f} (min {min(warned)}, max {max(warned)})")
    print(
        f"  tickets escalated per run: median {statistics.median(escalated):.0f} "
        f"(min {min(escalated)}, max {max(escalated)})"
    )
    print(f"  run time:                  median {statistics.median(durations):.1f} ms, p95 {p95:.1f} ms")
    print(f"  queries per run:           median {statistics.median(queries):.0f}")
    print(
        "  database time per run:     "
        + ", ".join(f"{kind} {statistics.median(ms):.1f} ms" for kind, ms in sorted(by_kind.items()))
        + " (medians)"
    )
    limit = percentile(read_times, 95)
    print(
        f"  limit, its SELECTs raw:    median {statistics.median(read_times):.1f} ms, p95 {limit:.1f} ms "
        f"(median {statistics.median(len(r) for r in reads):.0f} per run); ratio p95 {ratio(p95, limit)}"
    )
    now = base + timedelta(minutes=runs + 1)
    with connection.cursor() as cursor:
        brand = Brand.objects.order_by("pk").first()
        sql, params = (
            Ticket.objects.filter(
                brand_id=brand.pk, status__in=["new", "open"], sla_escalated_at__isnull=True, due_at__lte=now
            )
            .order_by("due_at")[:500]
            .query.sql_with_params()
        )
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        print("\nplan of the escalation read (one brand):")
        for (line,) in cursor.fetchall():
            print("  " + line)
    print_load("end")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--reload", action="store_true")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("This benchmark needs PostgreSQL: set DATABASE_URL=postgres://…/smrc_bench_sla")
    load(args.tickets, args.reload)
    measure(args.runs)


if __name__ == "__main__":
    main()
