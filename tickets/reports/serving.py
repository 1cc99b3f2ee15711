"""Serving in channel: did the team solve it here, or send the customer elsewhere, pass them around, or close
too soon? Three figures beside the SLA report, over the same population (``queries.population``), each with its
drill-down; defined in ``docs/report-definitions.md``.

- **Resolved in channel**: of the tickets resolved (resolved or closed now), the share with no published reply
  that sends the customer elsewhere (``Reply.sends_elsewhere``, set when the reply is written or edited, by the
  brand's bounce settings: ``brands.services.bounces``).
- **Handoffs per ticket**: changes of owner (a new owner who is not the previous one; a release followed by the
  same person's claim is no change), per ticket that had an owner. Read from the ticket's events, which every
  path that gives a ticket an owner writes: claimed, assigned, auto-assigned.
- **Reopen rate**: of the tickets resolved at least once, the share reopened (by a person or by the customer
  writing again).
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from ..models import Event, Reply
from .queries import DONE, ReportRange, population

#: the events that give a ticket an owner, and where each names the new owner
OWNER_EVENTS = {"ticket.claimed": "assignee", "ticket.assigned": "after", "ticket.auto_assigned": "after"}
REOPENED = "ticket.reopened"
METRICS = ("bounced", "in_channel", "handed_off", "reopened")


@dataclass(frozen=True)
class Serving:
    resolved: int = 0
    bounced: int = 0
    owned: int = 0
    handed_off: int = 0
    handoffs: int = 0
    ever_resolved: int = 0
    reopened: int = 0

    @property
    def in_channel(self) -> int:
        return self.resolved - self.bounced

    @property
    def in_channel_percent(self) -> float | None:
        return round(100 * self.in_channel / self.resolved, 1) if self.resolved else None

    @property
    def handoffs_per_ticket(self) -> float | None:
        return round(self.handoffs / self.owned, 2) if self.owned else None

    @property
    def reopen_percent(self) -> float | None:
        return round(100 * self.reopened / self.ever_resolved, 1) if self.ever_resolved else None


def bounced_q() -> Q:
    """A ticket with a published reply that sends the customer elsewhere."""
    return Q(Exists(Reply.objects.filter(ticket_id=OuterRef("pk"), sent_at__isnull=False, sends_elsewhere=True)))


def reopened_q() -> Q:
    """A ticket reopened by a person, or by the customer writing again after it was resolved or closed."""
    again = Event.objects.filter(ticket_id=OuterRef("pk"), kind="mention.added", data__status_before__in=DONE)
    return Q(Exists(Event.objects.filter(ticket_id=OuterRef("pk"), kind=REOPENED))) | Q(Exists(again))


def handoffs_by_ticket(tickets: QuerySet) -> dict[int, tuple[int, int]]:
    """ticket id → (owners given, changes of owner) from the ownership events, oldest first."""
    rows = (
        Event.objects.filter(ticket__in=tickets.values("pk"), kind__in=OWNER_EVENTS)
        .order_by("ticket_id", "created_at", "pk")
        .values_list("ticket_id", "kind", "data")
    )
    result: dict[int, tuple[int, int]] = {}
    last: dict[int, str] = {}
    for ticket_id, kind, data in rows:
        owner = (data or {}).get(OWNER_EVENTS[kind])
        if not owner:
            continue
        given, changes = result.get(ticket_id, (0, 0))
        previous = last.get(ticket_id)
        result[ticket_id] = (given + 1, changes + (previous is not None and previous != owner))
        last[ticket_id] = owner
    return result


def serving(brand_ids: Iterable[int], rng: ReportRange) -> Serving:
    """The three figures over the report's population (two queries: the counts, the ownership events)."""
    tickets = population(brand_ids, rng)
    done, reopened = Q(status__in=DONE), reopened_q()
    counts = tickets.aggregate(
        resolved=Count("pk", filter=done),
        bounced=Count("pk", filter=done & bounced_q()),
        ever_resolved=Count("pk", filter=done | reopened),
        reopened=Count("pk", filter=reopened),
    )
    owners = handoffs_by_ticket(tickets)
    return Serving(
        **counts,
        owned=len(owners),
        handed_off=sum(1 for _, changes in owners.values() if changes),
        handoffs=sum(changes for _, changes in owners.values()),
    )


def drill(tickets: QuerySet, metric: str) -> QuerySet:
    """The tickets behind one figure of :func:`serving`."""
    if metric == "bounced":
        return tickets.filter(bounced_q(), status__in=DONE)
    if metric == "in_channel":
        return tickets.filter(status__in=DONE).exclude(bounced_q())
    if metric == "reopened":
        return tickets.filter(reopened_q())
    if metric == "handed_off":
        changed = [pk for pk, (_, changes) in handoffs_by_ticket(tickets).items() if changes]
        return tickets.filter(pk__in=changed)
    raise ValueError(metric)
