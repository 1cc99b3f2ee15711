"""QA scores in the report and in My performance (docs/qa.md, docs/report-definitions.md "QA").

The population is the scorecards of replies **published** in the report's range (the work graded, whenever it was
graded), in the report's brands. The **QA score** of a group is the mean of its scorecards' overall scores (each a
percent of the most the rubric allows); a **criterion's** score is the mean of its 1–5 scores. The weekly trend
groups by the ISO week (Monday) the reply was published in, in the report's time zone. Two queries: the
scorecards, and their lines.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model

from ..models import Scorecard, ScorecardLine
from .queries import ReportRange, nearest_rank


def median(values) -> float | None:
    ordered = sorted(v for v in values if v is not None)
    return nearest_rank(ordered, 50) if ordered else None


def _mean(values) -> float | None:
    values = [float(v) for v in values]
    return round(sum(values) / len(values), 1) if values else None


@dataclass
class Group:
    key: str
    label: str
    scores: list = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.scores)

    @property
    def mean(self) -> float | None:
        return _mean(self.scores)


@dataclass
class QaReport:
    overall: Group
    by_operator: list[Group]
    by_criterion: list[Group]
    #: one per ISO week of the range (Monday), empty weeks included
    weeks: list[Group]
    acknowledged: int = 0

    @property
    def trend_max(self) -> float:
        return 100.0


def scorecards(brand_ids, rng: ReportRange):
    start, end = rng.bounds()
    return Scorecard.objects.filter(brand_id__in=list(brand_ids), reply__sent_at__gte=start, reply__sent_at__lt=end)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _rows(brand_ids, rng: ReportRange) -> list[tuple]:
    return list(
        scorecards(brand_ids, rng)
        .order_by()
        .values_list("pk", "operator_id", "score", "reply__sent_at", "acknowledged_at")
    )


def qa_report(brand_ids, rng: ReportRange, *, rows: list[tuple] | None = None, names: bool = True) -> QaReport:
    """QA scores over ``rng`` in ``brand_ids`` (from the scoping layer). ``rows``: scorecards already read
    (:func:`_rows`, perhaps one person's); ``names``: label the operators (one more query)."""
    if rows is None:
        rows = _rows(brand_ids, rng)
    overall = Group("all", "")
    operators: dict[int, Group] = {}
    weeks = {}
    monday = _monday(rng.first)
    while monday <= rng.last:
        weeks[monday] = Group(monday.isoformat(), monday.isoformat())
        monday += timedelta(days=7)
    acknowledged = 0
    for _pk, operator, score, sent_at, acked in rows:
        overall.scores.append(score)
        operators.setdefault(operator, Group(str(operator), "")).scores.append(score)
        weeks[_monday(sent_at.astimezone(rng.tz).date())].scores.append(score)
        acknowledged += acked is not None
    if names and operators:
        labels = {
            u.pk: u.get_full_name() or u.get_username()
            for u in get_user_model().objects.filter(pk__in=list(operators)).only("pk", "username", "first_name")
        }
        for pk, group in operators.items():
            group.label = labels.get(pk, "—")
    criteria: dict[int, Group] = {}
    positions: dict[int, tuple] = {}
    if rows:
        lines = (
            ScorecardLine.objects.filter(scorecard_id__in=[r[0] for r in rows])
            .order_by()
            .values_list("criterion_id", "criterion__key", "criterion__name", "criterion__position", "score")
        )
        for criterion, key, name, position, score in lines:
            criteria.setdefault(criterion, Group(key, name)).scores.append(Decimal(score))
            positions[criterion] = (position, criterion)
    return QaReport(
        overall=overall,
        by_operator=sorted(operators.values(), key=lambda g: (-(g.mean or 0), g.label)),
        by_criterion=[criteria[k] for k in sorted(criteria, key=lambda k: positions[k])],
        weeks=list(weeks.values()),
        acknowledged=acknowledged,
    )


@dataclass
class MyQa:
    report: QaReport
    #: the median of the graded people's own mean scores
    team_median: float | None
    recent: list


def my_qa(user, brand_ids, rng: ReportRange, *, recent: int = 5) -> MyQa:
    """``user``'s QA scores over ``rng`` beside the median of everyone graded there, and their latest scorecards
    (with their lines). One query when nobody was graded; four when the person was."""
    rows = _rows(brand_ids, rng)
    mine = [r for r in rows if r[1] == user.pk]
    means: dict[int, list] = {}
    for _pk, operator, score, _sent, _acked in rows:
        means.setdefault(operator, []).append(score)
    latest = []
    if mine:
        latest = list(
            scorecards(brand_ids, rng)
            .filter(operator_id=user.pk)
            .select_related("grader", "reply", "reply__ticket")
            .prefetch_related("lines__criterion")
            .order_by("-created_at", "-pk")[:recent]
        )
    return MyQa(
        report=qa_report(brand_ids, rng, rows=mine, names=False),
        team_median=median(_mean(scores) for scores in means.values()),
        recent=latest,
    )


EXPORT_HEADER = ("week", "operator", "criterion", "scorecards", "mean")


def export_rows(report: QaReport):
    """The report's QA figures as rows: by operator, by criterion and by week."""
    for g in report.by_operator:
        yield ("", g.label, "", g.count, g.mean)
    for g in report.by_criterion:
        yield ("", "", g.label, g.count, g.mean)
    for g in report.weeks:
        yield (g.label, "", "", g.count, g.mean)
