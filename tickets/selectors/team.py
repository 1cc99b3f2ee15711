"""The team view (docs/team.md): the shift of the brands a supervisor leads, read in a fixed number of queries
whatever the number of tickets.

- **members**: who works the brands' tickets (operators and supervisors), with their presence
  (``brands.models.Presence``, online within ``SMRC_ONLINE_MINUTES``);
- **counts**: one GROUP BY over the active tickets, read from the partial index ``ticket_team_idx`` (brand,
  owner, status, priority, due time): each owner's load, and the tickets waiting on us by SLA state × priority;
- **unanswered**: each owner's open tickets less those with a reply in review, approved or on its way (the partial
  index ``reply_in_flight_idx``);
- **in review**: each author's replies waiting for a reviewer (the partial index ``reply_in_review_idx``);
- **breaching**: the tickets waiting on us that are overdue or due within the brand's warning time, earliest first;
- **volume**: tickets received today (from midnight in each brand's time zone to now) against the same span of
  the same weekday a week before, and that whole day.

The caller passes brand ids from the scoping layer (``brands.access.brand_ids_for(user, "team:view")``).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import reduce
from operator import or_
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Case, CharField, Count, F, Q, Value, When

from brands.access import members_holding
from brands.models import Brand, Priority

from ..models import ACTIVE_STATUSES, REPLY_OPEN_STATUSES, Reply, ReplyStatus, Ticket, TicketStatus
from ..services.assignment import LOAD_STATUSES

#: the SLA states of a ticket waiting on us, in the order the page shows them
ON_TRACK, DUE_SOON, OVERDUE = "on_track", "due_soon", "overdue"
SLA_STATES = (OVERDUE, DUE_SOON, ON_TRACK)
#: tickets whose clocks run (a pending ticket waits on the customer, its clocks paused)
WAITING_ON_US = (TicketStatus.NEW, TicketStatus.OPEN)
BREACHING_LIMIT = 20


@dataclass
class Member:
    user_id: int
    name: str
    role: str
    last_seen: datetime | None
    online: bool
    brand_ids: list[int] = field(default_factory=list)
    #: their open load in the brands shown, and per brand (``services.assignment.LOAD_STATUSES``)
    load: int = 0
    load_by_brand: dict[int, int] = field(default_factory=dict)
    unanswered: int = 0
    in_review: int = 0

    def load_in(self, brand_id: int) -> int:
        """Their open load in one brand: what the teammate picker and automatic assignment count."""
        return self.load_by_brand.get(brand_id, 0)


@dataclass
class Volume:
    today: int = 0
    last_week_so_far: int = 0
    last_week_day: int = 0

    @property
    def change_percent(self) -> float | None:
        """Today against the same span of the same weekday last week, as a signed percentage."""
        if not self.last_week_so_far:
            return None
        return round(100 * (self.today - self.last_week_so_far) / self.last_week_so_far, 1)


@dataclass
class Shift:
    now: datetime
    members: list[Member]
    #: (SLA state, priority) → tickets waiting on us
    grid: dict[tuple[str, int], int]
    unassigned: int
    pending: int
    breaching: list[Ticket]
    volume: Volume

    @property
    def waiting(self) -> int:
        return sum(self.grid.values())

    def state_total(self, state: str) -> int:
        return sum(n for (s, _p), n in self.grid.items() if s == state)

    @property
    def overdue(self) -> int:
        return self.state_total(OVERDUE)

    @property
    def due_soon(self) -> int:
        return self.state_total(DUE_SOON)

    @property
    def rows(self) -> list[dict]:
        """The grid as rows, most urgent priority first: ``{priority, label, cells: [(state, n)], total}``."""
        rows = []
        for priority in reversed(Priority):
            cells = [(state, self.grid.get((state, priority.value), 0)) for state in SLA_STATES]
            rows.append({"priority": priority.value, "label": priority.label, "cells": cells,
                         "total": sum(n for _s, n in cells)})  # fmt: skip
        return rows

    @property
    def online(self) -> int:
        return sum(1 for m in self.members if m.online)


def _soon_by_brand(brands: list[Brand], now: datetime) -> dict[int, datetime]:
    return {b.pk: now + timedelta(minutes=b.sla_warning_minutes) for b in brands}


def sla_state(brands: list[Brand], now: datetime) -> Case:
    """The SLA state of a ticket waiting on us: overdue when its earliest running deadline passed, due soon when
    it falls within its brand's warning time (``Brand.sla_warning_minutes``), else on track (no deadline too)."""
    by_minutes: dict[int, list[int]] = defaultdict(list)
    for b in brands:
        by_minutes[b.sla_warning_minutes].append(b.pk)
    soon = [Q(brand_id__in=ids, due_at__lte=now + timedelta(minutes=m)) for m, ids in sorted(by_minutes.items())]
    whens = [When(due_at__lt=now, then=Value(OVERDUE))]
    if soon:
        whens.append(When(reduce(or_, soon), then=Value(DUE_SOON)))
    return Case(*whens, default=Value(ON_TRACK), output_field=CharField())


