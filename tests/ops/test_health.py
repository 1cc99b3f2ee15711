"""/healthz (alive, touches nothing) and /readyz (database, Redis, worker heartbeats, the delivery backlog): 200
when everything answers, else 503 naming what failed and why."""

import time
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.db import OperationalError, connection
from django.utils import timezone

from smrc import health
from smrc.celery import heartbeat, heartbeat_key
from smrc.health import heartbeat_ages
from tickets.models import InboundDelivery

QUEUES = ("ingest", "publishing", "mail", "periodic")


def stamp(age: float = 0.0, queues=QUEUES, now: float | None = None) -> None:
    for queue in queues:
        cache.set(heartbeat_key(queue), (time.time() if now is None else now) - age)


def pending(age_seconds: int) -> InboundDelivery:
    return InboundDelivery.objects.create(
        platform="x", body="{}", received_at=timezone.now() - timedelta(seconds=age_seconds)
    )


@pytest.mark.parametrize("path", ["/healthz", "/healthz/"])
def test_healthz_answers_without_touching_the_database(client, path):
    # no django_db mark: any query would raise (pytest-django blocks database access here)
    response = client.get(path)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert not response.cookies


def test_healthz_refuses_writes(client):
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/readyz", "/readyz/"])
def test_readyz_in_process_mode_is_ready(client, settings, path):
    settings.REDIS_URL = ""
    response = client.get(path)
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {
            "database": {"ok": True, "detail": "answers"},
            "redis": {"ok": True, "detail": "not configured: tasks run in-process"},
            "workers": {"ok": True, "detail": "tasks run in-process"},
            "deliveries": {"ok": True, "detail": "no delivery waiting"},
        },
    }
    assert not response.cookies


@pytest.mark.django_db
def test_readyz_with_workers_needs_a_fresh_heartbeat_on_every_queue(client, settings, monkeypatch):
    settings.REDIS_URL = ""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    # The page reads the ages at this instant: "5 s" stays 5 s however long the request takes on a busy machine
    # (half a second later it said "6 s").
    now = time.time()
    monkeypatch.setattr(health, "time", SimpleNamespace(time=lambda: now))

    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["checks"]["workers"] == {
        "ok": False,
        "detail": "no worker seen within 120 s on ingest: no heartbeat; publishing: no heartbeat; "
        "mail: no heartbeat; periodic: no heartbeat",
    }

    stamp(age=5, now=now)
    response = client.get("/readyz")
    assert response.status_code == 200
    workers = response.json()["checks"]["workers"]
    assert workers == {"ok": True, "detail": "heartbeat within the last 5 s on every queue"}

    stamp(age=500, queues=["publishing"], now=now)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["workers"] == {
        "ok": False,
        "detail": "no worker seen within 120 s on publishing: last heartbeat 500 s ago",
    }
    assert response.json()["checks"]["database"]["ok"] is True


def test_the_heartbeat_task_stamps_its_queue():
    assert heartbeat_ages()["ingest"] is None
    stamped = heartbeat("ingest")
    assert cache.get(heartbeat_key("ingest")) == stamped
    ages = heartbeat_ages(now=stamped + 7)
    assert ages == {"ingest": 7.0, "publishing": None, "mail": None, "periodic": None}


@pytest.mark.django_db
def test_readyz_fails_when_the_oldest_delivery_waits_too_long(client, settings):
    settings.REDIS_URL = ""
    pending(age_seconds=60)
    response = client.get("/readyz")
    assert response.status_code == 200
    deliveries = response.json()["checks"]["deliveries"]
    assert deliveries == {"ok": True, "detail": "the oldest unprocessed delivery is 60 s old"}

    pending(age_seconds=600)
    InboundDelivery.objects.create(
        platform="x", body="[]", state="processed", received_at=timezone.now() - timedelta(hours=5)
    )
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["deliveries"] == {
        "ok": False,
        "detail": "the oldest unprocessed delivery is 600 s old (limit 300 s)",
    }


@pytest.mark.django_db
def test_readyz_names_a_database_that_does_not_answer(client, settings):
    settings.REDIS_URL = ""

    def refuse(execute, sql, params, many, context):
        raise OperationalError('connection to server at "db.internal", port 5432 failed: Connection refused')

    with connection.execute_wrapper(refuse):
        response = client.get("/readyz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"] == {
        "ok": False,
        "detail": 'OperationalError: connection to server at "db.internal", port 5432 failed: Connection refused',
    }
    assert checks["deliveries"] == {"ok": False, "detail": "the database does not answer"}
    assert checks["redis"]["ok"] is True


@pytest.mark.django_db
def test_readyz_names_a_redis_that_does_not_answer(client, settings):
    settings.REDIS_URL = "redis://:hunter2-secret@127.0.0.1:1/0"
    response = client.get("/readyz")
    assert response.status_code == 503
    redis_check = response.json()["checks"]["redis"]
    assert redis_check["ok"] is False
    assert redis_check["detail"].startswith("ConnectionError: Error 111 connecting to 127.0.0.1:1.")
    assert "hunter2" not in response.content.decode()
    assert response.json()["checks"]["database"]["ok"] is True


@pytest.mark.django_db
def test_readyz_with_a_live_redis(client, settings):
    if not settings.REDIS_URL:
        pytest.skip("needs REDIS_URL")
    response = client.get("/readyz")
    assert response.json()["checks"]["redis"] == {"ok": True, "detail": "answers"}
    assert response.status_code == 200


def test_readyz_refuses_writes(client):
    assert client.post("/readyz").status_code == 405
