"""The queue: the user's tickets filtered and ordered, and the counts beside the filters."""

from dataclasses import dataclass, field

from django.db.models import Count, F, Q, QuerySet

from ..models import ACTIVE_STATUSES, Ticket, TicketStatus
from .ticket import tickets_for


@dataclass(frozen=True)
class QueueFilters:
    brand: int | None = None
    status: str = "active"  # "active", or one TicketStatus value
    priority: int | None = None
    mine: bool = False
    unassigned: bool = False


QUEUE_STATUS_CHOICES = ("active", *[s.value for s in TicketStatus])


def queue_for(user, filters: QueueFilters) -> QuerySet[Ticket]:
    """The user's queue: filtered, ordered by due time (nothing due last), then age."""
    qs = tickets_for(user)
    if filters.status == "active":
        qs = qs.filter(status__in=ACTIVE_STATUSES)
    else:
        qs = qs.filter(status=filters.status)
    if filters.brand:
        qs = qs.filter(brand_id=filters.brand)
    if filters.priority:
        qs = qs.filter(priority=filters.priority)
    if filters.mine:
        qs = qs.filter(assignee_id=user.pk)
    if filters.unassigned:
        qs = qs.filter(assignee__isnull=True)
    return (
        qs.select_related("brand", "author", "assignee")
        .defer("assignee__password")
        .order_by(F("due_at").asc(nulls_last=True), "received_at", "pk")
    )


@dataclass
class QueueCounts:
    """Counts of the active queue: per brand (across everything), and the rest within the chosen brand."""

    total: int = 0
    brands: dict[int, int] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)
    priorities: dict[int, int] = field(default_factory=dict)
    mine: int = 0
    unassigned: int = 0


def queue_counts_for(user, *, brand: int | None = None) -> QueueCounts:
    """One GROUP BY over the active tickets the user may see. Closed and resolved tickets are not counted:
    over years of history that count would cost a scan of the whole table on every refresh."""
    rows = (
        tickets_for(user)
        .filter(status__in=ACTIVE_STATUSES)
        .values("brand_id", "status", "priority")
        .annotate(
            n=Count("pk"),
            mine=Count("pk", filter=Q(assignee_id=user.pk)),
            unassigned=Count("pk", filter=Q(assignee__isnull=True)),
        )
        .order_by()
    )
    counts = QueueCounts()
    for row in rows:
        counts.brands[row["brand_id"]] = counts.brands.get(row["brand_id"], 0) + row["n"]
        if brand and row["brand_id"] != brand:
            continue
        counts.total += row["n"]
        counts.statuses[row["status"]] = counts.statuses.get(row["status"], 0) + row["n"]
        counts.priorities[row["priority"]] = counts.priorities.get(row["priority"], 0) + row["n"]
        counts.mine += row["mine"]
        counts.unassigned += row["unassigned"]
    return counts
