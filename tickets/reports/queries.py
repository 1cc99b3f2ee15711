"""SLA report figures for one brand (or several, for admins) over a range of local dates.

Every figure is defined in ``docs/report-definitions.md``; keep the two in step. In short:

- the **population** is the brand's tickets *received* in ``[first day 00:00, day after the last day 00:00)`` of
  the report's time zone, ignored tickets (spam, noise) left out;
- durations are whole seconds: calendar durations come from the database (each stamp cut to the whole second,
  then subtracted); business durations were stamped on the ticket or reply by the services when the response
  or resolution happened (``first_response_business_seconds``, ``resolution_business_seconds``,
  ``Reply.next_response_business_seconds``), so a report never computes business time per ticket;
- percentiles are **nearest-rank** (the value at rank ⌈p × N / 100⌉ of the N values in ascending order, the
  same as PostgreSQL's ``percentile_disc``), computed in Python over the range's rows: one brand and at most
  :data:`MAX_DAYS` days bound that list;
- a target is **met** when its stamp is at or before its due time, **breached** when after it, or when the
  ticket is still running (new or open) and the due time has passed at ``now``.

The report reads six queries whatever the number of tickets: one row per ticket (with its local day and hour),
the sentiment of each ticket's first mention, the tags of those tickets, the operators' names, one row per reply
of those tickets, and the review decisions on those replies grouped by verdict and reason. On
PostgreSQL they are index-only scans of covering indexes (migrations 0008 and 0010).
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractHour, ExtractIsoWeekDay, TruncDate
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from brands.models import Platform, Priority
from smrc.bounds import parse_id
from smrc.db import read_connection, replica_reads

from ..models import (
    TAG_MAX_LENGTH,
    ChangesReason,
    Intent,
    Mention,
    Reply,
    ReviewDecision,
    Ticket,
    TicketStatus,
    TicketTag,
)

#: the longest range a report covers, in days
MAX_DAYS = 366
PERCENTILES = (50, 90, 95)
RUNNING = (TicketStatus.NEW, TicketStatus.OPEN)
DONE = (TicketStatus.RESOLVED, TicketStatus.CLOSED)
SENTIMENT_UNKNOWN = "unknown"
#: the "By tag" group of the tickets without a tag: not a possible tag name (one starts with a letter or digit)
NO_TAG = "-"


class Seconds(Func):
    """Whole seconds from ``start`` to ``end`` (each cut to the second first); null if either is null."""

    output_field = IntegerField()
    arity = 2

    def __init__(self, end, start):
        super().__init__(end, start)

    def as_sql(self, compiler, connection, **extra):  # pragma: no cover - every backend below has its own
        raise NotImplementedError(f"Seconds() is not written for {connection.vendor}")

    def _parts(self, compiler, connection):
        end_sql, end_params = compiler.compile(self.source_expressions[0])
        start_sql, start_params = compiler.compile(self.source_expressions[1])
        return end_sql, start_sql, [*end_params, *start_params]

    def as_postgresql(self, compiler, connection, **extra):
        end, start, params = self._parts(compiler, connection)
        sql = (
            f"(EXTRACT(EPOCH FROM date_trunc('second', {end}))"
            f" - EXTRACT(EPOCH FROM date_trunc('second', {start})))::bigint"
        )
        return sql, params

    def as_sqlite(self, compiler, connection, **extra):
        end, start, params = self._parts(compiler, connection)
        return f"(CAST(strftime('%%s', {end}) AS INTEGER) - CAST(strftime('%%s', {start}) AS INTEGER))", params


# --- the range ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportRange:
    """Local dates ``first``…``last`` (both included) in ``tz``; :meth:`bounds` is the half-open UTC span."""

    first: date
    last: date
    tz: ZoneInfo

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError("the range ends before it starts")
        if self.days > MAX_DAYS:
            raise ValueError(f"the range is longer than {MAX_DAYS} days")

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def bounds(self) -> tuple[datetime, datetime]:
        start = datetime.combine(self.first, time(), tzinfo=self.tz)
        end = datetime.combine(self.last + timedelta(days=1), time(), tzinfo=self.tz)
        return start, end

    def dates(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range(self.days)]


def population(brand_ids: Iterable[int], rng: ReportRange) -> QuerySet[Ticket]:
    """The tickets a report counts. ``brand_ids`` must come from the scoping layer."""
    start, end = rng.bounds()
    return Ticket.objects.filter(brand_id__in=list(brand_ids), received_at__gte=start, received_at__lt=end).exclude(
        status=TicketStatus.IGNORED
    )


# --- what "met" and "breached" mean, shared by the figures and the drill-down ----------------------------------


def fr_met_q() -> Q:
    return Q(first_response_at__isnull=False, first_response_due_at__isnull=False) & Q(
        first_response_at__lte=F("first_response_due_at")
    )


def fr_breached_q(now: datetime) -> Q:
    late = Q(first_response_at__isnull=False, first_response_at__gt=F("first_response_due_at"))
    overdue = Q(first_response_at__isnull=True, status__in=RUNNING, first_response_due_at__lt=now)
    return late | overdue


def res_met_q() -> Q:
    return Q(resolved_at__isnull=False, resolution_due_at__isnull=False, resolved_at__lte=F("resolution_due_at"))


def res_breached_q(now: datetime) -> Q:
    late = Q(resolved_at__isnull=False, resolved_at__gt=F("resolution_due_at"))
    overdue = Q(resolved_at__isnull=True, status__in=RUNNING, resolution_due_at__lt=now)
    return late | overdue


def nr_overdue_q(now: datetime) -> Q:
    """Still waiting for our next reply past its due time (``next_response_due_at`` is set only while waiting)."""
    return Q(status__in=RUNNING, next_response_due_at__lt=now)


def nr_late_replies() -> QuerySet[Reply]:
    return Reply.objects.filter(
        next_response_started_at__isnull=False, sent_at__isnull=False, sent_at__gt=F("next_response_due_at")
    )


def _state(met: Q, breached: Q) -> Case:
    return Case(When(met, then=Value("met")), When(breached, then=Value("breached")), default=None,
                output_field=CharField())  # fmt: skip


def first_sentiment() -> Subquery:
    """The sentiment of the ticket's first mention: the one that opened it (first received; ties by id)."""
    first = Mention.objects.filter(ticket_id=OuterRef("pk")).order_by("received_at", "pk").values("sentiment")[:1]
    return Subquery(first, output_field=CharField())


