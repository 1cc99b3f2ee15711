"""The report's headline: the figures a brand answers for, each beside the previous period (the same number of
days just before) and the brand's goal, with whether the goal is met and which way the figure moved.

The figures come from the report itself (``queries.Report``), from serving in channel (``serving.Serving``) and
from customer satisfaction (``csat.Csat``: the share of ratings of 4 or 5),
so the headline and the tables below it can never disagree. A brand's goals are plain numbers per metric
(``brands.services.goals``): a share in percent, a duration in seconds or handoffs per ticket; each metric says
whether higher or lower is better.
"""

from dataclasses import dataclass
from datetime import timedelta

from brands.services.goals import METRICS, Metric

from .csat import Csat
from .queries import Report, ReportRange
from .serving import Serving


def previous_range(rng: ReportRange) -> ReportRange:
    """The same number of days just before ``rng``."""
    return ReportRange(rng.first - timedelta(days=rng.days), rng.first - timedelta(days=1), rng.tz)


def values(report: Report, serving: Serving, satisfaction: Csat | None = None) -> dict[str, float | int | None]:
    """Each headline metric's value in one period (``None``: nothing measured)."""
    return {
        "csat": satisfaction.overall.percent if satisfaction is not None else None,
        "tickets": report.tickets,
        "fr_compliance": report.fr.percent,
        "nr_compliance": report.nr.percent,
        "res_compliance": report.res.percent,
        "fr_p50": report.fr_business.p50,
        "in_channel": serving.in_channel_percent,
        "reopen_rate": serving.reopen_percent,
        "handoffs": serving.handoffs_per_ticket,
    }


@dataclass(frozen=True)
class Figure:
    metric: Metric
    value: float | int | None
    previous: float | int | None
    goal: float | None

    @property
    def goal_met(self) -> bool | None:
        """Met, missed, or ``None`` without a goal or a value."""
        if self.goal is None or self.value is None:
            return None
        return self.value >= self.goal if self.metric.higher_is_better else self.value <= self.goal

    @property
    def change(self) -> float | None:
        """This period minus the previous one (``None`` when either is missing)."""
        if self.value is None or self.previous is None:
            return None
        return round(self.value - self.previous, 2)

    @property
    def trend(self) -> str:
        """``better``, ``worse`` or ``same`` than the previous period, by the metric's direction; the ticket count
        is neither better nor worse, only ``up`` or ``down``."""
        change = self.change
        if not change:
            return "same"
        if self.metric.unit == "count":
            return "up" if change > 0 else "down"
        return "better" if (change > 0) == self.metric.higher_is_better else "worse"


def headline(
    current: dict[str, float | int | None], previous: dict[str, float | int | None], goals: dict[str, float]
) -> list[Figure]:
    """The headline figures: this period's and the previous period's values and the brand's goals."""
    return [Figure(m, current.get(m.key), previous.get(m.key), goals.get(m.key)) for m in METRICS]
