"""Benchmark of the SLA report at a million tickets, on PostgreSQL, with an exact recomputation.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/smrc_bench_reports .venv/bin/python bench/reports.py

1. Load (once): the same 1,000,000 tickets as ``bench/pages.py`` (its loader, ``INSERT … SELECT …
   generate_series``), then, once, what the report reads that the page benchmark does not fill: business
   seconds stamped on every answered or resolved ticket (the bench brands run round the clock, so business
   time = calendar time − paused time), a sentiment on first mentions, and a next response (with its due time,
   late for some) on tickets whose customer wrote again.
2. Measure: the report page of one brand (``bench-telkora``, about 125,000 tickets in the year, 31,000 in the
   90 days) for the last 90 days, logged in as a brand manager: ``--requests`` requests after a warm-up; median,
   p95, max and the queries of each request.
3. Check: recompute every figure in plain Python from the raw rows of the same brand and range (timestamps,
   no SQL arithmetic, an independent nearest-rank) and compare with the report's figures; any difference
   fails the run.
"""

import argparse
import os
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smrc.settings")

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench import pages  # noqa: E402  (sets Django up)
from bench._common import finish, insert_select, print_load, ratio, summary  # noqa: E402
from brands.models import Brand, Membership, Role  # noqa: E402
from tickets.models import Mention, Reply, Ticket  # noqa: E402
from tickets.reports.queries import ReportRange, build_report  # noqa: E402

BRAND = "bench-telkora"
DAYS = 90
SENTIMENTS = ["positive", "neutral", "negative", ""]

EXTRAS_SQL = [
    # Business seconds: the bench brands run round the clock.
    """UPDATE tickets_ticket SET first_response_business_seconds =
           (EXTRACT(EPOCH FROM date_trunc('second', first_response_at))
            - EXTRACT(EPOCH FROM date_trunc('second', received_at)))::int
       WHERE first_response_at IS NOT NULL AND first_response_business_seconds IS NULL""",
    """UPDATE tickets_ticket SET resolution_business_seconds = GREATEST(0,
           (EXTRACT(EPOCH FROM date_trunc('second', resolved_at))
            - EXTRACT(EPOCH FROM date_trunc('second', received_at)))::int - paused_business_seconds)
       WHERE resolved_at IS NOT NULL AND resolution_business_seconds IS NULL""",
    # A sentiment on the first mention of each ticket (a quarter stay unknown).
    """UPDATE tickets_mention SET sentiment = (ARRAY['positive', 'neutral', 'negative', ''])[1 + mod(ticket_id, 4)::int]
       WHERE platform_id LIKE '%%-1' AND sentiment = ''""",
    # A next response on answered tickets with follow-ups: from the second mention, 5 to 125 minutes later.
    insert_select(
        Reply,
        {
            "brand_id": "t.brand_id",
            "ticket_id": "t.id",
            "author_id": "t.assignee_id",
            "body": "'Terima kasih, Kak.'",
            "status": "'sent'",
            "idempotency_key": "md5('bench-next-' || t.id)::uuid",
            "delivery_channel": "'console'",
            "platform_reply_id": "'console-next-' || t.id",
            "created_at": "s.at",
            "submitted_at": "s.at",
            "approved_at": "s.at",
            "sent_at": "s.at + d.late",
            "next_response_started_at": "s.at",
            "next_response_due_at": "s.at + interval '60 minutes'",
            "next_response_business_seconds": "EXTRACT(EPOCH FROM d.late)::int",
        },
        """FROM tickets_ticket t
       CROSS JOIN LATERAL (SELECT t.received_at + interval '20 minutes' AS at) s
       CROSS JOIN LATERAL (SELECT make_interval(mins => 5 + mod(t.id, 121)::int) AS late) d
       WHERE t.mention_count >= 2 AND t.first_response_at IS NOT NULL AND t.assignee_id IS NOT NULL""",
    ),
]


def load_extras() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT value FROM smrc_bench_progress WHERE name = 'report_extras'")
        if cursor.fetchone():
            print("Report extras already loaded.")
            return
        for sql in EXTRAS_SQL:
            started = time.perf_counter()
            cursor.execute(sql)
            print(f"  {cursor.rowcount:,} rows in {time.perf_counter() - started:.1f} s", flush=True)
        cursor.execute("INSERT INTO smrc_bench_progress (name, value) VALUES ('report_extras', 1)")
    for table in ("tickets_ticket", "tickets_mention", "tickets_reply"):
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {table}")


