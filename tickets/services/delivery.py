"""Publishing approved replies, at most once (docs/publishing.md; the reply lifecycle in docs/domain.md).

- The reply moves ``approved`` → ``sending`` by a conditional UPDATE before any platform call (which also stamps
  ``sending_started_at``, the lease), so two workers can never both publish it.
- A platform answer that says *nothing was published* (429, quota, throttling) puts it back to ``approved`` with
  ``retry_at`` = the reset the platform announced; the task is retried then.
- An answer that leaves it *unknown* (timeout, dropped connection, 5xx) is recorded as an ``unknown`` attempt
  and retried with exponential backoff; the next try first looks the reply up on the platform
  (``find_published``) and posts only if it is not there. Where the platform offers no lookup (Messenger), the
  reply fails for a person to check instead.
- A worker that stopped between the platform call and saving the outcome leaves the reply ``sending``:
  :func:`recover_stale_replies` takes over leases older than ``SMRC_SENDING_STALE_SECONDS`` by a conditional
  UPDATE on the lease, marks the attempt ``unknown``, and the next delivery looks it up before posting.
- Permanent refusals (duplicate content, reply not allowed, comments disabled, expired token) end ``failed`` with
  the platform's reason; a refused token also marks the channel account as needing attention.
"""

import logging
import math
from datetime import datetime, timedelta

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from brands.models import ChannelAccount
from brands.services.sla.business_hours import calendar_for_brand_id
from brands.services.sla.calendars import business_between

from .. import events
from ..channels.base import ChannelError, CredentialsError
from ..channels.publishing import Ambiguous, CannotLookUp
from ..channels.registry import delivery_channel
from ..models import DeliveryAttempt, Notification, Reply, ReplyStatus, Ticket, TicketStatus
from . import sla

logger = logging.getLogger(__name__)

#: backoff for transient errors without an announced reset: 30 s, 1 min, 2 min … at most an hour
BACKOFF_BASE_SECONDS = 30
BACKOFF_MAX_SECONDS = 3600
UNKNOWN_OUTCOMES = (DeliveryAttempt.Outcome.UNKNOWN, DeliveryAttempt.Outcome.STARTED)


def deliver_reply(*, reply_id: int, now: datetime | None = None) -> Reply | None:
    """Publish the reply if it is ``approved`` (and its ``retry_at``, if any, has come); return it in the state
    it ended in (``sent``, ``failed``, or ``approved`` with ``retry_at`` for a later try), or ``None`` if it was
    not ours to deliver."""
    now = now or timezone.now()
    claimed = (
        Reply.objects.filter(pk=reply_id, status=ReplyStatus.APPROVED)
        .filter(Q(retry_at__isnull=True) | Q(retry_at__lte=now))
        .update(status=ReplyStatus.SENDING, sending_started_at=now)
    )
    if not claimed:
        return None
    reply = Reply.objects.select_related(
        "ticket", "ticket__channel_account", "in_reply_to", "in_reply_to__author", "author"
    ).get(pk=reply_id)
    previous = reply.attempts.order_by("-pk").values_list("outcome", flat=True).first()
    attempt = DeliveryAttempt.objects.create(
        reply=reply,
        channel=reply.delivery_channel,
        payload={"body": reply.body, "idempotency_key": str(reply.idempotency_key)},
        started_at=now,
    )
    try:
        channel = delivery_channel(reply.delivery_channel)
        if previous in UNKNOWN_OUTCOMES:
            # The last try may have published it: look before posting again.
            try:
                found = channel.find_published(reply)
            except CannotLookUp:
                return _mark_failed(
                    reply,
                    attempt,
                    "The platform may have published this reply, and it cannot be looked up: check the "
                    "conversation on the platform before retrying.",
                )
            events.reply_recovered(reply, found=bool(found))
            if found:
                return _mark_sent(reply, attempt, found, now=now)
        platform_id = channel.publish(reply)
    except Ambiguous as exc:
        return _defer(reply, attempt, exc, now=now, unknown=True)
    except CredentialsError as exc:
        _account_needs_attention(reply, exc.reason)
        return _mark_failed(reply, attempt, exc.reason)
    except ChannelError as exc:
        if exc.permanent:
            return _mark_failed(reply, attempt, exc.reason)
        # A lookup that failed leaves the outcome as unknown as it was.
        return _defer(reply, attempt, exc, now=now, unknown=previous in UNKNOWN_OUTCOMES)
    except Exception as exc:
        # Not a platform answer but our own fault (a bug, a lost database connection): whether the post went
        # out is unknown, so never retry by itself; a person sees the failure and decides.
        logger.exception("delivery of reply %s failed unexpectedly", reply.pk)
        return _mark_failed(reply, attempt, f"Unexpected delivery error ({type(exc).__name__}); check before retrying.")
    return _mark_sent(reply, attempt, platform_id, now=now)


