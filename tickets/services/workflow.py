"""Ticket transitions: claim, release, resolve, reopen, close, priority and internal notes.

Callers fetch the ticket through ``tickets.selectors.get_ticket_for_user`` with the capability the action
needs; these functions enforce the state rules. Each transition is a conditional change on the old state,
taken under a row lock, and writes its event in the same transaction.
"""

from datetime import datetime, timedelta
from uuid import UUID

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from brands.access import has_perm, members_holding
from brands.models import Priority

from .. import events
from ..models import (
    ACTIVE_STATUSES,
    TICKET_TRANSITIONS,
    Note,
    NoteVisibility,
    Notification,
    Reply,
    ReplyStatus,
    Submission,
    Ticket,
    TicketStatus,
)
from . import csat, idempotency, sla
from . import priority as priority_service
from .notify import mail_assignment_notice_task


class WorkflowError(Exception):
    """An action that the ticket's current state does not allow. The message is shown to the user."""


class ClaimConflict(WorkflowError):
    pass


NOTE_MAX_LENGTH = 5000
#: the note that goes with an assignment (to the assignee: why, what to look at)
ASSIGN_NOTE_MAX_LENGTH = 500
#: ``expected_assignee_id`` when the caller saw the ticket unowned
NOBODY = 0

#: a reply in one of these waits for a person (a reviewer, or its author's revision): resolving would leave it in
#: the review queue for a closed case, so the ticket is resolved once it is published. An approved reply is on its
#: way and publishes by itself, so it does not hold the ticket.
UNPUBLISHED_REPLY_STATUSES = (ReplyStatus.IN_REVIEW, ReplyStatus.CHANGES_REQUESTED)


def _locked(ticket_id: int) -> Ticket:
    return Ticket.objects.select_for_update(of=("self",)).select_related("assignee").get(pk=ticket_id)


def locked_fresh(ticket_id: int) -> Ticket:
    """The ticket's row lock first, then the ticket read again under it. After waiting on a lock, PostgreSQL
    re-checks only the locked row: a ``select_related`` owner that the transaction waited for set would come
    back as the new id without its user. The second read is a new statement and sees that commit whole."""
    Ticket.objects.select_for_update(of=("self",)).filter(pk=ticket_id).values_list("pk", flat=True).first()
    return _locked(ticket_id)


def _check_transition(ticket: Ticket, to: str) -> None:
    if to not in TICKET_TRANSITIONS[ticket.status]:
        raise WorkflowError(
            _("A %(before)s ticket cannot become %(after)s.")
            % {"before": ticket.get_status_display(), "after": TicketStatus(to).label}
        )


def ensure_can_act(ticket: Ticket, user) -> None:
    """Only the assignee works an assigned ticket; supervisors may step in anywhere."""
    if ticket.assignee_id and ticket.assignee_id != user.pk and not has_perm(user, ticket.brand_id, "ticket:assign"):
        raise WorkflowError(_("This ticket is assigned to %(name)s.") % {"name": ticket.assignee.get_username()})


@idempotency.once
def claim_ticket(*, ticket: Ticket, user, now: datetime | None = None, key: UUID | None = None) -> Ticket:
    """Make ``user`` the assignee. Race-safe: a compare-and-set on ``assignee IS NULL``; the loser gets
    :class:`ClaimConflict` naming the winner. ``key``: the submission's idempotency key; a repeat of it returns
    the ticket as it is now, marked replayed, without a second claim event (:mod:`.idempotency`)."""
    now = now or timezone.now()
    submission = {"action": Submission.Action.CLAIM, "target": ticket.pk, "request": {}}
    with transaction.atomic():
        current = _locked(ticket.pk)  # orders the repeats of one key: the second finds the first's submission
        if idempotency.previous(user=user, key=key, **submission):
            return idempotency.replayed(current)
        claimable = Q(assignee__isnull=True) & Q(status__in=ACTIVE_STATUSES)
        updated = Ticket.objects.filter(claimable, pk=ticket.pk).update(
            assignee=user,
            status=Case(When(status=TicketStatus.NEW, then=Value(TicketStatus.OPEN)), default=F("status")),
            claimed_at=Coalesce("claimed_at", now),
            updated_at=now,
        )
        current = _locked(ticket.pk)
        if not updated:
            if current.assignee_id == user.pk:
                raise ClaimConflict(_("You already own this ticket."))
            if current.assignee_id:
                raise ClaimConflict(
                    _("%(name)s claimed this ticket first.") % {"name": current.assignee.get_username()}
                )
            raise ClaimConflict(_("A %(status)s ticket cannot be claimed.") % {"status": current.get_status_display()})
        sla.refresh_due(current, now=now)
        current.save(update_fields=sla.DUE_FIELDS)
        events.ticket_claimed(current, actor=user, at=now)
        idempotency.record(user=user, key=key, ticket=current, **submission)
    return current


