"""The ticket page's POST actions: claim, release, resolve, reopen, reply and note; errors in place; CSRF."""

import pytest
from django.test import Client

from tests.factories import make_ticket
from tests.helpers import db_state, keyed
from tickets.models import DeliveryAttempt, Note, Reply, ReplyStatus, TicketStatus
from tickets.services import workflow

ACTIONS = ["claim", "release", "resolve", "reopen", "reply", "note"]


def url(ticket, action: str) -> str:
    return f"/tickets/{ticket.pk}/{action}/"


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def ticket(cast):
    return make_ticket(cast.brand_a, platform_id="tw-1", text="Paket saya belum sampai")


def test_claim(cast, browser, ticket):
    response = browser(cast.operator).post(url(ticket, "claim"), keyed(), follow=True)
    assert response.redirect_chain == [(f"/tickets/{ticket.pk}/", 302)]
    assert messages_of(response) == ["You own this ticket now."]
    ticket.refresh_from_db()
    assert (ticket.status, ticket.assignee) == (TicketStatus.OPEN, cast.operator)


def test_a_lost_claim_says_who_won_and_changes_nothing(cast, browser, ticket):
    workflow.claim_ticket(ticket=ticket, user=cast.operator)
    before = db_state()
    response = browser(cast.supervisor).post(url(ticket, "claim"), keyed(), follow=True)
    assert response.status_code == 200
    assert messages_of(response) == ["op_a claimed this ticket first."]
    assert "op_a claimed this ticket first." in response.content.decode()
    assert db_state() == before


def test_release(cast, browser, ticket):
    workflow.claim_ticket(ticket=ticket, user=cast.operator)
    response = browser(cast.operator).post(url(ticket, "release"), follow=True)
    assert messages_of(response) == ["The ticket is back in the queue."]
    ticket.refresh_from_db()
    assert (ticket.status, ticket.assignee) == (TicketStatus.NEW, None)


def test_resolve_and_reopen(cast, browser, ticket):
    client = browser(cast.operator)
    assert messages_of(client.post(url(ticket, "resolve"), follow=True)) == ["Ticket resolved."]
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.RESOLVED
    assert messages_of(client.post(url(ticket, "reopen"), follow=True)) == ["Ticket reopened."]
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.NEW


def test_a_refused_transition_shows_why_and_changes_nothing(cast, browser, ticket):
    before = db_state()
    response = browser(cast.operator).post(url(ticket, "reopen"), follow=True)
    assert messages_of(response) == ["Only a resolved or closed ticket can be reopened."]
    assert db_state() == before


def test_send_a_reply(cast, browser, ticket, django_capture_on_commit_callbacks):
    workflow.claim_ticket(ticket=ticket, user=cast.operator)
    with django_capture_on_commit_callbacks(execute=True):
        response = browser(cast.operator).post(url(ticket, "reply"), keyed({"body": "Mohon DM nomor resi ya"}))
    assert response.status_code == 302
    assert response["Location"] == f"/tickets/{ticket.pk}/"
    reply = Reply.objects.get()
    assert (reply.body, reply.author, reply.status) == ("Mohon DM nomor resi ya", cast.operator, ReplyStatus.SENT)
    assert DeliveryAttempt.objects.get().reply == reply
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.PENDING
    assert ticket.first_response_at == reply.sent_at


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("", "This field is required."),
        ("   ", "This field is required."),
        ("x" * 8001, "Ensure this value has at most 8000 characters (it has 8001)."),
    ],
)
def test_a_bad_reply_shows_the_error_in_place_and_sends_nothing(
    cast, browser, ticket, body, error, django_capture_on_commit_callbacks
):
    workflow.claim_ticket(ticket=ticket, user=cast.operator)
    before = db_state()
    with django_capture_on_commit_callbacks() as callbacks:
        response = browser(cast.operator).post(url(ticket, "reply"), keyed({"body": body}))
    assert response.status_code == 400
    assert response.context["reply_form"].errors == {"body": [error]}
    assert error in response.content.decode()
    assert db_state() == before
    assert callbacks == []


