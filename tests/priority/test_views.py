"""The ticket page's "Why this priority", the supervisor's override, restoring ignored tickets and `Get next`:
outsiders 404, in scope without the capability 403 and nothing changed."""

from datetime import timedelta

import pytest
from django.utils import timezone

from brands.models import Presence, Priority
from tests.factories import make_ticket
from tests.helpers import db_state, keyed
from tickets.models import Ticket, TicketStatus


@pytest.fixture
def ticket(cast):
    return make_ticket(cast.brand_a, text="<b>Saya kena penipuan</b> <script>alert(1)</script>", kind="dm")


def test_the_page_explains_the_priority(cast, browser, ticket):
    body = browser(cast.operator).get(f"/tickets/{ticket.pk}/").content.decode()
    assert "Why this priority" in body
    assert "mentions fraud (“penipuan”)" in body
    assert "private message" in body
    assert "Author influence 0 of 100" in body
    assert 'class="sentiment sentiment-' in body
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert f'action="/tickets/{ticket.pk}/priority/"' not in body  # operators cannot override


def test_a_supervisor_overrides_the_priority(cast, browser, ticket):
    client = browser(cast.supervisor)
    assert f'action="/tickets/{ticket.pk}/priority/"' in client.get(f"/tickets/{ticket.pk}/").content.decode()
    before = ticket.priority
    response = client.post(f"/tickets/{ticket.pk}/priority/", {"priority": Priority.LOW})
    assert response.status_code == 302
    assert response["Location"] == f"/tickets/{ticket.pk}/"
    ticket.refresh_from_db()
    assert (ticket.priority, ticket.priority_overridden) == (Priority.LOW, True)
    assert ticket.due_at == ticket.received_at + timedelta(hours=4)
    event = ticket.events.get(kind="ticket.priority_changed")
    assert (event.actor, event.data) == (cast.supervisor, {"before": before, "after": Priority.LOW})
    page = client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert "set by hand" in page


@pytest.mark.parametrize(
    ("who", "status"), [("operator", 403), ("manager", 403), ("outsider", 404), ("operator_b", 404)]
)
def test_others_cannot_override(cast, browser, ticket, who, status):
    before = db_state()
    assert browser(getattr(cast, who)).post(f"/tickets/{ticket.pk}/priority/", {"priority": 1}).status_code == status
    assert db_state() == before


def test_an_invalid_priority_changes_nothing(cast, browser, ticket):
    before = db_state()
    response = browser(cast.supervisor).post(f"/tickets/{ticket.pk}/priority/", {"priority": "9"}, follow=True)
    assert "Choose a priority." in response.content.decode()
    assert db_state() == before


@pytest.fixture
def ignored(cast):
    return make_ticket(cast.brand_a, author_id="spam", text="slot gacor maxwin hari ini")


def test_an_operator_restores_an_ignored_ticket(cast, browser, ignored):
    client = browser(cast.operator)
    page = client.get(f"/tickets/{ignored.pk}/").content.decode()
    assert "Ignored as noise: gambling promotion." in page
    assert client.post(f"/tickets/{ignored.pk}/restore/").status_code == 302
    ignored.refresh_from_db()
    assert (ignored.status, ignored.ignored_reason) == (TicketStatus.NEW, "")
    assert ignored.events.get(kind="ticket.restored").actor == cast.operator


@pytest.mark.parametrize(("who", "status"), [("manager", 403), ("outsider", 404), ("operator_b", 404)])
def test_others_cannot_restore(cast, browser, ignored, who, status):
    before = db_state()
    assert browser(getattr(cast, who)).post(f"/tickets/{ignored.pk}/restore/").status_code == status
    assert db_state() == before


def test_get_next_opens_the_ticket_it_gave(cast, browser, ticket):
    client = browser(cast.operator)
    assert "Get next" in client.get("/queue/").content.decode()
    response = client.post("/queue/next/", keyed())
    assert response["Location"] == f"/tickets/{ticket.pk}/"
    assert Ticket.objects.get(pk=ticket.pk).assignee == cast.operator
    response = client.post("/queue/next/", keyed(), follow=True)
    assert "There is no ticket for you to take right now." in response.content.decode()


def test_get_next_is_not_offered_to_read_only_roles(cast, browser, ticket):
    assert "Get next" not in browser(cast.manager).get("/queue/").content.decode()
    before = db_state()
    response = browser(cast.manager).post("/queue/next/", keyed())
    assert response["Location"] == "/queue/"
    assert db_state() == before


def test_presence_is_written_at_most_once_a_minute(cast, browser, django_assert_num_queries):
    client = browser(cast.operator)  # signing in counts as being seen
    seen = Presence.objects.get(user=cast.operator).last_seen_at
    assert timezone.now() - seen < timedelta(seconds=5)
    with django_assert_num_queries(9):  # the queue's own queries (tests/tickets/views/test_queue.py), no presence write
        client.get("/queue/")
    from django.core.cache import cache

    cache.clear()  # a minute later
    with django_assert_num_queries(10):
        client.get("/queue/")
    assert Presence.objects.get(user=cast.operator).last_seen_at >= seen
