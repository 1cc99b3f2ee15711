"""GET /api/v1/tickets/: every queue filter (django-filter), the queue's search and saved views, the queue's sorts,
in keyset pages that follow the sort; scoped as the queue (tickets.selectors.queue)."""

from datetime import UTC, datetime, timedelta

import pytest

from brands.models import Role
from tests.factories import make_member, make_ticket
from tests.helpers import KeyedAPIClient, api_as
from tickets.selectors.queue import QueueFilters
from tickets.services import tags, views, workflow

pytestmark = pytest.mark.django_db

T0 = datetime(2025, 3, 3, 2, 0, tzinfo=UTC)
LIST = "/api/v1/tickets/"


def client_for(user) -> KeyedAPIClient:
    return api_as(user)


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


@pytest.fixture
def t(cast):
    """Brand A: a new X ticket of Budi (tagged refund), one claimed by the operator, one urgent on Instagram, one
    resolved; brand B: one ticket."""
    new = make_ticket(cast.brand_a, author_id="u-1", handle="budi", text="Paket belum sampai", now=T0)
    mine = make_ticket(
        cast.brand_a, author_id="u-2", handle="sari", text="Tagihan dobel", now=T0 + timedelta(minutes=1)
    )
    urgent = make_ticket(
        cast.brand_a,
        platform="instagram",
        author_id="u-3",
        handle="rina",
        text="Kartu hilang",
        now=T0 + timedelta(minutes=2),
    )
    done = make_ticket(cast.brand_a, author_id="u-4", handle="joko", text="Terima kasih", now=T0 + timedelta(minutes=3))
    other = make_ticket(cast.brand_b, author_id="u-5", handle="budi", text="Paket belum sampai", now=T0)
    tags.set_ticket_tags(ticket=new, user=cast.operator, names=["refund"])
    workflow.claim_ticket(ticket=mine, user=cast.operator)
    workflow.change_priority(ticket=urgent, user=cast.supervisor, priority=4)
    workflow.claim_ticket(ticket=done, user=cast.supervisor)
    workflow.resolve_ticket(ticket=done, user=cast.supervisor)
    return {"new": new.pk, "mine": mine.pk, "urgent": urgent.pk, "done": done.pk, "other": other.pk}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["done", "urgent", "mine", "new"]),
        ("status=active", ["urgent", "mine", "new"]),
        ("status=resolved", ["done"]),
        ("mine=true", ["mine"]),
        ("mine=false", ["done", "urgent", "mine", "new"]),
        ("unassigned=true", ["urgent", "new"]),
        ("assignee=op_a", ["mine"]),
        ("assignee=none&status=active", ["urgent", "new"]),
        ("platform=instagram", ["urgent"]),
        ("platform=facebook", []),
        ("tag=refund", ["new"]),
        ("tag=REFUND", ["new"]),
        ("tag=vip", []),
        ("priority=urgent", ["urgent"]),
        ("received_after=2025-03-03T02:01:00Z&received_before=2025-03-03T02:03:00Z", ["urgent", "mine"]),
        ("q=budi", ["new"]),
        ("q=tagihan", ["mine"]),
        ("q=%23refund", ["new"]),
        ("sort=oldest", ["new", "mine", "urgent", "done"]),
        ("sort=priority&status=active", ["urgent", "new", "mine"]),
        ("brand=acme&status=active&mine=true", ["mine"]),
    ],
)
def test_every_queue_filter(cast, t, query, expected):
    assert ids(client_for(cast.operator).get(f"{LIST}?{query}")) == [t[name] for name in expected]


def test_the_search_never_reaches_another_brand(cast, t):
    assert ids(client_for(cast.operator_b).get(f"{LIST}?q=budi")) == [t["other"]]
    assert ids(client_for(cast.operator_b).get(f"{LIST}?q=T-{t['new']}")) == []
    assert ids(client_for(cast.outsider).get(f"{LIST}?q=budi")) == []


def test_a_saved_view_applies_as_on_the_queue_and_other_filters_narrow_it(cast, t):
    own = views.save_view(user=cast.operator, name="Mine", filters=QueueFilters(mine=True))
    team = views.save_view(
        user=cast.supervisor, name="Urgent", filters=QueueFilters(priority=4), team_brand_id=cast.brand_a.pk
    )
    operator = client_for(cast.operator)
    assert ids(operator.get(f"{LIST}?view={own.pk}")) == [t["mine"]]
    assert ids(operator.get(f"{LIST}?view={team.pk}")) == [t["urgent"]]
    assert ids(operator.get(f"{LIST}?view={team.pk}&platform=x")) == []
    # the supervisor's personal view, and a team view of a brand not theirs: 404, as an id that does not exist
    theirs = views.save_view(user=cast.supervisor, name="Mine too", filters=QueueFilters(mine=True))
    for pk in (theirs.pk, 999999):
        response = operator.get(f"{LIST}?view={pk}")
        assert (response.status_code, response.json()) == (404, {"detail": "Not found."})
    assert client_for(cast.operator_b).get(f"{LIST}?view={team.pk}").status_code == 404


def test_a_saved_view_brings_its_own_sort_unless_one_is_given(cast, t):
    view = views.save_view(user=cast.operator, name="Oldest", filters=QueueFilters(status="active", sort="oldest"))
    operator = client_for(cast.operator)
    assert ids(operator.get(f"{LIST}?view={view.pk}")) == [t["new"], t["mine"], t["urgent"]]
    assert ids(operator.get(f"{LIST}?view={view.pk}&sort=newest")) == [t["urgent"], t["mine"], t["new"]]


@pytest.mark.parametrize("sort", ["newest", "oldest", "due", "priority"])
def test_the_cursor_follows_every_sort_one_ticket_a_page(cast, t, sort):
    for n in range(3):  # due times equal or missing: the received time and the id break the ties
        make_ticket(cast.brand_a, author_id=f"s-{n}", now=T0 + timedelta(minutes=1))
    client = client_for(cast.supervisor)
    everything = ids(client.get(f"{LIST}?sort={sort}"))
    assert len(everything) == 7
    seen, url = [], f"{LIST}?sort={sort}&page_size=1"
    while url:
        page = client.get(url)
        seen += ids(page)
        url = page.json()["next"]
    assert seen == everything
    back, url = [], page.json()["previous"]
    while url:
        page = client.get(url)
        back = ids(page) + back
        url = page.json()["previous"]
    assert back == everything[:-1]


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ("status=bogus", {"status": ["Select a valid choice. bogus is not one of the available choices."]}),
        ("platform=myspace", {"platform": ["Select a valid choice. myspace is not one of the available choices."]}),
        ("sort=random", {"sort": ["Select a valid choice. random is not one of the available choices."]}),
        ("view=abc", {"view": ["Enter a whole number."]}),
        ("received_after=yesterday", {"received_after": ["Enter a valid date/time."]}),
        ("q=" + "x" * 201, {"q": ["Ensure this value has at most 200 characters (it has 201)."]}),
        ("brand=globex", {"brand": ["Unknown brand."]}),
    ],
)
def test_a_bad_filter_is_400_naming_it(cast, t, query, errors):
    response = client_for(cast.operator).get(f"{LIST}?{query}")
    assert (response.status_code, response.json()) == (400, errors)


def test_a_brand_the_caller_reads_only_is_listed_but_another_brand_is_not(cast, t):
    make_member(cast.operator_b, cast.brand_a, Role.MANAGER)
    assert ids(client_for(cast.operator_b).get(f"{LIST}?status=active&brand=acme")) == [
        t["urgent"],
        t["mine"],
        t["new"],
    ]
