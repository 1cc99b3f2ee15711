"""A brand's goals: set by its managers and supervisors through one audited service; shown by the report beside
each figure and the previous period."""

from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from brands.models import ConfigChange, Goal
from brands.services import goals
from tests.factories import make_ticket
from tickets.reports import headline
from tickets.reports.queries import ReportRange
from tickets.services import workflow

WIB = ZoneInfo("Asia/Jakarta")


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def test_setting_goals_records_one_change_with_before_and_after(cast):
    goals.set_goals(brand=cast.brand_a, targets={"fr_compliance": Decimal("90")}, user=cast.manager)
    changed = goals.set_goals(
        brand=cast.brand_a,
        targets={"fr_compliance": Decimal("95"), "reopen_rate": Decimal("5"), "handoffs": None},
        user=cast.manager,
    )

    assert changed == {"fr_compliance": (Decimal("90.00"), Decimal("95")), "reopen_rate": (None, Decimal("5"))}
    assert goals.goals_for(cast.brand_a) == {"fr_compliance": 95.0, "reopen_rate": 5.0}
    assert goals.goals_for(cast.brand_b) == {}
    records = list(ConfigChange.objects.filter(brand=cast.brand_a).order_by("pk"))
    assert [(r.area, r.kind, r.actor_id) for r in records] == [
        ("goals", "goals.updated", cast.manager.pk),
        ("goals", "goals.updated", cast.manager.pk),
    ]
    assert goals.set_goals(brand=cast.brand_a, targets={"fr_compliance": Decimal("95")}, user=cast.manager) == {}
    assert ConfigChange.objects.filter(brand=cast.brand_a).count() == 2


@pytest.mark.parametrize(("metric", "target"), [("tickets", Decimal(10)), ("fr_compliance", Decimal(101)), ("x", 1)])
def test_a_goal_outside_its_range_or_figure_is_refused(cast, metric, target):
    with pytest.raises(ValidationError):
        goals.set_goals(brand=cast.brand_a, targets={metric: target}, user=cast.manager)
    assert Goal.objects.count() == 0


def test_the_manager_sets_goals_on_the_page_in_minutes(cast):
    client = client_for(cast.manager)
    url = f"/settings/{cast.brand_a.slug}/goals/"

    assert client.get(url).status_code == 200
    response = client.post(url, {"fr_compliance": "92.5", "fr_p50": "30", "in_channel": ""})

    assert response.status_code == 200
    assert "Goals saved." in response.content.decode()
    assert dict(Goal.objects.values_list("metric", "target")) == {
        "fr_compliance": Decimal("92.50"),
        "fr_p50": Decimal("1800.00"),
    }
    assert 'value="30"' in client.get(url).content.decode()


def test_a_bad_goal_answers_400_and_changes_nothing(cast):
    response = client_for(cast.manager).post(f"/settings/{cast.brand_a.slug}/goals/", {"fr_compliance": "120"})
    assert response.status_code == 400
    assert Goal.objects.count() == 0


def test_outsiders_and_operators_cannot_set_goals(cast):
    url = f"/settings/{cast.brand_a.slug}/goals/"
    for user, status in [(cast.outsider, 404), (cast.operator_b, 404), (cast.operator, 403)]:
        assert client_for(user).post(url, {"fr_compliance": "90"}).status_code == status
    assert Goal.objects.count() == 0
    assert ConfigChange.objects.count() == 0


def test_the_report_shows_each_figure_against_its_goal_and_the_previous_period(cast):
    today = timezone.localdate(timezone=WIB)
    earlier = make_ticket(cast.brand_a, author_id="u1", now=timezone.now() - timedelta(days=2))
    make_ticket(cast.brand_a, author_id="u2")
    workflow.claim_ticket(ticket=earlier, user=cast.operator)
    goals.set_goals(brand=cast.brand_a, targets={"fr_compliance": Decimal("90")}, user=cast.manager)

    url = f"/reports/{cast.brand_a.slug}/?start={today.isoformat()}&end={today.isoformat()}"
    response = client_for(cast.manager).get(url)
    html = response.content.decode()

    figures = {f.metric.key: f for f in response.context["headline"]}
    assert (figures["tickets"].value, figures["tickets"].previous, figures["tickets"].trend) == (1, 0, "up")
    assert figures["fr_compliance"].goal == 90.0
    assert "Against the goals and the previous period" in html
    assert "≥ 90.0 %" in html
    assert f'href="/settings/{cast.brand_a.slug}/goals/"' in html


def test_figures_know_which_way_is_better():
    by_key = {m.key: m for m in goals.METRICS}
    reopen = headline.Figure(by_key["reopen_rate"], value=4.0, previous=6.0, goal=5.0)
    compliance = headline.Figure(by_key["fr_compliance"], value=80.0, previous=85.0, goal=90.0)

    assert (reopen.trend, reopen.goal_met, reopen.change) == ("better", True, -2.0)
    assert (compliance.trend, compliance.goal_met, compliance.change) == ("worse", False, -5.0)
    assert headline.Figure(by_key["fr_compliance"], None, None, 90.0).goal_met is None


def test_the_previous_period_is_the_same_length_just_before():
    rng = ReportRange(timezone.datetime(2025, 5, 1).date(), timezone.datetime(2025, 5, 7).date(), WIB)
    before = headline.previous_range(rng)
    assert (before.first.isoformat(), before.last.isoformat()) == ("2025-04-24", "2025-04-30")
