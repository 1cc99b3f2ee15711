"""More of a brand's settings through the API (issue 17): priority and routing, bounce phrases, the QA rubric and
the outbound webhooks (create, change, pause/resume, delete, rotate, delivery log, send again). Each change goes
through the page's form and service, with the page's audit record (source ``api``); a brand out of scope 404, a
manager or read-only key 403 on every write with nothing changed and nothing sent; secrets only when created or
rotated."""

import pytest

from brands.models import BlockedAuthor, Brand, ConfigChange, QaCriterion, SpamPattern, UrgencyTerm, WebhookSubscription
from brands.services import webhooks
from tests.api_v1.test_settings import client_for, with_key
from tests.helpers import db_state
from tickets.models import WebhookDelivery

pytestmark = pytest.mark.django_db

BASE = "/api/v1/settings/acme"


def changes() -> list[tuple]:
    return list(ConfigChange.objects.order_by("pk").values_list("kind", "source", "actor_name"))


# --- priority -------------------------------------------------------------------------------------------------


def test_priority_reads_routing_and_rules_and_changes_routing_through_the_page_form(cast):
    sup = client_for(cast.supervisor)
    doc = sup.get(f"{BASE}/priority/").json()
    assert (doc["routing_mode"], doc["operator_capacity"], doc["idle_owner_minutes"]) == ("claim", 10, 0)
    assert doc["default_urgency_terms"][0] == {"pattern": "penipuan", "is_regex": False, "label": "fraud", "weight": 30}
    assert (doc["urgency_terms"], doc["spam_patterns"], doc["blocked_authors"]) == ([], [], [])
    changed = sup.patch(f"{BASE}/priority/", {"routing_mode": "load", "operator_capacity": 5})
    assert changed.status_code == 200
    assert (changed.json()["routing_mode"], changed.json()["operator_capacity"]) == ("load", 5)
    brand = Brand.objects.get(slug="acme")
    assert (brand.routing_mode, brand.operator_capacity, brand.idle_owner_minutes) == ("load", 5, 0)
    assert changes() == [("assignment.updated", "api", "sup_a")]
    before = db_state()
    refused = sup.patch(f"{BASE}/priority/", {"routing_mode": "nope"})
    assert (refused.status_code, refused.json()) == (
        400,
        {"routing_mode": ["Select a valid choice. nope is not one of the available choices."]},
    )
    assert sup.patch(f"{BASE}/priority/", {"operator_capacity": 0}).status_code == 400
    assert db_state() == before


def test_rules_are_added_and_removed_through_the_service_with_their_audit_rows(cast):
    sup = client_for(cast.supervisor)
    term = sup.post(f"{BASE}/priority/urgency/", {"pattern": "darurat", "label": "urgent", "weight": 30})
    assert term.status_code == 201
    pk = UrgencyTerm.objects.get().pk
    assert term.json() == {
        "id": pk,
        "pattern": "darurat",
        "is_regex": False,
        "label": "urgent",
        "weight": 30,
        "problem": None,
    }
    spam = sup.post(f"{BASE}/priority/spam/", {"pattern": "slot ?gacor", "is_regex": True, "label": "judi"})
    assert spam.status_code == 201
    assert SpamPattern.objects.get().pattern == "slot ?gacor"
    blocked = sup.post(f"{BASE}/priority/blocked/", {"platform": "x", "handle": "@spammer", "note": "bot"})
    assert blocked.status_code == 201
    assert blocked.json() == {"id": BlockedAuthor.objects.get().pk, "platform": "x", "handle": "spammer", "note": "bot"}
    listed = sup.get(f"{BASE}/priority/").json()
    assert [t["pattern"] for t in listed["urgency_terms"]] == ["darurat"]
    assert [s["label"] for s in listed["spam_patterns"]] == ["judi"]
    assert sup.delete(f"{BASE}/priority/urgency/{pk}/").status_code == 204
    assert UrgencyTerm.objects.count() == 0
    assert sup.delete(f"{BASE}/priority/urgency/{pk}/").status_code == 404
    assert changes() == [
        ("urgency_term.created", "api", "sup_a"),
        ("spam_pattern.created", "api", "sup_a"),
        ("blocked_author.created", "api", "sup_a"),
        ("urgency_term.deleted", "api", "sup_a"),
    ]


