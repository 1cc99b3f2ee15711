"""The ticket's priority and tags, a reply's status and its retry through the API: the same services as the
ticket page, scoped as it is (another brand 404, a role without the capability 403, nothing changed)."""

import pytest

from brands.models import Priority
from tests.factories import make_ticket
from tests.helpers import KeyedAPIClient, api_as, db_state
from tickets.models import Event, Reply, ReplyStatus, Ticket
from tickets.services import replies, workflow

pytestmark = pytest.mark.django_db


def client_for(user) -> KeyedAPIClient:
    return api_as(user)


def test_a_supervisor_sets_the_priority_and_an_operator_may_not(cast):
    ticket = make_ticket(cast.brand_a)
    before = db_state()
    assert (
        client_for(cast.operator).post(f"/api/v1/tickets/{ticket.pk}/priority/", {"priority": "urgent"}).status_code
        == 403
    )
    assert (
        client_for(cast.operator_b).post(f"/api/v1/tickets/{ticket.pk}/priority/", {"priority": "urgent"}).status_code
        == 404
    )
    assert db_state() == before
    response = client_for(cast.supervisor).post(
        f"/api/v1/tickets/{ticket.pk}/priority/", {"priority": "urgent"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["priority"] == "urgent"
    assert Ticket.objects.get(pk=ticket.pk).priority == Priority.URGENT
    bad = client_for(cast.supervisor).post(
        f"/api/v1/tickets/{ticket.pk}/priority/", {"priority": "asap"}, format="json"
    )
    assert bad.status_code == 400
    assert "priority" in bad.json()


def test_tags_are_replaced_as_on_the_ticket_page(cast):
    ticket = make_ticket(cast.brand_a)
    operator = client_for(cast.operator)
    response = operator.post(f"/api/v1/tickets/{ticket.pk}/tags/", {"tags": ["vip", "Tagihan"]}, format="json")
    assert response.status_code == 200
    assert response.json()["tags"] == ["tagihan", "vip"]
    assert Event.objects.filter(ticket=ticket, kind="ticket.tags_changed").count() == 1
    before = db_state()
    refused = operator.post(f"/api/v1/tickets/{ticket.pk}/tags/", {"tags": ["a" * 10, "?!"]}, format="json")
    assert refused.status_code == 400
    assert "tags" in refused.json()
    assert (
        client_for(cast.manager).post(f"/api/v1/tickets/{ticket.pk}/tags/", {"tags": []}, format="json").status_code
        == 403
    )
    assert (
        client_for(cast.operator_b).post(f"/api/v1/tickets/{ticket.pk}/tags/", {"tags": []}, format="json").status_code
        == 404
    )
    assert db_state() == before
    assert operator.post(f"/api/v1/tickets/{ticket.pk}/tags/", {"tags": []}, format="json").json()["tags"] == []


def test_a_reply_shows_its_status_and_a_failed_one_is_retried_once(cast):
    ticket = workflow.claim_ticket(ticket=make_ticket(cast.brand_a), user=cast.operator)
    reply = replies.submit_reply(ticket=ticket, user=cast.operator, body="Halo Kak")
    Reply.objects.filter(pk=reply.pk).update(status=ReplyStatus.FAILED, failure_reason="platform down")
    shown = client_for(cast.manager).get(f"/api/v1/replies/{reply.pk}/")
    assert shown.status_code == 200
    assert (shown.json()["status"], shown.json()["failure_reason"], shown.json()["ticket"]) == (
        "failed",
        "platform down",
        ticket.pk,
    )
    assert client_for(cast.operator_b).get(f"/api/v1/replies/{reply.pk}/").status_code == 404
    before = db_state()
    assert client_for(cast.manager).post(f"/api/v1/replies/{reply.pk}/retry/").status_code == 403
    assert client_for(cast.operator_b).post(f"/api/v1/replies/{reply.pk}/retry/").status_code == 404
    assert db_state() == before
    operator = client_for(cast.operator)
    key = "0b6f4d9e-3c1a-4f7e-9a58-2d7c1e5b8f40"
    first = operator.post(f"/api/v1/replies/{reply.pk}/retry/", HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == 200
    assert first.json()["status"] != "failed"
    again = operator.post(f"/api/v1/replies/{reply.pk}/retry/", HTTP_IDEMPOTENCY_KEY=key)
    assert again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert operator.post(f"/api/v1/replies/{reply.pk}/retry/").status_code == 409


def test_channel_accounts_are_read_with_their_status_and_never_a_secret(cast):
    from tests.factories import make_channel

    make_channel(cast.brand_a, platform="x", external_id="4242", name="Acme X", access_token="tok-secret")
    make_channel(cast.brand_b, platform="x", external_id="5252", name="Globex X")
    response = client_for(cast.supervisor).get("/api/v1/channel-accounts/")
    assert response.status_code == 200
    (row,) = response.json()
    assert (row["brand"], row["name"], row["has_access_token"], row["pending_deliveries"]) == (
        "acme",
        "Acme X",
        True,
        0,
    )
    assert "tok-secret" not in response.content.decode()
    assert client_for(cast.manager).get("/api/v1/channel-accounts/").status_code == 403
    assert client_for(cast.operator_b).get("/api/v1/channel-accounts/").status_code == 403
    assert len(client_for(cast.admin).get("/api/v1/channel-accounts/").json()) == 2
