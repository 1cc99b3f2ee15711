"""Load test of the production stack: a shift of operators, supervisors and managers with a crisis burst of
mentions through the signed webhooks, against `make prod` on this machine (docs/performance.md, "Load").

    .venv/bin/python bench/load.py            # or: make bench-load
    .venv/bin/python bench/load.py --burst-only --web-workers 1 --ingest-workers 2   # the scale-out runs

1. Empties its own database (``--database``, default ``smrc_load``; refuses any other name not starting with
   ``smrc_load``) and Redis database (``--redis``), migrates, and seeds what the shift needs: 4 brands with an X
   account each (its own webhook secret), 50 operators, 5 supervisors, 2 managers, a review policy sampling a
   fifth of the replies, and a backlog of open tickets.
2. Starts the stack as `make prod` does (``python -m smrc.prod``: gunicorn, a Celery worker per queue, beat) on
   ``--port`` and waits until ``/readyz`` answers 200.
3. Runs Locust headless (``bench/load/locustfile.py``) for ``--duration`` seconds; the burst starts at
   ``--burst-at``. Meanwhile samples the load average and the stack's own ``/metrics``.
4. Waits until every accepted delivery is processed, then reports: p50/p95 per page, webhook-to-visible-ticket
   time (p50/p95/max: the delivery's acceptance to the commit of its tickets), mentions per second sustained,
   errors, and mentions lost (items of accepted deliveries without a stored mention: must be 0), and checks the
   Prometheus request counts (summed over the gunicorn workers) against what Locust sent.
5. Stops every process it started. Figures go to stdout and ``var/load/<run>.json``.
"""

import argparse
import csv
import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "var" / "load"
PASSWORD = "smrc-load-shift"  # noqa: S105 - the bench's own throwaway accounts


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", default="postgres://postgres@127.0.0.1:5432/smrc_load")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/11")
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument("--web-workers", type=int, default=4)
    parser.add_argument("--ingest-workers", type=int, default=2)
    parser.add_argument("--operators", type=int, default=50)
    parser.add_argument("--supervisors", type=int, default=5)
    parser.add_argument("--managers", type=int, default=2)
    parser.add_argument("--backlog", type=int, default=2000, help="open tickets before the shift starts")
    parser.add_argument("--burst", type=int, default=20_000, help="mentions in the crisis burst")
    parser.add_argument("--burst-seconds", type=int, default=60)
    parser.add_argument("--burst-items", type=int, default=50, help="mentions per webhook delivery")
    parser.add_argument("--burst-senders", type=int, default=16, help="concurrent connections of the platform")
    parser.add_argument("--burst-at", type=int, default=45, help="seconds into the run")
    parser.add_argument("--spawn-rate", type=float, default=5, help="users started per second (logins spread out)")
    parser.add_argument("--duration", type=int, default=150, help="seconds of Locust")
    parser.add_argument("--burst-only", action="store_true", help="no shift: the burst alone (scale-out runs)")
    parser.add_argument("--drain-timeout", type=int, default=900)
    parser.add_argument("--label", default="", help="a name for this run in the report")
    parser.add_argument(
        "--scale",
        action="store_true",
        help="the scale-out runs: the burst alone, compressed, with 1 and 2 ingest worker processes, then with 1 "
        "and 2 gunicorn workers; prints the ratios",
    )
    return parser.parse_args(argv)


# --- database ---------------------------------------------------------------------------------------------------


def connect(url: str, name: str | None = None):
    """An autocommit psycopg2 connection to ``url``'s server, to its database or to ``name``."""
    import dj_database_url
    import psycopg2

    config = dj_database_url.parse(url)
    connection = psycopg2.connect(
        dbname=name or config["NAME"],
        user=config["USER"],
        host=config["HOST"],
        port=config["PORT"] or 5432,
        password=config["PASSWORD"],
    )
    connection.autocommit = True
    return connection


def recreate_database(url: str, *, prefixes: tuple[str, ...] = ("smrc_load",)) -> None:
    """Drop and create ``url``'s database; only names starting with one of ``prefixes``."""
    import dj_database_url
    from psycopg2 import sql

    name = dj_database_url.parse(url)["NAME"]
    if not name.startswith(prefixes):
        sys.exit(f"refusing to empty {name!r}: only databases named {' or '.join(p + '…' for p in prefixes)}")
    admin = connect(url, "postgres")
    with admin.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    admin.close()


