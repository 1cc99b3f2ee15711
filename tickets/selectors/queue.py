"""The queue: the user's tickets filtered, searched and ordered, the counts beside the filters (each facet counted
with the other filters applied), and the count of new work since the page was drawn."""

from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.db.models import Count, DateTimeField, F, Q, QuerySet, Value
from django.db.models.functions import Coalesce

from brands.access import brand_ids_for
from brands.models import Priority

from ..models import ACTIVE_STATUSES, Ticket, TicketStatus
from .search import search_condition
from .ticket import tickets_for

#: sort key → (label code, the ORDER BY); "due" is the queue's own order
QUEUE_SORTS: dict[str, tuple] = {
    "due": (F("due_at").asc(nulls_last=True), "received_at", "pk"),
    "newest": ("-received_at", "-pk"),
    "oldest": ("received_at", "pk"),
    "priority": ("-priority", F("due_at").asc(nulls_last=True), "received_at", "pk"),
}


@dataclass(frozen=True)
class QueueFilters:
    brand: int | None = None
    status: str = "active"  # "active", or one TicketStatus value
    priority: int | None = None
    mine: bool = False
    unassigned: bool = False
    q: str = ""  # the search text (tickets/selectors/search.py)
    sort: str = "due"  # a key of QUEUE_SORTS

    def as_query(self) -> dict[str, str]:
        """The query-string parameters that select these filters (defaults left out): what a saved view keeps."""
        out: dict[str, str] = {}
        if self.brand:
            out["brand"] = str(self.brand)
        if self.status != "active":
            out["status"] = self.status
        if self.priority:
            out["priority"] = str(self.priority)
        if self.mine:
            out["mine"] = "1"
        if self.unassigned:
            out["unassigned"] = "1"
        if self.q:
            out["q"] = self.q
        if self.sort != "due":
            out["sort"] = self.sort
        return out


QUEUE_STATUS_CHOICES = ("active", *[s.value for s in TicketStatus])


def filter_condition(user, filters: QueueFilters, *, without: str = "") -> Q:
    """The filters as one condition on the user's tickets; ``without`` leaves one facet out ("status",
    "priority", "owner", "brand") to count that facet's choices."""
    condition = Q()
    if without != "status":
        if filters.status == "active":
            condition &= Q(status__in=ACTIVE_STATUSES)
        else:
            condition &= Q(status=filters.status)
    if filters.brand and without != "brand":
        condition &= Q(brand_id=filters.brand)
    if filters.priority and without != "priority":
        condition &= Q(priority=filters.priority)
    if without != "owner":
        if filters.mine:
            condition &= Q(assignee_id=user.pk)
        if filters.unassigned:
            condition &= Q(assignee__isnull=True)
    if filters.q:
        active = filters.status == "active" and without != "status"
        condition &= search_condition(filters.q, brand_ids_for(user), active=active)
    return condition


def queue_for(user, filters: QueueFilters) -> QuerySet[Ticket]:
    """The user's queue: filtered, searched and ordered (by due time, nothing due last, then age, unless another
    sort was chosen)."""
    return (
        tickets_for(user)
        .filter(filter_condition(user, filters))
        .select_related("brand", "author", "assignee")
        .defer("assignee__password")
        .order_by(*QUEUE_SORTS.get(filters.sort, QUEUE_SORTS["due"]))
    )


@dataclass
class QueueCounts:
    """The counts beside the filters. Each facet counts its choices with every *other* filter applied (the
    search too): ``statuses`` within the chosen brand, priority, owner; ``priorities`` within the chosen brand,
    status, owner; ``mine``/``unassigned`` within brand, status, priority; ``brands`` within the rest. ``total``:
    active tickets matching everything but the status. Only active tickets are counted: over years of history a
    count of closed tickets would cost a scan of the whole table on every refresh."""

    total: int = 0
    brands: dict[int, int] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)
    priorities: dict[int, int] = field(default_factory=dict)
    mine: int = 0
    unassigned: int = 0


