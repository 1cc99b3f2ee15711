"""Saved views (issue 15, item 3) and new work announced (item 6): personal and team views with live counts, who
may make and remove team views (audited), and the "N new — show" poll with the tickets to announce."""

from datetime import timedelta

import pytest
from django.utils import timezone

from brands.models import ConfigChange, Priority
from tests.factories import make_ticket
from tests.helpers import db_state
from tickets.models import QueuePreference, SavedView
from tickets.services import workflow

URL = "/queue/"


def ms(when) -> int:
    return int(when.timestamp() * 1000)


@pytest.fixture
def tickets(cast):
    t0 = timezone.now() - timedelta(minutes=30)
    paket = make_ticket(cast.brand_a, author_id="a-1", handle="budi", text="Paket belum sampai", now=t0)
    sinyal = make_ticket(cast.brand_a, author_id="a-2", handle="sari", text="Sinyal hilang", now=t0)
    workflow.change_priority(ticket=sinyal, user=cast.supervisor, priority=Priority.URGENT)
    other = make_ticket(cast.brand_b, author_id="b-1", handle="budi", text="Paket juga", now=t0)
    return {"paket": paket, "sinyal": sinyal, "other": other}


# --- saved views ---------------------------------------------------------------------------------------------


def test_an_operator_saves_a_personal_view_with_filters_sort_and_search(cast, browser, tickets):
    client = browser(cast.operator)
    response = client.post("/queue/views/", {"name": "Paket", "q": "paket", "sort": "newest", "status": "new"})
    assert response.status_code == 302
    assert response["Location"] == "/queue/?status=new&q=paket&sort=newest"
    view = SavedView.objects.get()
    assert (view.owner, view.brand, view.query) == (
        cast.operator,
        None,
        {"status": "new", "q": "paket", "sort": "newest"},
    )
    page = client.get(URL)
    (row,) = page.context["personal_views"]
    assert (row.view.name, row.count) == ("Paket", 1)
    assert 'href="/queue/?status=new&amp;q=paket&amp;sort=newest"' in page.content.decode()
    # nobody else sees it
    assert browser(cast.supervisor).get(URL).context["views"] == []
    assert not ConfigChange.objects.filter(area="views").exists()  # personal views are nobody's audit


def test_a_supervisor_shares_a_team_view_audited_and_the_team_sees_it_with_its_count(cast, browser, tickets):
    response = browser(cast.supervisor).post(
        "/queue/views/", {"name": "Acme urgent only", "priority": "4", "team": cast.brand_a.pk}
    )
    assert response.status_code == 302
    view = SavedView.objects.get()
    assert (view.brand, view.owner, view.query) == (cast.brand_a, None, {"priority": "4"})
    change = ConfigChange.objects.get(area="views")
    assert (change.kind, change.actor, change.after) == (
        "team_view.created",
        cast.supervisor,
        {"name": "Acme urgent only", "query": {"priority": "4"}},
    )
    for user in (cast.operator, cast.manager):
        (row,) = browser(user).get(URL).context["team_views"]
        assert (row.view.pk, row.count) == (view.pk, 1)
    assert browser(cast.operator_b).get(URL).context["views"] == []
    assert browser(cast.outsider).get(URL).context["views"] == []
    # brand B's people never see brand A's view name
    assert "Acme urgent only" not in browser(cast.operator_b).get(URL).content.decode()


def test_team_views_need_the_capability(cast, browser, tickets):
    before = db_state()
    for user in (cast.operator, cast.manager):
        assert browser(user).post("/queue/views/", {"name": "X", "team": cast.brand_a.pk}).status_code == 403
    assert browser(cast.operator_b).post("/queue/views/", {"name": "X", "team": cast.brand_a.pk}).status_code == 404
    assert db_state() == before


def test_removing_a_team_view_is_audited_and_refused_to_others(cast, browser, tickets):
    view = SavedView.objects.create(name="Acme urgent only", brand=cast.brand_a, query={"priority": "4"})
    before = db_state()
    assert browser(cast.operator).post(f"/queue/views/{view.pk}/remove/").status_code == 403
    assert browser(cast.manager).post(f"/queue/views/{view.pk}/remove/").status_code == 403
    assert browser(cast.operator_b).post(f"/queue/views/{view.pk}/remove/").status_code == 404
    assert db_state() == before
    assert browser(cast.supervisor).post(f"/queue/views/{view.pk}/remove/").status_code == 302
    assert not SavedView.objects.exists()
    assert ConfigChange.objects.get(area="views").kind == "team_view.deleted"


def test_a_personal_view_is_removed_only_by_its_owner(cast, browser, tickets):
    view = SavedView.objects.create(name="Mine", owner=cast.operator, query={"mine": "1"})
    assert browser(cast.supervisor).post(f"/queue/views/{view.pk}/remove/").status_code == 404
    assert SavedView.objects.exists()
    assert browser(cast.operator).post(f"/queue/views/{view.pk}/remove/").status_code == 302
    assert not SavedView.objects.exists()


def test_a_name_taken_is_refused_with_the_reason(cast, browser, tickets):
    SavedView.objects.create(name="Paket", owner=cast.operator, query={})
    response = browser(cast.operator).post("/queue/views/", {"name": "Paket", "q": "x"})
    assert response.status_code == 400
    assert response.context["form"].errors["name"] == ["You have a view with this name already."]
    assert SavedView.objects.count() == 1