def test_a_reply_the_service_refuses_shows_why_in_place(cast, browser, ticket, django_capture_on_commit_callbacks):
    workflow.claim_ticket(ticket=ticket, user=cast.operator)
    with django_capture_on_commit_callbacks(execute=False):
        browser(cast.operator).post(url(ticket, "reply"), keyed({"body": "Satu"}))
    before = db_state()
    with django_capture_on_commit_callbacks() as callbacks:
        response = browser(cast.operator).post(url(ticket, "reply"), keyed({"body": "Dua"}))
    assert response.status_code == 400
    assert response.context["reply_form"].errors == {"body": ["Another reply on this ticket is still being sent."]}
    assert db_state() == before
    assert callbacks == []


def test_a_reply_on_a_resolved_ticket_is_refused_in_place(cast, browser, ticket):
    workflow.claim_ticket(ticket=ticket, user=cast.operator)
    workflow.resolve_ticket(ticket=ticket, user=cast.operator)
    before = db_state()
    response = browser(cast.operator).post(url(ticket, "reply"), keyed({"body": "Halo"}))
    assert response.status_code == 400
    assert response.context["reply_form"].errors == {"body": ["A Resolved ticket cannot be answered; reopen it first."]}
    assert db_state() == before


def test_add_a_note(cast, browser, ticket):
    response = browser(cast.operator).post(url(ticket, "note"), keyed({"body": "Pelanggan VIP"}), follow=True)
    assert messages_of(response) == ["Note added."]
    note = Note.objects.get()
    assert (note.body, note.author, note.ticket) == ("Pelanggan VIP", cast.operator, ticket)
    assert "Pelanggan VIP" in response.content.decode()


def test_an_empty_note_shows_the_error_in_place(cast, browser, ticket):
    before = db_state()
    response = browser(cast.operator).post(url(ticket, "note"), keyed({"body": "  "}))
    assert response.status_code == 400
    assert response.context["note_form"].errors == {"body": ["This field is required."]}
    assert "This field is required." in response.content.decode()
    assert db_state() == before


@pytest.mark.parametrize("action", ACTIONS)
def test_the_manager_is_403_and_nothing_changes(cast, browser, ticket, action, django_capture_on_commit_callbacks):
    before = db_state()
    with django_capture_on_commit_callbacks() as callbacks:
        response = browser(cast.manager).post(url(ticket, action), keyed({"body": "Halo"}))
    assert response.status_code == 403
    assert db_state() == before
    assert callbacks == []


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("who", ["outsider", "operator_b"])
def test_outside_the_brand_is_404_and_nothing_changes(cast, browser, ticket, action, who):
    before = db_state()
    response = browser(getattr(cast, who)).post(url(ticket, action), keyed({"body": "Halo"}))
    assert response.status_code == 404
    assert db_state() == before


@pytest.mark.parametrize("action", ACTIONS)
def test_anonymous_is_sent_to_login_and_nothing_changes(cast, browser, ticket, action):
    before = db_state()
    response = browser(None).post(url(ticket, action), keyed({"body": "Halo"}))
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next=/tickets/{ticket.pk}/{action}/"
    assert db_state() == before


@pytest.mark.parametrize("action", ACTIONS)
def test_actions_are_post_only(cast, browser, ticket, action):
    before = db_state()
    assert browser(cast.operator).get(url(ticket, action)).status_code == 405
    assert db_state() == before


def test_csrf_is_enforced(cast, ticket):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.operator)
    before = db_state()

    refused = client.post(url(ticket, "claim"), keyed())

    assert refused.status_code == 403
    assert db_state() == before

    client.get(f"/tickets/{ticket.pk}/")  # sets the CSRF cookie, as a browser would
    token = client.cookies["csrftoken"].value
    accepted = client.post(url(ticket, "claim"), keyed({"csrfmiddlewaretoken": token}))
    assert accepted.status_code == 302
    ticket.refresh_from_db()
    assert ticket.assignee == cast.operator


def test_csrf_is_enforced_on_replies_too(cast, ticket, django_capture_on_commit_callbacks):
    workflow.claim_ticket(ticket=ticket, user=cast.operator)
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.operator)
    before = db_state()
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(url(ticket, "reply"), keyed({"body": "Halo"}))
    assert response.status_code == 403
    assert db_state() == before
    assert callbacks == []