def test_the_pattern_safety_rules_apply_as_on_the_page(cast):
    sup = client_for(cast.supervisor)
    before = db_state()
    lookahead = sup.post(f"{BASE}/priority/spam/", {"pattern": "(?=judi)x", "is_regex": True, "label": "judi"})
    assert lookahead.status_code == 400
    assert list(lookahead.json()) == ["pattern"]
    backref = sup.post(f"{BASE}/priority/urgency/", {"pattern": r"(a)\1", "is_regex": True, "label": "x"})
    assert backref.status_code == 400
    assert sup.post(f"{BASE}/priority/blocked/", {"platform": "tiktok", "handle": "a"}).status_code == 400
    assert sup.post(f"{BASE}/priority/spam/", {"pattern": "", "label": "x"}).status_code == 400
    assert db_state() == before


# --- bounces and QA ------------------------------------------------------------------------------------------


def test_bounce_phrases_through_the_review_policy_form(cast):
    sup = client_for(cast.supervisor)
    assert sup.get(f"{BASE}/bounces/").json() == {"review_bounces": True, "bounce_defaults": True, "bounce_terms": ""}
    changed = sup.patch(f"{BASE}/bounces/", {"bounce_terms": "ke kantor\nwebsite kami", "bounce_defaults": False})
    assert changed.json() == {
        "review_bounces": True,
        "bounce_defaults": False,
        "bounce_terms": "ke kantor, website kami",
    }
    assert sup.get(f"{BASE}/review/").json()["bounce_terms"] == "ke kantor, website kami"
    assert changes() == [("review_policy.created", "api", "sup_a")]


def test_the_qa_rubric_through_the_page_forms_and_save_rubric(cast):
    sup = client_for(cast.supervisor)
    doc = sup.get(f"{BASE}/qa/").json()
    assert doc["sample_percent"] == 5
    assert [c["key"] for c in doc["criteria"]] == ["tone", "knowledge", "ownership", "language", "etiquette"]
    share = sup.patch(f"{BASE}/qa/", {"sample_percent": 15})
    assert (share.status_code, share.json()["sample_percent"]) == (200, 15)
    rubric = sup.patch(
        f"{BASE}/qa/",
        {"criteria": [{"key": "tone", "name": "Nada", "weight": 40}, {"name": "Empati", "weight": 10}]},
    ).json()
    assert [(c["key"], c["name"], c["weight"]) for c in rubric["criteria"][:3]] == [
        ("tone", "Nada", 40),
        ("empati", "Empati", 10),
        ("knowledge", "Pengetahuan produk", 25),
    ]
    assert rubric["sample_percent"] == 15
    assert QaCriterion.objects.filter(brand__slug="acme").count() == 6
    assert changes() == [("qa_rubric.updated", "api", "sup_a")] * 2
    before = db_state()
    dup = sup.patch(
        f"{BASE}/qa/", {"criteria": [{"key": "tone", "name": "A", "weight": 1}, {"name": "a", "weight": 1}]}
    )
    assert (dup.status_code, dup.json()) == (400, {"detail": "Two criteria have the same name."})
    none_left = [{"key": c["key"], "name": c["name"], "weight": 1, "is_active": False} for c in rubric["criteria"]]
    assert sup.patch(f"{BASE}/qa/", {"criteria": none_left}).json() == {"detail": "Keep at least one criterion in use."}
    assert sup.patch(f"{BASE}/qa/", {"sample_percent": 101}).status_code == 400
    assert sup.patch(f"{BASE}/qa/", {"criteria": [{"key": "gone", "name": "X", "weight": 1}]}).status_code == 400
    assert db_state() == before


# --- webhooks -------------------------------------------------------------------------------------------------