def ownership_conflict(current: Ticket, expected_assignee_id: int) -> str:
    """The refusal when ``current`` no longer has the owner the caller saw (``NOBODY``: unowned), else ``""``."""
    if (current.assignee_id or NOBODY) == expected_assignee_id:
        return ""
    if current.assignee_id is None:
        return _("It was released meanwhile.")
    return _("%(name)s took it meanwhile.") % {"name": current.assignee.get_username()}


def may_be_assigned(brand_id: int, user_id: int) -> bool:
    """Whether the user works tickets of the brand (an active member whose role holds ``ticket:work``)."""
    return members_holding([brand_id], "ticket:work").filter(user_id=user_id).exists()


def assign_ticket(
    *,
    ticket: Ticket,
    user,
    assignee,
    expected_assignee_id: int,
    note: str = "",
    now: datetime | None = None,
) -> Ticket:
    """Hand the ticket to ``assignee``, a member of its brand who works tickets, with an optional ``note``.

    The caller fetched the ticket with ``ticket:work``; like every action on an assigned ticket, only its owner or
    someone holding ``ticket:assign`` may hand it on (:func:`ensure_can_act`). Race-safe: under the row lock the
    ticket must still have the owner the caller saw (``expected_assignee_id``, :data:`NOBODY` for none), so a
    claim or another assignment made meanwhile is never overwritten. Writes ``ticket.assigned`` (before, after,
    the note) and notifies the assignee (in the app, and by mail after commit) unless they assigned themselves."""
    now = now or timezone.now()
    note = (note or "").strip()
    if len(note) > ASSIGN_NOTE_MAX_LENGTH:
        raise WorkflowError(_("A note can be at most %(n)d characters.") % {"n": ASSIGN_NOTE_MAX_LENGTH})
    with transaction.atomic():
        current = locked_fresh(ticket.pk)
        conflict = ownership_conflict(current, expected_assignee_id)
        if conflict:
            raise ClaimConflict(conflict)
        if current.status not in ACTIVE_STATUSES:
            raise WorkflowError(_("A %(status)s ticket cannot be assigned.") % {"status": current.get_status_display()})
        ensure_can_act(current, user)
        if current.assignee_id == assignee.pk:
            raise WorkflowError(_("%(name)s already owns this ticket.") % {"name": assignee.get_username()})
        if not may_be_assigned(current.brand_id, assignee.pk):
            raise WorkflowError(_("%(name)s does not work tickets of this brand.") % {"name": assignee.get_username()})
        before = current.assignee.get_username() if current.assignee_id else None
        current.assignee = assignee
        if current.status == TicketStatus.NEW:
            current.status = TicketStatus.OPEN
        current.claimed_at = current.claimed_at or now
        sla.refresh_due(current, now=now)
        current.save(update_fields=["assignee", "status", "claimed_at", *sla.DUE_FIELDS, "updated_at"])
        events.ticket_assigned(current, actor=user, before=before, after=assignee.get_username(), note=note, at=now)
        if assignee.pk != user.pk:
            notice = Notification.objects.create(
                user=assignee,
                brand_id=current.brand_id,
                ticket=current,
                kind=Notification.Kind.ASSIGNED,
                data={"by": user.get_username(), "note": note},
                created_at=now,
            )
            transaction.on_commit(lambda: mail_assignment_notice_task.delay(notice.pk))
    return current


