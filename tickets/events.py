"""One function per event type. Each writes an append-only :class:`Event` in the caller's transaction.

Names are namespaced (``ticket.claimed``); ``data`` holds what changed (before/after where it matters).
"""

from datetime import datetime
from typing import Any

from django.dispatch import Signal
from django.utils import timezone

from .models import Event, Mention, Note, Reply, Ticket

#: sent with ``events=[...]`` once events are written, still inside the caller's transaction: the one hook point
#: for what follows an event elsewhere (tickets.services.hooks writes the webhook outbox rows in it)
recorded = Signal()


def _record(
    ticket: Ticket, kind: str, *, actor=None, reply: Reply | None = None, at: datetime | None = None, **data: Any
) -> Event:
    event = Event.objects.create(**_fields(ticket, kind, actor=actor, reply=reply, at=at, **data))
    recorded.send(sender=Event, events=[event])
    return event


def _fields(ticket: Ticket, kind: str, *, actor=None, reply: Reply | None = None, at: datetime | None = None, **data):
    return {
        "brand_id": ticket.brand_id,
        "ticket": ticket,
        "reply": reply,
        "actor": actor,
        "kind": kind,
        "data": data,
        "created_at": at or timezone.now(),
    }


def ticket_created(ticket: Ticket, mention: Mention) -> Event:
    """Unsaved, like the other events of ingest: it writes a batch with :func:`save_all` (and fills in
    ``mention_id`` once the mentions have theirs)."""
    return Event(**_fields(ticket, "ticket.created", at=mention.received_at, mention_id=mention.pk))


def mention_added(ticket: Ticket, mention: Mention, *, status_before: str) -> Event:
    """Unsaved (see :func:`ticket_created`); ``status_after`` is the ticket's status now."""
    return Event(
        **_fields(
            ticket,
            "mention.added",
            at=mention.received_at,
            mention_id=mention.pk,
            status_before=status_before,
            status_after=ticket.status,
        )
    )


def ticket_claimed(ticket: Ticket, *, actor, at: datetime | None = None) -> Event:
    return _record(ticket, "ticket.claimed", actor=actor, at=at, assignee=actor.get_username())


def ticket_released(ticket: Ticket, *, actor, previous_assignee: str, at: datetime | None = None) -> Event:
    return _record(ticket, "ticket.released", actor=actor, at=at, previous_assignee=previous_assignee)


def ticket_assigned(
    ticket: Ticket, *, actor, before: str | None, after: str, note: str = "", at: datetime | None = None
) -> Event:
    extra = {"note": note} if note else {}
    return _record(ticket, "ticket.assigned", actor=actor, at=at, before=before, after=after, **extra)


def customer_linked(ticket: Ticket, *, actor, author, at: datetime) -> Event:
    """Another identity of the ticket's customer linked (brand-scoped, ``services/customers.py``)."""
    return _record(
        ticket,
        "customer.linked",
        actor=actor,
        at=at,
        author_id=author.pk,
        platform=author.platform,
        handle=author.handle,
    )


def customer_unlinked(ticket: Ticket, *, actor, author, at: datetime) -> Event:
    return _record(
        ticket,
        "customer.unlinked",
        actor=actor,
        at=at,
        author_id=author.pk,
        platform=author.platform,
        handle=author.handle,
    )


def status_changed(
    ticket: Ticket, *, actor, before: str, after: str, kind: str, at: datetime | None = None, reason: str = ""
) -> Event:
    return _record(
        ticket, kind, actor=actor, at=at, before=before, after=after, **({"reason": reason} if reason else {})
    )


def priority_changed(
    ticket: Ticket, *, actor, before: int, after: int, at: datetime | None = None, automatic: bool = False
) -> Event:
    """A person set the priority (``automatic``: gave it back to the computed one)."""
    extra = {"automatic": True} if automatic else {}
    return _record(ticket, "ticket.priority_changed", actor=actor, at=at, before=before, after=after, **extra)


def priority_raised_by_breach(ticket: Ticket, *, before: int, after: int, at: datetime) -> Event:
    """Unsaved: the SLA scan saves a batch with :func:`save_all`."""
    return Event(**_fields(ticket, "ticket.priority_changed", at=at, before=before, after=after, reason="sla.breach"))


def tags_changed(ticket: Ticket, *, actor, before: list[str], after: list[str]) -> Event:
    return _record(ticket, "ticket.tags_changed", actor=actor, before=before, after=after)


def note_added(ticket: Ticket, note: Note) -> Event:
    return _record(
        ticket, "note.added", actor=note.author, at=note.created_at, note_id=note.pk, visibility=note.visibility
    )


def reply_submitted(reply: Reply) -> Event:
    return _record(
        reply.ticket, "reply.submitted", actor=reply.author, reply=reply, at=reply.submitted_at, status=reply.status
    )


def reply_approved(reply: Reply, *, actor, reviewed: bool = False) -> Event:
    data = {"reviewed": True} if reviewed else {}
    return _record(reply.ticket, "reply.approved", actor=actor, reply=reply, at=reply.approved_at, **data)


def reply_sent(reply: Reply) -> Event:
    return _record(
        reply.ticket,
        "reply.sent",
        reply=reply,
        at=reply.sent_at,
        channel=reply.delivery_channel,
        platform_reply_id=reply.platform_reply_id,
    )


def reply_failed(reply: Reply, *, reason: str) -> Event:
    return _record(reply.ticket, "reply.failed", reply=reply, reason=reason)


