import pytest
from django.test import Client


@pytest.fixture
def browser():
    """``browser(user)``: a test client logged in as ``user`` (``None``: anonymous)."""

    def client_for(user) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return client_for
