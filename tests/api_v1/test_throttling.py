"""Throttling: per API key and per person, rates from the settings; over the rate a 429 with Retry-After, and the
refused call does nothing."""

import pytest

from brands.services import api_keys
from tests.factories import make_ticket
from tests.helpers import KeyedAPIClient, api_with_token, db_state

pytestmark = pytest.mark.django_db


def with_key(token: str) -> KeyedAPIClient:
    return api_with_token(token)


def key(user, name="k") -> str:
    return api_keys.create_key(user=user, name=name, scope="write", brand_slugs=["acme"]).token


def test_each_key_has_its_own_rate_and_a_429_says_when_to_come_back(cast, settings):
    settings.SMRC_API_RATE_PER_KEY = "3/minute"
    settings.SMRC_API_RATE_PER_USER = "100/minute"
    ticket = make_ticket(cast.brand_a)
    first, second = with_key(key(cast.operator, "a")), with_key(key(cast.operator, "b"))
    assert [first.get("/api/v1/tickets/").status_code for _ in range(3)] == [200, 200, 200]
    before = db_state()
    refused = first.post(f"/api/v1/tickets/{ticket.pk}/notes/", {"body": "x"}, format="json")
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert "throttled" in refused.json()["detail"]
    assert db_state() == before
    assert second.get("/api/v1/tickets/").status_code == 200


def test_a_person_has_one_rate_across_keys_and_the_session(cast, settings):
    settings.SMRC_API_RATE_PER_KEY = "100/minute"
    settings.SMRC_API_RATE_PER_USER = "4/minute"
    first, second = with_key(key(cast.operator, "a")), with_key(key(cast.operator, "b"))
    session = KeyedAPIClient()
    session.force_login(cast.operator)
    assert [c.get("/api/v1/tickets/").status_code for c in (first, second, session, first)] == [200] * 4
    for client in (first, second, session):
        response = client.get("/api/v1/tickets/")
        assert response.status_code == 429
        assert int(response["Retry-After"]) >= 1
    other = with_key(key(cast.supervisor))
    assert other.get("/api/v1/tickets/").status_code == 200


def test_the_rates_come_from_the_environment():
    from django.conf import settings

    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] == [
        "smrc.throttling.KeyRateThrottle",
        "smrc.throttling.UserRateThrottle",
    ]
    assert settings.SMRC_API_RATE_PER_KEY.endswith(("second", "minute", "hour", "day"))
