"""Saved views through the API (docs/api.md, "Get next and saved views"): ``POST /api/v1/views/`` makes a personal
view, or a team view with ``view:team`` (audited, source ``api``); ``DELETE /api/v1/views/<id>/`` removes one's own
or, with ``view:team``, a team view. Out of scope: 404; without the capability or with a read-only key: 403;
refusals change nothing."""

import pytest

from brands.models import ConfigChange, Role
from brands.services import api_keys
from tests.factories import make_member, make_ticket
from tests.helpers import api_as, api_with_token, db_state
from tickets.models import SavedView

pytestmark = pytest.mark.django_db


def key_for(user, scope: str, slug: str) -> str:
    return api_keys.create_key(user=user, name="views", scope=scope, brand_slugs=[slug]).token


def test_a_personal_view_is_made_listed_and_removed(cast):
    make_ticket(cast.brand_a, text="paket telat")
    client = api_as(cast.operator, json=True)
    response = client.post("/api/v1/views/", {"name": " Paket ", "query": {"q": "paket", "status": "new"}})
    assert response.status_code == 201, response.content
    view = SavedView.objects.get()
    assert response.json() == {
        "id": view.pk,
        "name": "Paket",
        "team": None,
        "query": {"status": "new", "q": "paket"},
        "count": 1,
    }
    assert (view.owner, view.brand, view.query) == (cast.operator, None, {"status": "new", "q": "paket"})
    assert [v["id"] for v in client.get("/api/v1/views/").json()] == [view.pk]
    assert not ConfigChange.objects.filter(area="views").exists()
    again = client.post("/api/v1/views/", {"name": "Paket"})
    assert (again.status_code, list(again.json())) == (400, ["name"])
    assert api_as(cast.supervisor).delete(f"/api/v1/views/{view.pk}/").status_code == 404  # not theirs
    assert client.delete(f"/api/v1/views/{view.pk}/").status_code == 204
    assert not SavedView.objects.exists()


def test_a_team_view_needs_view_team_and_is_audited_from_the_api(cast):
    response = api_as(cast.supervisor, json=True).post(
        "/api/v1/views/", {"name": "Acme urgent", "team": "acme", "query": {"priority": "4", "mine": "1"}}
    )
    assert response.status_code == 201, response.content
    view = SavedView.objects.get()
    assert (view.brand, view.owner, view.query) == (cast.brand_a, None, {"priority": "4"})
    assert response.json()["team"] == "acme"
    change = ConfigChange.objects.get(area="views")
    assert (change.kind, change.source, change.actor, change.after) == (
        "team_view.created",
        "api",
        cast.supervisor,
        {"name": "Acme urgent", "query": {"priority": "4"}},
    )
    before = db_state()
    for user in (cast.operator, cast.manager):
        refused = api_as(user, json=True).post("/api/v1/views/", {"name": "X", "team": "acme"})
        assert refused.status_code == 403
        assert api_as(user).delete(f"/api/v1/views/{view.pk}/").status_code == 403
    for user in (cast.operator_b, cast.outsider):
        assert api_as(user, json=True).post("/api/v1/views/", {"name": "X", "team": "acme"}).status_code == 404
        assert api_as(user).delete(f"/api/v1/views/{view.pk}/").status_code == 404
    assert db_state() == before
    assert api_as(cast.supervisor).delete(f"/api/v1/views/{view.pk}/").status_code == 204
    assert not SavedView.objects.exists()
    assert ConfigChange.objects.filter(area="views", kind="team_view.deleted", source="api").count() == 1


def test_keys_read_only_write_nothing_and_another_brands_key_finds_nothing(cast):
    own = SavedView.objects.create(name="Mine", owner=cast.supervisor, query={})
    team = SavedView.objects.create(name="Team", brand=cast.brand_a, query={})
    make_member(cast.supervisor, cast.brand_b, Role.SUPERVISOR)
    read = api_with_token(key_for(cast.supervisor, "read", "acme"), json=True)
    other = api_with_token(key_for(cast.supervisor, "write", "globex"), json=True)
    before = db_state()
    assert read.post("/api/v1/views/", {"name": "X"}).status_code == 403
    assert read.post("/api/v1/views/", {"name": "X", "team": "acme"}).status_code == 403
    assert read.delete(f"/api/v1/views/{own.pk}/").status_code == 403
    assert read.delete(f"/api/v1/views/{team.pk}/").status_code == 403
    assert other.post("/api/v1/views/", {"name": "X", "team": "acme"}).status_code == 404
    assert other.delete(f"/api/v1/views/{team.pk}/").status_code == 404
    after = db_state()
    assert {k for k in after if after[k] != before[k]} <= {"api_keys"}
    write = api_with_token(key_for(cast.supervisor, "write", "acme"), json=True)
    assert write.post("/api/v1/views/", {"name": "Y", "team": "acme"}).status_code == 201
    assert write.delete(f"/api/v1/views/{own.pk}/").status_code == 204


def test_bad_input_is_400_naming_the_field(cast):
    client = api_as(cast.supervisor, json=True)
    assert list(client.post("/api/v1/views/", {"name": ""}).json()) == ["name"]
    assert list(client.post("/api/v1/views/", {"name": "x" * 61}).json()) == ["name"]
    assert list(client.post("/api/v1/views/", {"name": "X", "query": {"q": ["a"]}}).json()) == ["query"]
    assert list(client.post("/api/v1/views/", {"name": "X", "team": "no such/"}).json()) == ["team"]
    assert not SavedView.objects.exists()