def members_of(brand_ids: list[int], now: datetime) -> list[Member]:
    """Who works the brands' tickets, operators first, then by name. One query."""
    online_since = now - timedelta(minutes=settings.SMRC_ONLINE_MINUTES)
    rows = (
        members_holding(brand_ids, "ticket:work")
        .annotate(last_seen=F("user__presence__last_seen_at"))
        .order_by("user__username", "brand_id")
        .values_list("user_id", "user__username", "role", "last_seen", "brand_id")
    )
    found: dict[int, Member] = {}
    for user_id, name, role, last_seen, brand_id in rows:
        member = found.get(user_id)
        if member is None:
            online = last_seen is not None and last_seen >= online_since
            member = found[user_id] = Member(user_id, name, role, last_seen, online)
        elif role == "operator":
            member.role = role
        member.brand_ids.append(brand_id)
    return sorted(found.values(), key=lambda m: (m.role != "operator", m.name))


def shift(brands: list[Brand], *, now: datetime) -> Shift:
    """Everything the team view shows for ``brands`` (already scoped). Six queries."""
    brand_ids = [b.pk for b in brands]
    members = members_of(brand_ids, now)
    state = sla_state(brands, now)
    counts = (
        Ticket.objects.filter(brand_id__in=brand_ids, status__in=ACTIVE_STATUSES)
        .annotate(sla=state)
        .order_by()
        .values_list("brand_id", "assignee_id", "status", "priority", "sla")
        .annotate(n=Count("*"))  # COUNT(*): read from the index alone (ticket_team_idx holds no id)
    )
    load: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    grid: dict[tuple[str, int], int] = defaultdict(int)
    unassigned = pending = 0
    open_owned: dict[int, int] = defaultdict(int)
    for brand_id, assignee_id, status, priority, sla, n in counts:
        if assignee_id is None:
            unassigned += n
        else:
            if status in LOAD_STATUSES:
                load[assignee_id][brand_id] += n
            if status == TicketStatus.OPEN:
                open_owned[assignee_id] += n
        if status == TicketStatus.PENDING:
            pending += n
        else:
            grid[(sla, priority)] += n
    # open tickets with a reply in review, approved or on its way, per owner: the rest of their open tickets wait
    # for an answer (a few rows, from the partial index reply_in_flight_idx)
    answering = dict(
        Reply.objects.filter(
            brand_id__in=brand_ids,
            status__in=REPLY_OPEN_STATUSES,
            ticket__status=TicketStatus.OPEN,
            ticket__assignee__isnull=False,
        )
        .order_by()
        .values_list("ticket__assignee_id")
        .annotate(n=Count("ticket_id", distinct=True))
    )
    in_review = dict(
        Reply.objects.filter(brand_id__in=brand_ids, status=ReplyStatus.IN_REVIEW)
        .order_by()
        .values_list("author_id")
        .annotate(n=Count("pk"))
    )
    for member in members:
        member.load_by_brand = dict(load.get(member.user_id, {}))
        member.load = sum(member.load_by_brand.values())
        member.unanswered = open_owned.get(member.user_id, 0) - answering.get(member.user_id, 0)
        member.in_review = in_review.get(member.user_id, 0)
    soon = [Q(brand_id=brand_id, due_at__lte=at) for brand_id, at in _soon_by_brand(brands, now).items()]
    breaching = (
        list(
            Ticket.objects.filter(reduce(or_, soon), status__in=WAITING_ON_US)
            .select_related("brand", "author", "assignee")
            .defer("priority_factors", "assignee__password")
            .order_by("due_at", "received_at", "pk")[:BREACHING_LIMIT]
        )
        if brand_ids
        else []
    )
    for ticket in breaching:
        ticket.sla_state = OVERDUE if ticket.due_at < now else DUE_SOON
    return Shift(
        now=now,
        members=members,
        grid=dict(grid),
        unassigned=unassigned,
        pending=pending,
        breaching=breaching,
        volume=volume(brands, now=now),
    )


def volume(brands: list[Brand], *, now: datetime) -> Volume:
    """Tickets received today in each brand's time zone, against the same weekday a week before (up to the same
    time of day, and the whole day). Ignored tickets count: they arrived. One query on (brand, received_at)."""
    by_zone: dict[str, list[int]] = defaultdict(list)
    for b in brands:
        by_zone[b.time_zone].append(b.pk)
    today, so_far, whole = [], [], []
    earliest = now
    for zone, ids in by_zone.items():
        local = now.astimezone(ZoneInfo(zone))
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        week_ago = midnight - timedelta(days=7)  # local midnight a week ago (a calendar day in the zone)
        start_today = midnight.astimezone(ZoneInfo("UTC"))
        start_before = week_ago.astimezone(ZoneInfo("UTC"))
        end_before = (week_ago + timedelta(days=1)).astimezone(ZoneInfo("UTC"))
        same_time = (local - timedelta(days=7)).astimezone(ZoneInfo("UTC"))
        today.append(Q(brand_id__in=ids, received_at__gte=start_today, received_at__lte=now))
        so_far.append(Q(brand_id__in=ids, received_at__gte=start_before, received_at__lte=same_time))
        whole.append(Q(brand_id__in=ids, received_at__gte=start_before, received_at__lt=end_before))
        earliest = min(earliest, start_before)
    if not by_zone:
        return Volume()
    counts = Ticket.objects.filter(
        brand_id__in=[b.pk for b in brands], received_at__gte=earliest, received_at__lte=now
    ).aggregate(
        today=Count("pk", filter=reduce(or_, today)),
        last_week_so_far=Count("pk", filter=reduce(or_, so_far)),
        last_week_day=Count("pk", filter=reduce(or_, whole)),
    )
    return Volume(**counts)
