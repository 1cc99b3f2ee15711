"""Liveness and readiness (docs/operations.md, "Health").

``/healthz``: the process answers; touches nothing else, so a load balancer never takes every web node out because
the database blinked. ``/readyz``: the database, Redis, a recent heartbeat from a worker of every queue, and the
age of the oldest webhook delivery still waiting; 200 when all are fine, else 503, each check with its reason.
Both answer JSON and set no cookie; neither shows a secret (a failing connection is named by its error class).
"""

import time

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .celery import heartbeat_key

REDIS_TIMEOUT_SECONDS = 1.0


@never_cache
@require_GET
def healthz(request):
    return JsonResponse({"status": "ok"})


def _ok(detail: str) -> dict:
    return {"ok": True, "detail": detail}


def _fail(detail: str) -> dict:
    return {"ok": False, "detail": detail}


def _error(exc: Exception) -> str:
    """A failure's class and first line; connection errors name host and port, never credentials."""
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {first}"[:300]


def check_database(alias: str = DEFAULT_DB_ALIAS) -> dict:
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return _fail(_error(exc))
    return _ok("answers")


def check_redis() -> dict:
    if not settings.REDIS_URL:
        return _ok("not configured: tasks run in-process")
    client = redis.Redis.from_url(
        settings.REDIS_URL, socket_connect_timeout=REDIS_TIMEOUT_SECONDS, socket_timeout=REDIS_TIMEOUT_SECONDS
    )
    try:
        client.ping()
    except Exception as exc:
        return _fail(_error(exc))
    finally:
        client.close()
    return _ok("answers")


def heartbeat_ages(now: float | None = None) -> dict[str, float | None]:
    """Seconds since each queue's worker last stamped its heartbeat (None: never, or the stamp expired)."""
    now = now if now is not None else time.time()
    stamps = cache.get_many([heartbeat_key(queue) for queue in settings.SMRC_TASK_QUEUES])
    ages = {}
    for queue in settings.SMRC_TASK_QUEUES:
        stamp = stamps.get(heartbeat_key(queue))
        ages[queue] = max(0.0, now - stamp) if isinstance(stamp, int | float) else None
    return ages


def check_workers() -> dict:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return _ok("tasks run in-process")
    try:
        ages = heartbeat_ages()
    except Exception as exc:
        return _fail(f"cannot read the heartbeats: {_error(exc)}")
    limit = settings.SMRC_READY_HEARTBEAT_MAX_AGE
    late = {queue: age for queue, age in ages.items() if age is None or age > limit}
    if late:
        parts = [
            f"{queue}: " + ("no heartbeat" if age is None else f"last heartbeat {age:.0f} s ago")
            for queue, age in late.items()
        ]
        return _fail(f"no worker seen within {limit} s on " + "; ".join(parts))
    return _ok(f"heartbeat within the last {max(ages.values()):.0f} s on every queue")


def check_deliveries() -> dict:
    from tickets.models import InboundDelivery

    try:
        oldest = (
            InboundDelivery.objects.filter(state=InboundDelivery.State.PENDING)
            .order_by("received_at")
            .values_list("received_at", flat=True)
            .first()
        )
    except Exception as exc:
        return _fail(f"cannot read the deliveries: {_error(exc)}")
    if oldest is None:
        return _ok("no delivery waiting")
    age = (timezone.now() - oldest).total_seconds()
    limit = settings.SMRC_READY_DELIVERY_MAX_AGE
    if age > limit:
        return _fail(f"the oldest unprocessed delivery is {age:.0f} s old (limit {limit} s)")
    return _ok(f"the oldest unprocessed delivery is {age:.0f} s old")


@never_cache
@require_GET
def readyz(request):
    checks = {"database": check_database()}
    if settings.SMRC_READ_REPLICA:
        checks["replica"] = check_database("replica")
    checks["redis"] = check_redis()
    checks["workers"] = check_workers()
    checks["deliveries"] = check_deliveries() if checks["database"]["ok"] else _fail("the database does not answer")
    ready = all(check["ok"] for check in checks.values())
    return JsonResponse({"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503)
