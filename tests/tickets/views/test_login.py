"""Login and logout."""

from django.test import Client

from tests.factories import PASSWORD


def test_the_login_page(cast):
    response = Client().get("/login/")
    assert response.status_code == 200
    assert 'name="username"' in response.content.decode()


def test_logging_in_lands_on_the_queue(cast):
    client = Client()
    response = client.post("/login/", {"username": "op_a", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"  # home: the queue for operators, the reports for managers
    assert client.get("/")["Location"] == "/queue/"
    assert client.get("/queue/").status_code == 200


def test_logging_in_honours_next(cast):
    response = Client().post("/login/", {"username": "op_a", "password": PASSWORD, "next": "/tickets/1/"})
    assert response["Location"] == "/tickets/1/"


def test_a_wrong_password_shows_the_error_in_place(cast):
    client = Client()
    response = client.post("/login/", {"username": "op_a", "password": "wrong"})
    assert response.status_code == 200
    assert "Please enter a correct username and password." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_anonymous_visitors_are_sent_to_login(cast):
    for path in ("/", "/queue/", "/tickets/1/"):
        response = Client().get(path, follow=True)
        assert response.redirect_chain[-1][0].startswith("/login/?next=")


def test_logout_ends_the_session(cast):
    client = Client()
    client.force_login(cast.operator)
    response = client.post("/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert "_auth_user_id" not in client.session
    assert client.get("/queue/").status_code == 302


def test_logout_needs_a_post(cast):
    client = Client()
    client.force_login(cast.operator)
    assert client.get("/logout/").status_code == 405
    assert client.session["_auth_user_id"] == str(cast.operator.pk)