def _delivery(sub, **kw) -> WebhookDelivery:
    return WebhookDelivery.objects.create(
        subscription=sub, brand_id=sub.brand_id, kind="sla.breach", body="{}", status="failed", **kw
    )


def test_webhooks_are_created_changed_rotated_and_deleted_with_the_secret_shown_once(cast):
    sup = client_for(cast.supervisor)
    created = sup.post(
        f"{BASE}/webhooks/", {"name": "CRM", "url": "https://hooks.example.com/a", "events": ["sla.breach"]}
    )
    assert created.status_code == 201
    sub = WebhookSubscription.objects.get()
    assert created.json() == {
        "id": sub.pk,
        "name": "CRM",
        "url": "https://hooks.example.com/a",
        "events": ["sla.breach"],
        "is_active": True,
        "paused_at": None,
        "pause_reason": "",
        "has_secret": True,
        "secret": sub.secret,
    }
    assert sub.secret not in sup.get(f"{BASE}/webhooks/{sub.pk}/").content.decode()
    paused = sup.patch(f"{BASE}/webhooks/{sub.pk}/", {"is_active": False, "events": ["ticket.created", "sla.breach"]})
    assert (paused.json()["is_active"], paused.json()["events"]) == (False, ["ticket.created", "sla.breach"])
    resumed = sup.patch(f"{BASE}/webhooks/{sub.pk}/", {"is_active": True})
    assert resumed.json()["is_active"] is True
    old = sub.secret
    rotated = sup.post(f"{BASE}/webhooks/{sub.pk}/rotate/").json()
    sub.refresh_from_db()
    assert rotated["secret"] == sub.secret != old
    assert sup.delete(f"{BASE}/webhooks/{sub.pk}/").status_code == 204
    assert WebhookSubscription.objects.count() == 0
    assert changes() == [
        ("webhook.created", "api", "sup_a"),
        ("webhook.updated", "api", "sup_a"),
        ("webhook.paused", "api", "sup_a"),
        ("webhook.resumed", "api", "sup_a"),
        ("webhook.updated", "api", "sup_a"),
        ("webhook.deleted", "api", "sup_a"),
    ]
    assert old not in str(list(ConfigChange.objects.values_list("before", "after")))


def test_webhook_refusals_are_the_pages_and_change_nothing(cast):
    sup = client_for(cast.supervisor)
    hook = webhooks.create(brand=cast.brand_a, name="CRM", url="https://hooks.example.com/a", events=["sla.breach"])
    before = db_state()
    private = sup.post(f"{BASE}/webhooks/", {"name": "X", "url": "https://10.0.0.1/a", "events": ["sla.breach"]})
    assert (private.status_code, private.json()) == (400, {"url": ["The URL must point to a public address."]})
    taken = sup.post(
        f"{BASE}/webhooks/", {"name": "CRM", "url": "https://hooks.example.com/b", "events": ["sla.breach"]}
    )
    assert (taken.status_code, taken.json()) == (400, {"detail": "A webhook with this name exists already."})
    assert sup.patch(f"{BASE}/webhooks/{hook.pk}/", {"events": ["nope"]}).status_code == 400
    assert sup.patch(f"{BASE}/webhooks/{hook.pk}/", {"url": "http://hooks.example.com/"}).status_code == 400
    other = webhooks.create(brand=cast.brand_b, name="B", url="https://hooks.example.com/b", events=["sla.breach"])
    before = db_state()
    for method in ("get", "patch", "delete"):
        assert getattr(sup, method)(f"{BASE}/webhooks/{other.pk}/").status_code == 404
    assert sup.post(f"{BASE}/webhooks/{other.pk}/rotate/").status_code == 404
    assert sup.get(f"{BASE}/webhooks/{other.pk}/deliveries/").status_code == 404
    assert db_state() == before


