"""tickets.services.delivery: publish an approved reply at most once; permanent errors fail with a reason."""

from datetime import UTC, datetime, timedelta

import pytest

from tests.factories import make_ticket
from tests.helpers import db_state
from tickets.channels import console
from tickets.channels.base import ChannelError
from tickets.models import DeliveryAttempt, Event, ReplyStatus, TicketStatus
from tickets.services import delivery, replies, workflow

T0 = datetime(2025, 3, 3, 2, 0, tzinfo=UTC)


@pytest.fixture
def reply(cast, django_capture_on_commit_callbacks):
    ticket = make_ticket(cast.brand_a, now=T0)
    workflow.claim_ticket(ticket=ticket, user=cast.operator, now=T0)
    with django_capture_on_commit_callbacks(execute=False):  # the test delivers by hand
        return replies.send_reply(ticket=ticket, user=cast.operator, body="Mohon ditunggu", now=T0)


def test_deliver_publishes_and_stamps_the_clocks(cast, reply):
    sent = delivery.deliver_reply(reply_id=reply.pk, now=T0 + timedelta(minutes=2))
    ticket = sent.ticket
    assert (sent.status, sent.sent_at) == (ReplyStatus.SENT, T0 + timedelta(minutes=2))
    assert (ticket.status, ticket.first_response_at, ticket.last_response_at, ticket.pending_since) == (
        TicketStatus.PENDING,
        T0 + timedelta(minutes=2),
        T0 + timedelta(minutes=2),
        T0 + timedelta(minutes=2),
    )
    assert (ticket.first_submitted_at, ticket.first_approved_at) == (T0, T0)


def test_a_second_delivery_of_the_same_reply_does_nothing(cast, reply):
    delivery.deliver_reply(reply_id=reply.pk, now=T0)
    before = db_state()
    assert delivery.deliver_reply(reply_id=reply.pk, now=T0 + timedelta(minutes=1)) is None
    assert delivery.deliver_reply_task(reply.pk) == "skipped"
    assert db_state() == before
    assert DeliveryAttempt.objects.filter(reply=reply).count() == 1


def test_a_reply_left_sending_by_a_crashed_worker_is_not_sent_again(cast, reply):
    type(reply).objects.filter(pk=reply.pk).update(status=ReplyStatus.SENDING)
    before = db_state()
    assert delivery.deliver_reply(reply_id=reply.pk) is None
    assert delivery.approved_replies_waiting(older_than=timedelta(0), now=T0 + timedelta(days=1)) == []
    assert db_state() == before


def test_a_permanent_channel_error_fails_the_reply_with_its_reason(cast, reply, monkeypatch):
    def refuse(reply):
        raise ChannelError("comments disabled", permanent=True)

    monkeypatch.setattr(console, "publish", refuse)
    failed = delivery.deliver_reply(reply_id=reply.pk, now=T0)

    failed.refresh_from_db()
    assert (failed.status, failed.failure_reason, failed.platform_reply_id, failed.sent_at) == (
        ReplyStatus.FAILED,
        "comments disabled",
        "",
        None,
    )
    attempt = DeliveryAttempt.objects.get()
    assert (attempt.outcome, attempt.error, attempt.platform_reply_id) == ("failed", "comments disabled", "")
    assert attempt.finished_at is not None
    ticket = failed.ticket
    ticket.refresh_from_db()
    assert (ticket.status, ticket.first_response_at, ticket.due_at) == (
        TicketStatus.OPEN,
        None,
        T0 + timedelta(minutes=60),
    )
    event = Event.objects.get(kind="reply.failed")
    assert (event.reply, event.data) == (failed, {"reason": "comments disabled"})


def test_a_reply_sent_after_the_ticket_was_resolved_leaves_it_resolved(cast, reply):
    workflow.resolve_ticket(ticket=reply.ticket, user=cast.operator, now=T0 + timedelta(minutes=1))
    sent = delivery.deliver_reply(reply_id=reply.pk, now=T0 + timedelta(minutes=2))
    assert sent.status == ReplyStatus.SENT
    assert (sent.ticket.status, sent.ticket.pending_since) == (TicketStatus.RESOLVED, None)
    assert sent.ticket.first_response_at == T0 + timedelta(minutes=2)


def test_an_unknown_delivery_channel_fails_the_reply_for_a_person_to_see(cast, reply):
    type(reply).objects.filter(pk=reply.pk).update(delivery_channel="pigeon")
    failed = delivery.deliver_reply(reply_id=reply.pk)
    assert failed.status == "failed"
    assert failed.failure_reason == "Unexpected delivery error (LookupError); check before retrying."


def test_an_unexpected_error_fails_the_reply_instead_of_leaving_it_sending(
    cast, monkeypatch, django_capture_on_commit_callbacks
):
    from tests.factories import make_ticket
    from tickets.channels import console
    from tickets.models import DeliveryAttempt, ReplyStatus
    from tickets.services import replies, workflow

    def broken(reply):
        raise RuntimeError("database went away")

    monkeypatch.setattr(console, "publish", broken)
    ticket = workflow.claim_ticket(ticket=make_ticket(cast.brand_a), user=cast.operator)
    with django_capture_on_commit_callbacks(execute=True):
        reply = replies.send_reply(ticket=ticket, user=cast.operator, body="Halo kak")
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.FAILED
    assert reply.failure_reason == "Unexpected delivery error (RuntimeError); check before retrying."
    assert list(DeliveryAttempt.objects.filter(reply=reply).values_list("outcome", flat=True)) == ["failed"]
