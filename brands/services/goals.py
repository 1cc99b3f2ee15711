"""A brand's goals: the figures it answers for and the value it aims at for each.

The report shows every one of them against its goal and the previous period (tickets.reports.headline). A goal
is a plain number in the metric's unit: a share in percent (0–100), a duration in seconds, or handoffs per
ticket. Setting goals is one service call, under the brand's row lock, with one audit record of what changed.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from ..models import Brand, ConfigArea, ConfigSource, Goal
from . import audit
from .locks import lock_brand


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    unit: str  # "percent", "seconds", "ratio" or "count"
    higher_is_better: bool


#: the report headline's figures, in order; goals can be set on every one but the ticket count
METRICS: tuple[Metric, ...] = (
    Metric("tickets", _("Tickets received"), "count", True),
    Metric("fr_compliance", _("First response within SLA"), "percent", True),
    Metric("nr_compliance", _("Next response within SLA"), "percent", True),
    Metric("res_compliance", _("Resolution within SLA"), "percent", True),
    Metric("fr_p50", _("First response, median business time"), "seconds", False),
    Metric("in_channel", _("Resolved in channel"), "percent", True),
    Metric("reopen_rate", _("Reopen rate"), "percent", False),
    Metric("handoffs", _("Handoffs per ticket"), "ratio", False),
    Metric("csat", _("CSAT (ratings of 4 or 5)"), "percent", True),
)
GOAL_METRICS = tuple(m for m in METRICS if m.unit != "count")
BY_KEY = {m.key: m for m in GOAL_METRICS}
#: the largest goal per unit: 100 %, 30 days, 100 handoffs per ticket
LIMITS = {"percent": Decimal(100), "seconds": Decimal(30 * 86400), "ratio": Decimal(100)}


def goals_for(brand: Brand | None) -> dict[str, float]:
    """metric → goal of ``brand`` (none for a report across brands)."""
    if brand is None:
        return {}
    return {
        metric: float(target) for metric, target in Goal.objects.filter(brand=brand).values_list("metric", "target")
    }


def check(metric: str, target: Decimal | None) -> None:
    """Raises ValidationError when ``target`` is not a goal ``metric`` can have."""
    if metric not in BY_KEY:
        raise ValidationError(_("Not a figure a goal can be set on."))
    if target is not None and not (0 <= target <= LIMITS[BY_KEY[metric].unit]):
        raise ValidationError(_("A goal is between 0 and %(max)s.") % {"max": LIMITS[BY_KEY[metric].unit]})


def set_goals(*, brand: Brand, targets: dict[str, Decimal | None], user=None, source: str = ConfigSource.PAGE) -> dict:
    """Set (a number) or clear (``None``) the brand's goals in ``targets``; the others stay. One transaction under
    the brand's row lock, with one audit record of what changed; returns ``{metric: (before, after)}``."""
    for metric, target in targets.items():
        check(metric, target)
    with transaction.atomic():
        lock_brand(brand.pk)
        before = dict(Goal.objects.filter(brand=brand).values_list("metric", "target"))
        changed = {}
        for metric, target in targets.items():
            old = before.get(metric)
            if target is None and old is not None:
                Goal.objects.filter(brand=brand, metric=metric).delete()
            elif target is not None and old != target:
                Goal.objects.update_or_create(brand=brand, metric=metric, defaults={"target": target})
            else:
                continue
            changed[metric] = (old, target)
        audit.record(
            brand=brand,
            user=user,
            source=source,
            area=ConfigArea.GOALS,
            kind="goals.updated",
            before={metric: old for metric, (old, _new) in changed.items()},
            after={metric: new for metric, (_old, new) in changed.items()},
            object_repr=brand.name,
        )
    return changed
