"""Due times of a ticket's clocks (DESIGN §5).

Targets come from the brand's :class:`brands.models.SlaPolicy` for the ticket's priority, else
:data:`DEFAULT_TARGETS`. Deadlines are counted in calendar time for now; business-hours calendars replace
:func:`add_target` without changing its callers.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from brands.models import Priority, SlaPolicy

from ..models import Ticket, TicketStatus


@dataclass(frozen=True)
class Targets:
    first_response: timedelta
    next_response: timedelta
    resolution: timedelta


def _minutes(first: int, following: int, resolution: int) -> Targets:
    return Targets(timedelta(minutes=first), timedelta(minutes=following), timedelta(minutes=resolution))


DEFAULT_TARGETS: dict[int, Targets] = {
    Priority.URGENT: _minutes(15, 15, 4 * 60),
    Priority.HIGH: _minutes(30, 30, 8 * 60),
    Priority.NORMAL: _minutes(60, 60, 24 * 60),
    Priority.LOW: _minutes(4 * 60, 4 * 60, 72 * 60),
}


def targets_for(brand_id: int, priority: int) -> Targets:
    policy = SlaPolicy.objects.filter(brand_id=brand_id, priority=priority).first()
    if policy is None:
        return DEFAULT_TARGETS[priority]
    return _minutes(policy.first_response_minutes, policy.next_response_minutes, policy.resolution_minutes)


def add_target(start: datetime, target: timedelta) -> datetime:
    return start + target


def refresh_due(ticket: Ticket, *, now: datetime, targets: Targets | None = None) -> None:
    """Recompute the ticket's due fields from its state and clocks. Mutates ``ticket``; the caller saves.

    - first response is due ``first_response`` after receipt until a reply is published;
    - next response is due ``next_response`` after a customer message that follows our last reply;
    - resolution is due ``resolution`` after receipt, pushed back by the time spent pending on the customer;
    - nothing runs while pending on the customer, or once resolved, closed or ignored.
    """
    targets = targets or targets_for(ticket.brand_id, ticket.priority)
    ticket.first_response_due_at = add_target(ticket.received_at, targets.first_response)
    ticket.resolution_due_at = add_target(ticket.received_at, targets.resolution) + timedelta(
        seconds=ticket.paused_seconds
    )
    awaiting_next = (
        ticket.first_response_at is not None
        and ticket.last_customer_at is not None
        and (ticket.last_response_at is None or ticket.last_customer_at > ticket.last_response_at)
    )
    ticket.next_response_due_at = add_target(ticket.last_customer_at, targets.next_response) if awaiting_next else None

    if ticket.status not in (TicketStatus.NEW, TicketStatus.OPEN):
        ticket.due_at = None
        return
    running = [ticket.resolution_due_at]
    if ticket.first_response_at is None:
        running.append(ticket.first_response_due_at)
    elif ticket.next_response_due_at is not None:
        running.append(ticket.next_response_due_at)
    ticket.due_at = min(running)


DUE_FIELDS = ["first_response_due_at", "next_response_due_at", "resolution_due_at", "due_at"]
