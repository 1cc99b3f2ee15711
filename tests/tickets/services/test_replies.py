"""tickets.services.replies: write → approved → delivered by the console channel → sent; and every refusal."""

import logging
from datetime import timedelta

import pytest
from django.utils import timezone
from kombu.exceptions import OperationalError

from brands.models import Role
from tests.factories import make_member, make_ticket, make_user
from tests.helpers import db_state, event_kinds
from tickets.models import DeliveryAttempt, Reply, ReplyRevision, ReplyStatus, TicketStatus
from tickets.services import delivery, replies, workflow
from tickets.services.workflow import WorkflowError


@pytest.fixture
def ticket(cast):
    ticket = make_ticket(cast.brand_a, platform_id="tw-1", text="Paket saya belum sampai")
    return workflow.claim_ticket(ticket=ticket, user=cast.operator)


def test_a_reply_is_approved_then_delivered_through_the_console(cast, ticket, django_capture_on_commit_callbacks):
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        reply = replies.send_reply(ticket=ticket, user=cast.operator, body="  Mohon DM nomor resi ya  ", now=now)
        # nothing is queued before the transaction commits
        assert Reply.objects.get().status == ReplyStatus.APPROVED
        assert DeliveryAttempt.objects.count() == 0
    assert len(callbacks) == 1

    reply.refresh_from_db()
    ticket.refresh_from_db()
    assert (reply.status, reply.body, reply.author, reply.ticket, reply.brand) == (
        ReplyStatus.SENT,
        "Mohon DM nomor resi ya",
        cast.operator,
        ticket,
        cast.brand_a,
    )
    assert reply.in_reply_to == ticket.mentions.get(platform_id="tw-1")
    assert (reply.submitted_at, reply.approved_at) == (now, now)
    assert reply.sent_at is not None
    assert reply.sent_at >= now
    assert reply.delivery_channel == "console"
    assert reply.platform_reply_id == f"console-{reply.idempotency_key}"
    assert list(ReplyRevision.objects.values_list("reply_id", "number", "body", "author_id")) == [
        (reply.pk, 1, "Mohon DM nomor resi ya", cast.operator.pk)
    ]
    attempt = DeliveryAttempt.objects.get()
    assert (attempt.reply, attempt.channel, attempt.outcome, attempt.platform_reply_id, attempt.error) == (
        reply,
        "console",
        DeliveryAttempt.Outcome.SUCCEEDED,
        reply.platform_reply_id,
        "",
    )
    assert attempt.payload == {"body": "Mohon DM nomor resi ya", "idempotency_key": str(reply.idempotency_key)}
    assert attempt.finished_at == reply.sent_at

    assert (ticket.status, ticket.pending_since) == (TicketStatus.PENDING, reply.sent_at)
    assert (ticket.first_submitted_at, ticket.first_approved_at) == (now, now)
    assert (ticket.first_response_at, ticket.last_response_at) == (reply.sent_at, reply.sent_at)
    assert (ticket.due_at, ticket.next_response_due_at) == (None, None)
    assert event_kinds(ticket)[-3:] == ["reply.submitted", "reply.approved", "reply.sent"]
    sent = ticket.events.get(kind="reply.sent")
    assert sent.data == {"channel": "console", "platform_reply_id": reply.platform_reply_id}
    assert sent.reply == reply
    assert ticket.events.get(kind="reply.submitted").data == {"status": "approved"}


def test_a_second_reply_after_the_first_was_sent_keeps_the_first_response_time(
    cast, ticket, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = replies.send_reply(ticket=ticket, user=cast.operator, body="Satu")
    first.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        second = replies.send_reply(ticket=ticket, user=cast.operator, body="Dua")
    second.refresh_from_db()
    ticket.refresh_from_db()
    assert (first.status, second.status) == (ReplyStatus.SENT, ReplyStatus.SENT)
    assert ticket.first_response_at == first.sent_at
    assert ticket.last_response_at == second.sent_at
    assert ticket.status == TicketStatus.PENDING


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "A reply cannot be empty."),
        ("  \n\t ", "A reply cannot be empty."),
        ("x" * 8001, "A reply can be at most 8000 characters."),
    ],
)
def test_an_empty_or_overlong_reply_is_refused(cast, ticket, body, message, django_capture_on_commit_callbacks):
    before = db_state()
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(WorkflowError) as exc:
        replies.send_reply(ticket=ticket, user=cast.operator, body=body)
    assert str(exc.value) == message
    assert db_state() == before
    assert callbacks == []


