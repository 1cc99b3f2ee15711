"""Faults under load: the shift and the crisis burst of ``bench/load.py``, and during the burst a worker killed in
mid-batch, Redis restarted and PostgreSQL restarted. Then it counts: every accepted mention a ticket exactly once,
no reply published twice, and the stack back to ready by itself (docs/operations.md, "Faults").

    .venv/bin/python bench/faults.py        # or: make bench-faults

It touches nothing shared: it starts its own Redis (``--redis-port``, 6380) and its own PostgreSQL cluster
(``initdb`` in a temporary folder, ``--pg-port`` 5433, run as the ``postgres`` user), so both can be restarted
without disturbing anyone else's tests, and a fake X API (``tests/publishing/fake_platform.py``) that counts every
post, which the brands' accounts publish to. Timeline, from the start of the burst:

- +10 s: ``kill -9`` of an ingest worker process while it processes a delivery (a prefork child: its master
  starts a new one; the task comes back because it is acknowledged only when done);
- +15 s: ``kill -9`` of a publishing worker process (a reply left ``sending`` is looked up on the platform
  before any new post, ``SMRC_SENDING_STALE_SECONDS`` later);
- +20 s: ``kill -9`` of the publishing worker's main process (the Procfile starts it again; the tasks it had
  taken come back through the sweeps);
- +25 s: Redis stopped and started again, empty (no persistence: every queued task is lost; the sweeps re-queue
  what the database still holds);
- +40 s: PostgreSQL restarted (``pg_ctl restart -m fast``: every connection of the stack is cut).

Every process it started is stopped at the end, whatever happens.
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import load as loadtest  # noqa: E402

PG_BIN = Path("/usr/lib/postgresql/15/bin")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--redis-port", type=int, default=6380)
    parser.add_argument("--pg-port", type=int, default=5433)
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument("--burst", type=int, default=20_000)
    parser.add_argument("--duration", type=int, default=150)
    parser.add_argument("--burst-at", type=int, default=45, help="seconds into the run; the faults follow it")
    parser.add_argument("--recover-timeout", type=int, default=600)
    return parser.parse_args()


def as_postgres(*command: str, **kwargs) -> subprocess.CompletedProcess:
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    return subprocess.run([*prefix, *command], check=True, capture_output=True, text=True, **kwargs)


class Postgres:
    """A PostgreSQL cluster of our own in a temporary folder, so it can be restarted under load."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.folder = Path(tempfile.mkdtemp(prefix="smrc-faults-pg-"))
        shutil.chown(self.folder, "postgres") if os.geteuid() == 0 else None
        self.data = self.folder / "data"
        as_postgres(str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")
        self.pg_ctl("start")

    def pg_ctl(self, action: str, *extra: str) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=on"
        as_postgres(
            str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.folder / "log"), "-o", options, "-w",
            action, *extra,
        )  # fmt: skip

    def restart(self) -> None:
        self.pg_ctl("restart", "-m", "fast")

    def stop(self) -> None:
        try:
            self.pg_ctl("stop", "-m", "fast")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


