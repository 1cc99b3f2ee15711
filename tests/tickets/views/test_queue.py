"""The queue page: scope, filters, counts, order (due, then age), the htmx partial, and a fixed query count."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from brands.models import Priority
from tests.factories import make_ticket
from tests.helpers import db_state
from tickets.selectors.queue import QueueCounts, QueueFilters
from tickets.services import workflow

URL = "/queue/"


def refs(response) -> list[int]:
    return [t.pk for t in response.context["tickets"]]


@pytest.fixture
def tickets(cast):
    """Brand A: a new normal, an urgent (due first), a claimed low, a resolved; brand B: one new."""
    t0 = timezone.now() - timedelta(minutes=30)
    normal = make_ticket(cast.brand_a, author_id="u-1", text="normal one", now=t0)
    urgent = make_ticket(cast.brand_a, author_id="u-2", text="urgent one", now=t0 + timedelta(minutes=5))
    low = make_ticket(cast.brand_a, author_id="u-3", text="low one", now=t0 + timedelta(minutes=1))
    done = make_ticket(cast.brand_a, author_id="u-4", text="done one", now=t0 + timedelta(minutes=2))
    other = make_ticket(cast.brand_b, author_id="u-5", text="globex one", now=t0)
    workflow.change_priority(ticket=urgent, user=cast.supervisor, priority=Priority.URGENT)
    workflow.change_priority(ticket=low, user=cast.supervisor, priority=Priority.LOW)
    workflow.claim_ticket(ticket=low, user=cast.operator)
    workflow.resolve_ticket(ticket=done, user=cast.supervisor)
    return {"normal": normal, "urgent": urgent, "low": low, "done": done, "other": other}


def test_the_queue_lists_active_tickets_by_due_time_then_age(cast, browser, tickets):
    response = browser(cast.operator).get(URL)
    assert response.status_code == 200
    # due: urgent t0+5+15m, normal t0+60m, low t0+1+240m
    assert refs(response) == [tickets["urgent"].pk, tickets["normal"].pk, tickets["low"].pk]
    assert response.context["filters"] == QueueFilters()


def test_equal_due_times_are_ordered_by_age(cast, browser):
    t0 = timezone.now()
    younger = make_ticket(cast.brand_a, author_id="u-1", now=t0)
    older = make_ticket(cast.brand_a, author_id="u-2", now=t0 - timedelta(minutes=1))
    type(older).objects.filter(pk__in=[older.pk, younger.pk]).update(due_at=t0 + timedelta(minutes=30))
    nothing_due = make_ticket(cast.brand_a, author_id="u-3", now=t0 - timedelta(hours=1))
    type(older).objects.filter(pk=nothing_due.pk).update(due_at=None)
    assert refs(browser(cast.operator).get(URL)) == [older.pk, younger.pk, nothing_due.pk]


def test_the_counts(cast, browser, tickets):
    a = cast.brand_a.pk
    response = browser(cast.operator).get(URL)
    assert response.context["counts"] == QueueCounts(
        total=3,
        brands={a: 3},
        statuses={"new": 2, "open": 1},
        priorities={Priority.URGENT: 1, Priority.NORMAL: 1, Priority.LOW: 1},
        mine=1,
        unassigned=2,
    )
    assert response.context["statuses"] == [("new", "New", 2), ("open", "Open", 1), ("pending", "Pending", 0)]


def test_the_counts_of_an_agency_operator_per_brand(cast, browser, tickets):
    from brands.models import Role
    from tests.factories import make_member

    make_member(cast.operator, cast.brand_b, Role.OPERATOR)
    a, b = cast.brand_a.pk, cast.brand_b.pk
    response = browser(cast.operator).get(f"{URL}?brand={b}")
    assert refs(response) == [tickets["other"].pk]
    assert response.context["counts"] == QueueCounts(
        total=1, brands={a: 3, b: 1}, statuses={"new": 1}, priorities={Priority.NORMAL: 1}, mine=0, unassigned=1
    )
    assert response.context["show_brand"] is True


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=new", ["urgent", "normal"]),
        ("status=open", ["low"]),
        ("status=resolved", ["done"]),
        ("status=pending", []),
        ("priority=4", ["urgent"]),
        ("priority=1", ["low"]),
        ("mine=1", ["low"]),
        ("unassigned=1", ["urgent", "normal"]),
        ("status=new&priority=2", ["normal"]),
        ("status=bogus", ["urgent", "normal", "low"]),  # an invalid filter falls back to the defaults
        ("priority=9", ["urgent", "normal", "low"]),
    ],
)
def test_filters(cast, browser, tickets, query, expected):
    response = browser(cast.operator).get(f"{URL}?{query}")
    assert response.status_code == 200
    assert refs(response) == [tickets[name].pk for name in expected]


def test_brand_filter_on_a_brand_out_of_scope_shows_nothing(cast, browser, tickets):
    response = browser(cast.operator).get(f"{URL}?brand={cast.brand_b.pk}")
    assert response.status_code == 200
    assert refs(response) == []
    assert "globex one" not in response.content.decode()


def test_each_user_sees_only_their_brands(cast, browser, tickets):
    assert refs(browser(cast.manager).get(URL)) == [tickets["urgent"].pk, tickets["normal"].pk, tickets["low"].pk]
    assert refs(browser(cast.operator_b).get(URL)) == [tickets["other"].pk]
    outsider = browser(cast.outsider).get(URL)
    assert outsider.status_code == 200
    assert refs(outsider) == []
    assert outsider.context["counts"] == QueueCounts()
    for text in ("normal one", "urgent one", "low one", "globex one"):
        assert text not in outsider.content.decode()


def test_the_page_shows_the_rows(cast, browser, tickets):
    html = browser(cast.operator).get(URL).content.decode()
    assert f'href="/tickets/{tickets["urgent"].pk}/"' in html
    assert "urgent one" in html
    assert "done one" not in html
    assert "globex one" not in html


def test_customer_text_is_escaped(cast, browser):
    make_ticket(cast.brand_a, text="<script>alert('x')</script>", handle="<b>evil</b>")
    html = browser(cast.operator).get(URL).content.decode()
    assert "<script>alert(" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "<b>evil</b>" not in html


def test_htmx_refresh_gets_only_the_partial(cast, browser, tickets):
    client = browser(cast.operator)
    partial = client.get(URL, headers={"HX-Request": "true", "HX-Target": "queue-body"})
    full = client.get(URL)
    partial_templates = [t.name for t in partial.templates]
    assert partial.status_code == 200
    assert "tickets/_queue_body.html" in partial_templates
    assert "base.html" not in partial_templates
    assert "tickets/queue.html" not in partial_templates
    html = partial.content.decode()
    assert "<html" not in html
    assert 'id="queue-body"' in html
    assert "urgent one" in html
    assert refs(partial) == refs(full)
    assert "base.html" in [t.name for t in full.templates]
    assert "<html" in full.content.decode()


def test_an_htmx_request_for_another_target_gets_the_page(cast, browser, tickets):
    response = browser(cast.operator).get(URL, headers={"HX-Request": "true", "HX-Target": "main"})
    assert "base.html" in [t.name for t in response.templates]


def test_pages(cast, browser, settings):
    settings.SMRC_QUEUE_PAGE_SIZE = 2
    t0 = timezone.now()
    made = [make_ticket(cast.brand_a, author_id=f"u-{n}", now=t0 + timedelta(minutes=n)) for n in range(5)]
    client = browser(cast.operator)
    first = client.get(URL)
    assert (refs(first), first.context["has_next"]) == ([made[0].pk, made[1].pk], True)
    last = client.get(f"{URL}?page=3")
    assert (refs(last), last.context["has_next"], last.context["page"]) == ([made[4].pk], False, 3)


def test_the_queue_is_read_only(cast, browser, tickets):
    before = db_state()
    browser(cast.operator).get(URL)
    browser(cast.operator).get(URL, headers={"HX-Request": "true", "HX-Target": "queue-body"})
    assert db_state() == before


def _queue_queries(cast, n: int, django_assert_num_queries, browser, expected: int, refresh: int | None = None) -> None:
    t0 = datetime(2025, 3, 3, 2, 0, tzinfo=UTC)
    for i in range(n):
        ticket = make_ticket(cast.brand_a, author_id=f"u-{i}", now=t0 + timedelta(minutes=i))
        if i % 3 == 0:
            workflow.claim_ticket(ticket=ticket, user=cast.operator)
    client = browser(cast.operator)
    with django_assert_num_queries(expected):
        response = client.get(URL)
    assert len(response.context["tickets"]) == n
    with django_assert_num_queries(expected if refresh is None else refresh):
        client.get(URL, headers={"HX-Request": "true", "HX-Target": "queue-body"})


#: session, user, memberships, the page of rows, the brands, the counts, the saved views, the notification
#: preference, and the teammates of the bulk bar (whom the selected tickets can be assigned to: the page only; the
#: refresh swaps the rows, not the bar)
QUEUE_QUERIES = 9
QUEUE_REFRESH_QUERIES = 8


@pytest.mark.parametrize("n", [3, 30])
def test_the_queue_costs_a_fixed_number_of_queries(cast, browser, django_assert_num_queries, n):
    _queue_queries(cast, n, django_assert_num_queries, browser, QUEUE_QUERIES, QUEUE_REFRESH_QUERIES)
