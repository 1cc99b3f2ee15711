"""Customer satisfaction in the report (docs/report-definitions.md, "CSAT"; docs/csat.md), over the report's
population (``queries.population``: tickets received in the range, ignored ones left out):

- **Surveys sent**: the population's surveys that reached the customer (``sent``).
- **Ratings**: the answers (a rating 1–5) to those surveys; **response rate**: ratings as a share of surveys sent.
- **CSAT**: the share of ratings that are 4 or 5; **average**: the mean rating, one decimal.

Broken down by operator (the ticket's owner when it was resolved), channel (platform), priority and brand, each
group with its drill-down (:func:`drill`). One query reads one row per survey of the population.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, QuerySet

from brands.models import Brand, Platform, Priority
from smrc.bounds import parse_id

from ..models import CsatSurvey
from .queries import DrillDownError, ReportRange, population

#: the drill-down metrics of this module, with their values
METRICS = ("csat_sent", "csat_rated", "csat_satisfied", "csat_unsatisfied", "csat_rating", "csat_group")
SATISFIED = (4, 5)
GROUPS = ("operator", "platform", "priority", "brand")


@dataclass
class Figures:
    """The CSAT figures of one group (or the whole report)."""

    key: str = ""
    label: str = ""
    sent: int = 0
    rated: int = 0
    satisfied: int = 0
    total: int = 0  # the sum of the ratings
    #: rating → how many
    ratings: dict[int, int] = field(default_factory=lambda: dict.fromkeys(range(1, 6), 0))

    def add(self, status: str, rating: int | None) -> None:
        self.sent += status == CsatSurvey.Status.SENT
        if rating is not None:
            self.rated += 1
            self.total += rating
            self.satisfied += rating in SATISFIED
            self.ratings[rating] = self.ratings.get(rating, 0) + 1

    @property
    def percent(self) -> float | None:
        """CSAT: ratings of 4 or 5 as a share of all ratings, one decimal."""
        return round(100 * self.satisfied / self.rated, 1) if self.rated else None

    @property
    def average(self) -> float | None:
        return round(self.total / self.rated, 1) if self.rated else None

    @property
    def response_percent(self) -> float | None:
        """Ratings as a share of the surveys sent."""
        return round(100 * self.rated / self.sent, 1) if self.sent else None


@dataclass
class Csat:
    overall: Figures
    by_operator: list[Figures]
    by_platform: list[Figures]
    by_priority: list[Figures]
    by_brand: list[Figures]

    @property
    def groups(self) -> list[tuple[str, list[Figures]]]:
        return [
            ("operator", self.by_operator),
            ("platform", self.by_platform),
            ("priority", self.by_priority),
            ("brand", self.by_brand),
        ]


def surveys(brand_ids: Iterable[int], rng: ReportRange) -> QuerySet[CsatSurvey]:
    """The surveys of the population's tickets. ``brand_ids`` must come from the scoping layer."""
    brand_ids = list(brand_ids)
    return CsatSurvey.objects.filter(brand_id__in=brand_ids, ticket__in=population(brand_ids, rng))


def csat(brand_ids: Iterable[int], rng: ReportRange) -> Csat:
    brand_ids = list(brand_ids)
    rows = list(
        surveys(brand_ids, rng)
        .order_by()
        .values_list("status", "rating", "operator_id", "ticket__platform", "ticket__priority", "brand_id")
    )
    overall = Figures()
    groups: tuple[dict, ...] = ({}, {}, {}, {})
    for status, rating, operator, platform, priority, brand in rows:
        overall.add(status, rating)
        for acc, value in zip(groups, (operator, platform, priority, brand), strict=True):
            key = "none" if value is None else str(value)
            acc.setdefault(key, Figures(key=key)).add(status, rating)
    names = {
        str(u.pk): u.get_full_name() or u.get_username()
        for u in get_user_model().objects.filter(pk__in=[int(k) for k in groups[0] if k != "none"])
    }
    brands = {str(b.pk): b.name for b in Brand.objects.filter(pk__in=brand_ids)} if len(groups[3]) > 1 else {}
    platforms = dict(Platform.choices)
    priorities = {str(p.value): str(p.label) for p in Priority}
    return Csat(
        overall=overall,
        by_operator=_labelled(groups[0], lambda k: names.get(k, "—")),
        by_platform=_labelled(groups[1], lambda k: str(platforms.get(k, k))),
        by_priority=sorted(_labelled(groups[2], lambda k: priorities.get(k, k)), key=lambda f: -int(f.key)),
        by_brand=_labelled(groups[3], lambda k: brands.get(k, "")) if brands else [],
    )


