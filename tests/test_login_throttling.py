import pytest
from django.urls import reverse

from tests.factories import PASSWORD


@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3


def test_it_locks_a_username_after_repeated_failures(client, cast, axes_on):
    url = reverse("login")
    for _ in range(2):
        response = client.post(url, {"username": "op_a", "password": "wrong"})
        assert response.status_code == 200
        assert b"Please enter a correct username and password" in response.content
    response = client.post(url, {"username": "op_a", "password": "wrong"})
    assert response.status_code == 429
    assert b"Too many failed logins" in response.content
    # Even the right password is refused while locked, and no session is opened.
    response = client.post(url, {"username": "op_a", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_good_login_still_works_below_the_limit(client, cast, axes_on):
    client.post(reverse("login"), {"username": "op_a", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "op_a", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")  # the queue for an operator
    assert client.session["_auth_user_id"] == str(cast.operator.pk)