# --- figures ----------------------------------------------------------------------------------------------------


def nearest_rank(values: list[int], p: int) -> int | None:
    """The ``p``-th percentile (0 < p ≤ 100) by nearest rank of ``values`` (sorted ascending); None if empty."""
    if not values:
        return None
    rank = -(-p * len(values) // 100)  # ⌈p·N/100⌉ in integers, no float rounding
    return values[max(rank, 1) - 1]


@dataclass(frozen=True)
class Distribution:
    count: int
    p50: int | None
    p90: int | None
    p95: int | None

    @classmethod
    def of(cls, values: Iterable[int | None]) -> "Distribution":
        if isinstance(values, list) and None not in values:
            ordered = sorted(values)
        else:
            ordered = sorted(v for v in values if v is not None)
        return cls(len(ordered), *(nearest_rank(ordered, p) for p in PERCENTILES))


@dataclass(frozen=True)
class Compliance:
    met: int
    breached: int

    @property
    def measured(self) -> int:
        return self.met + self.breached

    @property
    def percent(self) -> float | None:
        """Met as a share of measured, rounded to one decimal; None when nothing was measured."""
        return round(100 * self.met / self.measured, 1) if self.measured else None


@dataclass(frozen=True)
class Group:
    key: str
    label: str
    tickets: int
    first_response: Distribution
    fr_compliance: Compliance
    res_compliance: Compliance


@dataclass
class Report:
    rng: ReportRange
    now: datetime
    tickets: int = 0
    per_day: list[tuple[date, int]] = field(default_factory=list)
    #: heatmap[weekday 0 = Monday][hour] = tickets received
    heatmap: list[list[int]] = field(default_factory=lambda: [[0] * 24 for _ in range(7)])
    fr_business: Distribution = Distribution(0, None, None, None)
    fr_calendar: Distribution = Distribution(0, None, None, None)
    fr_customer: Distribution = Distribution(0, None, None, None)
    nr_business: Distribution = Distribution(0, None, None, None)
    nr_calendar: Distribution = Distribution(0, None, None, None)
    res_business: Distribution = Distribution(0, None, None, None)
    res_calendar: Distribution = Distribution(0, None, None, None)
    fr: Compliance = Compliance(0, 0)
    nr: Compliance = Compliance(0, 0)
    res: Compliance = Compliance(0, 0)
    #: queue, handling, review, delivery of the first response (calendar seconds)
    split: dict[str, Distribution] = field(default_factory=dict)
    by_platform: list[Group] = field(default_factory=list)
    by_priority: list[Group] = field(default_factory=list)
    by_operator: list[Group] = field(default_factory=list)
    by_sentiment: list[Group] = field(default_factory=list)
    #: by the intent of the first mention (:func:`intent_groups`)
    by_intent: list[Group] = field(default_factory=list)
    #: a ticket with several tags counts in each of their groups; untagged tickets form :data:`NO_TAG`
    by_tag: list[Group] = field(default_factory=list)
    replies_submitted: int = 0
    replies_approved: int = 0
    #: review decisions on the population's replies: verdict → count, and (reason code, label, count) of the
    #: changes requested, most frequent first
    decisions: dict[str, int] = field(default_factory=dict)
    change_reasons: list[tuple[str, str, int]] = field(default_factory=list)

    @property
    def decisions_total(self) -> int:
        return sum(self.decisions.values())

    @property
    def review_approval_percent(self) -> float | None:
        """Approved (as written or edited) as a share of all review decisions."""
        if not self.decisions_total:
            return None
        approved = self.decisions.get("approved", 0) + self.decisions.get("edited", 0)
        return round(100 * approved / self.decisions_total, 1)

    @property
    def heatmap_max(self) -> int:
        return max((max(row) for row in self.heatmap), default=0)

    @property
    def day_max(self) -> int:
        return max((n for _, n in self.per_day), default=0)

    @property
    def approval_percent(self) -> float | None:
        if not self.replies_submitted:
            return None
        return round(100 * self.replies_approved / self.replies_submitted, 1)


SPLIT = ("queue", "handling", "review", "delivery")
ROW_FIELDS = (
    "pk", "platform", "priority", "assignee_id", "fr_cal", "fr_bus", "fr_cust", "fr_state",
    "res_cal", "paused_seconds", "res_bus", "res_state", "nr_open_overdue", *SPLIT, "local_day", "local_hour",
)  # fmt: skip


def ticket_rows(brand_ids: Iterable[int], rng: ReportRange, now: datetime) -> QuerySet:
    """One tuple per ticket of the population, in :data:`ROW_FIELDS` order: what the report aggregates."""
    return (
        population(brand_ids, rng)
        .annotate(
            fr_cal=Seconds("first_response_at", "received_at"),
            fr_cust=Seconds("first_response_at", "posted_at"),
            fr_state=_state(fr_met_q(), fr_breached_q(now)),
            res_cal=Seconds("resolved_at", "received_at"),
            res_state=_state(res_met_q(), res_breached_q(now)),
            nr_open_overdue=ExpressionWrapper(nr_overdue_q(now), output_field=BooleanField()),
            queue=Case(When(first_response_at__isnull=False, then=Seconds("claimed_at", "received_at"))),
            handling=Case(When(first_response_at__isnull=False, then=Seconds("first_submitted_at", "claimed_at"))),
            review=Case(When(first_response_at__isnull=False, then=Seconds("first_approved_at", "first_submitted_at"))),
            delivery=Case(
                When(first_response_at__isnull=False, then=Seconds("first_response_at", "first_approved_at"))
            ),
            local_day=TruncDate("received_at", tzinfo=rng.tz),
            local_hour=ExtractHour("received_at", tzinfo=rng.tz),
        )
        .order_by()
        .values_list(
            "pk",
            "platform",
            "priority",
            "assignee_id",
            "fr_cal",
            "first_response_business_seconds",
            "fr_cust",
            "fr_state",
            "res_cal",
            "paused_seconds",
            "resolution_business_seconds",
            "res_state",
            "nr_open_overdue",
            *SPLIT,
            "local_day",
            "local_hour",
        )
    )


def first_sentiments(brand_ids: Iterable[int], rng: ReportRange) -> dict[int, str]:
    """ticket id → sentiment of its first mention, for the population's tickets, from one range scan of the
    brand's mentions received in the range: a ticket's first mention is received when the ticket is, so it is
    in the range, and the first one seen per ticket in (received, id) order is it. Holds also follow-ups of
    older tickets, which the report never looks up."""
    return _first_mention_values(brand_ids, rng, "sentiment")


def _first_mention_values(brand_ids: Iterable[int], rng: ReportRange, column: str) -> dict[int, str]:
    """ticket id → ``column`` of its first mention (see :func:`first_sentiments`)."""
    start, end = rng.bounds()
    found: dict[int, str] = {}
    rows = (
        Mention.objects.filter(brand_id__in=list(brand_ids), received_at__gte=start, received_at__lt=end)
        .order_by("received_at", "pk")
        .values_list("ticket_id", column)
    )
    for ticket_id, value in _fetch(rows):
        found.setdefault(ticket_id, value)
    return found


def ticket_tag_names(brand_ids: Iterable[int], rng: ReportRange) -> dict[int, list[str]]:
    """ticket id → its tag names, for the population's tagged tickets (one query; untagged tickets are absent)."""
    brand_ids = list(brand_ids)
    start, end = rng.bounds()
    rows = (
        TicketTag.objects.filter(
            ticket__brand_id__in=brand_ids, ticket__received_at__gte=start, ticket__received_at__lt=end
        )
        .exclude(ticket__status=TicketStatus.IGNORED)
        .order_by()
        .values_list("ticket_id", "tag__name")
    )
    found: dict[int, list[str]] = {}
    for ticket_id, name in _fetch(rows):
        found.setdefault(ticket_id, []).append(name)
    return found


def review_decision_counts(brand_ids: Iterable[int], rng: ReportRange) -> QuerySet:
    """(verdict, reason code, count) of the review decisions on the population's replies."""
    brand_ids = list(brand_ids)
    start, end = rng.bounds()
    return (
        ReviewDecision.objects.filter(
            reply__brand_id__in=brand_ids,
            reply__ticket__brand_id__in=brand_ids,
            reply__ticket__received_at__gte=start,
            reply__ticket__received_at__lt=end,
        )
        .exclude(reply__ticket__status=TicketStatus.IGNORED)
        .order_by()
        .values_list("verdict", "reason_code")
        .annotate(n=Count("pk"))
    )


def reply_rows(brand_ids: Iterable[int], rng: ReportRange) -> QuerySet:
    """(ticket id, submitted, approved, is a next response, calendar seconds, business seconds, met) per reply of
    the population; the next-response values are null for other replies."""
    brand_ids = list(brand_ids)
    start, end = rng.bounds()
    is_next = Q(next_response_started_at__isnull=False, sent_at__isnull=False)
    return (
        Reply.objects.filter(
            brand_id__in=brand_ids,
            ticket__brand_id__in=brand_ids,  # lets the planner walk the tickets' (brand, received_at) index
            ticket__received_at__gte=start,
            ticket__received_at__lt=end,
        )
        .exclude(ticket__status=TicketStatus.IGNORED)
        .annotate(
            submitted=ExpressionWrapper(Q(submitted_at__isnull=False), output_field=BooleanField()),
            approved=ExpressionWrapper(Q(approved_at__isnull=False), output_field=BooleanField()),
            is_next=ExpressionWrapper(is_next, output_field=BooleanField()),
            nr_cal=Seconds("sent_at", "next_response_started_at"),
            met=ExpressionWrapper(
                is_next & (Q(next_response_due_at__isnull=True) | Q(sent_at__lte=F("next_response_due_at"))),
                output_field=BooleanField(),
            ),
        )
        .order_by()
        .values_list("ticket_id", "submitted", "approved", "is_next", "nr_cal", "next_response_business_seconds", "met")
    )


def build_report(brand_ids: Iterable[int], rng: ReportRange, *, now: datetime) -> Report:
    """All figures of the report. ``brand_ids`` must come from the scoping layer (``brands.access``). Read from
    the read replica when one is configured (``smrc.db``)."""
    with replica_reads():
        return _build_report_on(read_connection(Ticket), brand_ids, rng, now=now)


def _build_report_on(connection, brand_ids: Iterable[int], rng: ReportRange, *, now: datetime) -> Report:
    if connection.vendor != "postgresql":
        return _build_report(brand_ids, rng, now=now)
    with transaction.atomic(using=connection.alias):
        # These queries read a few tens of thousands of tickets through covering indexes and probe their
        # mentions and replies by ticket: compiling them (JIT) costs more than it saves, and a hash join over the
        # whole reply table (which the planner otherwise picks for the review counts: 300 ms at a million
        # tickets, against 70 ms for the probes) is never the better plan here. SET LOCAL ends with the
        # transaction.
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SET LOCAL enable_hashjoin = off")
        return _build_report(brand_ids, rng, now=now)


def _build_report(brand_ids: Iterable[int], rng: ReportRange, *, now: datetime) -> Report:
    brand_ids = list(brand_ids)
    report = Report(rng=rng, now=now)

    # 1. one row per ticket (with its local day and hour of receipt), aggregated in one pass
    rows = _fetch(ticket_rows(brand_ids, rng, now))
    per_day: Counter[date] = Counter()
    heat = report.heatmap
    fr_bus: list[int] = []
    fr_cal: list[int] = []
    fr_cust: list[int] = []
    res_cal: list[int] = []
    res_bus: list[int] = []
    split: tuple[list[int], ...] = ([], [], [], [])
    fr_met = fr_breached = res_met = res_breached = open_overdue = 0
    #: per breakdown (platform, priority, operator, sentiment, tag): value → [tickets, fr business, 4 SLA counts]
    groups: tuple[dict, ...] = ({}, {}, {}, {}, {})
    by_platform, by_priority, by_operator, by_sentiment, by_tag = groups
    sentiments = first_sentiments(brand_ids, rng)
    tags = ticket_tag_names(brand_ids, rng)
    untagged = (None,)
    for (pk, platform, priority, assignee, frc, frb, frcust, frs, resc, paused, resb, ress, nro,
         queue, handling, review_s, delivery, day, hour) in rows:  # fmt: skip
        per_day[day] += 1
        heat[day.weekday()][int(hour)] += 1  # EXTRACT is numeric on PostgreSQL
        answered = frc is not None
        if answered:
            fr_cal.append(frc)
            if frb is not None:
                fr_bus.append(frb)
            if frcust is not None:
                fr_cust.append(frcust)
            for values, value in zip(split, (queue, handling, review_s, delivery), strict=True):
                if value is not None:
                    values.append(value)
        if resc is not None:
            res_cal.append(resc - paused)
            if resb is not None:
                res_bus.append(resb)
        fm, fb, rm, rb = frs == "met", frs == "breached", ress == "met", ress == "breached"
        fr_met += fm
        fr_breached += fb
        res_met += rm
        res_breached += rb
        open_overdue += bool(nro)
        with_bus = answered and frb is not None
        sentiment = sentiments.get(pk)
        for by, value in ((by_platform, platform), (by_priority, priority), (by_operator, assignee),
                          (by_sentiment, sentiment), *((by_tag, t) for t in tags.get(pk, untagged))):  # fmt: skip
            entry = by.get(value)
            if entry is None:
                entry = by[value] = [0, [], 0, 0, 0, 0]
            entry[0] += 1
            if with_bus:
                entry[1].append(frb)
            if fm:
                entry[2] += 1
            elif fb:
                entry[3] += 1
            if rm:
                entry[4] += 1
            elif rb:
                entry[5] += 1
    report.per_day = [(day, per_day.get(day, 0)) for day in rng.dates()]
    report.tickets = len(rows)
    report.fr_business = Distribution.of(fr_bus)
    report.fr_calendar = Distribution.of(fr_cal)
    report.fr_customer = Distribution.of(fr_cust)
    report.res_calendar = Distribution.of(res_cal)
    report.res_business = Distribution.of(res_bus)
    report.fr = Compliance(fr_met, fr_breached)
    report.res = Compliance(res_met, res_breached)
    report.split = {name: Distribution.of(values) for name, values in zip(SPLIT, split, strict=True)}

    # 3. replies: next responses and review counts
    replies = _fetch(reply_rows(brand_ids, rng))
    nexts = [r for r in replies if r[3]]
    report.nr_calendar = Distribution.of([r[4] for r in nexts])
    report.nr_business = Distribution.of([r[5] for r in nexts])
    met = sum(1 for r in nexts if r[6])
    report.nr = Compliance(met, len(nexts) - met + open_overdue)
    report.replies_submitted = sum(1 for r in replies if r[1])
    report.replies_approved = sum(1 for r in replies if r[2])
    reasons: Counter[str] = Counter()
    for verdict, code, n in review_decision_counts(brand_ids, rng):
        report.decisions[verdict] = report.decisions.get(verdict, 0) + n
        if verdict == ReviewDecision.Verdict.CHANGES:
            reasons[code or ChangesReason.OTHER] += n
    labels = dict(ChangesReason.choices)
    report.change_reasons = [(code, str(labels.get(code, code)), n) for code, n in reasons.most_common()]

    # 4. breakdowns
    operator_ids = {k for k in groups[2] if k is not None}
    names = {
        u.pk: u.get_full_name() or u.get_username()
        for u in get_user_model().objects.filter(pk__in=operator_ids).only("pk", "username", "first_name", "last_name")
    }
    platform_labels = dict(Platform.choices)
    priority_labels = {p.value: str(p.label) for p in Priority}
    report.by_platform = _groups(groups[0], 1, lambda k: str(platform_labels.get(k, k)))
    report.by_priority = sorted(
        _groups(groups[1], 2, lambda k: priority_labels.get(k, str(k))), key=lambda g: -int(g.key)
    )
    report.by_operator = _groups(groups[2], 3, lambda k: names.get(k, f"#{k}") if k is not None else None)
    sentiment_labels = {"negative": _("negative"), "neutral": _("neutral"), "positive": _("positive")}
    report.by_sentiment = _groups(groups[3], 4, lambda k: capfirst(sentiment_labels.get(k, k)) if k else k)
    report.by_tag = _groups(groups[4], 5, lambda k: k)
    report.by_intent = intent_groups(rows, first_intents(brand_ids, rng))

    return report


def _fetch(qs: QuerySet) -> list[tuple]:
    """The rows of a ``values_list`` queryset. On PostgreSQL straight from the cursor: psycopg2 already returns
    the Python types (ints, dates, booleans), and Django's per-value converters would cost more than the query."""
    connection = read_connection(qs.model)
    if connection.vendor != "postgresql":
        return list(qs)
    with connection.cursor() as cursor:
        cursor.execute(*qs.query.sql_with_params())
        names = [column.name for column in cursor.description]
        if names == list(qs._fields):
            return cursor.fetchall()
        order = [names.index(name) for name in qs._fields]
        return [tuple(row[i] for i in order) for row in cursor.fetchall()]


def group_key(index: int, value) -> str:
    """The drill-down value of a breakdown group: ``none`` for no operator, ``unknown`` for no sentiment,
    :data:`NO_TAG` for no tag."""
    if index == 3 and value is None:
        return "none"
    if index == 4 and not value:
        return SENTIMENT_UNKNOWN
    if index == 5 and value is None:
        return NO_TAG
    return str(value)


def _groups(acc: dict, index: int, label) -> list[Group]:
    """Groups from the one-pass accumulators of :func:`_build_report` (value → [tickets, first-response business
    seconds, fr met, fr breached, res met, res breached])."""
    merged: dict[str, list] = {}
    labels: dict[str, str] = {}
    for value, (n, seconds, fm, fb, rm, rb) in acc.items():
        key = group_key(index, value)
        if key in merged:  # None and "" sentiment are both unknown
            into = merged[key]
            into[0] += n
            into[1] = into[1] + seconds
            for k, add in enumerate((fm, fb, rm, rb), start=2):
                into[k] += add
        else:
            merged[key] = [n, seconds, fm, fb, rm, rb]
            labels[key] = key if value is None or key in ("none", SENTIMENT_UNKNOWN) else label(value)
    result = [
        Group(
            key=key,
            label=labels[key] or key,
            tickets=n,
            first_response=Distribution.of(seconds),
            fr_compliance=Compliance(fm, fb),
            res_compliance=Compliance(rm, rb),
        )
        for key, (n, seconds, fm, fb, rm, rb) in merged.items()
    ]
    return sorted(result, key=lambda g: (-g.tickets, g.label))


# --- by intent (docs/intent.md) -------------------------------------------------------------------------------


def first_intent() -> Subquery:
    """The intent of the ticket's first mention (as :func:`first_sentiment`)."""
    first = Mention.objects.filter(ticket_id=OuterRef("pk")).order_by("received_at", "pk").values("intent")[:1]
    return Subquery(first, output_field=CharField())


def first_intents(brand_ids: Iterable[int], rng: ReportRange) -> dict[int, str]:
    """ticket id → intent of its first mention, from one range scan (as :func:`first_sentiments`)."""
    return _first_mention_values(brand_ids, rng, "intent")


def intent_groups(rows: list[tuple], intents: dict[int, str]) -> list[Group]:
    """The report's ticket rows (:func:`ticket_rows`) grouped by their first mention's intent, with the figures
    of every breakdown; tickets from before intents were read (none stored) are ``unknown``, as for sentiment."""
    acc: dict[str | None, list] = {}
    for row in rows:
        frc, frb, frs, ress = row[4], row[5], row[7], row[11]
        entry = acc.setdefault(intents.get(row[0]) or None, [0, [], 0, 0, 0, 0])
        entry[0] += 1
        if frc is not None and frb is not None:
            entry[1].append(frb)
        entry[2] += frs == "met"
        entry[3] += frs == "breached"
        entry[4] += ress == "met"
        entry[5] += ress == "breached"
    labels = dict(Intent.choices)
    return _groups(acc, 4, lambda k: str(labels.get(k, k)))  # 4: no value is "unknown", as for sentiment


# --- drill-down -------------------------------------------------------------------------------------------------

METRICS = (
    "all", "day", "hour", "fr_answered", "fr_met", "fr_breached", "nr_answered", "nr_breached", "resolved",
    "res_met", "res_breached", "platform", "priority", "operator", "sentiment", "tag", "changes_requested",
    "intent",
)  # fmt: skip


class DrillDownError(ValueError):
    pass


def drill_down(brand_ids: Iterable[int], rng: ReportRange, *, metric: str, value: str = "", now: datetime):
    """The tickets behind one figure, oldest first. Raises :class:`DrillDownError` on an unknown metric/value."""
    brand_ids = list(brand_ids)
    qs = population(brand_ids, rng)
    if metric == "all":
        pass
    elif metric == "day":
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise DrillDownError("day") from None
        if not rng.first <= day <= rng.last:
            raise DrillDownError("day")
        qs = qs.filter(received_at__gte=datetime.combine(day, time(), tzinfo=rng.tz),
                       received_at__lt=datetime.combine(day + timedelta(days=1), time(), tzinfo=rng.tz))  # fmt: skip
    elif metric == "hour":
        try:
            weekday, hour = (int(part) for part in value.split("-"))
        except ValueError:
            raise DrillDownError("hour") from None
        if not (0 <= weekday <= 6 and 0 <= hour <= 23):
            raise DrillDownError("hour")
        qs = qs.annotate(
            local_weekday=ExtractIsoWeekDay("received_at", tzinfo=rng.tz),
            local_hour=ExtractHour("received_at", tzinfo=rng.tz),
        ).filter(local_weekday=weekday + 1, local_hour=hour)
    elif metric == "fr_answered":
        qs = qs.filter(first_response_at__isnull=False)
    elif metric == "fr_met":
        qs = qs.filter(fr_met_q())
    elif metric == "fr_breached":
        qs = qs.filter(fr_breached_q(now))
    elif metric == "nr_answered":
        qs = qs.filter(pk__in=Reply.objects.filter(next_response_started_at__isnull=False, sent_at__isnull=False)
                       .values("ticket_id"))  # fmt: skip
    elif metric == "nr_breached":
        qs = qs.filter(nr_overdue_q(now) | Q(pk__in=nr_late_replies().values("ticket_id")))
    elif metric == "resolved":
        qs = qs.filter(resolved_at__isnull=False)
    elif metric == "res_met":
        qs = qs.filter(res_met_q())
    elif metric == "res_breached":
        qs = qs.filter(res_breached_q(now))
    elif metric == "platform":
        if value not in Platform.values:
            raise DrillDownError("platform")
        qs = qs.filter(platform=value)
    elif metric == "priority":
        if value not in {str(p.value) for p in Priority}:
            raise DrillDownError("priority")
        qs = qs.filter(priority=int(value))
    elif metric == "operator":
        if value == "none":
            qs = qs.filter(assignee__isnull=True)
        elif (user_id := parse_id(value)) is not None:
            qs = qs.filter(assignee_id=user_id)
        else:
            raise DrillDownError("operator")
    elif metric == "sentiment":
        if not value or len(value) > 20:
            raise DrillDownError("sentiment")
        qs = qs.annotate(sentiment1=Coalesce(first_sentiment(), Value("")))
        qs = qs.filter(sentiment1="") if value == SENTIMENT_UNKNOWN else qs.filter(sentiment1=value)
    elif metric == "intent":
        if value not in (*Intent.values, SENTIMENT_UNKNOWN):
            raise DrillDownError("intent")
        qs = qs.annotate(intent1=Coalesce(first_intent(), Value("")))
        qs = qs.filter(intent1="" if value == SENTIMENT_UNKNOWN else value)
    elif metric == "tag":
        if value == NO_TAG:
            qs = qs.filter(~Exists(TicketTag.objects.filter(ticket_id=OuterRef("pk"))))
        elif value and len(value) <= TAG_MAX_LENGTH:
            qs = qs.filter(Exists(TicketTag.objects.filter(ticket_id=OuterRef("pk"), tag__name=value)))
        else:
            raise DrillDownError("tag")
    elif metric == "changes_requested":
        decisions = ReviewDecision.objects.filter(verdict=ReviewDecision.Verdict.CHANGES)
        if value:
            if value not in ChangesReason.values:
                raise DrillDownError("reason")
            decisions = decisions.filter(reason_code=value)
        qs = qs.filter(pk__in=decisions.values("reply__ticket_id"))
    else:
        raise DrillDownError("metric")
    return qs.order_by("received_at", "pk")