def backoff_seconds(tries: int) -> float:
    return float(min(BACKOFF_BASE_SECONDS * 2 ** max(tries - 1, 0), BACKOFF_MAX_SECONDS))


def _defer(reply: Reply, attempt: DeliveryAttempt, exc: ChannelError, *, now: datetime, unknown: bool) -> Reply:
    """Back to ``approved`` with ``retry_at``; after ``SMRC_PUBLISH_MAX_TRIES`` tries, ``failed``."""
    tries = reply.attempts.count()
    if tries >= settings.SMRC_PUBLISH_MAX_TRIES:
        reason = f"Gave up after {tries} tries: {exc.reason}"
        if unknown:
            reason += " (it may have been published: check the platform before retrying)"
        return _mark_failed(reply, attempt, reason)
    rate_limited = exc.retry_after is not None and not isinstance(exc, Ambiguous)
    wait = exc.retry_after if rate_limited and exc.retry_after else backoff_seconds(tries)
    retry_at = now + timedelta(seconds=math.ceil(wait))
    with transaction.atomic():
        attempt.outcome = DeliveryAttempt.Outcome.UNKNOWN if unknown else DeliveryAttempt.Outcome.DEFERRED
        attempt.error = exc.reason[:500]
        attempt.finished_at = timezone.now()
        attempt.save(update_fields=["outcome", "error", "finished_at"])
        Reply.objects.filter(pk=reply.pk, status=ReplyStatus.SENDING).update(
            status=ReplyStatus.APPROVED, retry_at=retry_at
        )
        reply.status, reply.retry_at = ReplyStatus.APPROVED, retry_at
        events.reply_delivery_deferred(reply, reason=exc.reason[:300], retry_at=retry_at)
    return reply


def _account_needs_attention(reply: Reply, reason: str) -> None:
    account_id = reply.ticket.channel_account_id
    if account_id:
        ChannelAccount.objects.filter(pk=account_id).update(
            status=ChannelAccount.Status.NEEDS_ATTENTION, status_detail=reason[:500]
        )


def _mark_sent(reply: Reply, attempt: DeliveryAttempt, platform_id: str, *, now: datetime) -> Reply:
    with transaction.atomic():
        attempt.outcome = DeliveryAttempt.Outcome.SUCCEEDED
        attempt.platform_reply_id = platform_id
        attempt.finished_at = now
        attempt.save(update_fields=["outcome", "platform_reply_id", "finished_at"])
        reply.status = ReplyStatus.SENT
        reply.platform_reply_id = platform_id
        reply.sent_at = now
        reply.retry_at = None
        reply.save(update_fields=["status", "platform_reply_id", "sent_at", "retry_at"])
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
    logger.info("reply %s published on ticket %s as %s", reply.pk, reply.ticket_id, platform_id)
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
    now = timezone.now()
    with transaction.atomic():
        attempt.outcome = DeliveryAttempt.Outcome.FAILED
        attempt.error = reason[:500]
        attempt.finished_at = now
        attempt.save(update_fields=["outcome", "error", "finished_at"])
        reply.status = ReplyStatus.FAILED
        reply.failure_reason = reason[:500]
        reply.retry_at = None
        reply.save(update_fields=["status", "failure_reason", "retry_at"])
        events.reply_failed(reply, reason=reply.failure_reason)
        ticket = reply.ticket
        people = dict.fromkeys(uid for uid in (reply.author_id, ticket.assignee_id) if uid)
        Notification.objects.bulk_create(
            [
                Notification(
                    user_id=uid,
                    brand_id=reply.brand_id,
                    ticket_id=reply.ticket_id,
                    kind=Notification.Kind.REPLY_FAILED,
                    data={"reply_id": reply.pk, "reason": reply.failure_reason[:200]},
                    created_at=now,
                )
                for uid in people
            ]
        )
    return reply


