"""A brand's settings through the API: read as one document or per area (supervisors, managers, read-only keys:
``settings:history``), changed per area through the settings pages' forms and services, with the same audit record
(source ``api``) and the same refusals; managers change the goals only; secrets never answered."""

import pytest

from brands.models import ConfigChange, CsatSettings, Goal, ReviewPolicy
from brands.services import api_keys, webhooks
from tests.helpers import KeyedAPIClient, api_as, api_with_token, db_state

pytestmark = pytest.mark.django_db

BASE = "/api/v1/settings/acme"


def client_for(user) -> KeyedAPIClient:
    return api_as(user, json=True)


def with_key(user, scope: str) -> KeyedAPIClient:
    token = api_keys.create_key(user=user, name="CRM", scope=scope, brand_slugs=["acme"]).token
    return api_with_token(token, json=True)


def changes() -> list[tuple]:
    return list(ConfigChange.objects.order_by("pk").values_list("kind", "source", "actor_name", "after"))


def test_the_document_holds_every_area_and_no_secret(cast):
    hook = webhooks.create(brand=cast.brand_a, name="CRM", url="https://hooks.example.com/a", events=["sla.breach"])
    managers = client_for(cast.manager).get(f"{BASE}/").json()
    assert set(managers) == {"brand", "sla", "review", "csat", "goals", "can_change"}
    assert managers["can_change"] == ["goals"]
    doc = client_for(cast.supervisor).get(f"{BASE}/").json()
    assert set(doc) == {"brand", "sla", "review", "csat", "goals", "webhooks", "can_change"}
    assert client_for(cast.supervisor).get(f"{BASE}/").json()["can_change"] == ["sla", "review", "csat", "goals"]
    assert doc["sla"]["target_2_first"] == 60
    assert doc["goals"] == dict.fromkeys(
        ["fr_compliance", "nr_compliance", "res_compliance", "fr_p50", "in_channel", "reopen_rate", "handoffs", "csat"]
    )
    assert doc["webhooks"] == [
        {
            "id": hook.pk,
            "name": "CRM",
            "url": "https://hooks.example.com/a",
            "events": ["sla.breach"],
            "is_active": True,
            "paused_at": None,
            "pause_reason": "",
            "has_secret": True,
        }
    ]
    assert hook.secret not in client_for(cast.supervisor).get(f"{BASE}/webhooks/").content.decode()
    assert client_for(cast.supervisor).get(f"{BASE}/webhooks/").json() == doc["webhooks"]


def test_each_area_is_changed_through_its_page_form_with_its_audit_row(cast):
    sup = client_for(cast.supervisor)
    sla = sup.patch(f"{BASE}/sla/", {"hours_0": "08:00-16:00", "round_the_clock": False, "target_4_first": 10})
    assert sla.status_code == 200, sla.json()
    assert (sla.json()["hours_0"], sla.json()["round_the_clock"], sla.json()["target_4_first"]) == (
        "08:00-16:00",
        False,
        10,
    )
    review = sup.patch(f"{BASE}/review/", {"sample_percent": 30, "flagged_terms": "gratis\npromo, gratis"})
    assert (review.json()["sample_percent"], review.json()["flagged_terms"]) == (30, "gratis, promo")
    csat = sup.patch(f"{BASE}/csat/", {"enabled": True, "platforms": ["facebook"]})
    assert (csat.json()["enabled"], csat.json()["platforms"]) == (True, ["facebook"])
    goal = client_for(cast.manager).patch(f"{BASE}/goals/", {"fr_compliance": 90, "fr_p50": 30})
    assert goal.status_code == 200
    assert (goal.json()["fr_compliance"], goal.json()["fr_p50"]) == (90.0, 30.0)
    assert dict(Goal.objects.values_list("metric", "target")) == {"fr_compliance": 90, "fr_p50": 1800}
    kinds = [(kind, source, actor) for kind, source, actor, _after in changes()]
    assert kinds == [
        ("sla_settings.updated", "api", "sup_a"),
        ("review_policy.created", "api", "sup_a"),
        ("csat_settings.created", "api", "sup_a"),
        ("goals.updated", "api", "mgr_a"),
    ]
    assert changes()[3][3] == {"fr_compliance": "90", "fr_p50": "1800"}
    assert sup.patch(f"{BASE}/goals/", {"fr_compliance": None}).json()["fr_compliance"] is None
    assert list(Goal.objects.values_list("metric", flat=True)) == ["fr_p50"]


def test_the_pages_refusals_are_400s_and_change_nothing(cast):
    sup = client_for(cast.supervisor)
    before = db_state()
    bad_hours = sup.patch(f"{BASE}/sla/", {"hours_0": "bogus"})
    assert (bad_hours.status_code, bad_hours.json()) == (
        400,
        {"hours_0": ["Write periods like 09:00-12:00, 13:00-17:00 (not “bogus”)."]},
    )
    assert sup.patch(f"{BASE}/goals/", {"csat": 200}).json() == {
        "csat": ["Ensure this value is less than or equal to 100."]
    }
    assert sup.patch(f"{BASE}/review/", {"sample_percent": 101}).status_code == 400
    assert sup.patch(f"{BASE}/csat/", {"platforms": ["tiktok"]}).status_code == 400
    assert sup.patch(f"{BASE}/sla/", ["not", "an", "object"]).status_code == 400
    assert db_state() == before


@pytest.mark.parametrize("who", ["operator_b", "outsider", "operator", "manager", "read_key"])
def test_out_of_scope_404_and_without_the_capability_403_and_nothing_changes(cast, who):
    client = with_key(cast.supervisor, "read") if who == "read_key" else client_for(getattr(cast, who))
    before = db_state()
    reads = 404 if who in ("operator_b", "outsider") else 403 if who == "operator" else 200
    for area in ("", "sla/", "review/", "csat/", "goals/"):
        assert client.get(f"{BASE}/{area}").status_code == reads, area
    assert client.get(f"{BASE}/webhooks/").status_code == (404 if reads == 404 else 403)
    writes = {
        "sla/": {"hours_0": "08:00-16:00"},
        "review/": {"sample_percent": 50},
        "csat/": {"enabled": True},
        "goals/": {"csat": 80},
    }
    for area, body in writes.items():
        want = reads if reads != 200 else 403
        if who == "manager" and area == "goals/":
            continue  # the client's managers set the goals (test above)
        assert client.patch(f"{BASE}/{area}", body).status_code == want, area
    assert db_state() == before
    assert ReviewPolicy.objects.count() == CsatSettings.objects.count() == 0