def test_the_delivery_log_in_cursor_pages_and_send_again(cast, django_capture_on_commit_callbacks):
    sup = client_for(cast.supervisor)
    hook = webhooks.create(brand=cast.brand_a, name="CRM", url="https://hooks.example.com/a", events=["sla.breach"])
    rows = [_delivery(hook, response_status=500) for _ in range(3)]
    first = sup.get(f"{BASE}/webhooks/{hook.pk}/deliveries/?page_size=2").json()
    assert [d["id"] for d in first["results"]] == [rows[2].pk, rows[1].pk]
    assert first["results"][0]["status"] == "failed"
    assert first["results"][0]["response_status"] == 500
    second = sup.get(first["next"]).json()
    assert ([d["id"] for d in second["results"]], second["next"]) == ([rows[0].pk], None)
    with django_capture_on_commit_callbacks() as queued:
        again = sup.post(f"{BASE}/webhooks/{hook.pk}/again/", {"delivery": rows[0].pk})
        twice = sup.post(f"{BASE}/webhooks/{hook.pk}/again/", {"delivery": rows[0].pk})
    assert again.status_code == twice.status_code == 201
    assert again.json()["id"] == twice.json()["id"]
    new = WebhookDelivery.objects.get(pk=again.json()["id"])
    assert (new.resent_from_id, new.event_id, new.status) == (rows[0].pk, rows[0].event_id, "pending")
    assert len(queued) == 1
    webhooks.set_active(sub=hook, active=False)
    before = db_state()
    with django_capture_on_commit_callbacks() as queued:
        paused = sup.post(f"{BASE}/webhooks/{hook.pk}/again/", {"delivery": rows[1].pk})
    assert (paused.status_code, paused.json()) == (409, {"detail": "Resume this webhook to send again."})
    assert sup.post(f"{BASE}/webhooks/{hook.pk}/again/", {"delivery": 999999}).status_code == 404
    assert (queued, db_state()) == ([], before)


# --- scope and capability -------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["operator_b", "outsider", "operator", "manager", "read_key"])
def test_out_of_scope_404_and_without_the_capability_403_and_nothing_changes(
    cast, who, django_capture_on_commit_callbacks
):
    hook = webhooks.create(brand=cast.brand_a, name="CRM", url="https://hooks.example.com/a", events=["sla.breach"])
    delivery = _delivery(hook)
    term = UrgencyTerm.objects.create(brand=cast.brand_a, pattern="darurat", label="urgent")
    client = with_key(cast.supervisor, "read") if who == "read_key" else client_for(getattr(cast, who))
    out = who in ("operator_b", "outsider")
    reads = 404 if out else 403 if who == "operator" else 200
    refused = 404 if out else 403
    before = db_state()
    with django_capture_on_commit_callbacks(execute=True) as queued:
        for area in ("priority/", "bounces/", "qa/"):
            assert client.get(f"{BASE}/{area}").status_code == reads, area
        writes = [
            ("patch", "priority/", {"routing_mode": "load"}),
            ("post", "priority/urgency/", {"pattern": "x", "label": "y"}),
            ("post", "priority/spam/", {"pattern": "x", "label": "y"}),
            ("post", "priority/blocked/", {"platform": "x", "handle": "y"}),
            ("delete", f"priority/urgency/{term.pk}/", None),
            ("patch", "bounces/", {"bounce_terms": "kantor"}),
            ("patch", "qa/", {"sample_percent": 50}),
            ("post", "webhooks/", {"name": "X", "url": "https://hooks.example.com/x", "events": ["sla.breach"]}),
            ("get", f"webhooks/{hook.pk}/", None),
            ("patch", f"webhooks/{hook.pk}/", {"is_active": False}),
            ("delete", f"webhooks/{hook.pk}/", None),
            ("post", f"webhooks/{hook.pk}/rotate/", {}),
            ("get", f"webhooks/{hook.pk}/deliveries/", None),
            ("post", f"webhooks/{hook.pk}/again/", {"delivery": delivery.pk}),
        ]
        for method, path, body in writes:
            answer = getattr(client, method)(f"{BASE}/{path}", body) if body is not None else None
            answer = answer or getattr(client, method)(f"{BASE}/{path}")
            assert answer.status_code == refused, (method, path)
            assert hook.secret not in answer.content.decode()
    assert queued == []
    assert db_state() == before