def test_a_stored_view_with_bad_values_falls_back(cast, browser, tickets):
    SavedView.objects.create(name="Odd", owner=cast.operator, query={"priority": "99", "brand": 12345, "q": "paket"})
    (row,) = browser(cast.operator).get(URL).context["views"]
    assert row.query == {"q": "paket"}
    assert row.count == 1


#: the queue page with views: the 8 of the queue, plus one aggregate for every view's count
VIEW_QUERIES = 10  # the queue with its bulk bar, and the views


@pytest.mark.parametrize("n", [1, 6])
def test_views_cost_one_query_whatever_their_number(cast, browser, tickets, django_assert_num_queries, n):
    for i in range(n):
        SavedView.objects.create(
            name=f"v{i}", owner=cast.operator, query={"q": "paket"} if i % 2 else {"priority": "4"}
        )
    SavedView.objects.create(name="team", brand=cast.brand_a, query={"status": "new"})
    client = browser(cast.operator)
    with django_assert_num_queries(VIEW_QUERIES):
        response = client.get(URL)
    assert len(response.context["views"]) == n + 1


# --- new work announced --------------------------------------------------------------------------------------


def test_the_poll_counts_new_tickets_of_the_page_and_announces_urgent_and_mine(cast, browser, tickets):
    client = browser(cast.operator)
    since = ms(timezone.now())
    response = client.get("/queue/news/", {"since": since})
    assert (response.status_code, response.context["news"].count) == (200, 0)
    assert 'data-count="0"' in response.content.decode()
    assert "new — show" not in response.content.decode()
    later = timezone.now() + timedelta(seconds=1)
    urgent = make_ticket(cast.brand_a, author_id="a-9", text="Penipuan di akun saya", now=later)
    workflow.change_priority(ticket=urgent, user=cast.supervisor, priority=Priority.URGENT)
    make_ticket(cast.brand_a, author_id="a-8", text="Halo", now=later)
    make_ticket(cast.brand_b, author_id="b-9", text="brand B", now=later)
    response = client.get("/queue/news/", {"since": since})
    html = response.content.decode()
    assert response.context["news"].count == 2
    assert "2 new — show" in html
    assert 'data-count="2"' in html
    assert [t.pk for t in response.context["news"].alerts] == [urgent.pk]
    assert f"Urgent: T-{urgent.pk}" in html
    assert "brand B" not in html
    # the page's filters apply: only urgent ones
    assert client.get("/queue/news/", {"since": since, "priority": "4"}).context["news"].count == 1
    # the show link asks the queue for its live part, with the same filters
    assert (
        'hx-get="/queue/?priority=4"' in client.get("/queue/news/", {"since": since, "priority": "4"}).content.decode()
    )


def test_a_ticket_assigned_to_me_is_announced(cast, browser, tickets):
    client = browser(cast.operator)
    since = ms(timezone.now() - timedelta(seconds=1))
    workflow.claim_ticket(ticket=tickets["paket"], user=cast.operator)
    news = client.get("/queue/news/", {"since": since}).context["news"]
    assert [t.pk for t in news.alerts] == [tickets["paket"].pk]
    assert news.count == 0  # not new: only announced


def test_the_poll_is_scoped_and_read_only(cast, browser, tickets):
    before = db_state()
    response = browser(cast.operator_b).get("/queue/news/", {"since": 0})
    assert response.context["news"].count == 1
    assert "Sinyal" not in response.content.decode()
    assert browser(cast.outsider).get("/queue/news/", {"since": 0}).context["news"].count == 0
    assert browser(None).get("/queue/news/", {"since": 0}).status_code == 302
    assert db_state() == before


def test_a_bad_since_is_a_400_naming_it(cast, browser, tickets):
    for since in ("", "x", "-1", str(2**63)):
        response = browser(cast.operator).get("/queue/news/", {"since": since})
        assert response.status_code == 400
        assert "since" in response.context["news_form"].errors


#: session, user, memberships, the count, the announced tickets
NEWS_QUERIES = 5


def test_the_poll_costs_a_fixed_number_of_queries(cast, browser, tickets, django_assert_num_queries):
    client = browser(cast.operator)
    for _ in range(3):
        make_ticket(cast.brand_a, author_id=f"n-{_}", text="baru")
    with django_assert_num_queries(NEWS_QUERIES):
        client.get("/queue/news/", {"since": 0, "q": "baru"})


def test_the_queue_no_longer_reshuffles_itself(cast, browser, tickets):
    html = browser(cast.operator).get(URL).content.decode()
    body = html[html.index('id="queue-body"') : html.index(">", html.index('id="queue-body"'))]
    assert "hx-trigger" not in body  # the rows stay put
    assert 'id="queue-news"' in html
    assert "/queue/news/?since=" in html


def test_browser_notifications_are_opt_in_and_stored(cast, browser, tickets):
    client = browser(cast.operator)
    assert client.get(URL).context["browser_alerts"] is False
    assert 'data-browser-alerts=""' in client.get(URL).content.decode()
    assert client.post("/queue/alerts/", {"enabled": "1"}).status_code == 302
    assert QueuePreference.objects.get(user=cast.operator).browser_alerts is True
    page = client.get(URL)
    assert page.context["browser_alerts"] is True
    assert 'data-browser-alerts="1"' in page.content.decode()
    assert browser(cast.supervisor).get(URL).context["browser_alerts"] is False  # one user's choice
    client.post("/queue/alerts/", {})
    assert QueuePreference.objects.get(user=cast.operator).browser_alerts is False
