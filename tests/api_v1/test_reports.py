"""The SLA report through the API: every figure the report page shows, equal to the page's own (on the
hand-computed week of tests/tickets/reports/conftest.py), the page's parameters and refusals, the drill-down lists
cursor-paginated; scoped as the page (another brand 404, an operator 403, all brands for admins only)."""

from decimal import Decimal

import pytest
from django.test import Client

from brands.services import api_keys, goals
from tests.helpers import KeyedAPIClient, api_as, db_state
from tests.tickets.reports.conftest import build_world

pytestmark = pytest.mark.django_db

RANGE = "?start=2025-04-28&end=2025-05-04"


@pytest.fixture
def world(cast):
    return build_world(cast)


def client_for(user) -> KeyedAPIClient:
    return api_as(user)


def page_of(user, path: str):
    browser = Client()
    browser.force_login(user)
    return browser.get(path)


def test_every_figure_of_the_page_is_in_the_json_with_the_same_values(world, cast):
    goals.set_goals(brand=cast.brand_a, targets={"fr_compliance": Decimal(90), "reopen_rate": Decimal(5)})
    response = client_for(cast.manager).get("/api/v1/reports/acme/" + RANGE)
    assert response.status_code == 200
    data = response.json()
    page = page_of(cast.manager, "/reports/acme/" + RANGE).context
    r = page["r"]
    assert (data["brand"], data["time_zone"], data["tickets"]) == ("acme", "Asia/Jakarta", 4)
    assert data["period"] == {"start": "2025-04-28", "end": "2025-05-04", "days": 7}
    assert data["previous_period"] == {"start": "2025-04-21", "end": "2025-04-27", "days": 7}
    assert data["fr_compliance"] == {"met": 2, "breached": 2, "measured": 4, "percent": 50.0}
    assert data["fr_compliance"]["percent"] == r.fr.percent
    assert data["per_day"] == [{"day": d.isoformat(), "tickets": n} for d, n in r.per_day]
    assert data["heatmap"] == r.heatmap
    assert data["first_response"]["business"] == {
        "count": r.fr_business.count, "p50": r.fr_business.p50, "p90": r.fr_business.p90, "p95": r.fr_business.p95,
    }  # fmt: skip
    assert data["resolution"]["calendar"]["count"] == r.res_calendar.count
    assert [(g["key"], g["tickets"]) for g in data["by_tag"]] == [(g.key, g.tickets) for g in r.by_tag]
    assert [(g["key"], g["tickets"]) for g in data["by_platform"]] == [(g.key, g.tickets) for g in r.by_platform]
    assert data["review"]["replies_submitted"] == r.replies_submitted
    assert data["serving"]["reopen_percent"] == page["serving"].reopen_percent
    assert data["csat"]["overall"]["rated"] == page["csat"].overall.rated
    shown = [(f.metric.key, f.value, f.previous, f.goal, f.goal_met, f.trend) for f in page["headline"]]
    got = [(f["metric"], f["value"], f["previous"], f["goal"], f["goal_met"], f["trend"]) for f in data["headline"]]
    assert got == shown
    assert ("fr_compliance", 50.0, None, 90.0, False, "same") in got
    assert got[0] == ("tickets", 4, 0, None, None, "up")


def test_the_page_refusals_are_400s_with_the_same_words(world, cast):
    client = client_for(cast.manager)
    assert client.get("/api/v1/reports/acme/").json() == {
        "start": ["Choose the first day of the report."],
        "end": ["Choose the last day of the report."],
    }
    reversed_range = client.get("/api/v1/reports/acme/?start=2025-05-04&end=2025-04-28")
    assert (reversed_range.status_code, reversed_range.json()) == (
        400,
        {"detail": "The range ends before it starts: swap the two dates."},
    )
    assert client.get("/api/v1/reports/acme/tickets/" + RANGE + "&metric=tag").status_code == 400
    assert client.get("/api/v1/reports/acme/tickets/" + RANGE + "&metric=nope").status_code == 400


def test_the_drill_down_lists_the_pages_tickets_oldest_first_in_cursor_pages(world, cast):
    client = client_for(cast.supervisor)
    first = client.get("/api/v1/reports/acme/tickets/" + RANGE + "&metric=all&page_size=3")
    assert first.status_code == 200
    ids = [t["id"] for t in first.json()["results"]]
    assert ids == [world.t1.pk, world.t3.pk, world.t2.pk]
    rest = client.get(first.json()["next"]).json()
    assert [t["id"] for t in rest["results"]] == [world.t4.pk]
    assert rest["next"] is None
    untagged = client.get("/api/v1/reports/acme/tickets/" + RANGE + "&metric=tag&value=-").json()
    assert [t["id"] for t in untagged["results"]] == [world.t4.pk]
    breached = client.get("/api/v1/reports/acme/tickets/" + RANGE + "&metric=fr_breached").json()
    assert [t["id"] for t in breached["results"]] == [world.t3.pk, world.t4.pk]


def test_scoped_as_the_page(world, cast):
    token = api_keys.create_key(user=cast.manager, name="BI", scope="read", brand_slugs=["acme"]).token
    before = db_state()
    for user, want in [(cast.operator_b, 404), (cast.outsider, 404), (cast.operator, 403)]:
        for path in ("/api/v1/reports/acme/", "/api/v1/reports/acme/tickets/"):
            response = client_for(user).get(path + RANGE + "&metric=all")
            assert response.status_code == want, (user, path)
    assert client_for(cast.manager).get("/api/v1/reports/all-brands/" + RANGE).status_code == 404
    everything = client_for(cast.admin).get("/api/v1/reports/all-brands/" + RANGE).json()
    assert (everything["brand"], everything["time_zone"], everything["tickets"]) == (None, "Asia/Jakarta", 5)
    drill = client_for(cast.admin).get("/api/v1/reports/all-brands/tickets/" + RANGE + "&metric=all").json()
    assert world.t7.pk in [t["id"] for t in drill["results"]]
    reader = KeyedAPIClient()
    reader.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert reader.get("/api/v1/reports/acme/" + RANGE).json()["tickets"] == 4
    assert db_state() == before
