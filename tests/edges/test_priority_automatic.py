"""Edge 14 of issue 15: a hand-set priority can go back to automatic (recomputed by the priority service), and the
timeline says from what to what the priority changed."""

import pytest

from brands.models import Priority
from tests.factories import make_ticket
from tests.helpers import db_state
from tickets.models import Event, Ticket
from tickets.services import workflow


@pytest.fixture
def ticket(cast):
    ticket = make_ticket(cast.brand_a, text="Kapan promo kuota bulan depan dimulai?")
    assert not ticket.priority_overridden
    return ticket


def test_automatic_recomputes_the_priority_after_a_hand_set_one(cast, ticket, browser):
    computed, factors = ticket.priority, ticket.priority_factors
    client = browser(cast.supervisor)
    client.post(f"/tickets/{ticket.pk}/priority/", {"priority": str(Priority.URGENT)})
    ticket.refresh_from_db()
    assert (ticket.priority, ticket.priority_overridden) == (Priority.URGENT, True)
    page = client.post(f"/tickets/{ticket.pk}/priority/", {"priority": "auto"}, follow=True).content.decode()
    ticket.refresh_from_db()
    assert (ticket.priority, ticket.priority_overridden) == (computed, False)
    assert ticket.priority_factors["points"] == factors["points"]
    assert f"Priority computed again: {Priority(computed).label}." in page
    last = Event.objects.filter(kind="ticket.priority_changed").latest("pk")
    assert (last.data["before"], last.data["after"], last.data["automatic"]) == (Priority.URGENT, computed, True)


def test_the_due_times_follow_the_recomputed_priority(cast, ticket):
    due = ticket.first_response_due_at
    workflow.change_priority(ticket=ticket, user=cast.supervisor, priority=Priority.URGENT)
    assert Ticket.objects.get(pk=ticket.pk).first_response_due_at < due
    workflow.restore_automatic_priority(ticket=ticket, user=cast.supervisor)
    assert Ticket.objects.get(pk=ticket.pk).first_response_due_at == due


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", ["changed the priority from Normal to Urgent", "set the priority back to automatic: Urgent → Normal"]),
        (
            "id",
            [
                "mengubah prioritas dari Normal menjadi Mendesak",
                "mengembalikan prioritas ke otomatis: Mendesak → Normal",
            ],
        ),
    ],
)
def test_the_timeline_says_from_and_to(cast, ticket, browser, language, words):
    workflow.change_priority(ticket=ticket, user=cast.supervisor, priority=Priority.URGENT)
    workflow.restore_automatic_priority(ticket=ticket, user=cast.supervisor)
    page = browser(cast.supervisor).get(f"/tickets/{ticket.pk}/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    for w in words:
        assert w in page


def test_the_form_offers_automatic_only_to_who_may_set_priority(cast, ticket, browser):
    assert 'value="auto"' in browser(cast.supervisor).get(f"/tickets/{ticket.pk}/").content.decode()
    before = db_state()
    assert browser(cast.operator).post(f"/tickets/{ticket.pk}/priority/", {"priority": "auto"}).status_code == 403
    assert browser(cast.manager).post(f"/tickets/{ticket.pk}/priority/", {"priority": "auto"}).status_code == 403
    assert browser(cast.operator_b).post(f"/tickets/{ticket.pk}/priority/", {"priority": "auto"}).status_code == 404
    assert db_state() == before
