"""Edge 4 of issue 15: a ticket whose reply is not published yet (in review, waiting for changes, on its way) is
not resolved: the reply would stay in the review queue for a closed case. The operator is told why."""

import pytest

from brands.models import ReviewPolicy
from tests.factories import make_ticket
from tests.helpers import db_state
from tickets.models import ReplyStatus, Ticket, TicketStatus
from tickets.services import replies, workflow


@pytest.fixture
def waiting(cast):
    ReviewPolicy.objects.create(brand=cast.brand_a, review_all=True)
    ticket = workflow.claim_ticket(ticket=make_ticket(cast.brand_a, text="Paket saya belum sampai"), user=cast.operator)
    reply = replies.submit_reply(ticket=ticket, user=cast.operator, body="Baik Kak, kami cek ya.")
    assert reply.status == ReplyStatus.IN_REVIEW
    return ticket


def test_the_service_refuses(cast, waiting):
    with pytest.raises(workflow.WorkflowError, match="not published yet"):
        workflow.resolve_ticket(ticket=waiting, user=cast.operator)
    assert Ticket.objects.get(pk=waiting.pk).status == TicketStatus.OPEN


def test_the_button_says_why_and_changes_nothing(cast, waiting, browser):
    before = db_state()
    response = browser(cast.operator).post(f"/tickets/{waiting.pk}/resolve/", follow=True)
    assert db_state() == before
    page = response.content.decode()
    assert "not published yet" in page
    assert Ticket.objects.get(pk=waiting.pk).status == TicketStatus.OPEN


def test_the_api_refuses(cast, waiting):
    from rest_framework.authtoken.models import Token

    from tests.helpers import KeyedAPIClient

    client = KeyedAPIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=cast.operator).key}")
    response = client.post(f"/api/v1/tickets/{waiting.pk}/resolve/")
    assert response.status_code in (400, 409)
    assert Ticket.objects.get(pk=waiting.pk).status == TicketStatus.OPEN


def test_once_published_it_resolves(cast, waiting, django_capture_on_commit_callbacks):
    reply = waiting.replies.get()
    with django_capture_on_commit_callbacks(execute=True):
        replies.approve_reply(reply=reply, user=cast.supervisor)
    assert Ticket.objects.get(pk=waiting.pk).status == TicketStatus.PENDING
    workflow.resolve_ticket(ticket=waiting, user=cast.operator)
    assert Ticket.objects.get(pk=waiting.pk).status == TicketStatus.RESOLVED
