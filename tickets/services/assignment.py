"""Assignment: who works a ticket. Automatic assignment of new tickets, `Get next`, and unassigning idle owners
(docs/priority.md).

The brand setting that picks the mode keeps its deployed name, *routing* (``Brand.routing_mode``, the
``routing:`` key of ``load_config``, the "Priority and routing" settings page); here it means assignment only.
(Which brand an inbound item is for is *brand matching*, ``services/inbound.py``; whether a reply goes to
review first is the *review gate*, ``services/replies.py``.)

Modes (``Brand.routing_mode``):
- ``claim``: nobody is assigned automatically; operators claim or press `Get next`.
- ``round_robin``: the eligible operator who was assigned longest ago (never first) gets the ticket.
- ``load``: the eligible operator with the fewest active tickets of the brand gets it (ties: round robin).
Eligible: an operator of the brand, online (their presence, ``brands.models.Presence``, stamped within
``SMRC_ONLINE_MINUTES``), under the brand's capacity, and speaking the ticket's language (an operator without
languages speaks all). Operators whose skill tags match the ticket's urgency labels come first.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from celery import shared_task
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.utils import timezone

from brands.access import scope_to_brands
from brands.models import Brand, Membership, Role, split_tags

from .. import events
from ..models import ACTIVE_STATUSES, Event, Submission, Ticket, TicketStatus
from . import idempotency, sla, workflow

#: an operator's open load in a brand: the brand's tickets they own that are not done (new, open or pending). The
#: one definition, counted by :func:`open_load` for automatic assignment's capacity and the teammate picker
#: (selectors/teammates.py), and from the same statuses by the team view's GROUP BY (selectors/team.py)
LOAD_STATUSES = ACTIVE_STATUSES


def open_load(*, brand, user) -> Subquery:
    """The open load of ``user`` in ``brand`` (each an id or an ``OuterRef``), as a subquery (``None``: no ticket)."""
    return Subquery(
        Ticket.objects.filter(brand_id=brand, assignee_id=user, status__in=LOAD_STATUSES)
        .order_by()
        .values("assignee_id")
        .annotate(n=Count("*"))  # COUNT(*): read from ticket_team_idx alone (it holds no id)
        .values("n")
    )


ROUTING_MODES = ("claim", "round_robin", "load")
#: the modes that assign new tickets without an operator asking
AUTOMATIC_MODES = ("round_robin", "load")


def online_since(now: datetime) -> datetime:
    return now - timedelta(minutes=settings.SMRC_ONLINE_MINUTES)


@dataclass(frozen=True)
class Candidate:
    membership: Membership
    load: int
    skill_matches: int


def candidates(
    *, brand: Brand, language: str, skills: set[str], now: datetime, exclude_user_id: int | None = None
) -> list[Candidate]:
    """Eligible operators for a ticket of ``brand``, best first for the brand's mode. One query.

    On PostgreSQL the brand's operator memberships are locked (``FOR UPDATE``) until the caller's transaction
    ends, so two concurrent ingests do not both hand the same last free slot out."""
    load = open_load(brand=brand.pk, user=OuterRef("user_id"))
    rows = (
        Membership.objects.filter(
            brand_id=brand.pk,
            role=Role.OPERATOR,
            user__is_active=True,
            user__presence__last_seen_at__gte=online_since(now),
        )
        .exclude(user_id=exclude_user_id)
        .annotate(load=load)
        .select_related("user")
        .order_by("pk")
    )
    if connection.vendor == "postgresql":
        rows = rows.select_for_update(of=("self",))
    found = []
    for member in rows:
        languages = member.language_list
        if language and languages and language.lower() not in languages:
            continue
        current = member.load or 0
        if current >= brand.operator_capacity:
            continue
        found.append(Candidate(member, current, len(skills & set(member.skill_list))))
    never = datetime.min.replace(tzinfo=now.tzinfo)

    def round_robin(c: Candidate):
        return (-c.skill_matches, c.membership.last_assigned_at or never, c.membership.pk)

    def by_load(c: Candidate):
        return (-c.skill_matches, c.load, c.membership.last_assigned_at or never, c.membership.pk)

    return sorted(found, key=by_load if brand.routing_mode == "load" else round_robin)


def auto_assign(
    *, ticket: Ticket, brand: Brand, skills: set[str], now: datetime, exclude_user_id: int | None = None
) -> Membership | None:
    """Assign a new ticket by the brand's mode (``routing_mode``); None when claim-only or nobody is eligible.
    Runs inside the caller's transaction (ingest, the idle sweep); writes the assignment and its event."""
    if brand.routing_mode not in AUTOMATIC_MODES or ticket.status != TicketStatus.NEW or ticket.assignee_id:
        return None
    found = candidates(brand=brand, language=ticket.language, skills=skills, now=now, exclude_user_id=exclude_user_id)
    if not found:
        return None
    member = found[0].membership
    ticket.assignee = member.user
    ticket.status = TicketStatus.OPEN
    ticket.claimed_at = ticket.claimed_at or now
    sla.refresh_due(ticket, now=now)
    ticket.save(update_fields=["assignee", "status", "claimed_at", *sla.DUE_FIELDS, "updated_at"])
    Membership.objects.filter(pk=member.pk).update(last_assigned_at=now)
    member.last_assigned_at = now
    events.ticket_auto_assigned(ticket, assignee=member.user.get_username(), mode=brand.routing_mode, at=now)
    return member