def test_a_reply_on_a_resolved_ticket_is_refused(cast, ticket, django_capture_on_commit_callbacks):
    workflow.resolve_ticket(ticket=ticket, user=cast.operator)
    before = db_state()
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(WorkflowError) as exc:
        replies.send_reply(ticket=ticket, user=cast.operator, body="Halo")
    assert str(exc.value) == "A Resolved ticket cannot be answered; reopen it first."
    assert db_state() == before
    assert callbacks == []


def test_a_reply_on_an_unclaimed_ticket_is_refused(cast, django_capture_on_commit_callbacks):
    ticket = make_ticket(cast.brand_a)
    before = db_state()
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(WorkflowError) as exc:
        replies.send_reply(ticket=ticket, user=cast.operator, body="Halo")
    assert str(exc.value) == "Claim this ticket before you reply."
    assert db_state() == before
    assert callbacks == []


def test_only_the_assignee_or_a_supervisor_replies(cast, ticket, django_capture_on_commit_callbacks):
    colleague = make_user("op_a2")
    make_member(colleague, cast.brand_a, Role.OPERATOR)
    before = db_state()
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(WorkflowError) as exc:
        replies.send_reply(ticket=ticket, user=colleague, body="Halo")
    assert str(exc.value) == "This ticket is assigned to op_a."
    assert db_state() == before
    assert callbacks == []

    reply = replies.send_reply(ticket=ticket, user=cast.supervisor, body="Halo dari supervisor")
    assert (reply.author, reply.status) == (cast.supervisor, ReplyStatus.APPROVED)


def test_a_second_reply_while_one_is_in_flight_is_refused(cast, ticket, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        first = replies.send_reply(ticket=ticket, user=cast.operator, body="Satu")
    assert first.status == ReplyStatus.APPROVED
    before = db_state()
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(WorkflowError) as exc:
        replies.send_reply(ticket=ticket, user=cast.operator, body="Dua")
    assert str(exc.value) == "Another reply on this ticket is still being sent."
    assert db_state() == before
    assert callbacks == []


def test_a_failed_reply_does_not_block_the_next(cast, ticket):
    first = replies.send_reply(ticket=ticket, user=cast.operator, body="Satu")
    Reply.objects.filter(pk=first.pk).update(status=ReplyStatus.FAILED)
    second = replies.send_reply(ticket=ticket, user=cast.operator, body="Dua")
    assert second.status == ReplyStatus.APPROVED


def test_broker_down_leaves_the_reply_approved_and_the_sweep_sends_it(
    cast, ticket, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to redis:6379. Connection refused.")

    monkeypatch.setattr(delivery.deliver_reply_task, "delay", broker_down)
    approved_at = timezone.now() - timedelta(minutes=5)
    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        reply = replies.send_reply(ticket=ticket, user=cast.operator, body="Halo", now=approved_at)

    reply.refresh_from_db()
    assert reply.status == ReplyStatus.APPROVED
    assert DeliveryAttempt.objects.count() == 0
    assert f"could not queue delivery of reply {reply.pk}; the sweep will retry" in caplog.text
    assert delivery.approved_replies_waiting(older_than=timedelta(minutes=1)) == [reply.pk]

    monkeypatch.undo()  # the broker is back
    assert delivery.sweep_replies_task() == 1

    reply.refresh_from_db()
    assert reply.status == ReplyStatus.SENT
    assert DeliveryAttempt.objects.filter(reply=reply, outcome="succeeded").count() == 1
    assert delivery.approved_replies_waiting(older_than=timedelta(minutes=1)) == []
    assert delivery.sweep_replies_task() == 0


def test_the_sweep_leaves_freshly_approved_replies_to_their_task(cast, ticket, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        reply = replies.send_reply(ticket=ticket, user=cast.operator, body="Halo")
    assert delivery.approved_replies_waiting(older_than=timedelta(minutes=1)) == []
    assert delivery.sweep_replies_task() == 0
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.APPROVED
    assert DeliveryAttempt.objects.count() == 0


def test_the_sweep_takes_the_oldest_first(cast, django_capture_on_commit_callbacks):
    now = timezone.now()
    ids = []
    for minutes, author in ((3, "u-1"), (9, "u-2"), (5, "u-3")):
        ticket = make_ticket(cast.brand_a, author_id=author)
        workflow.claim_ticket(ticket=ticket, user=cast.operator)
        with django_capture_on_commit_callbacks(execute=False):
            ids.append(
                replies.send_reply(
                    ticket=ticket, user=cast.operator, body="Halo", now=now - timedelta(minutes=minutes)
                ).pk
            )
    assert delivery.approved_replies_waiting(older_than=timedelta(minutes=1), now=now) == [ids[1], ids[2], ids[0]]
    assert delivery.approved_replies_waiting(older_than=timedelta(minutes=4), now=now) == [ids[1], ids[2]]