def _labelled(acc: dict[str, Figures], label) -> list[Figures]:
    for key, figures in acc.items():
        figures.label = label(key)
    return sorted(acc.values(), key=lambda f: (-f.rated, -f.sent, f.label))


def value_of(csat_: Csat) -> float | None:
    """The headline's ``csat`` figure."""
    return csat_.overall.percent


def drill(brand_ids: Iterable[int], rng: ReportRange, *, metric: str, value: str = "") -> QuerySet:
    """The tickets behind one CSAT figure. ``csat_rating``: value 1–5; ``csat_group``: ``operator:<id|none>``,
    ``platform:<platform>``, ``priority:<1–4>`` or ``brand:<id>`` (its rated tickets)."""
    brand_ids = list(brand_ids)
    tickets = population(brand_ids, rng)
    found = CsatSurvey.objects.filter(ticket_id=OuterRef("pk"))
    if metric == "csat_sent":
        found = found.filter(status=CsatSurvey.Status.SENT)
    elif metric == "csat_rated":
        found = found.filter(rating__isnull=False)
    elif metric == "csat_satisfied":
        found = found.filter(rating__in=SATISFIED)
    elif metric == "csat_unsatisfied":
        found = found.filter(rating__isnull=False).exclude(rating__in=SATISFIED)
    elif metric == "csat_rating":
        if value not in {"1", "2", "3", "4", "5"}:
            raise DrillDownError("rating")
        found = found.filter(rating=int(value))
    elif metric == "csat_group":
        group, _sep, key = value.partition(":")
        found = found.filter(rating__isnull=False)
        if group == "operator":
            if key == "none":
                found = found.filter(operator__isnull=True)
            elif (user_id := parse_id(key)) is not None:
                found = found.filter(operator_id=user_id)
            else:
                raise DrillDownError("operator")
        elif group == "platform" and key in Platform.values:
            tickets = tickets.filter(platform=key)
        elif group == "priority" and key in {str(p.value) for p in Priority}:
            tickets = tickets.filter(priority=int(key))
        elif group == "brand" and (brand_id := parse_id(key)) is not None:
            tickets = tickets.filter(brand_id=brand_id)
        else:
            raise DrillDownError("group")
    else:
        raise DrillDownError("metric")
    return tickets.filter(Exists(found)).order_by("received_at", "pk")


EXPORT_HEADER = ("ticket", "brand", "platform", "priority", "operator", "rating", "comment", "answered_at")


def export_rows(brand_ids: Iterable[int], rng: ReportRange):
    """One row per rating of the population, for the CSV/XLSX export (``smrc.spreadsheets`` keeps the
    customer's comment from starting a formula)."""
    rows = (
        surveys(brand_ids, rng)
        .filter(rating__isnull=False)
        .order_by("answered_at", "pk")
        .values_list(
            "ticket_id",
            "brand__slug",
            "ticket__platform",
            "ticket__priority",
            "operator__username",
            "rating",
            "comment",
            "answered_at",
        )
    )
    for ticket_id, brand, platform, priority, operator, rating, comment, answered in rows.iterator(chunk_size=2000):
        yield (f"T-{ticket_id}", brand, platform, priority, operator or "", rating, comment, answered.isoformat())
