"""One channel account and its delivery status through the API, as the channel accounts page shows them: for
the brand's supervisors (``brand:configure``) and admins; another brand's account 404, a manager or an operator of
the brand 403; secrets never answered, only whether each is set."""

from datetime import UTC, datetime

import pytest

from brands.services import api_keys
from tests.factories import make_channel
from tests.helpers import KeyedAPIClient, api_as, db_state
from tickets.models import InboundDelivery

pytestmark = pytest.mark.django_db

WHEN = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


def client_for(user) -> KeyedAPIClient:
    return api_as(user)


@pytest.fixture
def account(cast):
    channel = make_channel(
        cast.brand_a, platform="x", external_id="4242", name="Acme X", access_token="tok-secret", webhook_secret=""
    )
    for state, error in [("pending", ""), ("failed", "HTTP 502"), ("processed", "")]:
        InboundDelivery.objects.create(
            platform="x", channel_account=channel, body="{}", state=state, received_at=WHEN, error=error
        )
    return channel


def test_the_account_and_its_status_are_read_without_a_secret(cast, account):
    response = client_for(cast.supervisor).get(f"/api/v1/channel-accounts/{account.pk}/")
    assert response.status_code == 200
    row = response.json()
    assert (row["id"], row["brand"], row["name"], row["external_id"]) == (account.pk, "acme", "Acme X", "4242")
    assert (row["has_access_token"], row["has_webhook_secret"]) == (True, False)
    assert (row["pending_deliveries"], row["failed_deliveries"], row["last_error"]) == (1, 1, "HTTP 502")
    assert "tok-secret" not in response.content.decode()
    status = client_for(cast.admin).get(f"/api/v1/channel-accounts/{account.pk}/status/").json()
    assert status == {
        "id": account.pk,
        "status": account.status,
        "status_detail": account.status_detail,
        "last_polled_at": None,
        "last_delivery_at": None,
        "pending_deliveries": 1,
        "failed_deliveries": 1,
        "last_error": "HTTP 502",
        "last_error_at": "2026-11-30T15:00:00+07:00",
    }


def test_scoped_as_the_page(cast, account):
    other = make_channel(cast.brand_b, platform="x", external_id="5252", name="Globex X")
    reader = KeyedAPIClient()
    token = api_keys.create_key(user=cast.supervisor, name="mon", scope="read", brand_slugs=["acme"]).token
    reader.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    before = db_state()
    for suffix in ("", "status/"):
        for client, pk, want in [
            (client_for(cast.operator_b), account.pk, 404),
            (client_for(cast.outsider), account.pk, 404),
            (client_for(cast.supervisor), other.pk, 404),
            (client_for(cast.supervisor), 999999, 404),
            (client_for(cast.manager), account.pk, 403),
            (client_for(cast.operator), account.pk, 403),
            (reader, account.pk, 403),
        ]:
            response = client.get(f"/api/v1/channel-accounts/{pk}/{suffix}")
            assert response.status_code == want, (suffix, pk, want)
            assert "Acme X" not in response.content.decode()
        assert client_for(cast.supervisor).post(f"/api/v1/channel-accounts/{account.pk}/{suffix}").status_code == 405
    assert db_state() == before