def sla_notice(ticket: Ticket, *, kind: str, clock: str, due_at: datetime, at: datetime) -> Event:
    """``sla.warning`` before a deadline, ``sla.breach`` when it passed. Unsaved: the scan saves a batch."""
    return Event(**_fields(ticket, kind, at=at, clock=clock, due_at=due_at.isoformat()))


def save_all(batch: list[Event]) -> list[Event]:
    """Write events built unsaved by a batch operation, in one query."""
    saved = Event.objects.bulk_create(batch)
    recorded.send(sender=Event, events=saved)
    return saved


def snippets_used(reply: Reply, *, as_is: list[int], edited: list[int]) -> Event:
    return _record(reply.ticket, "reply.snippets_used", actor=reply.author, reply=reply, as_is=as_is, edited=edited)


# --- priority, noise and routing (docs/priority.md) -----------------------------------------------------------


def priority_assessed(ticket: Ticket, *, before: int, after: int, at: datetime) -> Event:
    """A new mention changed the computed priority (no actor: the assessment did). Unsaved: ingest saves a batch."""
    return Event(**_fields(ticket, "ticket.priority_changed", at=at, before=before, after=after, reason="assessment"))


def ticket_ignored(ticket: Ticket, *, reason: str, detail: str = "", actor=None, at: datetime | None = None) -> Event:
    """Unsaved: ingest saves a batch with :func:`save_all`."""
    return Event(**_fields(ticket, "ticket.ignored", actor=actor, at=at, reason=reason, detail=detail))


def ticket_restored(ticket: Ticket, *, actor, reason: str, at: datetime | None = None) -> Event:
    return _record(ticket, "ticket.restored", actor=actor, at=at, reason=reason)


def ticket_auto_assigned(ticket: Ticket, *, assignee: str, mode: str, at: datetime) -> Event:
    return _record(ticket, "ticket.auto_assigned", at=at, after=assignee, mode=mode)


def owner_idle_unassigned(ticket: Ticket, *, previous_assignee: str, minutes: int, at: datetime) -> Event:
    return _record(ticket, "ticket.idle_unassigned", at=at, previous_assignee=previous_assignee, minutes=minutes)


# --- review and publishing (docs/publishing.md) ----------------------------------------------------------------


def reply_review_requested(reply: Reply, *, reasons: list[dict]) -> Event:
    return _record(
        reply.ticket, "reply.review_requested", actor=reply.author, reply=reply, at=reply.submitted_at, reasons=reasons
    )


def reply_changes_requested(reply: Reply, *, actor, code: str, note: str, at: datetime) -> Event:
    return _record(reply.ticket, "reply.changes_requested", actor=actor, reply=reply, at=at, code=code, note=note)


def reply_revised(reply: Reply, *, actor, revision: int, at: datetime, by_reviewer: bool = False) -> Event:
    return _record(
        reply.ticket, "reply.revised", actor=actor, reply=reply, at=at, revision=revision, by_reviewer=by_reviewer
    )


def reply_retried(reply: Reply, *, actor, at: datetime) -> Event:
    return _record(reply.ticket, "reply.retried", actor=actor, reply=reply, at=at)


def reply_delivery_deferred(reply: Reply, *, reason: str, retry_at: datetime) -> Event:
    return _record(reply.ticket, "reply.deferred", reply=reply, reason=reason, retry_at=retry_at.isoformat())


def reply_recovered(reply: Reply, *, found: bool) -> Event:
    """A reply left ``sending`` by a stopped worker was looked up on the platform: found (sent) or not (re-queued)."""
    return _record(reply.ticket, "reply.recovered", reply=reply, found=found)


def csat_planned(ticket: Ticket, survey, *, at: datetime) -> Event:
    return _record(ticket, "csat.planned", at=at, survey_id=survey.pk, route=survey.route, language=survey.language)


def csat_sent(ticket: Ticket, survey, *, at: datetime) -> Event:
    return _record(ticket, "csat.sent", at=at, survey_id=survey.pk, route=survey.route)


def csat_failed(ticket: Ticket, survey, *, reason: str, at: datetime) -> Event:
    return _record(ticket, "csat.failed", at=at, survey_id=survey.pk, reason=reason[:300])


def csat_answered(ticket: Ticket, survey, *, at: datetime, low: bool) -> Event:
    return _record(ticket, "csat.answered", at=at, survey_id=survey.pk, rating=survey.rating, low=low)


def _record_off_timeline(reply: Reply, kind: str, *, actor, at: datetime, **data: Any) -> Event:
    """An event about a reply kept out of its ticket's timeline (``ticket`` empty): QA grades are for the graded
    operator and the graders, not for everyone who opens the ticket. Still in the audit trail by brand and reply."""
    event = Event.objects.create(brand_id=reply.brand_id, reply=reply, actor=actor, kind=kind, data=data, created_at=at)
    recorded.send(sender=Event, events=[event])
    return event


def qa_graded(scorecard) -> Event:
    return _record_off_timeline(
        scorecard.reply,
        "qa.graded",
        actor=scorecard.grader,
        at=scorecard.created_at,
        scorecard_id=scorecard.pk,
        operator_id=scorecard.operator_id,
        score=str(scorecard.score),
    )


def qa_acknowledged(scorecard, *, at: datetime) -> Event:
    return _record_off_timeline(
        scorecard.reply, "qa.acknowledged", actor=scorecard.operator, at=at, scorecard_id=scorecard.pk
    )