def release_ticket(*, ticket: Ticket, user, now: datetime | None = None) -> Ticket:
    """Give the ticket back to the queue."""
    now = now or timezone.now()
    with transaction.atomic():
        current = _locked(ticket.pk)
        if current.assignee_id is None:
            raise WorkflowError(_("Nobody owns this ticket."))
        ensure_can_act(current, user)
        previous = current.assignee.get_username()
        current.assignee = None
        if current.status == TicketStatus.OPEN:
            current.status = TicketStatus.NEW
        sla.refresh_due(current, now=now)
        current.save(update_fields=["assignee", "status", *sla.DUE_FIELDS, "updated_at"])
        events.ticket_released(current, actor=user, previous_assignee=previous, at=now)
    return current


def resolve_ticket(*, ticket: Ticket, user, now: datetime | None = None) -> Ticket:
    now = now or timezone.now()
    with transaction.atomic():
        current = _locked(ticket.pk)
        _check_transition(current, TicketStatus.RESOLVED)
        ensure_can_act(current, user)
        if Reply.objects.filter(ticket_id=current.pk, status__in=UNPUBLISHED_REPLY_STATUSES).exists():
            raise WorkflowError(
                _(
                    "This ticket has a reply that is not published yet (in review or waiting for changes). "
                    "Resolve it once the reply is published."
                )
            )
        before = current.status
        sla.end_pause(current, now=now)
        current.status = TicketStatus.RESOLVED
        current.resolved_at = now
        current.resolution_business_seconds = sla.resolution_business_seconds(current)
        sla.refresh_due(current, now=now)
        csat.plan_survey(current, now=now)  # before this resolution's event: the window looks at earlier ones
        current.save(
            update_fields=[
                "status",
                "resolved_at",
                "resolution_business_seconds",
                "pending_since",
                "paused_seconds",
                "paused_business_seconds",
                *sla.DUE_FIELDS,
                "updated_at",
            ]
        )
        events.status_changed(current, actor=user, before=before, after=current.status, kind="ticket.resolved", at=now)
    return current


def reopen_ticket(*, ticket: Ticket, user, now: datetime | None = None, reason: str = "") -> Ticket:
    """Back to work. ``user`` ``None``: SMRC itself reopens it (a low satisfaction rating, ``reason="csat"``),
    recorded in the timeline with the reason."""
    now = now or timezone.now()
    with transaction.atomic():
        current = _locked(ticket.pk)
        if current.status not in (TicketStatus.RESOLVED, TicketStatus.CLOSED):
            raise WorkflowError(_("Only a resolved or closed ticket can be reopened."))
        if user is not None:
            ensure_can_act(current, user)
        before = current.status
        current.status = TicketStatus.OPEN if current.assignee_id else TicketStatus.NEW
        current.resolved_at = None
        current.closed_at = None
        sla.refresh_due(current, now=now)
        current.save(update_fields=["status", "resolved_at", "closed_at", *sla.DUE_FIELDS, "updated_at"])
        events.status_changed(
            current, actor=user, before=before, after=current.status, kind="ticket.reopened", at=now, reason=reason
        )
    return current


def close_quiet_tickets(*, older_than: datetime, now: datetime | None = None, limit: int = 1000) -> int:
    """Close resolved tickets resolved before ``older_than``. Returns how many were closed."""
    now = now or timezone.now()
    closed = 0
    with transaction.atomic():
        batch = list(
            Ticket.objects.select_for_update(skip_locked=True)
            .filter(status=TicketStatus.RESOLVED, resolved_at__lt=older_than)
            .order_by("pk")[:limit]
        )
        for ticket in batch:
            ticket.status = TicketStatus.CLOSED
            ticket.closed_at = now
            ticket.save(update_fields=["status", "closed_at", "updated_at"])
            events.status_changed(
                ticket,
                actor=None,
                before=TicketStatus.RESOLVED,
                after=TicketStatus.CLOSED,
                kind="ticket.closed",
                at=now,
            )
            closed += 1
    return closed


