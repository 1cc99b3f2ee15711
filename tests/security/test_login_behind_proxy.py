"""Login throttling (django-axes) counts failures per username *and client*, so behind a reverse proxy it must
read the client's address where the proxy passes it (``SMRC_CLIENT_IP_HEADER``, as the webhook rate limits do):
with ``REMOTE_ADDR`` only, every request comes from the proxy, and a stranger's five wrong passwords lock the
username out for everyone (the operator cannot sign in for 15 minutes). Without the setting, the header is
ignored: a stranger cannot pick a new address for each guess.
"""

import pytest
from axes.models import AccessAttempt

from tests.factories import PASSWORD

PROXY = "10.0.0.1"
STRANGER, OPERATOR = "203.0.113.5", "198.51.100.7"


@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3


def login(client, password: str, *, client_address: str, remote: str = PROXY):
    return client.post(
        "/login/",
        {"username": "op_a", "password": password},
        REMOTE_ADDR=remote,
        HTTP_X_REAL_IP=client_address,
    )


def test_behind_a_proxy_a_strangers_failures_lock_only_the_stranger(client, cast, axes_on, settings):
    settings.SMRC_CLIENT_IP_HEADER = "X-Real-IP"
    for _ in range(3):
        login(client, "wrong", client_address=STRANGER)
    assert login(client, PASSWORD, client_address=STRANGER).status_code == 429
    response = login(client.__class__(), PASSWORD, client_address=OPERATOR)
    assert response.status_code == 302
    assert list(AccessAttempt.objects.values_list("ip_address", "failures_since_start")) == [(STRANGER, 4)]


def test_without_the_setting_the_header_is_ignored_and_the_stranger_cannot_rotate(client, cast, axes_on, settings):
    settings.SMRC_CLIENT_IP_HEADER = ""
    for n in range(3):
        login(client, "wrong", client_address=f"203.0.113.{n}", remote=STRANGER)
    assert login(client, PASSWORD, client_address="203.0.113.99", remote=STRANGER).status_code == 429
    assert list(AccessAttempt.objects.values_list("ip_address", "failures_since_start")) == [(STRANGER, 4)]
