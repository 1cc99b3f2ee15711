"""Races of the review workflow that only PostgreSQL shows: two submissions on one ticket at the same instant,
and two reviewers deciding on one reply at once. Each first shows why a check on a loaded copy would not do."""

import time

import pytest

from brands.models import ReviewPolicy, Role
from tests.concurrency.test_races import run_together
from tests.factories import make_member, make_ticket, make_user
from tickets import events
from tickets.models import Reply, ReplyStatus, ReviewDecision
from tickets.services import replies, workflow
from tickets.services.workflow import WorkflowError

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _slowed(monkeypatch, name: str, seconds: float = 0.3) -> None:
    real = getattr(events, name)

    def wrapper(*args, **kwargs):
        time.sleep(seconds)  # holds the transaction (and the ticket's row lock) open
        return real(*args, **kwargs)

    monkeypatch.setattr(events, name, wrapper)


def test_two_replies_submitted_at_once_one_is_refused_with_a_clear_message(cast, monkeypatch):
    """Both see no reply on the ticket when they load it; only the ticket's row lock makes the second wait and
    then see the first one."""
    ReviewPolicy.objects.create(brand=cast.brand_a, review_all=True)
    ticket = workflow.claim_ticket(ticket=make_ticket(cast.brand_a), user=cast.operator)
    assert not ticket.replies.exists()  # the copy each submission starts from
    _slowed(monkeypatch, "reply_submitted")

    results = run_together(
        lambda: replies.submit_reply(ticket=ticket, user=cast.operator, body="Satu"),
        lambda: replies.submit_reply(ticket=ticket, user=cast.supervisor, body="Dua"),
    )

    kinds = sorted(type(r).__name__ for r in results)
    assert kinds == ["Reply", "WorkflowError"], results
    refused = next(r for r in results if isinstance(r, WorkflowError))
    assert str(refused) == "Another reply on this ticket is waiting for review."
    assert Reply.objects.count() == 1


def test_two_reviewers_deciding_at_once_one_decision_counts(cast, monkeypatch):
    ReviewPolicy.objects.create(brand=cast.brand_a, review_all=True)
    other = make_user("sup_a2")
    make_member(other, cast.brand_a, Role.SUPERVISOR)
    ticket = workflow.claim_ticket(ticket=make_ticket(cast.brand_a), user=cast.operator)
    reply = replies.submit_reply(ticket=ticket, user=cast.operator, body="Halo")
    _slowed(monkeypatch, "reply_approved")

    results = run_together(
        lambda: replies.approve_reply(reply=reply, user=cast.supervisor, expected_revision=1),
        lambda: replies.request_changes(reply=reply, user=other, code="tone", note="Lebih ramah", expected_revision=1),
    )

    assert sorted(type(r).__name__ for r in results) == ["Reply", "WorkflowError"], results
    assert ReviewDecision.objects.count() == 1
    reply.refresh_from_db()
    assert reply.status in (ReplyStatus.APPROVED, ReplyStatus.SENT, ReplyStatus.CHANGES_REQUESTED)
