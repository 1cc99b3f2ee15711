"""API keys people manage on their profile page: made there, shown once, stored hashed; scoped to some of the
person's brands and to reading or to reading and writing, never more than the person's role now; revoked at once;
last use shown; every creation and revocation in the brands' audit trail."""

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from brands.models import ApiKey, ConfigChange, Membership, Role
from brands.services import api_keys
from tests.factories import make_member, make_ticket
from tests.helpers import KeyedAPIClient, api_with_token, db_state
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def with_key(token: str) -> KeyedAPIClient:
    return api_with_token(token)


def make_key(user, scope="write", brands=("acme",), name="CRM") -> str:
    return api_keys.create_key(user=user, name=name, scope=scope, brand_slugs=list(brands)).token


def test_a_key_is_made_on_the_profile_page_shown_once_and_stored_hashed(cast):
    client = browser(cast.supervisor)
    assert client.get("/profile/").status_code == 200
    response = client.post("/profile/", {"name": "CRM", "scope": "read", "brands": ["acme"]})
    assert response.status_code == 200
    token = response.context["created"].token
    assert token.startswith("smrc_")
    assert len(token) > 50
    assert token in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    key = ApiKey.objects.get()
    assert (key.name, key.scope, [b.slug for b in key.brands.all()]) == ("CRM", "read", ["acme"])
    assert token not in str(list(ApiKey.objects.values()))
    assert key.digest == api_keys.digest(token)
    again = client.get("/profile/").content.decode()
    assert token not in again
    assert f"smrc_{key.prefix}_…" in again
    change = ConfigChange.objects.get(area="api_keys")
    assert (change.brand, change.kind, change.actor) == (cast.brand_a, "api_key.created", cast.supervisor)
    assert token not in str(change.after)


def test_a_key_reaches_only_the_persons_own_brands(cast):
    before = db_state()
    response = browser(cast.operator).post("/profile/", {"name": "x", "scope": "write", "brands": ["globex"]})
    assert response.status_code == 400
    assert "brands" in response.context["form"].errors
    assert db_state() == before
    with pytest.raises(api_keys.KeyRefused):
        api_keys.create_key(user=cast.operator, name="x", scope="write", brand_slugs=["acme", "globex"])


def test_a_read_only_key_reads_and_may_not_write(cast):
    ticket = make_ticket(cast.brand_a)
    client = with_key(make_key(cast.supervisor, scope="read"))
    assert len(client.get("/api/v1/tickets/").json()["results"]) == 1
    assert client.get(f"/api/v1/tickets/{ticket.pk}/").status_code == 200
    before = db_state()
    assert client.post(f"/api/v1/tickets/{ticket.pk}/claim/").status_code == 403
    assert client.post(f"/api/v1/tickets/{ticket.pk}/notes/", {"body": "x"}, format="json").status_code == 403
    assert db_state() == before


def test_a_key_for_one_brand_does_not_see_the_others_and_follows_the_role_as_it_is_now(cast):
    make_member(cast.supervisor, cast.brand_b, Role.SUPERVISOR)
    ticket_a, ticket_b = make_ticket(cast.brand_a, platform_id="a"), make_ticket(cast.brand_b, platform_id="b")
    client = with_key(make_key(cast.supervisor, brands=("acme",)))
    assert [t["id"] for t in client.get("/api/v1/tickets/").json()["results"]] == [ticket_a.pk]
    assert client.get(f"/api/v1/tickets/{ticket_b.pk}/").status_code == 404
    assert client.post(f"/api/v1/tickets/{ticket_b.pk}/claim/").status_code == 404
    Membership.objects.filter(user=cast.supervisor, brand=cast.brand_a).update(role=Role.MANAGER)
    before = db_state()
    assert client.post(f"/api/v1/tickets/{ticket_a.pk}/claim/").status_code == 403
    assert db_state() == before
    Membership.objects.filter(user=cast.supervisor, brand=cast.brand_a).delete()
    assert client.get(f"/api/v1/tickets/{ticket_a.pk}/").status_code == 404


def test_an_admins_key_is_limited_to_its_brands(cast):
    ticket_b = make_ticket(cast.brand_b)
    client = with_key(make_key(cast.admin, brands=("acme",)))
    assert client.get(f"/api/v1/tickets/{ticket_b.pk}/").status_code == 404
    assert client.get("/api/v1/tickets/").json()["results"] == []


def test_a_key_writes_through_the_same_services_and_notes_its_last_use(cast):
    ticket = make_ticket(cast.brand_a)
    token = make_key(cast.operator)
    key = ApiKey.objects.get()
    assert key.last_used_at is None
    response = with_key(token).post(f"/api/v1/tickets/{ticket.pk}/claim/")
    assert response.status_code == 200
    assert Ticket.objects.get(pk=ticket.pk).assignee == cast.operator
    key.refresh_from_db()
    assert key.last_used_at is not None
    shown = timezone.localtime(key.last_used_at).strftime("%Y-%m-%d")  # the profile shows the site's time zone
    assert browser(cast.operator).get("/profile/").content.decode().count(shown) >= 2


def test_a_revoked_or_wrong_key_is_a_401_and_only_the_owner_revokes(cast):
    make_ticket(cast.brand_a)
    token = make_key(cast.operator)
    key = ApiKey.objects.get()
    before = db_state()
    assert browser(cast.supervisor).post(f"/profile/keys/{key.pk}/revoke/").status_code == 404
    assert browser(cast.operator_b).post(f"/profile/keys/{key.pk}/revoke/").status_code == 404
    assert db_state() == before
    assert with_key(token).get("/api/v1/tickets/").status_code == 200
    assert with_key(token[:-2] + "xx").get("/api/v1/tickets/").status_code == 401
    assert with_key("smrc_nope").get("/api/v1/tickets/").status_code == 401
    response = browser(cast.operator).post(f"/profile/keys/{key.pk}/revoke/")
    assert response.status_code == 302
    assert with_key(token).get("/api/v1/tickets/").status_code == 401
    assert ConfigChange.objects.filter(kind="api_key.revoked", brand=cast.brand_a).count() == 1
    cast.operator.is_active = False
    cast.operator.save()


def test_an_inactive_persons_key_is_refused(cast):
    token = make_key(cast.operator)
    cast.operator.is_active = False
    cast.operator.save()
    response = APIClient().get("/api/v1/tickets/", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


def test_the_profile_page_needs_a_session_and_shows_the_history_to_the_brands_people(cast):
    assert Client().get("/profile/").status_code == 302
    make_key(cast.operator, scope="read")
    history = browser(cast.manager).get("/settings/acme/history/").content.decode()
    assert "API key" in history
    assert "CRM" in history