def flush_redis(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    client.flushdb()
    client.close()


def seed(args, run: int) -> dict:
    """The shift's people, brands and accounts, and a backlog of open tickets; the plan for Locust."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from brands.models import Brand, ChannelAccount, Membership, ReviewPolicy, Role, SlaPolicy
    from tickets.channels.base import NormalizedAuthor, NormalizedMention
    from tickets.services import ingest

    user_model = get_user_model()
    password = make_password(PASSWORD)
    brands, accounts = [], []
    for n, (slug, name, handle) in enumerate(
        [
            ("load-telkora", "Telkora", "TelkoraCare"),
            ("load-nusabank", "Nusa Bank", "NusaBankCS"),
            ("load-kopisenja", "Kopi Senja", "KopiSenjaID"),
            ("load-ojekku", "Ojekku", "OjekkuHelp"),
        ]
    ):
        brand = Brand.objects.create(slug=slug, name=name, time_zone="Asia/Jakarta", languages="id,en")
        for priority, minutes in ((1, 240), (2, 120), (3, 60), (4, 30)):
            SlaPolicy.objects.create(
                brand=brand,
                priority=priority,
                first_response_minutes=minutes,
                next_response_minutes=minutes,
                resolution_minutes=minutes * 24,
            )
        ReviewPolicy.objects.update_or_create(brand=brand, defaults={"sample_percent": 20})
        secret = f"load-secret-{slug}-{run}"
        account = ChannelAccount.objects.create(
            brand=brand,
            platform="x",
            external_id=f"15870000000001{n:05d}",
            name=name,
            handle=handle,
            webhook_secret=secret,
            access_token=os.environ.get("SMRC_LOAD_ACCESS_TOKEN", ""),
        )
        brands.append(brand)
        accounts.append({"external_id": account.external_id, "handle": handle, "secret": secret, "brand": slug})

    def person(username: str, role: str, brand_list) -> dict:
        user = user_model.objects.create(username=username, password=password, email=f"{username}@load.test")
        for brand in brand_list:
            Membership.objects.create(user=user, brand=brand, role=role)
        return {"username": username, "brands": [b.slug for b in brand_list]}

    users = {
        "operators": [
            person(f"op{i:03d}", Role.OPERATOR, [brands[i % 4], brands[(i + 1) % 4]]) for i in range(args.operators)
        ],
        "supervisors": [person(f"sup{i:02d}", Role.SUPERVISOR, brands) for i in range(args.supervisors)],
        "managers": [person(f"mgr{i:02d}", Role.MANAGER, brands[i % 2 :: 2]) for i in range(args.managers)],
    }
    now = timezone.now()
    channel_ids = dict(ChannelAccount.objects.values_list("brand_id", "pk"))
    for start in range(0, args.backlog, 100):
        items = [
            NormalizedMention(
                brand_id=brands[i % 4].pk,
                platform="x",
                platform_id=f"8{run:05d}{i:07d}",
                author=NormalizedAuthor(platform_user_id=f"backlog-{i}", handle=f"pelanggan{i}", name="Pelanggan"),
                text=f"Halo min, pesanan {i} belum sampai dari kemarin, tolong dicek ya",
                posted_at=now - timedelta(minutes=(args.backlog - i) % 240),
                language="in",
                channel_account_id=channel_ids[brands[i % 4].pk],
            )
            for i in range(start, min(args.backlog, start + 100))
        ]
        ingest.ingest_mentions(items=items)
    today = timezone.localdate()
    return {
        "run": run,
        "password": PASSWORD,
        "users": users,
        "accounts": accounts,
        "operators": 0 if args.burst_only else args.operators,
        "supervisors": 0 if args.burst_only else args.supervisors,
        "managers": 0 if args.burst_only else args.managers,
        "burst_mentions": args.burst,
        "burst_seconds": args.burst_seconds,
        "burst_items": args.burst_items,
        "burst_senders": args.burst_senders,
        "burst_at": args.burst_at,
        "report_start": str(today - timedelta(days=6)),
        "report_end": str(today),
        "accepted_file": str(OUT / f"{run}-accepted.json"),
    }


# --- the stack ----------------------------------------------------------------------------------------------------


def stack_env(args) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SECRET_KEY", "SECRET_KEY_FILE", "PROMETHEUS_MULTIPROC_DIR", "SMRC_BEAT_SCHEDULE")
    }
    env.update(
        DATABASE_URL=args.database,
        REDIS_URL=args.redis,
        PORT=str(args.port),
        WEB_CONCURRENCY=str(args.web_workers),
        INGEST_CONCURRENCY=str(args.ingest_workers),
        PROMETHEUS_MULTIPROC_DIR=str(OUT / f"prometheus-{args.port}"),
        SMRC_BEAT_SCHEDULE=str(OUT / f"celerybeat-{args.port}"),
        SMRC_METRICS_ALLOWED_IPS="127.0.0.1/32",
        DB_CONN_MAX_AGE="60",
    )
    return env


class Stack:
    """`make prod` as a child process group, stopped on exit whatever happens."""

    def __init__(self, args, log: Path, env: dict | None = None) -> None:
        self.url = f"http://127.0.0.1:{args.port}"
        self.log = log.open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "smrc.prod"],
            cwd=ROOT,
            env=env or stack_env(args),
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 120) -> float:
        started = time.monotonic()
        deadline = started + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"the stack stopped while starting (exit {self.proc.returncode}); see {self.log.name}")
            try:
                with urllib.request.urlopen(self.url + "/readyz", timeout=2) as response:
                    if response.status == 200:
                        return time.monotonic() - started
            except OSError:
                pass
            time.sleep(1)
        raise SystemExit(f"/readyz did not answer 200 within {timeout} s; see {self.log.name}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        self.log.close()


def get(url: str, timeout: float = 5) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def metric_values(text: str, name: str) -> dict[tuple, float]:
    from prometheus_client.parser import text_string_to_metric_families

    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name:
                found[tuple(sorted(sample.labels.items()))] = sample.value
    return found


class Sampler(threading.Thread):
    """Every 5 s: the load average and what the stack's /metrics says (the collector's own cost included)."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url, self.samples, self.stopped = url, [], threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(5):
            entry = {"t": time.time(), "load1": os.getloadavg()[0]}
            try:
                status, text = get(self.url + "/metrics", timeout=10)
                if status == 200:
                    entry["collect_seconds"] = next(iter(metric_values(text, "smrc_metrics_compute_seconds").values()))
                    entry["pending"] = next(iter(metric_values(text, "smrc_deliveries_pending").values()))
                    entry["ingest_queue"] = metric_values(text, "smrc_celery_queue_length").get(
                        (("queue", "ingest"),), 0.0
                    )
                ready, _ = get(self.url + "/readyz", timeout=10)
                entry["ready"] = ready
            except OSError:
                entry["ready"] = None
            self.samples.append(entry)


