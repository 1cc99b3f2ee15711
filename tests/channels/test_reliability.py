"""Nothing lost, nothing doubled (docs/domain.md, "Inbound"): the broker down while deliveries arrive, a worker
dying mid-batch, the same item delivered in parallel (PostgreSQL)."""

import json
import threading

import pytest
from django.db import connection
from django.test import Client
from kombu.exceptions import OperationalError

from tickets.models import InboundDelivery, Mention, Ticket
from tickets.services import inbound, ingest

from .conftest import X_ACCOUNT, payload, post_x


def tweets(n: int, start: int = 0) -> list[dict]:
    """``n`` Account Activity deliveries of one distinct mention each, from ``n`` different people."""
    base = payload("x_aaa_tweet_create_events_mention.json")
    out = []
    for i in range(start, start + n):
        tweet = {**base["tweet_create_events"][0], "id_str": f"70000{i}", "id": 70000 + i}
        tweet["user"] = {**tweet["user"], "id_str": f"800{i}", "screen_name": f"user{i}"}
        out.append({"for_user_id": X_ACCOUNT, "tweet_create_events": [tweet]})
    return out


def batch(n: int) -> dict:
    """One delivery carrying ``n`` mentions."""
    events = [d["tweet_create_events"][0] for d in tweets(n)]
    return {"for_user_id": X_ACCOUNT, "tweet_create_events": events}


@pytest.fixture
def broker_down(monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(inbound.process_delivery_task, "delay", refuse)
    return monkeypatch


def sweep(settings) -> int:
    settings.SMRC_DELIVERY_SWEEP_AFTER_SECONDS = 0
    return inbound.sweep_deliveries_task()


def test_the_broker_down_loses_nothing_and_the_sweep_doubles_nothing(accounts, broker_down, settings):
    client = Client()
    for data in tweets(5):
        assert post_x(client, data).json() == {"received": True}  # acknowledged: it is stored
    retried = post_x(client, tweets(1)[0])  # the platform retried the first one: the same bytes, stored once
    assert (retried.status_code, retried.json()) == (200, {"received": True, "duplicate": True})
    assert InboundDelivery.objects.filter(state="pending").count() == 5
    assert not Mention.objects.exists()
    assert sweep(settings) == 5  # Redis still down: the sweep itself cannot queue; they stay pending
    assert InboundDelivery.objects.filter(state="pending").count() == 5

    broker_down.undo()  # Redis is back
    assert sweep(settings) == 5
    assert InboundDelivery.objects.filter(state="processed").count() == 5
    assert Mention.objects.count() == 5
    assert Ticket.objects.count() == 5
    assert sweep(settings) == 0
    assert Mention.objects.count() == 5


def test_a_failure_mid_batch_leaves_no_half_batch_and_the_retry_makes_no_duplicates(
    accounts, broker_down, monkeypatch, settings
):
    client = Client()
    post_x(client, batch(10))
    delivery = InboundDelivery.objects.get()
    real = ingest.ingest_mentions

    def dies_half_way(*, items, now=None):
        real(items=items[: len(items) // 2], now=now)
        raise RuntimeError("worker lost its database connection")

    monkeypatch.setattr(ingest, "ingest_mentions", dies_half_way)
    assert inbound.process_delivery(delivery.pk) == "pending"
    delivery.refresh_from_db()
    assert delivery.attempts == 1
    assert "RuntimeError" in delivery.error
    assert not Mention.objects.exists()  # the half batch was rolled back with its savepoint

    monkeypatch.setattr(ingest, "ingest_mentions", real)
    broker_down.undo()
    sweep(settings)
    assert Mention.objects.count() == 10
    post_x(client, batch(10), body=json.dumps(batch(10)).encode())  # the platform re-batched it: other bytes
    assert Mention.objects.count() == 10
    assert Ticket.objects.count() == 10
    assert InboundDelivery.objects.filter(state="processed").count() == 2


class WorkerKilled(BaseException):
    """Stands for SIGKILL: nothing in the worker catches it."""


def test_a_worker_killed_mid_batch_rolls_back_and_redelivery_creates_no_duplicates(
    accounts, broker_down, monkeypatch, settings
):
    post_x(Client(), batch(10))
    delivery = InboundDelivery.objects.get()
    real = ingest.ingest_mentions

    def killed(*, items, now=None):
        real(items=items[:5], now=now)
        raise WorkerKilled

    monkeypatch.setattr(ingest, "ingest_mentions", killed)
    with pytest.raises(WorkerKilled):
        inbound.process_delivery(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.state == "pending"
    assert delivery.attempts == 0
    assert not Mention.objects.exists()
    monkeypatch.setattr(ingest, "ingest_mentions", real)
    broker_down.undo()
    sweep(settings)
    sweep(settings)
    assert Mention.objects.count() == 10
    assert Ticket.objects.count() == 10


def test_the_sweep_gives_up_after_the_maximum_attempts(accounts, broker_down, monkeypatch, settings):
    settings.SMRC_DELIVERY_MAX_ATTEMPTS = 2
    post_x(Client(), batch(2))
    broker_down.undo()

    def broken(**kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr(ingest, "ingest_mentions", broken)
    sweep(settings)
    sweep(settings)
    delivery = InboundDelivery.objects.get()
    assert (delivery.state, delivery.attempts) == ("failed", 2)
    assert sweep(settings) == 0


# --- PostgreSQL: real concurrency ------------------------------------------------------------------------------


def run_together(*jobs):
    barrier = threading.Barrier(len(jobs), timeout=20)
    results = [None] * len(jobs)

    def runner(index, job):
        try:
            barrier.wait()
            results[index] = job()
        except Exception as exc:
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
        assert not thread.is_alive()
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_item_delivered_in_parallel_is_one_mention(accounts, broker_down):
    client = Client()
    data = batch(20)
    post_x(client, data)
    post_x(client, data, body=json.dumps(data).encode())  # the same posts again, in another batch (other bytes)
    first, second = InboundDelivery.objects.order_by("pk").values_list("pk", flat=True)
    results = run_together(lambda: inbound.process_delivery(first), lambda: inbound.process_delivery(second))
    assert results == ["processed", "processed"]
    assert Mention.objects.count() == 20
    assert Ticket.objects.count() == 20


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_delivery_processed_by_two_workers_at_once_is_processed_once(accounts, broker_down):
    post_x(Client(), batch(20))
    delivery = InboundDelivery.objects.get()
    results = run_together(lambda: inbound.process_delivery(delivery.pk), lambda: inbound.process_delivery(delivery.pk))
    assert sorted(results) == ["processed", "processed"]
    delivery.refresh_from_db()
    assert delivery.attempts == 1
    assert delivery.summary["created"] == 20
    assert Mention.objects.count() == 20
