"""What the domain figures of /metrics cost to compute (``smrc.metrics.DomainCollector``), on the million
tickets of ``bench/pages.py`` (docs/operations.md, "Metrics"):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/smrc_bench .venv/bin/python bench/pages.py --load-only
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/smrc_bench .venv/bin/python bench/metrics_cost.py

Computes them ``--runs`` times (the cache emptied each time), prints the queries with their database time, the
median and maximum wall time of a computation after two warm-up runs, and the load average.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smrc.settings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=12)
    args = parser.parse_args()
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from smrc.metrics import DOMAIN
    from tickets.models import Reply, Ticket

    if connection.vendor != "postgresql":
        sys.exit("set DATABASE_URL to the PostgreSQL database of bench/pages.py")
    print(f"{Ticket.objects.count():,} tickets, {Reply.objects.count():,} replies")
    times = []
    for _ in range(args.runs):
        DOMAIN.clear()
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            DOMAIN.collect()
        times.append((time.perf_counter() - started) * 1000)
    for query in queries.captured_queries:
        print(f"  {float(query['time']) * 1000:6.1f} ms  {query['sql'][:110]}")
    measured = times[2:]
    print(
        f"{len(queries)} queries; a computation: median {statistics.median(measured):.1f} ms, "
        f"max {max(measured):.1f} ms over {len(measured)} runs; load average {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
