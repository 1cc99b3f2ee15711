"""The report pages: scope (404 outside, 403 without report:view), bad input (400, nothing read beyond the
form), a fixed number of queries, and drill-down links."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import make_ticket

pytestmark = pytest.mark.django_db

RANGE = "?start=2025-04-28&end=2025-05-04"


@pytest.mark.parametrize("path", ["/reports/acme/", "/reports/acme/tickets/", "/reports/acme/export/"])
def test_it_answers_404_to_an_outsider_and_to_another_brand(cast, browser, path):
    for user in (cast.outsider, cast.operator_b):
        assert browser(user).get(path + RANGE + "&metric=all&format=csv").status_code == 404


@pytest.mark.parametrize("path", ["/reports/acme/", "/reports/acme/tickets/", "/reports/acme/export/", "/reports/"])
def test_it_answers_403_to_an_operator(cast, browser, path):
    assert browser(cast.operator).get(path + RANGE + "&metric=all&format=csv").status_code == 403


def test_the_all_brands_report_is_for_admins_only(cast, browser):
    assert browser(cast.manager).get("/reports/all-brands/" + RANGE).status_code == 404
    response = browser(cast.admin).get("/reports/all-brands/" + RANGE)
    assert response.status_code == 200
    assert "All brands" in response.content.decode()


@pytest.mark.parametrize("who", ["manager", "supervisor", "admin"])
def test_managers_supervisors_and_admins_read_the_report(world, cast, browser, who):
    response = browser(getattr(cast, who)).get("/reports/acme/" + RANGE)
    assert response.status_code == 200
    body = response.content.decode()
    assert "50.0 %" in body  # first response compliance
    assert "/reports/acme/tickets/?start=2025-04-28&amp;end=2025-05-04&amp;metric=fr_breached" in body
    assert "/reports/definitions/" in body


def test_the_by_tag_panel_links_each_tag_to_its_tickets(world, cast, browser):
    client = browser(cast.manager)
    body = client.get("/reports/acme/" + RANGE).content.decode()
    assert "<h2>By tag</h2>" in body
    assert "once tickets carry tags" not in body
    link = "/reports/acme/tickets/?start=2025-04-28&amp;end=2025-05-04&amp;metric=tag&amp;value="
    assert f'<a href="{link}refund">2</a>' in body
    assert f'<th scope="row">No tag</th>\n        <td><a href="{link}-">1</a>' in body

    untagged = client.get("/reports/acme/tickets/" + RANGE + "&metric=tag&value=-").content.decode()
    assert "<strong>Tag</strong>: No tag" in untagged
    assert f'href="/tickets/{world.t4.pk}/"' in untagged
    assert f'href="/tickets/{world.t1.pk}/"' not in untagged
    assert client.get("/reports/acme/tickets/" + RANGE + "&metric=tag").status_code == 400


def test_the_index_lists_the_brands_with_presets(cast, browser):
    response = browser(cast.manager).get("/reports/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Acme Telco" in body
    assert "Globex Bank" not in body
    assert "Last 30 days" in body


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "Choose the first day of the report."),
        ("?start=2025-05-04", "Choose the last day of the report."),
        ("?start=2025-05-04&end=2025-04-28", "The range ends before it starts"),
        ("?start=2024-01-01&end=2025-01-01", "A report covers at most 366 days"),
        ("?start=2025-13-01&end=2025-14-01", "Enter a date as YYYY-MM-DD."),
        ("?start=1&end=99999999", "Enter a date as YYYY-MM-DD."),
    ],
)
def test_bad_ranges_get_a_message_and_read_no_ticket(cast, browser, query, message):
    client = browser(cast.manager)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/reports/acme/" + query)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not [q for q in queries.captured_queries if "tickets_" in q["sql"]]


def test_a_full_year_is_accepted(cast, browser):
    assert browser(cast.manager).get("/reports/acme/?start=2024-01-01&end=2024-12-31").status_code == 200


def test_an_unknown_figure_is_a_400(cast, browser):
    client = browser(cast.manager)
    assert client.get("/reports/acme/tickets/" + RANGE + "&metric=nope").status_code == 400
    assert client.get("/reports/acme/tickets/" + RANGE + "&metric=day&value=2030-01-01").status_code == 400


def _tickets(cast, n: int) -> None:
    now = timezone.now()
    for i in range(n):
        make_ticket(
            cast.brand_a,
            platform_id=f"q{i}",
            author_id=f"qa{i}",
            text=f"Pesanan nomor {i} belum sampai sejak minggu lalu",
            now=now - timedelta(minutes=i),
        )


@pytest.mark.parametrize("n", [5, 50])
def test_the_report_reads_a_fixed_number_of_queries(cast, browser, django_assert_num_queries, n):
    _tickets(cast, n)
    client = browser(cast.manager)
    today = timezone.localdate()
    url = f"/reports/acme/?start={today - timedelta(days=6):%Y-%m-%d}&end={today:%Y-%m-%d}"
    client.get(url)  # warm up
    # session, user, memberships, brand; ticket rows, first sentiments, tags (one grouped read since tickets carry
    # tags), replies, review decisions (operator names only when a ticket has an assignee: none here), first intents;
    # serving in channel: its counts and the ownership events; customer satisfaction: one row per survey; the same
    # for the previous period (the headline), and the brand's goals; QA scorecards: one row per scorecard (their
    # lines and the operators' names only when there are some). On PostgreSQL each report runs in a transaction
    # with two planner settings: SAVEPOINT, 2 × SET LOCAL, RELEASE
    with django_assert_num_queries(24 + (8 if connection.vendor == "postgresql" else 0)):
        response = client.get(url)
    assert f">{n}<" in response.content.decode()


def test_the_drill_down_lists_and_links_the_tickets(world, cast, browser):
    response = browser(cast.manager).get("/reports/acme/tickets/" + RANGE + "&metric=fr_breached")
    body = response.content.decode()
    assert response.status_code == 200
    assert f'href="/tickets/{world.t3.pk}/"' in body
    assert f'href="/tickets/{world.t4.pk}/"' in body
    assert f'href="/tickets/{world.t1.pk}/"' not in body


def test_the_definitions_page_renders_the_document(cast, browser):
    response = browser(cast.manager).get("/reports/definitions/")
    assert response.status_code == 200
    assert "nearest-rank" in response.content.decode()


def test_the_nav_shows_reports_to_those_who_may_read_them(cast, browser):
    assert 'href="/reports/"' in browser(cast.manager).get("/queue/").content.decode()
    assert 'href="/reports/"' not in browser(cast.operator).get("/queue/").content.decode()


def test_the_review_section_shows_changes_requested_by_reason(world, cast, browser):
    from tickets.models import ReviewDecision

    ReviewDecision.objects.create(
        reply=world.t1.replies.get(),
        reviewer=cast.supervisor,
        verdict="changes_requested",
        revision=1,
        reason_code="wrong_info",
        created_at=world.now,
    )
    body = browser(cast.manager).get("/reports/acme/" + RANGE).content.decode()
    assert "1 change requested" in body  # edge 10 of issue 15: one change, not "1 changes"
    assert "1 review decision:" in body
    assert "Wrong information" in body
    assert "metric=changes_requested&amp;value=wrong_info" in body
    body = browser(cast.manager).get("/reports/acme/" + RANGE, HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert "1 permintaan perubahan" in body