def queue_counts_for(user, filters: QueueFilters | None = None, *, brand: int | None = None) -> QueueCounts:
    """One GROUP BY (brand, status, priority) over the active tickets the user may see that match the search,
    with the owner counts as conditional sums; each facet is then summed in Python over the rows that pass the
    other filters."""
    filters = filters or QueueFilters(brand=brand)
    qs = tickets_for(user).filter(status__in=ACTIVE_STATUSES)
    if filters.q:
        qs = qs.filter(search_condition(filters.q, brand_ids_for(user), active=True))
    rows = (
        qs.values("brand_id", "status", "priority")
        .annotate(
            n=Count("pk"),
            mine=Count("pk", filter=Q(assignee_id=user.pk)),
            unassigned=Count("pk", filter=Q(assignee__isnull=True)),
        )
        .order_by()
    )
    statuses_chosen = {s.value for s in ACTIVE_STATUSES} if filters.status == "active" else {filters.status}

    def owned(row) -> int:  # the row's count under the owner filter
        if filters.mine:
            return row["mine"]
        if filters.unassigned:
            return row["unassigned"]
        return row["n"]

    counts = QueueCounts()
    for row in rows:
        in_brand = not filters.brand or row["brand_id"] == filters.brand
        in_status = row["status"] in statuses_chosen
        in_priority = not filters.priority or row["priority"] == filters.priority
        if in_status and in_priority:
            counts.brands[row["brand_id"]] = counts.brands.get(row["brand_id"], 0) + owned(row)
        if not in_brand:
            continue
        if in_priority:
            n = owned(row)
            counts.total += n
            counts.statuses[row["status"]] = counts.statuses.get(row["status"], 0) + n
        if in_status:
            counts.priorities[row["priority"]] = counts.priorities.get(row["priority"], 0) + owned(row)
            if in_priority:
                counts.mine += row["mine"]
                counts.unassigned += row["unassigned"]
    return counts


@dataclass
class QueueNews:
    """What arrived since the page was drawn: ``count`` new tickets matching the page's filters, and the ones to
    announce in the browser (assigned to the user, or urgent), newest first."""

    count: int = 0
    alerts: list[Ticket] = field(default_factory=list)


#: at most this many tickets are announced by one poll
NEWS_ALERTS = 5


def queue_news_for(user, filters: QueueFilters, since: datetime) -> QueueNews:
    """Two indexed reads: the count of tickets received after ``since`` that the page would now show, and the
    newest few of those (or of any active ticket assigned to the user since then) to announce."""
    count = queue_for(user, filters).filter(received_at__gt=since).order_by().count()
    alerts = list(
        tickets_for(user)
        .filter(status__in=ACTIVE_STATUSES)
        .filter(Q(received_at__gt=since, priority=Priority.URGENT) | Q(assignee_id=user.pk, updated_at__gt=since))
        .select_related("author")
        .only(
            "pk",
            "subject",
            "priority",
            "assignee_id",
            "brand_id",
            "author__name",
            "author__handle",
            "author__platform_user_id",
        )
        .order_by("-received_at", "-pk")[:NEWS_ALERTS]
    )
    return QueueNews(count=count, alerts=alerts)


# --- the API's ticket list (tickets/api/filters.py): the same conditions, as single filters --------------------

#: the API's sorts: the queue's, over plain values (nothing due sorts last, as in the queue), each ending with the
#: primary key so the list can be read in keyset pages (tickets/selectors/keyset.py). "newest" is the API's default.
API_SORTS: dict[str, tuple[str, ...]] = {
    "newest": ("-received_at", "-pk"),
    "oldest": ("received_at", "pk"),
    "due": ("due_key", "received_at", "pk"),
    "priority": ("-priority", "due_key", "received_at", "pk"),
}
NEVER_DUE = datetime(9999, 12, 31, tzinfo=UTC)


def api_sorted(queryset: QuerySet[Ticket], sort: str) -> QuerySet[Ticket]:
    due_key = Coalesce("due_at", Value(NEVER_DUE, output_field=DateTimeField()), output_field=DateTimeField())
    return queryset.annotate(due_key=due_key).order_by(*API_SORTS[sort])


def status_condition(status: str) -> Q:
    """``active`` (new, open, pending: the queue's default) or one status."""
    return Q(status__in=ACTIVE_STATUSES) if status == "active" else Q(status=status)


def owner_condition(user, who: str) -> Q:
    """``me``, ``none`` (unassigned) or a username. A name is matched, never looked up: an unknown name and a
    person of another brand give the same empty list, so the filter does not tell who exists."""
    if who == "me":
        return Q(assignee_id=user.pk)
    if who == "none":
        return Q(assignee__isnull=True)
    return Q(assignee__username=who)


def tag_condition(name: str) -> Q:
    return Q(pk__in=Ticket.objects.filter(tags__name=name.strip().lower()).values("pk"))


def view_condition(user, filters: QueueFilters) -> Q:
    """A saved view's filters (read by the queue's form: ``selectors.views.view_filters``), as the queue applies
    them."""
    return filter_condition(user, filters)


def search_for(user, text: str) -> Q:
    """The queue's search over the user's brands."""
    return search_condition(" ".join(text.split()), brand_ids_for(user))