def _languages_of(user) -> set[str] | None:
    """The languages ``user`` answers in across the brands they work; None when any membership says "all"."""
    rows = list(Membership.objects.filter(user_id=user.pk).values_list("languages", flat=True))
    languages: set[str] = set()
    for value in rows:
        tags = split_tags(value)
        if not tags:
            return None
        languages.update(tags)
    return languages


@idempotency.once
def take_next(*, user, now: datetime | None = None, key: UUID | None = None) -> Ticket | None:
    """Give ``user`` the most urgent unassigned new ticket they may work, in queue order (due time, then
    age), in a language they answer in; None when there is none.

    Race-safe: on PostgreSQL the candidate row is read ``FOR UPDATE SKIP LOCKED``, so two operators pressing
    `Get next` at once get different tickets; the claim itself is the compare-and-set of
    :func:`workflow.claim_ticket`. SQLite serialises writers anyway. ``key``: a repeat of it (a double click)
    returns the ticket the first press claimed, marked replayed, instead of claiming a second one; two presses
    with one key at once pick two tickets, and the unique key rolls the second claim back."""
    now = now or timezone.now()
    submission = {"action": Submission.Action.TAKE_NEXT, "target": 0, "request": {}}
    with transaction.atomic():
        found = idempotency.previous(user=user, key=key, **submission)
        if found is not None:
            return idempotency.replayed(found.ticket)
        qs = scope_to_brands(Ticket.objects.all(), user, perm="ticket:work").filter(
            status=TicketStatus.NEW, assignee__isnull=True
        )
        if not user.is_superuser:
            languages = _languages_of(user)
            if languages is not None:
                qs = qs.filter(Q(language="") | Q(language__in=sorted(languages)))
        qs = qs.order_by(F("due_at").asc(nulls_last=True), "received_at", "pk")
        if connection.vendor == "postgresql":
            qs = qs.select_for_update(skip_locked=True, of=("self",))
        ticket = qs.first()
        if ticket is None:
            return None
        claimed = workflow.claim_ticket(ticket=ticket, user=user, now=now)
        idempotency.record(user=user, key=key, ticket=claimed, **submission)
        return claimed


def unassign_idle_owners(*, now: datetime | None = None, limit: int = 500) -> int:
    """Give back to the queue every open ticket whose owner did nothing on it (no event by them, nor the
    automatic assignment) for the brand's ``idle_owner_minutes``; where the brand routes automatically, the
    ticket goes straight to another eligible operator. Returns how many were unassigned."""
    now = now or timezone.now()
    done = 0
    for brand in Brand.objects.filter(idle_owner_minutes__gt=0):
        cutoff = now - timedelta(minutes=brand.idle_owner_minutes)
        last_action = (
            Event.objects.filter(ticket_id=OuterRef("pk"))
            .filter(Q(actor_id=OuterRef("assignee_id")) | Q(kind="ticket.auto_assigned"))
            .order_by("-created_at")
            .values("created_at")[:1]
        )
        with transaction.atomic():
            idle = (
                Ticket.objects.filter(brand_id=brand.pk, status=TicketStatus.OPEN, assignee__isnull=False)
                .annotate(last_action=Subquery(last_action))
                .filter(Q(last_action__lt=cutoff) | Q(last_action__isnull=True, claimed_at__lt=cutoff))
                .order_by("pk")
            )
            if connection.vendor == "postgresql":
                idle = idle.select_for_update(skip_locked=True, of=("self",))
            for ticket in list(idle.select_related("assignee")[:limit]):
                previous, previous_id = ticket.assignee.get_username(), ticket.assignee_id
                ticket.assignee = None
                ticket.status = TicketStatus.NEW
                sla.refresh_due(ticket, now=now)
                ticket.save(update_fields=["assignee", "status", *sla.DUE_FIELDS, "updated_at"])
                events.owner_idle_unassigned(
                    ticket, previous_assignee=previous, minutes=brand.idle_owner_minutes, at=now
                )
                done += 1
                auto_assign(
                    ticket=ticket, brand=brand, skills=_urgency_labels(ticket), now=now, exclude_user_id=previous_id
                )
    return done


def _urgency_labels(ticket: Ticket) -> set[str]:
    factors = (ticket.priority_factors or {}).get("factors", [])
    return {
        str((f.get("params") or {}).get("label", "")).lower()
        for f in factors
        if f.get("code") in ("urgency_term", "urgency_term_capped")
    }


# --- Celery tasks (their names stay as deployed: workers and queued tasks use them) ---------------------------


@shared_task(name="tickets.tasks.unassign_idle_owners_task")
def unassign_idle_owners_task() -> int:
    return unassign_idle_owners()
