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
    assert set(managers) == {"brand", "sla", "review", "csat", "goals", "priority", "bounces", "qa", "can_change"}
    assert managers["can_change"] == ["goals"]
    doc = client_for(cast.supervisor).get(f"{BASE}/").json()
    assert set(doc) == {
        "brand",
        "sla",
        "review",
        "csat",
        "goals",
        "priority",
        "bounces",
        "qa",
        "webhooks",
        "can_change",
    }
    assert client_for(cast.supervisor).get(f"{BASE}/").json()["can_change"] == [
        "sla", "review", "csat", "goals", "priority", "bounces", "qa"
    ]  # fmt: skip
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


# --- priority rules, bounce phrases and the QA rubric in the combined document -------------------------------


def _configure(sup, n: int) -> None:
    """``n`` urgency terms, spam patterns and blocked authors, the brand's bounce phrases and a sixth criterion,
    each through its own endpoint."""
    for i in range(n):
        assert sup.post(f"{BASE}/priority/urgency/", {"pattern": f"darurat{i}", "label": "urgent"}).status_code == 201
        assert (
            sup.post(
                f"{BASE}/priority/spam/", {"pattern": f"slot{i} ?gacor", "is_regex": True, "label": "judi"}
            ).status_code
            == 201
        )
        assert sup.post(f"{BASE}/priority/blocked/", {"platform": "x", "handle": f"spammer{i}"}).status_code == 201


def test_the_document_holds_priority_bounces_and_qa_as_their_endpoints_answer_them(cast):
    sup = client_for(cast.supervisor)
    _configure(sup, 1)
    assert (
        sup.patch(f"{BASE}/bounces/", {"bounce_terms": "ke kantor\nwebsite kami", "bounce_defaults": False}).status_code
        == 200
    )
    assert sup.patch(f"{BASE}/qa/", {"sample_percent": 15}).status_code == 200
    for who in (cast.supervisor, cast.manager):
        doc = client_for(who).get(f"{BASE}/").json()
        assert doc["priority"] == sup.get(f"{BASE}/priority/").json()
        assert doc["bounces"] == sup.get(f"{BASE}/bounces/").json()
        assert doc["qa"] == sup.get(f"{BASE}/qa/").json()
    assert doc["bounces"] == {
        "review_bounces": True,
        "bounce_defaults": False,
        "bounce_terms": "ke kantor, website kami",
    }
    assert (doc["bounces"]["bounce_terms"], doc["bounces"]["review_bounces"]) == (
        doc["review"]["bounce_terms"],
        doc["review"]["review_bounces"],
    )
    urgency = doc["priority"]["urgency_terms"]
    assert [(t["pattern"], t["is_regex"], t["label"], t["problem"]) for t in urgency] == [
        ("darurat0", False, "urgent", None)
    ]
    assert [(t["pattern"], t["is_regex"]) for t in doc["priority"]["spam_patterns"]] == [("slot0 ?gacor", True)]
    assert [(b["platform"], b["handle"]) for b in doc["priority"]["blocked_authors"]] == [("x", "spammer0")]
    assert doc["qa"]["sample_percent"] == 15
    assert [(c["key"], c["weight"], c["is_active"]) for c in doc["qa"]["criteria"]] == [
        ("tone", 25, True), ("knowledge", 25, True), ("ownership", 20, True), ("language", 15, True),
        ("etiquette", 15, True),
    ]  # fmt: skip


#: the combined document of a supervisor: the brand in scope, SLA (business hours, targets, holidays), review,
#: CSAT, goals (8 before priority and QA joined), the priority lists (urgency terms, spam patterns, blocked
#: authors: 3), QA (settings, criteria: 2; the bounce phrases come from the review area as read) and the webhooks
QUERIES = 13


@pytest.mark.parametrize("n", [1, 4])
def test_the_document_reads_in_the_same_queries_however_many_rules(cast, django_assert_num_queries, n):
    sup = client_for(cast.supervisor)
    _configure(sup, n)
    with django_assert_num_queries(QUERIES):
        doc = sup.get(f"{BASE}/").json()
    assert [len(doc["priority"][k]) for k in ("urgency_terms", "spam_patterns", "blocked_authors")] == [n, n, n]


def test_the_new_parts_are_refused_like_the_document(cast):
    _configure(client_for(cast.supervisor), 1)
    read_key = with_key(cast.supervisor, "read")
    before = db_state()
    for who, status in (("operator_b", 404), ("outsider", 404), ("operator", 403)):
        response = client_for(getattr(cast, who)).get(f"{BASE}/")
        assert response.status_code == status
        assert "darurat0" not in response.content.decode()
    doc = read_key.get(f"{BASE}/").json()
    assert doc["priority"]["urgency_terms"][0]["pattern"] == "darurat0"
    assert doc["can_change"] == []
    assert read_key.patch(f"{BASE}/bounces/", {"bounce_terms": "x"}).status_code == 403
    assert read_key.patch(f"{BASE}/qa/", {"sample_percent": 50}).status_code == 403
    assert read_key.post(f"{BASE}/priority/urgency/", {"pattern": "x", "label": "y"}).status_code == 403
    assert db_state() == before
