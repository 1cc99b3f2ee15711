"""Edge 17 and item 11 of issue 15: notes have a visibility. Team-only notes (the default, and every note written
before) are hidden from brand managers everywhere — the ticket page, the timeline, the API; notes meant for the
client are marked as such, and the author chooses in the composer."""

import importlib

import pytest
from rest_framework.authtoken.models import Token

from tests.factories import make_ticket
from tests.helpers import KeyedAPIClient, db_state, keyed
from tickets.models import Event, Note, NoteVisibility
from tickets.services import workflow

TEAM_TEXT = "TEAM-ONLY-7f3a: pelanggan ini kasar, jawab singkat"
CLIENT_TEXT = "FOR-CLIENT-91bc: mohon konfirmasi promo ke tim marketing"


@pytest.fixture
def ticket(cast):
    ticket = workflow.claim_ticket(ticket=make_ticket(cast.brand_a, text="Kuota saya hilang"), user=cast.operator)
    workflow.add_note(ticket=ticket, user=cast.operator, body=TEAM_TEXT)
    workflow.add_note(ticket=ticket, user=cast.operator, body=CLIENT_TEXT, visibility=NoteVisibility.CLIENT)
    return ticket


def api(user) -> KeyedAPIClient:
    client = KeyedAPIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def test_a_note_is_team_only_unless_the_author_says_otherwise(cast, ticket):
    assert list(Note.objects.order_by("pk").values_list("visibility", flat=True)) == ["team", "client"]


@pytest.mark.parametrize("language", ["en", "id"])
def test_the_manager_sees_only_the_note_for_the_client_on_the_page(cast, ticket, browser, language):
    page = browser(cast.manager).get(f"/tickets/{ticket.pk}/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert TEAM_TEXT not in page
    assert CLIENT_TEXT in page
    assert ("note for the client" if language == "en" else "catatan untuk klien") in page
    assert "only your team sees it" not in page
    # the timeline mentions one note, not two
    added = "added a note" if language == "en" else "menambahkan catatan"
    assert page.count(added) == 1


def test_the_team_sees_both_notes_each_marked(cast, ticket, browser):
    page = browser(cast.operator).get(f"/tickets/{ticket.pk}/").content.decode()
    assert TEAM_TEXT in page
    assert CLIENT_TEXT in page
    assert "team-only note" in page
    assert "note for the client" in page
    assert page.count("added a note") == 2


def test_the_api_hides_team_notes_from_the_manager(cast, ticket):
    shown = api(cast.manager).get(f"/api/v1/tickets/{ticket.pk}/").json()["notes"]
    assert [(n["body"], n["visibility"]) for n in shown] == [(CLIENT_TEXT, "client")]
    team = api(cast.supervisor).get(f"/api/v1/tickets/{ticket.pk}/").json()["notes"]
    assert [n["visibility"] for n in team] == ["team", "client"]


def test_no_export_or_notification_carries_a_team_note(cast, ticket, browser, mailoutbox):
    client = browser(cast.manager)
    for fmt in ("csv", "xlsx"):
        body = client.get(f"/reports/{cast.brand_a.slug}/export/?format={fmt}&data=rows").content
        assert TEAM_TEXT.encode() not in body
    assert all(TEAM_TEXT not in m.body for m in mailoutbox)


def test_the_composer_lets_the_author_choose(cast, ticket, browser):
    client = browser(cast.operator)
    page = client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert 'name="visibility" value="team" checked' in page
    assert 'name="visibility" value="client"' in page
    client.post(f"/tickets/{ticket.pk}/note/", keyed({"body": "untuk klien", "visibility": "client"}))
    client.post(f"/tickets/{ticket.pk}/note/", keyed({"body": "tanpa pilihan"}))
    assert list(Note.objects.order_by("-pk").values_list("body", "visibility")[:2]) == [
        ("tanpa pilihan", "team"),
        ("untuk klien", "client"),
    ]
    assert Event.objects.filter(kind="note.added", data__visibility="client").count() == 2


def test_a_hostile_visibility_is_refused_and_changes_nothing(cast, ticket, browser):
    before = db_state()
    response = browser(cast.operator).post(f"/tickets/{ticket.pk}/note/", keyed({"body": "x", "visibility": "all"}))
    assert response.status_code == 400
    assert db_state() == before
    response = api(cast.operator).post(
        f"/api/v1/tickets/{ticket.pk}/notes/", {"body": "x", "visibility": "everyone"}, format="json"
    )
    assert response.status_code == 400
    assert "visibility" in response.json()


def test_the_manager_still_cannot_write_a_note(cast, ticket, browser):
    before = db_state()
    response = browser(cast.manager).post(f"/tickets/{ticket.pk}/note/", keyed({"body": "x", "visibility": "client"}))
    assert response.status_code == 403
    assert db_state() == before


def test_the_migration_keeps_existing_notes_team_only():
    migration = importlib.import_module("tickets.migrations.0025_edges_note_visibility")
    (operation,) = migration.Migration.operations
    assert operation.field.default == NoteVisibility.TEAM
