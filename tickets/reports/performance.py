"""My performance (docs/team.md): one person's figures over a period beside the team's medians, their review
outcomes by reason and the snippets they edit most before sending. Read in at most four queries.

- The **population** is the report's (``reports.queries.population``): the brands' tickets received in the
  period, ignored ones left out. A ticket counts for its owner now (``assignee``).
- Per person: **handled** (tickets owned), **first response** (median business seconds to the first published
  reply), **resolved in channel** (of the resolved, the share with no reply that sent the customer elsewhere,
  ``reports.serving``), **reopen rate** (of the ever resolved, the share reopened).
- The **team** is everyone who owns a ticket of the population; its figure is the median of the members' own
  figures (the nearest-rank median, as in the reports), each member counted where their figure exists.
- **Review outcomes**: the decisions made in the period on the person's replies, by verdict and, for changes
  requested, by reason; the team's approval share is the median of the members'.
- **Snippets edited**: the ``reply.snippets_used`` events the person wrote in the period (each inserted snippet
  sent as it was, or edited first), most edited first.

The caller passes brand ids from the scoping layer (``brands.access.brand_ids_for(user, "ticket:work")``).
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import BooleanField, Case, Count, Q, When

from brands.services.knowledge.lookups import snippets_for

from ..models import ChangesReason, Event, ReviewDecision
from .queries import DONE, ReportRange, nearest_rank, population
from .serving import bounced_q, reopened_q

SNIPPETS_SHOWN = 10


def median(values) -> float | int | None:
    ordered = sorted(v for v in values if v is not None)
    return nearest_rank(ordered, 50) if ordered else None


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@dataclass
class Person:
    handled: int = 0
    resolved: int = 0
    bounced: int = 0
    ever_resolved: int = 0
    reopened: int = 0
    first_responses: list[int] = field(default_factory=list)
    decisions: Counter = field(default_factory=Counter)

    @property
    def first_response(self) -> int | None:
        return median(self.first_responses)

    @property
    def in_channel_percent(self) -> float | None:
        return _percent(self.resolved - self.bounced, self.resolved)

    @property
    def reopen_percent(self) -> float | None:
        return _percent(self.reopened, self.ever_resolved)

    @property
    def approval_percent(self) -> float | None:
        approved = self.decisions["approved"] + self.decisions["edited"]
        return _percent(approved, sum(self.decisions.values()))


@dataclass(frozen=True)
class Figure:
    key: str
    mine: float | int | None
    team: float | int | None
    #: "seconds", "count" or "percent" (the units of `reports.figure`)
    unit: str
    higher_is_better: bool

    @property
    def better(self) -> bool | None:
        """Whether the person's figure is on the good side of the team's median (None: not comparable, or equal)."""
        if self.mine is None or self.team is None or self.mine == self.team:
            return None
        return self.mine > self.team if self.higher_is_better else self.mine < self.team


@dataclass
class Snippet:
    pk: int
    title: str
    brand_name: str
    edited: int
    as_is: int

    @property
    def edited_percent(self) -> float | None:
        return _percent(self.edited, self.edited + self.as_is)


@dataclass
class Performance:
    rng: ReportRange
    figures: list[Figure]
    #: verdict → count of the decisions on the person's replies
    decisions: dict[str, int]
    #: (reason code, label, count), most frequent first
    reasons: list[tuple[str, str, int]]
    snippets: list[Snippet]
    team_size: int

    @property
    def decisions_total(self) -> int:
        return sum(self.decisions.values())


def performance(user, brand_ids: list[int], rng: ReportRange) -> Performance:
    """``user``'s figures over ``rng`` in ``brand_ids`` (scoped by the caller) beside the team's medians."""
    # one row per ticket, each flag computed once (a CASE, so only resolved tickets are probed for a bounce);
    # the probes read small partial indexes (reply_bounced_idx, event_reopened_idx, event_customer_reopened_idx)
    rows = (
        population(brand_ids, rng)
        .filter(assignee__isnull=False)
        .annotate(
            bounced=Case(When(Q(status__in=DONE) & bounced_q(), then=True), default=False, output_field=BooleanField()),
            reopened=Case(When(reopened_q(), then=True), default=False, output_field=BooleanField()),
        )
        .order_by()
        .values_list("assignee_id", "status", "bounced", "reopened", "first_response_business_seconds")
    )
    people: dict[int, Person] = defaultdict(Person)
    for assignee_id, status, bounced, reopened, seconds in rows:
        person = people[assignee_id]
        done = status in DONE
        person.handled += 1
        person.resolved += done
        person.bounced += bool(bounced)
        person.ever_resolved += done or bool(reopened)
        person.reopened += bool(reopened)
        if seconds is not None:
            person.first_responses.append(seconds)

    start, end = rng.bounds()
    decisions = (
        ReviewDecision.objects.filter(reply__brand_id__in=brand_ids, created_at__gte=start, created_at__lt=end)
        .order_by()
        .values_list("reply__author_id", "verdict", "reason_code")
        .annotate(n=Count("pk"))
    )
    mine_reasons: Counter = Counter()
    for author_id, verdict, reason, n in decisions:
        key = {"changes_requested": "changes"}.get(verdict, verdict)
        people[author_id].decisions[key] += n
        if author_id == user.pk and verdict == ReviewDecision.Verdict.CHANGES:
            mine_reasons[reason or ChangesReason.OTHER] += n

    me = people.get(user.pk, Person())
    team = [p for p in people.values() if p.handled or p.decisions]

    def team_median(attr: str):
        return median(getattr(p, attr) for p in team)

    figures = [
        Figure("first_response", me.first_response, team_median("first_response"), "seconds", False),
        Figure("handled", me.handled, team_median("handled"), "count", True),
        Figure("in_channel", me.in_channel_percent, team_median("in_channel_percent"), "percent", True),
        Figure("reopen_rate", me.reopen_percent, team_median("reopen_percent"), "percent", False),
        Figure("approval", me.approval_percent, team_median("approval_percent"), "percent", True),
    ]
    labels = dict(ChangesReason.choices)
    reasons = [(code, str(labels.get(code, code)), n) for code, n in mine_reasons.most_common()]
    return Performance(
        rng=rng,
        figures=figures,
        decisions={k: me.decisions[k] for k in ("approved", "edited", "changes")},
        reasons=reasons,
        snippets=edited_snippets(user, brand_ids, rng),
        team_size=len(team),
    )


def edited_snippets(user, brand_ids: list[int], rng: ReportRange) -> list[Snippet]:
    """The snippets ``user`` inserted in replies over ``rng``, most often edited before sending first; only those
    edited at least once. Two queries: the events (index ``event_actor_kind_idx``), the snippets' titles."""
    start, end = rng.bounds()
    uses = Event.objects.filter(
        actor_id=user.pk, kind="reply.snippets_used", created_at__gte=start, created_at__lt=end, brand_id__in=brand_ids
    ).values_list("data", flat=True)
    edited: Counter = Counter()
    as_is: Counter = Counter()
    for data in uses:
        edited.update(int(pk) for pk in (data or {}).get("edited", []) if isinstance(pk, int))
        as_is.update(int(pk) for pk in (data or {}).get("as_is", []) if isinstance(pk, int))
    top = [pk for pk, _n in sorted(edited.items(), key=lambda kv: (-kv[1], kv[0]))][:SNIPPETS_SHOWN]
    if not top:
        return []
    found = {
        s.pk: s
        for s in snippets_for(user, perm="ticket:work")
        .filter(pk__in=top, brand_id__in=brand_ids)
        .select_related("brand")
        .only("pk", "title", "brand__name")
    }
    return [Snippet(pk, found[pk].title, found[pk].brand.name, edited[pk], as_is[pk]) for pk in top if pk in found]
