import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.helpers import KeyedAPIClient


@pytest.fixture
def api():
    """``api(user)``: a DRF client authenticated with the user's token (each POST with a fresh Idempotency-Key);
    ``api(None)`` sends no credentials."""

    def client_for(user) -> APIClient:
        client = KeyedAPIClient()
        if user is not None:
            token, _ = Token.objects.get_or_create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return client_for