def manager_of(brand: Brand):
    user = get_user_model().objects.filter(username="bench_manager").first()
    user = user or get_user_model().objects.create_user(username="bench_manager")
    Membership.objects.get_or_create(user=user, brand=brand, defaults={"role": Role.MANAGER})
    return user


# --- the independent recomputation ----------------------------------------------------------------------------


def _rank(values: list[int], p: int) -> int | None:
    values = sorted(values)
    if not values:
        return None
    k = max(1, -(-p * len(values) // 100))
    return values[k - 1]


def _dist(values) -> tuple:
    values = [v for v in values if v is not None]
    return (len(values), _rank(values, 50), _rank(values, 90), _rank(values, 95))


def _secs(end, start) -> int | None:
    if end is None or start is None:
        return None
    return int(end.replace(microsecond=0).timestamp() - start.replace(microsecond=0).timestamp())


def recompute(brand: Brand, rng: ReportRange, now) -> dict:
    start, end = rng.bounds()
    tickets = list(
        Ticket.objects.filter(brand=brand, received_at__gte=start, received_at__lt=end).exclude(status="ignored")
    )
    first_sentiment = {}
    for ticket_id, sentiment in (
        Mention.objects.filter(ticket__in=[t.pk for t in tickets]).order_by("-received_at", "-pk")
    ).values_list("ticket_id", "sentiment"):
        first_sentiment[ticket_id] = sentiment  # the last written is the earliest
    per_day = Counter(t.received_at.astimezone(rng.tz).date() for t in tickets)
    running = ("new", "open")

    def fr_state(t):
        if t.first_response_at is not None and t.first_response_due_at is not None:
            return "met" if t.first_response_at <= t.first_response_due_at else "breached"
        if t.first_response_at is None and t.status in running and t.first_response_due_at < now:
            return "breached"
        return None

    def res_state(t):
        if t.resolved_at is not None and t.resolution_due_at is not None:
            return "met" if t.resolved_at <= t.resolution_due_at else "breached"
        if t.resolved_at is None and t.status in running and t.resolution_due_at < now:
            return "breached"
        return None

    answered = [t for t in tickets if t.first_response_at]
    resolved = [t for t in tickets if t.resolved_at]
    replies = list(Reply.objects.filter(ticket__in=[t.pk for t in tickets], next_response_started_at__isnull=False))
    replies = [r for r in replies if r.sent_at]
    overdue_next = sum(
        1 for t in tickets if t.status in running and t.next_response_due_at and t.next_response_due_at < now
    )
    states = [fr_state(t) for t in tickets]
    rstates = [res_state(t) for t in tickets]
    return {
        "tickets": len(tickets),
        "per_day": [(d, per_day.get(d, 0)) for d in rng.dates()],
        "fr_business": _dist(t.first_response_business_seconds for t in answered),
        "fr_calendar": _dist(_secs(t.first_response_at, t.received_at) for t in answered),
        "fr_customer": _dist(_secs(t.first_response_at, t.posted_at) for t in answered),
        "res_business": _dist(t.resolution_business_seconds for t in resolved),
        "res_calendar": _dist(_secs(t.resolved_at, t.received_at) - t.paused_seconds for t in resolved),
        "nr_calendar": _dist(_secs(r.sent_at, r.next_response_started_at) for r in replies),
        "nr_business": _dist(r.next_response_business_seconds for r in replies),
        "fr": (states.count("met"), states.count("breached")),
        "res": (rstates.count("met"), rstates.count("breached")),
        "nr": (
            sum(1 for r in replies if r.next_response_due_at is None or r.sent_at <= r.next_response_due_at),
            sum(1 for r in replies if r.next_response_due_at and r.sent_at > r.next_response_due_at) + overdue_next,
        ),
        "queue": _dist(_secs(t.claimed_at, t.received_at) for t in answered),
        "platforms": sorted(Counter(t.platform for t in tickets).items()),
        "sentiments": sorted(Counter(first_sentiment.get(t.pk) or "unknown" for t in tickets).items()),
    }


def figures(report) -> dict:
    def d(x):
        return (x.count, x.p50, x.p90, x.p95)

    return {
        "tickets": report.tickets,
        "per_day": report.per_day,
        "fr_business": d(report.fr_business),
        "fr_calendar": d(report.fr_calendar),
        "fr_customer": d(report.fr_customer),
        "res_business": d(report.res_business),
        "res_calendar": d(report.res_calendar),
        "nr_calendar": d(report.nr_calendar),
        "nr_business": d(report.nr_business),
        "fr": (report.fr.met, report.fr.breached),
        "res": (report.res.met, report.res.breached),
        "nr": (report.nr.met, report.nr.breached),
        "queue": d(report.split["queue"]),
        "platforms": sorted((g.key, g.tickets) for g in report.by_platform),
        "sentiments": sorted((g.key, g.tickets) for g in report.by_sentiment),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=5)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("bench/reports.py needs PostgreSQL: set DATABASE_URL (see the docstring).")
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    print(f"Database {connection.settings_dict['NAME']}")
    pages._ensure_database()
    pages.load(args.tickets, reload=False)
    load_extras()

    brand = Brand.objects.get(slug=BRAND)
    tz = ZoneInfo(brand.time_zone)
    today = timezone.now().astimezone(tz).date()
    rng = ReportRange(today - timedelta(days=DAYS - 1), today, tz)
    url = f"/reports/{BRAND}/?start={rng.first:%Y-%m-%d}&end={rng.last:%Y-%m-%d}"
    client = Client()
    client.force_login(manager_of(brand))
    print(f"\n{Ticket.objects.count():,} tickets in the database; {url}")
    print_load("start")
    for _ in range(args.warmup):
        assert client.get(url).status_code == 200
    timings, counts = [], set()
    for _ in range(args.requests):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
        counts.add(len(queries))
    page = summary(timings)
    p95 = page["p95"]

    # The limit: the page's own SQL run raw (every statement one request sends — the report of the range and of
    # the previous range for the headline, serving figures, goals, session — with its parameters), and
    # build_report alone (one range: the SQL plus the Python that shapes its rows), over the same number of runs.
    now = timezone.now()
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    statements = [
        q["sql"]
        for q in captured.captured_queries
        if not q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    report = build_report([brand.pk], rng, now=now)
    raw, built = [], []
    for _ in range(args.requests):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
                cursor.fetchall() if cursor.description else None
        raw.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        build_report([brand.pk], rng, now=now)
        built.append((time.perf_counter() - started) * 1000)
    raw_s, built_s = summary(raw), summary(built)
    print(f"{args.requests} requests after {args.warmup} warm-up; {report.tickets:,} tickets in range")
    print(f"{'':<34} {'median':>8} {'p95':>8} {'max':>8}")
    for name, figures_ in (
        (f"report page (queries {'/'.join(map(str, sorted(counts)))})", page),
        ("build_report alone", built_s),
        (f"the page's {len(statements)} statements, raw (limit)", raw_s),
    ):
        print(f"{name:<34} {figures_['median']:>8.0f} {figures_['p95']:>8.0f} {figures_['max']:>8.0f}")
    print(
        f"ratio page/SQL p95: {ratio(page['p95'], raw_s['p95'])}; the SQL is "
        f"{raw_s['median'] / page['median']:.0%} of the page's median"
    )
    with connection.cursor() as cursor:
        for statement in statements:
            started = time.perf_counter()
            cursor.execute(statement)
            cursor.fetchall() if cursor.description else None
            print(f"  {(time.perf_counter() - started) * 1000:7.1f} ms  {statement[:100]}")
    print_load("end")
    started = time.perf_counter()
    expected = recompute(brand, rng, now)
    print(f"Python recomputation from raw rows: {(time.perf_counter() - started) * 1000:.0f} ms")
    got = figures(report)
    wrong = {k: (got[k], expected[k]) for k in expected if got[k] != expected[k]}
    for key in ("fr_business", "fr_calendar", "fr_customer", "nr_business", "res_business", "fr", "nr", "res"):
        print(f"  {key:<14} {got[key]}")
    print("Figures equal to the recomputation:", "yes" if not wrong else f"NO: {wrong}")
    print("Target (p95 < 500 ms, exact figures):", "met" if not wrong and p95 < 500 else "MISSED")
    finish(p95 < 500, correct=not wrong)


if __name__ == "__main__":
    main()