def cpu_snapshot(database: str) -> dict:
    """CPU seconds used so far by each process of the stack, by group, and the machine's CPU times. (PostgreSQL's
    backends come and go with their connections, so their share is in the machine's figure only.)"""
    import psutil

    groups = {}
    for proc in psutil.process_iter(["pid", "cmdline", "username"]):
        cmd = " ".join(proc.info["cmdline"] or [])
        if (proc.info["cmdline"] or [""])[0].endswith("sh"):
            continue  # the Procfile's restart loops
        if "gunicorn smrc.wsgi" in cmd:
            group = "web"
        elif "celery -A smrc worker" in cmd or "celery -A smrc beat" in cmd:
            args = proc.info["cmdline"]
            group = args[args.index("--queues") + 1] if "--queues" in args else "beat"
        elif "bin/locust" in cmd:
            group = "locust"
        else:
            continue
        try:
            times = proc.cpu_times()
        except psutil.Error:
            continue
        groups[proc.info["pid"]] = (group, times.user + times.system)
    return {"procs": groups, "machine": psutil.cpu_times()._asdict(), "at": time.monotonic()}


def cpu_used(before: dict, after: dict, extra: dict[str, float]) -> dict:
    """CPU seconds per group between two snapshots (and ``extra``, measured otherwise), and how busy the machine's
    cores were (all processes, ours and anyone else's)."""
    used: dict[str, float] = dict(extra)
    for pid, (group, seconds) in after["procs"].items():
        start = before["procs"].get(pid, (group, 0.0))[1]
        used[group] = used.get(group, 0.0) + max(0.0, seconds - start)
    total = sum(after["machine"].values()) - sum(before["machine"].values())
    idle = (after["machine"]["idle"] + after["machine"].get("iowait", 0)) - (
        before["machine"]["idle"] + before["machine"].get("iowait", 0)
    )
    wall = after["at"] - before["at"]
    return {
        "seconds": {k: round(v, 1) for k, v in sorted(used.items())},
        "wall_seconds": round(wall, 1),
        "machine_busy": round(1 - idle / total, 3) if total else None,
        "ours_of_machine": round(sum(used.values()) / (wall * (os.cpu_count() or 1)), 3) if wall else None,
    }


