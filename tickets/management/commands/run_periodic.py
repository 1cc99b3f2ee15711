"""``manage.py run_periodic``: run ``settings.CELERY_BEAT_SCHEDULE`` in this process, without Redis.

The embedded default's stand-in for ``celery beat``: each entry's task is looked up by name in the Celery app
and called here on its interval. A failing task is logged and the loop goes on; SIGINT or SIGTERM stops it
between tasks.
"""

import logging
import signal
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from smrc.celery import app

logger = logging.getLogger("smrc.periodic")


def _seconds(schedule) -> float:
    if isinstance(schedule, int | float):
        return float(schedule)
    if isinstance(schedule, timedelta):
        return schedule.total_seconds()
    run_every = getattr(schedule, "run_every", None)  # celery.schedules.schedule
    if isinstance(run_every, timedelta):
        return run_every.total_seconds()
    raise CommandError(f"run_periodic supports intervals only, not {schedule!r}; use celery beat for that entry")


class Command(BaseCommand):
    help = "Run the periodic tasks of CELERY_BEAT_SCHEDULE in-process (the embedded default, no Redis)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run every entry once, then stop")

    def handle(self, *args, **options):
        if any(entry["task"] not in app.tasks for entry in settings.CELERY_BEAT_SCHEDULE.values()):
            app.loader.import_default_modules()  # imports every app's tasks module (and sets Django up again)
        entries = []
        for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
            if entry["task"] not in app.tasks:
                raise CommandError(f"{name}: no task named {entry['task']!r}")
            entries.append((name, app.tasks[entry["task"]], _seconds(entry["schedule"]), entry))
        if options["once"]:
            for name, task, _interval, entry in entries:
                self._run(name, task, entry)
            return

        stop = threading.Event()

        def request_stop(signum, frame):
            stop.set()

        previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            self.stdout.write(
                "Periodic tasks: " + ", ".join(f"{name} every {interval:g} s" for name, _, interval, _ in entries)
            )
            due = dict.fromkeys((name for name, *_ in entries), time.monotonic())  # everything runs at start
            while not stop.is_set():
                for name, task, interval, entry in entries:
                    if stop.is_set():
                        break
                    if time.monotonic() >= due[name]:
                        close_old_connections()  # a long-lived process must not keep a broken connection
                        self._run(name, task, entry)
                        due[name] = time.monotonic() + interval
                stop.wait(max(0.0, min(due.values()) - time.monotonic()))
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        self.stdout.write("Periodic tasks stopped.")

    def _run(self, name: str, task, entry: dict) -> None:
        started = time.monotonic()
        try:
            result = task(*entry.get("args", ()), **entry.get("kwargs", {}))
        except Exception:
            logger.exception("periodic task %s (%s) failed; it runs again on its next interval", name, task.name)
        else:
            logger.info("periodic task %s: %s in %.2f s", name, result, time.monotonic() - started)
