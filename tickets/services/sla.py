"""The SLA engine: due times of a ticket's clocks in the brand's business time, and the periodic scan that
warns before a deadline and escalates on a breach (docs/sla.md; the clocks in docs/domain.md).

Targets come from the brand's :class:`brands.models.SlaPolicy` for the ticket's priority, else
:data:`DEFAULT_TARGETS`. Deadlines are business time on the brand's calendar
(:func:`brands.services.sla.business_hours.calendar_for`); a round-the-clock brand counts calendar time.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from celery import shared_task
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce, Least
from django.utils import timezone

from brands.models import Brand, Membership, Priority, Role
from brands.services.sla import DEFAULT_TARGETS, Targets, forget_targets, targets_for  # noqa: F401
from brands.services.sla.business_hours import calendar_for_brand_id
from brands.services.sla.calendars import Calendar, add_business, business_between

from .. import events
from ..models import Notification, Ticket, TicketStatus
from . import notify


def end_pause(ticket: Ticket, *, now: datetime, calendar: Calendar | None = None) -> None:
    """The customer answered or the ticket is closed out: stop the pending pause and add it to the paused
    calendar and business time. Mutates ``ticket``; the caller saves."""
    if ticket.pending_since is None:
        return
    if now > ticket.pending_since:
        calendar = calendar or calendar_for_brand_id(ticket.brand_id)
        ticket.paused_seconds += int((now - ticket.pending_since).total_seconds())
        ticket.paused_business_seconds += int(business_between(ticket.pending_since, now, calendar).total_seconds())
    ticket.pending_since = None


def resolution_business_seconds(ticket: Ticket, *, calendar: Calendar | None = None) -> int:
    """Business time from receipt to resolution, without the business time spent pending (after
    :func:`end_pause`). Never negative."""
    calendar = calendar or calendar_for_brand_id(ticket.brand_id)
    total = int(business_between(ticket.received_at, ticket.resolved_at, calendar).total_seconds())
    return max(0, total - ticket.paused_business_seconds)


def refresh_due(
    ticket: Ticket, *, now: datetime, targets: Targets | None = None, calendar: Calendar | None = None
) -> None:
    """Recompute the ticket's due fields from its state and clocks. Mutates ``ticket``; the caller saves
    (``DUE_FIELDS``).

    - first response is due ``first_response`` of business time after receipt until a reply is published;
    - next response is due ``next_response`` after a customer message that follows our last reply;
    - resolution is due ``resolution`` after receipt, pushed back by the business time spent pending;
    - nothing runs while pending on the customer, or once resolved, closed or ignored.
    When the earliest running deadline moves, its warning and escalation may be sent again.
    """
    targets = targets or targets_for(ticket.brand_id, ticket.priority)
    calendar = calendar or calendar_for_brand_id(ticket.brand_id)
    ticket.first_response_due_at = add_business(ticket.received_at, targets.first_response, calendar)
    ticket.resolution_due_at = add_business(
        ticket.received_at, targets.resolution + timedelta(seconds=ticket.paused_business_seconds), calendar
    )
    awaiting_next = (
        ticket.first_response_at is not None
        and ticket.last_customer_at is not None
        and (ticket.last_response_at is None or ticket.last_customer_at > ticket.last_response_at)
    )
    ticket.next_response_due_at = (
        add_business(ticket.last_customer_at, targets.next_response, calendar) if awaiting_next else None
    )

    before = ticket.due_at
    if ticket.status not in (TicketStatus.NEW, TicketStatus.OPEN):
        ticket.due_at = None
    else:
        running = [ticket.resolution_due_at]
        if ticket.first_response_at is None:
            running.append(ticket.first_response_due_at)
        elif ticket.next_response_due_at is not None:
            running.append(ticket.next_response_due_at)
        ticket.due_at = min(running)
    if ticket.due_at != before:
        ticket.sla_warned_at = None
        ticket.sla_escalated_at = None


DUE_FIELDS = [
    "first_response_due_at",
    "next_response_due_at",
    "resolution_due_at",
    "due_at",
    "sla_warned_at",
    "sla_escalated_at",
]


def running_clock(ticket: Ticket) -> str:
    """Which clock ``due_at`` belongs to: ``first_response``, ``next_response`` or ``resolution``."""
    if ticket.first_response_at is None and ticket.due_at == ticket.first_response_due_at:
        return "first_response"
    if ticket.next_response_due_at is not None and ticket.due_at == ticket.next_response_due_at:
        return "next_response"
    return "resolution"


# --- the periodic scan ---------------------------------------------------------------------------------------

SCAN_BATCH = 500
SCANNED_STATUSES = (TicketStatus.NEW, TicketStatus.OPEN)


@dataclass(frozen=True)
class ScanResult:
    warned: int
    escalated: int


def scan(*, now: datetime | None = None, batch: int = SCAN_BATCH) -> ScanResult:
    """Escalate passed deadlines and warn about deadlines coming within the brand's warning time, each
    exactly once per deadline, to the brand's supervisors (in the app, and by mail when they have an address).

    Driven by the partial indexes on ``due_at``: a ticket already notified for its current deadline is not
    in them, so a run reads only what it will notify, never every open ticket. Safe to run in parallel: rows
    are taken with ``FOR UPDATE SKIP LOCKED`` and stamped in the same transaction as their notifications."""
    now = now or timezone.now()
    warned = escalated = 0
    for brand in Brand.objects.only("pk", "sla_warning_minutes", "escalation_raises_priority", "languages"):
        escalated += _notify(
            brand, Q(sla_escalated_at__isnull=True, due_at__lte=now), breach=True, now=now, batch=batch
        )
        soon = now + timedelta(minutes=brand.sla_warning_minutes)
        warned += _notify(brand, Q(sla_warned_at__isnull=True, due_at__lte=soon), breach=False, now=now, batch=batch)
    return ScanResult(warned, escalated)


def _notify(brand: Brand, condition: Q, *, breach: bool, now: datetime, batch: int) -> int:
    kind = Notification.Kind.SLA_BREACH if breach else Notification.Kind.SLA_WARNING
    supervisors = None
    done = 0
    while True:
        with transaction.atomic():
            tickets = list(
                Ticket.objects.select_for_update(skip_locked=True)
                .filter(condition, brand_id=brand.pk, status__in=SCANNED_STATUSES)
                .order_by("due_at")[:batch]
            )
            if not tickets:
                return done
            if supervisors is None:
                supervisors = _supervisors_of(brand)
            changes = {"sla_warned_at": Coalesce("sla_warned_at", Value(now))}
            raises = breach and brand.escalation_raises_priority
            if breach:
                changes |= {"sla_escalated_at": Value(now), "breached_at": Coalesce("breached_at", Value(now))}
            if raises:
                changes["priority"] = Least(F("priority") + 1, Value(int(Priority.URGENT)))
            Ticket.objects.filter(pk__in=[t.pk for t in tickets]).update(**changes)
            notices, notifications, mails = [], [], []
            for ticket in tickets:
                clock = running_clock(ticket)
                notices.append(events.sla_notice(ticket, kind=kind, clock=clock, due_at=ticket.due_at, at=now))
                if raises and ticket.priority < Priority.URGENT:
                    notices.append(
                        events.priority_raised_by_breach(
                            ticket, before=ticket.priority, after=ticket.priority + 1, at=now
                        )
                    )
                data = {"clock": clock, "due_at": ticket.due_at.isoformat(), "reference": ticket.reference}
                for user in supervisors:
                    notifications.append(
                        Notification(user=user, brand_id=brand.pk, ticket=ticket, kind=kind, data=data, created_at=now)
                    )
                    if user.email:
                        mails.append((user.pk, ticket.pk, clock))
            events.save_all(notices)
            Notification.objects.bulk_create(notifications)
            transaction.on_commit(lambda mails=mails: _send_mails(brand, mails, kind))
            done += len(tickets)
            if len(tickets) < batch:
                return done


def _supervisors_of(brand: Brand) -> list:
    memberships = Membership.objects.filter(brand=brand, role=Role.SUPERVISOR, user__is_active=True)
    return [m.user for m in memberships.select_related("user").order_by("user__username")]


def _send_mails(brand: Brand, mails: list[tuple[int, int, str]], kind: str) -> None:
    """Mail each notice in the brand's first language. A mail outage never undoes the in-app notice."""
    if not mails:
        return
    users = {u.pk: u for u in get_user_model().objects.filter(pk__in={m[0] for m in mails})}
    tickets = Ticket.objects.in_bulk({m[1] for m in mails})
    for user_id, ticket_id, clock in mails:
        ticket = tickets[ticket_id]
        notify.mail_user(
            user=users[user_id],
            brand=brand,
            subject_template="emails/sla_subject.txt",
            body_template="emails/sla_notice.txt",
            context={"ticket": ticket, "clock": clock, "breach": kind == Notification.Kind.SLA_BREACH},
            about=f"the SLA notice for {ticket.reference}",
        )


# --- Celery tasks (their names stay as deployed: workers and queued tasks use them) ---------------------------


@shared_task(name="tickets.tasks.sla_scan_task")
def sla_scan_task() -> dict[str, int]:
    result = scan()
    return {"warned": result.warned, "escalated": result.escalated}
