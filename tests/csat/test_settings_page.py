"""The brand's survey settings page (supervisors), its audit record, the goal and the report headline."""

from datetime import timedelta

import pytest
from django.utils import timezone

from brands.models import ConfigChange, CsatSettings
from brands.services import goals
from tests.csat.conftest import dm_ticket
from tests.helpers import db_state
from tickets.models import CsatSurvey
from tickets.services import csat_answers

pytestmark = pytest.mark.django_db
URL = "/settings/acme/csat/"
VALID = {
    "enabled": "on",
    "platforms": ["facebook", "x"],
    "public_replies": "on",
    "default_language": "en",
    "expiry_days": "14",
    "repeat_window_hours": "48",
    "low_rating": "3",
    "reopen_on_low": "on",
}


def test_a_supervisor_sets_the_surveys_and_the_change_is_audited(cast, browser):
    client = browser(cast.supervisor)
    page = client.get(URL)
    assert page.status_code == 200
    text = page.content.decode()
    assert "YouTube has no private messages" in text  # each platform's rule, with its reason
    assert 'value="youtube"' not in text  # a platform that allows no survey is not offered
    response = client.post(URL, VALID)
    assert response.status_code == 302
    saved = CsatSettings.objects.get(brand=cast.brand_a)
    assert (saved.enabled, saved.platforms, saved.expiry_days, saved.low_rating) == (True, "facebook,x", 14, 3)
    (change,) = ConfigChange.objects.filter(brand=cast.brand_a, area="csat")
    assert change.kind == "csat_settings.created"
    assert change.actor == cast.supervisor
    assert change.after["platforms"] == "facebook,x"
    client.post(URL, VALID)  # the same again: no second record
    assert ConfigChange.objects.filter(brand=cast.brand_a, area="csat").count() == 1
    history = client.get("/settings/acme/history/").content.decode()
    assert "Survey settings" in history


@pytest.mark.parametrize(
    ("who", "status"), [("operator_b", 404), ("outsider", 404), ("manager", 403), ("operator", 403)]
)
def test_outsiders_get_404_and_read_only_roles_403_and_nothing_changes(cast, browser, who, status):
    client = browser(getattr(cast, who))
    before = db_state()
    assert client.get(URL).status_code == status
    assert client.post(URL, VALID).status_code == status
    assert db_state() == before


@pytest.mark.parametrize(
    ("field", "value"), [("expiry_days", "0"), ("expiry_days", "91"), ("low_rating", "5"), ("platforms", "youtube")]
)
def test_out_of_bounds_values_are_a_400_naming_the_field(cast, browser, field, value):
    before = db_state()
    response = browser(cast.supervisor).post(URL, {**VALID, field: value})
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert db_state() == before


def test_the_csat_goal_is_set_and_shown_in_the_headline_against_the_previous_period(cast, surveyed, resolve, browser):
    goals.set_goals(brand=cast.brand_a, targets={"csat": 80})
    for n, rating in enumerate((5, 4, 2)):
        ticket = dm_ticket(cast, item=f"m-{n}", author=f"psid-{n}")
        ticket.channel_account.access_token = ""
        ticket.channel_account.save()
        resolve(ticket, cast.operator)
        csat_answers.answer(survey=CsatSurvey.objects.get(ticket=ticket), rating=rating)
    today = timezone.localdate()
    response = browser(cast.manager).get(
        f"/reports/acme/?start={today - timedelta(days=6):%Y-%m-%d}&end={today:%Y-%m-%d}"
    )
    assert response.status_code == 200
    (figure,) = [f for f in response.context["headline"] if f.metric.key == "csat"]
    assert (figure.value, figure.previous, figure.goal, figure.goal_met) == (66.7, None, 80.0, False)
    overall = response.context["csat"].overall
    assert (overall.sent, overall.rated, overall.satisfied, overall.average, overall.response_percent) == (
        3,
        3,
        2,
        3.7,
        100.0,
    )
    (by_operator,) = response.context["csat"].by_operator
    assert (by_operator.label, by_operator.rated) == ("op_a", 3)
    goals_page = browser(cast.manager).get("/settings/acme/goals/").content.decode()
    assert 'name="csat"' in goals_page