def change_priority(*, ticket: Ticket, user, priority: int, now: datetime | None = None) -> Ticket:
    """A supervisor's override. The caller checked ``ticket:assign``. A change marks the priority as set by
    hand (``priority_overridden``): new mentions no longer recompute it. Due times follow the new priority;
    the same priority changes nothing."""
    now = now or timezone.now()
    if priority not in Priority.values:
        raise WorkflowError(_("Unknown priority."))
    with transaction.atomic():
        current = _locked(ticket.pk)
        before = current.priority
        if before == priority:
            return current
        current.priority = priority
        current.priority_overridden = True
        sla.refresh_due(current, now=now)
        current.save(update_fields=["priority", "priority_overridden", *sla.DUE_FIELDS, "updated_at"])
        events.priority_changed(current, actor=user, before=before, after=priority, at=now)
    return current


def restore_automatic_priority(*, ticket: Ticket, user, now: datetime | None = None) -> Ticket:
    """Back to the computed priority after a hand-set one: recomputed by the priority service from the stored
    factors and the latest mention's reading (:func:`priority.with_message`, the rules of ingest and refinement;
    a ticket from before priority factors goes back to Normal). The due times follow; the event says from → to."""
    now = now or timezone.now()
    with transaction.atomic():
        current = _locked(ticket.pk)
        if not current.priority_overridden:
            return current
        latest = (
            current.mentions.order_by("-received_at", "-pk").values("sentiment", "intent", "sentiment_source").first()
        )
        assessment = (
            priority_service.with_message(
                current.priority_factors,
                sentiment=latest["sentiment"],
                intent=latest["intent"],
                source=latest["sentiment_source"],
            )
            if latest
            else None
        )
        before = current.priority
        current.priority = assessment.priority if assessment is not None else Priority.NORMAL
        if assessment is not None:
            current.priority_factors = assessment.as_json()
        current.priority_overridden = False
        sla.refresh_due(current, now=now)
        current.save(
            update_fields=["priority", "priority_factors", "priority_overridden", *sla.DUE_FIELDS, "updated_at"]
        )
        events.priority_changed(current, actor=user, before=before, after=current.priority, at=now, automatic=True)
    return current


@idempotency.once
def add_note(
    *, ticket: Ticket, user, body: str, visibility: str = NoteVisibility.TEAM, key: UUID | None = None
) -> Note:
    """A note: ``team`` (operators and supervisors only, the default) or ``client`` (the brand's managers read it
    too). ``key``: a repeat of it returns the first note, marked replayed, and writes nothing."""
    body = body.strip()
    if visibility not in NoteVisibility.values:
        raise WorkflowError(_("Choose who may read the note."))
    if not body:
        raise WorkflowError(_("A note cannot be empty."))
    if len(body) > NOTE_MAX_LENGTH:
        raise WorkflowError(_("A note can be at most %(n)d characters.") % {"n": NOTE_MAX_LENGTH})
    submission = {
        "action": Submission.Action.NOTE,
        "target": ticket.pk,
        "request": {"body": body, "visibility": visibility},
    }
    with transaction.atomic():
        current = _locked(ticket.pk)  # orders the repeats of one key: the second finds the first's submission
        found = idempotency.previous(user=user, key=key, **submission)
        if found is not None:
            return idempotency.replayed(found.note)
        note = Note.objects.create(
            brand_id=current.brand_id, ticket=current, author=user, body=body, visibility=visibility
        )
        events.note_added(current, note)
        idempotency.record(user=user, key=key, ticket=current, note=note, **submission)
    return note


def restore_ticket(*, ticket: Ticket, user, now: datetime | None = None) -> Ticket:
    """An ignored ticket was not noise after all: back to the queue as ``new``, with its event."""
    now = now or timezone.now()
    with transaction.atomic():
        current = _locked(ticket.pk)
        if current.status != TicketStatus.IGNORED:
            raise WorkflowError(_("Only an ignored ticket can be restored."))
        reason = current.ignored_reason
        current.status = TicketStatus.NEW
        current.ignored_reason = ""
        sla.refresh_due(current, now=now)
        current.save(update_fields=["status", "ignored_reason", *sla.DUE_FIELDS, "updated_at"])
        events.ticket_restored(current, actor=user, reason=reason, at=now)
    return current


# --- Celery tasks (their names stay as deployed: workers and queued tasks use them) ---------------------------


@shared_task(name="tickets.tasks.close_quiet_tickets_task")
def close_quiet_tickets_task() -> int:
    return close_quiet_tickets(older_than=timezone.now() - timedelta(hours=settings.SMRC_CLOSE_AFTER_HOURS))
