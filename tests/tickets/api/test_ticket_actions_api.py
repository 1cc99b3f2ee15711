"""POST /api/v1/tickets/<id>/<action>/: claim, release, resolve, reopen, replies, notes; 404/403/409/400."""

import pytest

from tests.factories import make_ticket
from tests.helpers import db_state
from tickets.models import DeliveryAttempt, Note, Reply, TicketStatus
from tickets.services import workflow

ACTIONS = ["claim", "release", "resolve", "reopen", "replies", "notes"]


def url(ticket, action: str) -> str:
    return f"/api/v1/tickets/{ticket.pk}/{action}/"


@pytest.fixture
def ticket(cast):
    return make_ticket(cast.brand_a, platform_id="tw-1", text="Paket belum sampai")


def test_claim_answers_the_ticket_now_owned(cast, api, ticket):
    response = api(cast.operator).post(url(ticket, "claim"))
    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["status"], body["assignee"]) == (ticket.pk, "open", "op_a")
    ticket.refresh_from_db()
    assert (ticket.status, ticket.assignee) == (TicketStatus.OPEN, cast.operator)


def test_a_second_claim_is_409_naming_the_winner_and_changes_nothing(cast, api, ticket):
    api(cast.operator).post(url(ticket, "claim"))
    before = db_state()
    response = api(cast.supervisor).post(url(ticket, "claim"))
    assert response.status_code == 409
    assert response.json() == {"detail": "op_a claimed this ticket first."}
    assert db_state() == before


def test_release_resolve_and_reopen(cast, api, ticket):
    client = api(cast.operator)
    client.post(url(ticket, "claim"))
    assert client.post(url(ticket, "release")).json()["status"] == "new"
    assert client.post(url(ticket, "resolve")).json()["status"] == "resolved"
    response = client.post(url(ticket, "reopen"))
    assert (response.status_code, response.json()["status"], response.json()["assignee"]) == (200, "new", None)


def test_a_refused_transition_is_409(cast, api, ticket):
    before = db_state()
    response = api(cast.operator).post(url(ticket, "reopen"))
    assert response.status_code == 409
    assert response.json() == {"detail": "Only a resolved or closed ticket can be reopened."}
    assert db_state() == before


def test_a_reply_is_created_approved_and_then_sent(cast, api, ticket, django_capture_on_commit_callbacks):
    client = api(cast.operator)
    client.post(url(ticket, "claim"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(ticket, "replies"), {"body": "  Mohon DM nomor resi  "}, format="json")
    assert response.status_code == 201
    reply = Reply.objects.get()
    body = response.json()
    assert (body["id"], body["author"], body["body"], body["status"]) == (
        reply.pk,
        "op_a",
        "Mohon DM nomor resi",
        "approved",  # the answer is written before the delivery task runs on commit
    )
    assert reply.status == "sent"
    assert DeliveryAttempt.objects.filter(reply=reply, outcome="succeeded").count() == 1
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.PENDING


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        ({}, {"body": ["This field is required."]}),
        ({"body": "   "}, {"body": ["This field may not be blank."]}),
        ({"body": ["a"]}, {"body": ["Not a valid string."]}),
        ({"body": "x" * 20001}, {"body": ["Ensure this field has no more than 20000 characters."]}),
    ],
)
@pytest.mark.parametrize("action", ["replies", "notes"])
def test_a_bad_body_is_400_and_sends_nothing(
    cast, api, ticket, action, payload, errors, django_capture_on_commit_callbacks
):
    workflow.claim_ticket(ticket=ticket, user=cast.operator)
    before = db_state()
    with django_capture_on_commit_callbacks() as callbacks:
        response = api(cast.operator).post(url(ticket, action), payload, format="json")
    assert response.status_code == 400
    assert response.json() == errors
    assert db_state() == before
    assert callbacks == []


def test_a_reply_the_service_refuses_is_409_and_sends_nothing(cast, api, ticket, django_capture_on_commit_callbacks):
    workflow.claim_ticket(ticket=ticket, user=cast.operator)
    before = db_state()
    with django_capture_on_commit_callbacks() as callbacks:
        response = api(cast.operator).post(url(ticket, "replies"), {"body": "x" * 8001}, format="json")
    assert response.status_code == 409
    assert response.json() == {"detail": "A reply can be at most 8000 characters."}
    assert db_state() == before
    assert callbacks == []


def test_a_note(cast, api, ticket):
    response = api(cast.operator).post(url(ticket, "notes"), {"body": "cek resi"}, format="json")
    assert response.status_code == 201
    note = Note.objects.get()
    assert response.json() == {
        "id": note.pk,
        "author": "op_a",
        "body": "cek resi",
        "visibility": "team",
        "created_at": response.json()["created_at"],
    }


@pytest.mark.parametrize("action", ACTIONS)
def test_the_manager_is_403_and_nothing_changes(cast, api, ticket, action, django_capture_on_commit_callbacks):
    before = db_state()
    with django_capture_on_commit_callbacks() as callbacks:
        response = api(cast.manager).post(url(ticket, action), {"body": "hi"}, format="json")
    assert response.status_code == 403
    assert response.json() == {"detail": "You do not have permission to perform this action."}
    assert db_state() == before
    assert callbacks == []


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("who", ["outsider", "operator_b"])
def test_outside_the_brand_is_404_and_nothing_changes(cast, api, ticket, action, who):
    before = db_state()
    response = api(getattr(cast, who)).post(url(ticket, action), {"body": "hi"}, format="json")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    assert db_state() == before


@pytest.mark.parametrize("action", ACTIONS)
def test_unauthenticated_is_401(cast, api, ticket, action):
    before = db_state()
    assert api(None).post(url(ticket, action), {"body": "hi"}, format="json").status_code == 401
    assert db_state() == before


def test_an_unknown_action_is_404(cast, api, ticket):
    before = db_state()
    assert api(cast.supervisor).post(url(ticket, "delete")).status_code == 404
    assert db_state() == before


def test_actions_are_post_only(cast, api, ticket):
    assert api(cast.operator).get(url(ticket, "claim")).status_code == 405