# --- results ----------------------------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered) + 0.5) - 1))] if ordered else float("nan")


def locust_stats(prefix: Path) -> list[dict]:
    rows = []
    with open(f"{prefix}_stats.csv") as handle:
        for row in csv.DictReader(handle):
            rows.append(
                {
                    "name": row["Name"],
                    "type": row["Type"],
                    "requests": int(row["Request Count"]),
                    "failures": int(row["Failure Count"]),
                    "p50": float(row["50%"] or 0),
                    "p95": float(row["95%"] or 0),
                    "max": float(row["Max Response Time"] or 0),
                }
            )
    return rows


def ingest_figures(plan: dict, since) -> dict:
    from django.db.models import Count

    from tickets.models import InboundDelivery, Mention, Ticket

    accepted = sorted(set(json.loads(Path(plan["accepted_file"]).read_text())))
    deliveries = list(
        InboundDelivery.objects.filter(received_at__gte=since, platform="x")
        .order_by("received_at")
        .values("received_at", "processed_at", "state", "summary")
    )
    latencies = []  # one value per mention: its delivery's acceptance to the commit of its ticket
    for d in deliveries:
        if d["processed_at"] and d["summary"]:
            latencies += [(d["processed_at"] - d["received_at"]).total_seconds()] * d["summary"]["created"]
    stored = 0
    tickets = set()
    for start in range(0, len(accepted), 5000):
        chunk = accepted[start : start + 5000]
        rows = Mention.objects.filter(platform="x", platform_id__in=chunk).values_list("platform_id", "ticket_id")
        ids = [pid for pid, _ in rows]
        stored += len(set(ids))
        tickets.update(t for _, t in rows)
    twice = (
        Mention.objects.filter(platform="x", platform_id__in=accepted[:50000])
        .values("platform_id")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
    )
    processed = [d for d in deliveries if d["processed_at"]]
    first_done = min((d["processed_at"] for d in processed), default=None)
    last_done = max((d["processed_at"] for d in processed), default=None)
    work_span = (last_done - first_done).total_seconds() if processed else 0
    span = (last_done - deliveries[0]["received_at"]).total_seconds() if processed else 0
    accept_span = (deliveries[-1]["received_at"] - deliveries[0]["received_at"]).total_seconds() if deliveries else 0
    visible = Ticket.objects.filter(pk__in=tickets, status__in=["new", "open", "pending"]).count()
    return {
        "deliveries": len(deliveries),
        "deliveries_failed": sum(1 for d in deliveries if d["state"] == "failed"),
        "deliveries_pending": sum(1 for d in deliveries if d["state"] == "pending"),
        "accepted_mentions": len(accepted),
        "stored_mentions": stored,
        "stored_twice": twice,
        "lost": len(set(accepted)) - stored,
        "tickets": len(tickets),
        "tickets_in_queue": visible,
        "mentions_per_second": len(latencies) / span if span else 0.0,
        # while there was work waiting: the processing capacity (first to last delivery processed)
        "processing_per_second": len(latencies) / work_span if work_span else 0.0,
        "accepted_per_second": len(accepted) / accept_span if accept_span else 0.0,
        "burst_span_seconds": span,
        "visible_p50": percentile(latencies, 0.50),
        "visible_p95": percentile(latencies, 0.95),
        "visible_max": max(latencies) if latencies else float("nan"),
    }


def wait_drained(timeout: int) -> float:
    from tickets.models import InboundDelivery

    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if not InboundDelivery.objects.filter(state="pending").exists():
            return time.monotonic() - started
        time.sleep(1)
    return float("nan")