def approved_replies_waiting(*, older_than: timedelta, now: datetime | None = None) -> list[int]:
    """Replies approved more than ``older_than`` ago and still not picked up (their task was lost), and
    replies whose ``retry_at`` has come."""
    now = now or timezone.now()
    cutoff = now - older_than
    return list(
        Reply.objects.filter(status=ReplyStatus.APPROVED)
        .filter(Q(retry_at__isnull=True, approved_at__lt=cutoff) | Q(retry_at__lte=now))
        .annotate(at=Coalesce("retry_at", "approved_at", "created_at"))
        .order_by("at")
        .values_list("pk", flat=True)[:500]
    )


def recover_stale_replies(*, older_than: timedelta | None = None, now: datetime | None = None) -> list[int]:
    """Replies left ``sending`` longer than ``older_than`` (default ``SMRC_SENDING_STALE_SECONDS``) by a worker
    that stopped: each goes back to ``approved`` with its open attempt marked ``unknown`` (a conditional UPDATE
    on the lease, so two sweeps never take the same reply), for a delivery that looks it up before posting.
    Replies ``sending`` without a lease (from before leases existed) are left for a person. Returns their ids."""
    now = now or timezone.now()
    if older_than is None:
        older_than = timedelta(seconds=settings.SMRC_SENDING_STALE_SECONDS)
    stale = list(
        Reply.objects.filter(status=ReplyStatus.SENDING, sending_started_at__lt=now - older_than)
        .order_by("sending_started_at")
        .values_list("pk", "sending_started_at")[:100]
    )
    recovered = []
    for pk, started in stale:
        with transaction.atomic():
            taken = Reply.objects.filter(pk=pk, status=ReplyStatus.SENDING, sending_started_at=started).update(
                status=ReplyStatus.APPROVED, retry_at=None
            )
            if not taken:
                continue
            DeliveryAttempt.objects.filter(reply_id=pk, outcome=DeliveryAttempt.Outcome.STARTED).update(
                outcome=DeliveryAttempt.Outcome.UNKNOWN,
                error="the worker stopped before recording the outcome",
                finished_at=now,
            )
        logger.warning("reply %s was left sending since %s; looking it up before any new post", pk, started)
        recovered.append(pk)
    return recovered


# --- Celery tasks (their names stay as deployed: workers and queued tasks use them) ---------------------------


@shared_task(bind=True, name="tickets.tasks.deliver_reply_task", max_retries=None)
def deliver_reply_task(self, reply_id: int) -> str:
    """Publish one reply. A transient error or a rate limit leaves it ``approved`` with ``retry_at``: the task
    retries itself then (Celery countdown). Run in-process (eager, or called directly) it does not wait: the
    sweep picks the reply up when ``retry_at`` has come."""
    reply = deliver_reply(reply_id=reply_id)
    if reply is None:
        return "skipped"
    if reply.status == ReplyStatus.APPROVED and reply.retry_at is not None:
        if not (self.request.is_eager or self.request.called_directly):
            countdown = max(1, math.ceil((reply.retry_at - timezone.now()).total_seconds()))
            raise self.retry(countdown=countdown)
        return "deferred"
    return reply.status


@shared_task(name="tickets.tasks.sweep_replies_task")
def sweep_replies_task() -> int:
    """Re-queue approved replies whose delivery task was lost (broker down at commit time) or whose retry time
    has come, and take over replies left ``sending`` by a stopped worker (looked up before any new post)."""
    recovered = recover_stale_replies()
    waiting = approved_replies_waiting(older_than=timedelta(minutes=1))
    queued = list(dict.fromkeys([*recovered, *waiting]))
    for reply_id in queued:
        deliver_reply_task.delay(reply_id)
    return len(queued)
