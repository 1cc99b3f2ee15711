"""Publishing approved replies, at most once.

The reply moves ``approved`` → ``sending`` by a conditional UPDATE before any platform call, so two workers
(or a retry after a crash) can never both publish it. A reply left in ``sending`` by a crashed worker is not
sent again automatically; it waits for a person (see docs/architecture.md).
"""

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models.functions import Coalesce
from django.utils import timezone

from brands.services.business_hours import calendar_for_brand_id
from brands.services.calendars import business_between

from .. import events
from ..channels.base import ChannelError
from ..channels.registry import delivery_channel
from ..models import DeliveryAttempt, Reply, ReplyStatus, Ticket, TicketStatus
from . import sla

logger = logging.getLogger(__name__)


def deliver_reply(*, reply_id: int, now: datetime | None = None) -> Reply | None:
    """Publish the reply if it is ``approved``; return it, or ``None`` if someone else took it."""
    claimed = Reply.objects.filter(pk=reply_id, status=ReplyStatus.APPROVED).update(status=ReplyStatus.SENDING)
    if not claimed:
        return None
    reply = Reply.objects.select_related("ticket").get(pk=reply_id)
    attempt = DeliveryAttempt.objects.create(
        reply=reply,
        channel=reply.delivery_channel,
        payload={"body": reply.body, "idempotency_key": str(reply.idempotency_key)},
        started_at=now or timezone.now(),
    )
    try:
        platform_id = delivery_channel(reply.delivery_channel).publish(reply)
    except ChannelError as exc:
        return _mark_failed(reply, attempt, exc.reason)
    except Exception as exc:
        # Not a platform answer but our own fault (a bug, a lost database connection): whether the post went
        # out is unknown, so never retry by itself; a person sees the failure and decides.
        logger.exception("delivery of reply %s failed unexpectedly", reply.pk)
        return _mark_failed(reply, attempt, f"Unexpected delivery error ({type(exc).__name__}); check before retrying.")
    return _mark_sent(reply, attempt, platform_id, now=now or timezone.now())


def _mark_sent(reply: Reply, attempt: DeliveryAttempt, platform_id: str, *, now: datetime) -> Reply:
    with transaction.atomic():
        attempt.outcome = DeliveryAttempt.Outcome.SUCCEEDED
        attempt.platform_reply_id = platform_id
        attempt.finished_at = now
        attempt.save(update_fields=["outcome", "platform_reply_id", "finished_at"])
        reply.status = ReplyStatus.SENT
        reply.platform_reply_id = platform_id
        reply.sent_at = now
        reply.save(update_fields=["status", "platform_reply_id", "sent_at"])
        ticket = Ticket.objects.select_for_update(of=("self",)).get(pk=reply.ticket_id)
        _stamp_response_times(ticket, reply, now=now)
        ticket.first_response_at = ticket.first_response_at or now
        ticket.last_response_at = now
        if ticket.status in (TicketStatus.NEW, TicketStatus.OPEN) and ticket.assignee_id:
            # We answered: the ticket waits on the customer and its clocks pause.
            ticket.status = TicketStatus.PENDING
            ticket.pending_since = now
        sla.refresh_due(ticket, now=now)
        ticket.save(
            update_fields=[
                "first_response_at",
                "first_response_business_seconds",
                "last_response_at",
                "status",
                "pending_since",
                *sla.DUE_FIELDS,
                "updated_at",
            ]
        )
        reply.ticket = ticket
        events.reply_sent(reply)
    return reply


def _stamp_response_times(ticket: Ticket, reply: Reply, *, now: datetime) -> None:
    """Business time of this response for the reports: the ticket's first response (from receipt), or a next
    response (from the customer message that followed our last reply, the clock the SLA engine runs)."""
    if ticket.first_response_at is None:
        calendar = calendar_for_brand_id(ticket.brand_id)
        ticket.first_response_business_seconds = int(
            business_between(ticket.received_at, now, calendar).total_seconds()
        )
        return
    awaiting = ticket.last_customer_at is not None and (
        ticket.last_response_at is None or ticket.last_customer_at > ticket.last_response_at
    )
    if awaiting:
        calendar = calendar_for_brand_id(ticket.brand_id)
        reply.next_response_started_at = ticket.last_customer_at
        reply.next_response_due_at = ticket.next_response_due_at
        reply.next_response_business_seconds = int(
            business_between(ticket.last_customer_at, now, calendar).total_seconds()
        )
        reply.save(update_fields=["next_response_started_at", "next_response_due_at", "next_response_business_seconds"])


def _mark_failed(reply: Reply, attempt: DeliveryAttempt, reason: str) -> Reply:
    with transaction.atomic():
        attempt.outcome = DeliveryAttempt.Outcome.FAILED
        attempt.error = reason[:500]
        attempt.finished_at = timezone.now()
        attempt.save(update_fields=["outcome", "error", "finished_at"])
        reply.status = ReplyStatus.FAILED
        reply.failure_reason = reason[:500]
        reply.save(update_fields=["status", "failure_reason"])
        events.reply_failed(reply, reason=reply.failure_reason)
    return reply


def approved_replies_waiting(*, older_than: timedelta, now: datetime | None = None) -> list[int]:
    """Replies approved more than ``older_than`` ago and still not picked up: their task was lost."""
    cutoff = (now or timezone.now()) - older_than
    return list(
        Reply.objects.filter(status=ReplyStatus.APPROVED, approved_at__lt=cutoff)
        .annotate(at=Coalesce("approved_at", "created_at"))
        .order_by("at")
        .values_list("pk", flat=True)[:500]
    )