def run(args) -> dict:
    OUT.mkdir(parents=True, exist_ok=True)
    run_id = int(time.time()) % 100_000
    os.environ["DATABASE_URL"], os.environ["REDIS_URL"] = args.database, args.redis
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smrc.settings")
    from django.apps import apps

    if apps.ready:  # an earlier run of --scale in this process: its connection is to the database dropped now
        from django.db import connections

        connections.close_all()
    recreate_database(args.database)
    flush_redis(args.redis)
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, check=True)
    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    started_seed = time.monotonic()
    plan = seed(args, run_id)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # a production database has its statistics; a fresh one gets them here
    seeded = time.monotonic() - started_seed
    plan_file = OUT / f"{run_id}-plan.json"
    plan_file.write_text(json.dumps(plan))
    connection.close()

    stack = Stack(args, OUT / f"{run_id}-stack.log")
    try:
        ready_after = stack.wait_ready()
        since = timezone.now()
        cpu_before = cpu_snapshot(connection.settings_dict["NAME"])
        sampler = Sampler(stack.url)
        sampler.start()
        users = plan["operators"] + plan["supervisors"] + plan["managers"] + args.burst_senders
        prefix = OUT / f"{run_id}-locust"
        import resource

        children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        locust = subprocess.run(
            [
                str(Path(sys.executable).parent / "locust"),
                "-f",
                str(ROOT / "bench" / "load" / "locustfile.py"),
                "--headless",
                "--users",
                str(users),
                "--spawn-rate",
                str(args.spawn_rate),
                "--run-time",
                f"{args.duration}s",
                "--host",
                stack.url,
                "--csv",
                str(prefix),
                "--only-summary",
                "--loglevel",
                "WARNING",
                "--stop-timeout",
                "10",
            ],
            cwd=ROOT,
            env={**os.environ, "SMRC_LOAD_PLAN": str(plan_file)},
            capture_output=True,
            text=True,
            check=False,
        )
        children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        locust_cpu = (children_after.ru_utime + children_after.ru_stime) - (
            children_before.ru_utime + children_before.ru_stime
        )
        (OUT / f"{run_id}-locust.log").write_text(locust.stdout + locust.stderr)
        drained_after = wait_drained(args.drain_timeout)
        cpu = cpu_used(cpu_before, cpu_snapshot(connection.settings_dict["NAME"]), extra={"locust": locust_cpu})
        sampler.stopped.set()
        sampler.join(10)
        _, metrics_text = get(stack.url + "/metrics")
        result = {
            "run": run_id,
            "label": args.label,
            "web_workers": args.web_workers,
            "ingest_workers": args.ingest_workers,
            "cpus": os.cpu_count(),
            "seed_seconds": round(seeded, 1),
            "ready_after_seconds": round(ready_after, 1),
            "drained_after_locust_seconds": round(drained_after, 1),
            "pages": locust_stats(prefix),
            "ingest": ingest_figures(plan, since),
            "cpu": cpu,
            "load1": [s["load1"] for s in sampler.samples],
            "collector_seconds": [s["collect_seconds"] for s in sampler.samples if "collect_seconds" in s],
            "readyz": [s.get("ready") for s in sampler.samples],
            "prometheus_requests_by_view": {
                dict(labels).get("view", "") + " " + dict(labels).get("method", ""): value
                for labels, value in metric_values(
                    metrics_text, "django_http_requests_latency_seconds_by_view_method_count"
                ).items()
            },
        }
    finally:
        stack.stop()
    (OUT / f"{run_id}.json").write_text(json.dumps(result, indent=2, default=str))
    return result


