"""Races that only a real database with concurrent connections shows (PostgreSQL; skipped on SQLite).

Each test runs two threads, each on its own connection (Django connections are per thread), lined up on a
``threading.Barrier`` so both reach the critical section together. ``transactional_db`` makes the rows the
setup writes visible to those connections.
"""

import threading
import time
from collections.abc import Callable

import pytest
from django.db import IntegrityError, connection

from tests.factories import make_normalized, make_ticket
from tickets.models import DeliveryAttempt, Mention, Reply, ReplyStatus, Ticket
from tickets.selectors.ticket import get_ticket_for_user
from tickets.services import delivery, ingest, replies, workflow
from tickets.services.workflow import ClaimConflict

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_together(*jobs: Callable[[], object], timeout: float = 20) -> list[object]:
    """Run ``jobs`` in threads released at the same instant; return each result or the exception it raised."""
    barrier = threading.Barrier(len(jobs), timeout=timeout)
    results: list[object] = [None] * len(jobs)

    def runner(index: int, job: Callable[[], object]) -> None:
        try:
            barrier.wait()
            results[index] = job()
        except Exception as exc:  # the test inspects it
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
        assert not thread.is_alive(), "a racing thread hung"
    return results


def slow(module, name: str, seconds: float = 0.3):
    """Wrap ``module.name`` so it sleeps first: holds a transaction open so the other thread runs into it."""
    real = getattr(module, name)

    def wrapper(*args, **kwargs):
        time.sleep(seconds)
        return real(*args, **kwargs)

    return wrapper


def test_two_operators_claiming_at_once_one_wins_the_other_is_told(cast, monkeypatch):
    """Both operators load the ticket and see it unclaimed, as two browsers would: a check-then-set on that copy
    would give it to both. The claim is a compare-and-set on ``assignee IS NULL``; the claim event is slowed so
    the winner's transaction is still open when the loser's UPDATE arrives, and waits on its row lock."""
    ticket = make_ticket(cast.brand_a)
    second = cast.supervisor  # also allowed to claim; a different user
    copies = [get_ticket_for_user(user, ticket.pk, "ticket:work") for user in (cast.operator, second)]
    assert [copy.assignee_id for copy in copies] == [None, None]  # the stale reads a naive claim would trust
    monkeypatch.setattr(workflow.events, "ticket_claimed", slow(workflow.events, "ticket_claimed"))

    results = run_together(
        lambda: workflow.claim_ticket(ticket=copies[0], user=cast.operator),
        lambda: workflow.claim_ticket(ticket=copies[1], user=second),
    )

    winners = [r for r in results if isinstance(r, Ticket)]
    losers = [r for r in results if isinstance(r, ClaimConflict)]
    assert (len(winners), len(losers)) == (1, 1), results
    ticket.refresh_from_db()
    winner_name = ticket.assignee.get_username()
    assert winners[0].assignee_id == ticket.assignee_id
    assert str(losers[0]) == f"{winner_name} claimed this ticket first."
    assert ticket.events.filter(kind="ticket.claimed").count() == 1


def test_the_same_mention_ingested_twice_at_once_is_stored_once(cast):
    item = make_normalized(cast.brand_a, platform_id="tw-race", author_id="u-race")

    results = run_together(lambda: ingest.ingest_mentions(items=[item]), lambda: ingest.ingest_mentions(items=[item]))

    assert all(isinstance(r, list) for r in results), results
    statuses = sorted(r[0].status for r in results)
    assert statuses == ["created", "duplicate"]
    assert Mention.objects.count() == 1
    assert Ticket.objects.count() == 1
    assert Ticket.objects.get().mention_count == 1
    assert results[0][0].mention_id == results[1][0].mention_id


def test_without_the_advisory_lock_the_same_mention_races(cast, monkeypatch):
    """Shows the race the advisory lock prevents: with it disabled and both batches past the "already stored?"
    check, the second insert hits the unique constraint and the whole batch fails."""
    item = make_normalized(cast.brand_a, platform_id="tw-race", author_id="u-race")
    monkeypatch.setattr(ingest, "_lock", lambda items: None)
    both_checked = threading.Barrier(2, timeout=10)
    real_upsert = ingest._upsert_author

    def upsert_after_both_checked(*args, **kwargs):
        both_checked.wait()  # both batches have looked for the mention and found nothing
        return real_upsert(*args, **kwargs)

    monkeypatch.setattr(ingest, "_upsert_author", upsert_after_both_checked)

    results = run_together(lambda: ingest.ingest_mentions(items=[item]), lambda: ingest.ingest_mentions(items=[item]))

    assert sum(isinstance(r, IntegrityError) for r in results) == 1, results
    assert Mention.objects.count() == 1


def test_an_author_writing_twice_at_once_gets_one_ticket(cast):
    """Two different mentions of one author arriving together thread into one ticket, not two."""
    first = make_normalized(cast.brand_a, platform_id="tw-1", author_id="u-race")
    second = make_normalized(cast.brand_a, platform_id="tw-2", author_id="u-race")

    results = run_together(
        lambda: ingest.ingest_mentions(items=[first]), lambda: ingest.ingest_mentions(items=[second])
    )

    assert all(isinstance(r, list) for r in results), results
    assert Mention.objects.count() == 2
    assert Ticket.objects.count() == 1
    assert Ticket.objects.get().mention_count == 2


def test_two_deliveries_of_the_same_reply_publish_it_once(cast, monkeypatch):
    """``approved → sending`` is a compare-and-set before the platform call: without it both workers would pass a
    status check and publish twice. The publish is slowed so the second worker arrives while the first is
    still publishing."""
    ticket = make_ticket(cast.brand_a)
    workflow.claim_ticket(ticket=ticket, user=cast.operator)
    reply = replies.send_reply(ticket=ticket, user=cast.operator, body="Halo")  # committed; eager task ran
    Reply.objects.filter(pk=reply.pk).update(status=ReplyStatus.APPROVED, platform_reply_id="", sent_at=None)
    DeliveryAttempt.objects.all().delete()
    published = []
    from tickets.channels import console

    real_publish = console.publish

    def slow_publish(reply):
        published.append(reply.pk)
        time.sleep(0.3)
        return real_publish(reply)

    monkeypatch.setattr(console, "publish", slow_publish)

    results = run_together(
        lambda: delivery.deliver_reply(reply_id=reply.pk), lambda: delivery.deliver_reply(reply_id=reply.pk)
    )

    assert sorted(type(r).__name__ for r in results) == ["NoneType", "Reply"], results
    assert published == [reply.pk]
    assert DeliveryAttempt.objects.filter(reply=reply).count() == 1
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.SENT