class Redis:
    """A redis-server of our own (no persistence: a restart empties it, the worst case)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.proc = None
        self.start()

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(50):
            answer = subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True).stdout
            if answer.strip() == b"PONG":
                return
            time.sleep(0.1)
        raise SystemExit(f"redis-server on port {self.port} did not start")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)

    def restart(self, down_seconds: float = 2) -> None:
        self.stop()
        time.sleep(down_seconds)
        self.start()


def worker_main(queue: str) -> int | None:
    """The main process of the Celery worker of ``queue`` (started by our stack)."""
    import psutil

    for proc in psutil.process_iter(["pid", "cmdline"]):
        cmd = proc.info["cmdline"] or []
        if "worker" in cmd and "--queues" in cmd and cmd[cmd.index("--queues") + 1] == queue:
            return proc.info["pid"]
    return None


def worker_children(queue: str) -> list[int]:
    """The prefork pool processes of the Celery worker of ``queue``."""
    import psutil

    main = worker_main(queue)
    return [child.pid for child in psutil.Process(main).children()] if main else []


class Timeline(threading.Thread):
    """The faults, at their times from the start of the burst, and /readyz every second."""

    def __init__(self, burst_at: float, redis: Redis, postgres: Postgres, url: str) -> None:
        super().__init__(daemon=True)
        self.burst_at, self.redis, self.postgres, self.url = burst_at, redis, postgres, url
        self.log: list[tuple[float, str]] = []
        self.ready: list[tuple[float, int | str | None]] = []
        self.stopped = threading.Event()
        self.t0 = time.monotonic()

    def note(self, text: str) -> None:
        self.log.append((round(time.monotonic() - self.t0, 1), text))
        print(f"[{self.log[-1][0]:6.1f} s] {text}", flush=True)

    def at(self, seconds: float) -> None:
        while time.monotonic() - self.t0 < self.burst_at + seconds and not self.stopped.is_set():
            self.probe()
            time.sleep(0.5)

    def probe(self) -> None:
        try:
            status, _ = loadtest.get(self.url + "/readyz", timeout=10)
        except OSError as exc:  # refused (None), or no answer within 10 s: the web busy, queueing ("timeout")
            status = "timeout" if isinstance(getattr(exc, "reason", exc), TimeoutError) else None
        self.ready.append((round(time.monotonic() - self.t0, 1), status))

    def run(self) -> None:
        self.at(10)
        children = worker_children("ingest")
        if children:
            os.kill(children[0], signal.SIGKILL)
            self.note(f"kill -9 ingest worker process {children[0]} (mid-batch: the burst is being processed)")
        self.at(15)
        children = worker_children("publishing")
        if children:
            os.kill(children[0], signal.SIGKILL)
            self.note(f"kill -9 publishing worker process {children[0]}")
        self.at(20)
        main = worker_main("publishing")
        if main:
            os.kill(main, signal.SIGKILL)
            self.note(f"kill -9 the publishing worker's main process {main} (its Procfile line starts it again)")
        self.at(25)
        self.note("Redis: stop")
        self.redis.restart()
        self.note("Redis: started again, empty")
        self.at(40)
        self.note("PostgreSQL: restart -m fast")
        self.postgres.restart()
        self.note("PostgreSQL: up again")
        while not self.stopped.is_set():
            self.probe()
            time.sleep(1)


def publishing_counts(fake) -> dict:
    from tickets.models import Reply

    posts = [r for r in fake.posts() if r.path == "/x/2/tweets"]
    per_reply = Counter((r.body["reply"]["in_reply_to_tweet_id"], r.body["text"]) for r in posts)
    statuses = Counter(Reply.objects.values_list("status", flat=True))
    sent_ids = set(Reply.objects.filter(status="sent").values_list("platform_reply_id", flat=True))
    published_ids = {p["id"] for p in fake.published if p["platform"] == "x"}
    return {
        "replies": dict(statuses),
        "posts": len(posts),
        "distinct_replies_posted": len(per_reply),
        "posted_twice": sum(1 for n in per_reply.values() if n > 1),
        "sent_not_on_platform": len(sent_ids - published_ids),
        "on_platform_not_sent": len(published_ids - sent_ids),
    }


def main() -> None:
    args = parse_args()
    from tests.publishing.fake_platform import FakePlatform

    loadtest.OUT.mkdir(parents=True, exist_ok=True)
    redis = postgres = fake = stack = locust = timeline = None
    try:
        redis = Redis(args.redis_port)
        postgres = Postgres(args.pg_port)
        fake = FakePlatform().start()
        load_args = loadtest.parse_args(
            [
                "--database", f"postgres://postgres@127.0.0.1:{args.pg_port}/smrc_load_faults",
                "--redis", f"redis://127.0.0.1:{args.redis_port}/0",
                "--port", str(args.port), "--burst", str(args.burst), "--duration", str(args.duration),
                "--burst-at", str(args.burst_at),
            ]
        )  # fmt: skip
        run_id = int(time.time()) % 100_000
        os.environ.update(
            DATABASE_URL=load_args.database,
            REDIS_URL=load_args.redis,
            DJANGO_SETTINGS_MODULE="smrc.settings",
            SMRC_LOAD_ACCESS_TOKEN="fake-x-token",
        )
        loadtest.recreate_database(load_args.database)
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, check=True)
        import django

        django.setup()
        from django.db import close_old_connections, connection

        plan = loadtest.seed(load_args, run_id)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        plan_file = loadtest.OUT / f"{run_id}-plan.json"
        plan_file.write_text(json.dumps(plan))
        connection.close()

        env = loadtest.stack_env(load_args)
        env.update(
            SMRC_X_API_URL=f"{fake.url}/x/2",
            SMRC_SENDING_STALE_SECONDS="60",
            SMRC_DELIVERY_SWEEP_AFTER_SECONDS="20",
            DB_CONN_MAX_AGE="60",
        )
        stack = loadtest.Stack(load_args, loadtest.OUT / f"{run_id}-faults-stack.log", env=env)
        stack.wait_ready()
        from django.utils import timezone

        since = timezone.now()
        users = plan["operators"] + plan["supervisors"] + plan["managers"] + load_args.burst_senders
        locust = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "locust"), "-f", str(ROOT / "bench" / "load" / "locustfile.py"),
                "--headless", "--users", str(users), "--spawn-rate", str(load_args.spawn_rate),
                "--run-time", f"{args.duration}s",
                "--host", stack.url, "--csv", str(loadtest.OUT / f"{run_id}-faults-locust"), "--only-summary",
                "--loglevel", "ERROR", "--stop-timeout", "10",
            ],
            cwd=ROOT,
            env={**os.environ, "SMRC_LOAD_PLAN": str(plan_file)},
            stdout=(loadtest.OUT / f"{run_id}-faults-locust.log").open("w"),
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        timeline = Timeline(load_args.burst_at, redis, postgres, stack.url)
        timeline.start()
        locust.wait()
        timeline.note("Locust finished; waiting for the stack to catch up by itself")

        from tickets.models import InboundDelivery, Reply

        started = time.monotonic()
        recovered = None
        while time.monotonic() - started < args.recover_timeout:
            close_old_connections()
            try:
                waiting = (
                    InboundDelivery.objects.filter(state="pending").count(),
                    Reply.objects.filter(status__in=["approved", "sending"]).count(),
                )
            except Exception:  # noqa: BLE001 - the database may still be coming back
                waiting = None
            status, _ = loadtest.get(stack.url + "/readyz")
            if waiting == (0, 0) and status == 200:
                recovered = time.monotonic() - started
                break
            time.sleep(2)
        timeline.note(
            f"caught up {recovered:.0f} s after Locust" if recovered is not None else "did NOT catch up in time"
        )
        timeline.stopped.set()
        close_old_connections()
        ingest = loadtest.ingest_figures(plan, since)
        publishing = publishing_counts(fake)
        last_fault = next((t for t, text in timeline.log if text.startswith("PostgreSQL: up")), 0.0)
        first_ok_after_pg = next((t for t, s in timeline.ready if s == 200 and t >= last_fault), None)
        not_ready = [t for t, s in timeline.ready if s not in (200, "timeout")]
        pages = loadtest.locust_stats(loadtest.OUT / f"{run_id}-faults-locust")
        result = {
            "run": run_id,
            "faults": timeline.log,
            "readyz_timeline": timeline.ready,
            "ready_again_at": first_ok_after_pg,
            "not_ready_seconds": [min(not_ready), max(not_ready)] if not_ready else [],
            "caught_up_after_locust_seconds": recovered,
            "stack_alive": stack.proc.poll() is None,
            "ingest": ingest,
            "publishing": publishing,
            "pages": pages,
            "load1": os.getloadavg()[0],
        }
        (loadtest.OUT / f"{run_id}-faults.json").write_text(json.dumps(result, indent=2, default=str))
        print_counts(result)
        ok = (
            ingest["lost"] == 0
            and ingest["stored_twice"] == 0
            and ingest["tickets"] == ingest["stored_mentions"]
            and publishing["posted_twice"] == 0
            and recovered is not None
            and result["stack_alive"]
        )
        if not ok:
            sys.exit("FAILED: something was lost, doubled, or the stack did not recover by itself")
    finally:
        if timeline:
            timeline.stopped.set()
        if locust and locust.poll() is None:
            locust.terminate()
            locust.wait(30)
        if stack:
            stack.stop()
        if fake:
            fake.stop()
        if redis:
            redis.stop()
        if postgres:
            postgres.stop()


def print_counts(result: dict) -> None:
    ingest, publishing = result["ingest"], result["publishing"]
    failures = sum(row["failures"] for row in result["pages"] if row["name"] != "Aggregated")
    print("faults:", "; ".join(f"{t} s {text}" for t, text in result["faults"]))
    print(
        f"mentions: {ingest['accepted_mentions']:,} accepted, {ingest['stored_mentions']:,} stored, "
        f"{ingest['tickets']:,} tickets, lost {ingest['lost']}, stored twice {ingest['stored_twice']}; "
        f"deliveries {ingest['deliveries']} ({ingest['deliveries_failed']} failed, "
        f"{ingest['deliveries_pending']} pending)"
    )
    print(
        f"replies: {publishing['replies']}; posts to the platform {publishing['posts']} for "
        f"{publishing['distinct_replies_posted']} replies; posted twice {publishing['posted_twice']}; sent but not "
        f"on the platform {publishing['sent_not_on_platform']}; on the platform but not sent "
        f"{publishing['on_platform_not_sent']}"
    )
    print(
        f"recovery: /readyz not 200 between {result['not_ready_seconds']} s, 200 again at {result['ready_again_at']} s "
        f"(PostgreSQL was up again at the last fault); every delivery and reply done "
        f"{result['caught_up_after_locust_seconds']} s after Locust; stack alive without a restart by hand: "
        f"{result['stack_alive']}; failed requests during the run {failures} (the fault windows)"
    )


if __name__ == "__main__":
    main()