def report(result: dict) -> None:
    ingest = result["ingest"]
    load = result["load1"] or [float("nan")]
    print(f"run {result['run']} {result['label']}: {result['web_workers']} gunicorn workers, "
          f"{result['ingest_workers']} ingest worker processes, {result['cpus']} CPUs")  # fmt: skip
    print(f"load average (1 min) during the run: min {min(load):.1f}, median {statistics.median(load):.1f}, "
          f"max {max(load):.1f}")  # fmt: skip
    print("| page | requests | failures | p50 ms | p95 ms | max ms |")
    print("|---|---:|---:|---:|---:|---:|")
    for row in result["pages"]:
        print(f"| {row['type']} {row['name']} | {row['requests']} | {row['failures']} | {row['p50']:.0f} | "
              f"{row['p95']:.0f} | {row['max']:.0f} |")  # fmt: skip
    print(
        f"burst: {ingest['accepted_mentions']:,} mentions accepted in {ingest['deliveries']} deliveries "
        f"({ingest['accepted_per_second']:.0f}/s accepted); {ingest['stored_mentions']:,} stored, "
        f"{ingest['tickets']:,} tickets ({ingest['tickets_in_queue']:,} in the queue); lost {ingest['lost']}, "
        f"stored twice {ingest['stored_twice']}; deliveries failed {ingest['deliveries_failed']}, "
        f"pending {ingest['deliveries_pending']}"
    )
    print(
        f"sustained {ingest['mentions_per_second']:.0f} mentions/s over {ingest['burst_span_seconds']:.0f} s "
        f"(processing {ingest['processing_per_second']:.0f}/s from the first to the last delivery processed); "
        f"webhook to ticket in the queue p50 {ingest['visible_p50']:.1f} s, p95 {ingest['visible_p95']:.1f} s, "
        f"max {ingest['visible_max']:.1f} s; drained {result['drained_after_locust_seconds']} s after Locust ended"
    )
    cpu = result["cpu"]
    per_k = cpu["seconds"].get("ingest", 0) / (ingest["stored_mentions"] / 1000) if ingest["stored_mentions"] else 0
    print(
        f"CPU seconds over {cpu['wall_seconds']} s: {cpu['seconds']}; the machine's cores busy "
        f"{cpu['machine_busy']:.0%}, this stack's processes and Locust {cpu['ours_of_machine']:.0%} of them; ingest "
        f"{per_k:.2f} CPU s per 1,000 mentions (one core: {1000 / per_k if per_k else 0:,.0f} mentions/s)"
    )
    collector = result["collector_seconds"] or [float("nan")]
    codes = sorted(set(result["readyz"]), key=str)
    print(f"metrics collector: median {statistics.median(collector) * 1000:.1f} ms, "
          f"max {max(collector) * 1000:.1f} ms; /readyz codes seen: {codes}")  # fmt: skip


def scale(args) -> None:
    """The same burst (no shift), sent faster than one process of the measured tier can take it: ingest with 1
    and 2 worker processes (2 gunicorn workers accept), then acceptance with 1 and 2 gunicorn workers (2 ingest
    processes). Each run starts from an empty database."""
    import copy

    runs = []
    for label, web, ingest, seconds in (
        ("ingest x1", 2, 1, 10),
        ("ingest x2", 2, 2, 10),
        ("web x1", 1, 2, 5),
        ("web x2", 2, 2, 5),
    ):
        one = copy.copy(args)
        one.burst_only, one.web_workers, one.ingest_workers, one.burst_seconds = True, web, ingest, seconds
        one.burst_at, one.duration, one.label, one.backlog = 5, 90, label, 2000
        result = run(one)
        report(result)
        runs.append(result)
    by = {r["label"]: r for r in runs}

    def ratio(a: str, b: str, key: str) -> str:
        low, high = by[a]["ingest"][key], by[b]["ingest"][key]
        return f"{high / low:.2f}" if low else "n/a"

    print()
    print("| run | gunicorn | ingest | accepted/s | processed/s | webhook p95 ms | visible p95 s | load avg (median) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in runs:
        hook = next((row for row in r["pages"] if row["name"].startswith("webhook (")), {"p95": float("nan")})
        print(
            f"| {r['label']} | {r['web_workers']} | {r['ingest_workers']} | {r['ingest']['accepted_per_second']:.0f} | "
            f"{r['ingest']['processing_per_second']:.0f} | {hook['p95']:.0f} | {r['ingest']['visible_p95']:.1f} | "
            f"{statistics.median(r['load1'] or [float('nan')]):.1f} |"
        )
    print("| run | web CPU s | ingest CPU s | locust CPU s | cores busy | ours |")
    print("|---|---:|---:|---:|---:|---:|")
    for r in runs:
        c = r["cpu"]
        print(
            f"| {r['label']} | {c['seconds'].get('web', 0)} | {c['seconds'].get('ingest', 0)} | "
            f"{c['seconds'].get('locust', 0)} | {c['machine_busy']:.0%} | "
            f"{c['ours_of_machine']:.0%} |"
        )
    print(f"ingest x2 / x1, mentions processed per second: {ratio('ingest x1', 'ingest x2', 'processing_per_second')}")
    print(f"web x2 / x1, mentions accepted per second: {ratio('web x1', 'web x2', 'accepted_per_second')}")


def main() -> None:
    args = parse_args()
    if args.scale:
        scale(args)
        return
    result = run(args)
    report(result)
    if result["ingest"]["lost"] or result["ingest"]["stored_twice"]:
        sys.exit("mentions were lost or stored twice")


if __name__ == "__main__":
    main()
