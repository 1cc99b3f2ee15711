"""The configuration audit trail (``brands.ConfigChange``): every settings service writes exactly one record in the
transaction of its change (a failure after the change rolls both back); the admin and ``load_config`` record their
changes too; the records are append-only; the brand's settings history page shows them."""

from datetime import time

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from brands.models import (
    AppendOnlyError,
    ChannelAccount,
    ConfigChange,
    ConfigChangeQuerySet,
    ListeningRule,
    Membership,
    SnippetStatus,
    UrgencyTerm,
)
from brands.services import assignment, audit, knowledge, review_policy
from brands.services import priority as priority_settings
from brands.services.config import apply_config
from brands.services.sla import current_settings, update_sla_settings
from tests.brands.test_admin import _post_brand
from tests.factories import make_channel, make_product, make_snippet
from tests.helpers import db_state


def _sla(brand):
    settings = current_settings(brand)
    settings.sla_warning_minutes = 45
    settings.time_zone = "Asia/Makassar"
    return settings


def _snippet(cast):
    return make_snippet(cast.brand_a, title="Salam", body="Halo {customer_name}")


#: each settings service, as one call: (name, set-up → call, the record's area and kind)
SERVICES = {
    "sla": (
        lambda cast: lambda: update_sla_settings(brand=cast.brand_a, settings=_sla(cast.brand_a), user=cast.supervisor),
        "sla",
        "sla_settings.updated",
    ),
    "review": (
        lambda cast: (
            lambda: review_policy.update_review_policy(
                brand=cast.brand_a, values={"sample_percent": 20}, user=cast.supervisor
            )
        ),
        "review",
        "review_policy.created",
    ),
    "assignment": (
        lambda cast: (
            lambda: assignment.update_assignment(
                brand=cast.brand_a,
                routing_mode="load",
                operator_capacity=4,
                idle_owner_minutes=30,
                user=cast.supervisor,
            )
        ),
        "assignment",
        "assignment.updated",
    ),
    "operator_profile": (
        lambda cast: (
            lambda: assignment.update_operator_profile(
                membership=Membership.objects.get(user=cast.operator),
                languages="id",
                skills="billing",
                user=cast.supervisor,
            )
        ),
        "assignment",
        "operator_profile.updated",
    ),
    "add_rule": (
        lambda cast: (
            lambda: priority_settings.add_rule(
                brand=cast.brand_a, kind="urgency", user=cast.supervisor, pattern="somasi", label="legal", weight=30
            )
        ),
        "priority",
        "urgency_term.created",
    ),
    "delete_rule": (
        lambda cast: (
            lambda rule: (
                lambda: priority_settings.delete_rule(brand=cast.brand_a, kind="spam", pk=rule.pk, user=cast.supervisor)
            )
        )(cast.brand_a.spam_patterns.create(pattern="promo murah", label="promo")),
        "priority",
        "spam_pattern.deleted",
    ),
    "create_snippet": (
        lambda cast: (
            lambda: knowledge.create_snippet(
                brand=cast.brand_a, user=cast.supervisor, data=knowledge.SnippetData(title="Baru", body="Halo")
            )
        ),
        "knowledge",
        "snippet.created",
    ),
    "archive_snippet": (
        lambda cast: (
            lambda snippet: (
                lambda: knowledge.set_status(snippet=snippet, user=cast.supervisor, status=SnippetStatus.ARCHIVED)
            )
        )(_snippet(cast)),
        "knowledge",
        "snippet.archived",
    ),
    "save_product": (
        lambda cast: (
            lambda: knowledge.save_product(
                brand=cast.brand_a, user=cast.supervisor, data=knowledge.ProductData(name="Kuota Max")
            )
        ),
        "knowledge",
        "product.created",
    ),
    "channel_account": (
        lambda cast: (lambda account: lambda: audit.save_object(_renamed(account), user=cast.admin, source="admin"))(
            make_channel(cast.brand_a, platform="x", external_id="4242")
        ),
        "channels",
        "channel_account.updated",
    ),
    "listening_rule": (
        lambda cast: (
            lambda: audit.save_object(
                ListeningRule(brand=cast.brand_a, name="acme", keywords="acme"), user=cast.admin, source="admin"
            )
        ),
        "channels",
        "listening_rule.created",
    ),
}


def _renamed(account: ChannelAccount) -> ChannelAccount:
    account.name = "Acme on X"
    return account


@pytest.mark.parametrize("name", SERVICES)
def test_each_settings_service_writes_exactly_one_record(cast, name):
    prepare, area, kind = SERVICES[name]
    call = prepare(cast)
    earlier = set(ConfigChange.objects.values_list("pk", flat=True))  # a snippet made for the test has its own
    call()
    change = ConfigChange.objects.exclude(pk__in=earlier).get()
    assert (change.brand_id, change.area, change.kind) == (cast.brand_a.pk, area, kind)
    assert change.actor in (cast.supervisor, cast.admin)
    assert change.actor_name == change.actor.get_username()
    assert change.before != change.after


@pytest.mark.parametrize("name", SERVICES)
def test_a_failure_writing_the_record_rolls_the_change_back(cast, name, monkeypatch):
    prepare, _area, _kind = SERVICES[name]
    call = prepare(cast)
    before = db_state()

    def refuse(self, **kwargs):
        raise RuntimeError("the audit trail is down")

    monkeypatch.setattr(ConfigChangeQuerySet, "create", refuse)
    with pytest.raises(RuntimeError, match="audit trail is down"):
        call()
    assert db_state() == before


def test_a_repeated_save_records_nothing(cast):
    settings = _sla(cast.brand_a)
    assert update_sla_settings(brand=cast.brand_a, settings=settings, user=cast.supervisor) is not None
    assert update_sla_settings(brand=cast.brand_a, settings=_sla(cast.brand_a), user=cast.supervisor) is None
    assert (
        assignment.update_assignment(
            brand=cast.brand_a, routing_mode="claim", operator_capacity=10, idle_owner_minutes=0, user=cast.supervisor
        )
        == {}
    )
    assert ConfigChange.objects.count() == 1
    change = ConfigChange.objects.get()
    assert (change.before, change.after) == (
        {"time_zone": "Asia/Jakarta", "sla_warning_minutes": 15},
        {"time_zone": "Asia/Makassar", "sla_warning_minutes": 45},
    )


def test_a_record_outside_a_transaction_is_refused(cast):
    from django.db import connection

    saved, connection.in_atomic_block = connection.in_atomic_block, False  # as if the test's own were not open
    try:
        with pytest.raises(RuntimeError, match="inside the transaction"):
            audit.record(
                brand=cast.brand_a, user=None, source="page", area="sla", kind="x.updated", before={}, after={"a": 1}
            )
    finally:
        connection.in_atomic_block = saved
    assert not ConfigChange.objects.exists()


def test_records_are_append_only(cast):
    priority_settings.add_rule(
        brand=cast.brand_a, kind="urgency", user=cast.supervisor, pattern="somasi", label="legal"
    )
    change = ConfigChange.objects.get()
    change.kind = "forged"
    with pytest.raises(AppendOnlyError):
        change.save()
    with pytest.raises(AppendOnlyError):
        change.delete()
    with pytest.raises(AppendOnlyError):
        ConfigChange.objects.filter(pk=change.pk).update(kind="forged")
    with pytest.raises(AppendOnlyError):
        ConfigChange.objects.all().delete()
    assert ConfigChange.objects.get().kind == "urgency_term.created"
    # the actor may leave; who it was stays
    get_user_model().objects.filter(pk=cast.supervisor.pk).delete()
    change = ConfigChange.objects.get()
    assert (change.actor_id, change.actor_name) == (None, "sup_a")


def test_secrets_are_never_recorded(cast):
    account = make_channel(cast.brand_a, platform="x", external_id="4242")
    account.access_token, account.webhook_secret = "tok-first", ""
    audit.save_object(account, user=cast.admin, source="admin")
    account.access_token, account.webhook_secret = "tok-second", "hook-secret"
    audit.save_object(account, user=cast.admin, source="admin")
    rows = list(ConfigChange.objects.order_by("pk").values_list("before", "after"))
    text = repr(rows)
    assert "tok-" not in text
    assert "hook-secret" not in text
    assert rows[-1] == (
        {"access_token": "(set)", "webhook_secret": "(not set)"},
        {"access_token": "(changed)", "webhook_secret": "(set)"},
    )


# --- load_config ----------------------------------------------------------------------------------------------

CONFIG = {
    "brands": [
        {
            "slug": "acme",
            "sla": {"warning_minutes": 30},
            "routing": {"mode": "round_robin", "capacity": 6},
            "review": {"sample_percent": 10},
            "urgency_terms": [{"pattern": "somasi", "label": "legal", "weight": 40}],
            "blocked_authors": [{"platform": "x", "handle": "spammer"}],
            "channels": [{"platform": "x", "external_id": "777", "name": "Acme X", "access_token": "secret-token"}],
            "listening_rules": [{"name": "brand", "keywords": ["acme"]}],
            "products": [{"name": "Kuota Max", "category": "data"}],
            "snippets": [{"title": "Salam", "body": "Halo {customer_name}", "shortcut": "salam"}],
        }
    ]
}


def test_load_config_records_every_change_with_its_source_and_nothing_the_second_time(cast):
    apply_config(CONFIG)
    rows = list(ConfigChange.objects.order_by("pk").values_list("area", "kind", "source", "actor", "actor_name"))
    assert rows == [
        ("channels", "channel_account.created", "load_config", None, ""),
        ("sla", "sla_settings.updated", "load_config", None, ""),
        ("knowledge", "product.created", "load_config", None, ""),
        ("knowledge", "snippet.created", "load_config", None, ""),
        ("channels", "listening_rule.created", "load_config", None, ""),
        ("assignment", "assignment.updated", "load_config", None, ""),
        ("priority", "urgency_term.created", "load_config", None, ""),
        ("priority", "blocked_author.created", "load_config", None, ""),
        ("review", "review_policy.created", "load_config", None, ""),
    ]
    assert "secret-token" not in repr(list(ConfigChange.objects.values("before", "after")))
    routing = ConfigChange.objects.get(kind="assignment.updated")
    assert (routing.before, routing.after) == (
        {"routing_mode": "claim", "operator_capacity": 10},
        {"routing_mode": "round_robin", "operator_capacity": 6},
    )
    apply_config(CONFIG)
    assert ConfigChange.objects.count() == len(rows)


# --- the admin ------------------------------------------------------------------------------------------------


def test_the_admin_records_adds_changes_and_deletes(cast, client):
    client.force_login(cast.admin)
    add = reverse("admin:brands_urgencyterm_add")
    data = {"brand": cast.brand_a.pk, "pattern": "somasi", "label": "legal", "weight": 30}
    assert client.post(add, data).status_code == 302
    term = UrgencyTerm.objects.get()
    change = reverse("admin:brands_urgencyterm_change", args=[term.pk])
    assert client.post(change, {**data, "weight": 50}).status_code == 302
    listing = reverse("admin:brands_urgencyterm_changelist")
    action = {"action": "delete_selected", "_selected_action": [term.pk], "post": "yes"}
    assert client.post(listing, action).status_code == 302
    assert not UrgencyTerm.objects.exists()
    rows = list(ConfigChange.objects.order_by("pk").values_list("kind", "source", "actor_name", "before", "after"))
    assert rows == [
        (
            "urgency_term.created",
            "admin",
            "root",
            {},
            {"pattern": "somasi", "label": "legal", "weight": 30, "is_regex": False},
        ),
        ("urgency_term.updated", "admin", "root", {"weight": 30}, {"weight": 50}),
        (
            "urgency_term.deleted",
            "admin",
            "root",
            {"pattern": "somasi", "label": "legal", "weight": 50, "is_regex": False},
            {},
        ),
    ]


def test_the_admin_brand_page_records_each_area_it_changed(cast, client):
    client.force_login(cast.admin)
    periods = [{"weekday": "0", "starts_at": "09:00", "ends_at": "17:00"}]
    assert _post_brand(client, cast.brand_a, periods).status_code == 302
    change = ConfigChange.objects.get()
    assert (change.area, change.kind, change.source, change.actor_name) == (
        "sla",
        "sla_settings.updated",
        "admin",
        "root",
    )
    assert (change.before["hours"]["0"], change.after["hours"]["0"]) == ([], ["09:00-17:00"])
    assert cast.brand_a.business_periods.get().starts_at == time(9)


# --- the settings history page --------------------------------------------------------------------------------


def _history(brand) -> str:
    return reverse("tickets:settings_history", args=[brand.slug])


def test_the_history_is_for_supervisors_and_managers_of_the_brand(cast, client):
    url = _history(cast.brand_a)
    for user, status in (
        (cast.supervisor, 200),
        (cast.manager, 200),
        (cast.admin, 200),
        (cast.operator, 403),
        (cast.operator_b, 404),
        (cast.outsider, 404),
    ):
        client.force_login(user)
        assert client.get(url).status_code == status, user
    client.force_login(cast.supervisor)
    before = db_state()
    assert client.post(url).status_code == 405
    assert db_state() == before


def test_the_history_lists_newest_first_with_text_escaped(cast, client):
    knowledge.create_snippet(
        brand=cast.brand_a,
        user=cast.supervisor,
        data=knowledge.SnippetData(title="<script>alert(1)</script>", body="Halo <b>kamu</b>"),
    )
    assignment.update_assignment(
        brand=cast.brand_a, routing_mode="load", operator_capacity=4, idle_owner_minutes=0, user=cast.supervisor
    )
    apply_config({"brands": [{"slug": "globex", "routing": {"mode": "load"}}]})  # another brand's: not shown
    client.force_login(cast.manager)
    page = client.get(_history(cast.brand_a)).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "<b>kamu</b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Halo &lt;b&gt;kamu&lt;/b&gt;" in page
    assert page.index("Assignment changed") < page.index("Snippet created")
    assert "<del>claim</del> → <ins>load</ins>" in page
    assert page.count("<tr>") == 1 + 2  # the header and the brand's two changes


def test_the_history_is_paginated_and_its_queries_do_not_grow(cast, client, django_assert_num_queries):
    for n in range(51):
        priority_settings.add_rule(
            brand=cast.brand_a, kind="urgency", user=cast.supervisor, pattern=f"term{n}", label="x"
        )
    client.force_login(cast.supervisor)
    client.get("/queue/")  # the session and presence, written once a minute, out of the count
    with django_assert_num_queries(6):
        first = client.get(_history(cast.brand_a)).content.decode()
    assert first.count("Urgency term created") == 50
    assert "term50" in first
    assert "term0<" not in first
    with django_assert_num_queries(6):
        second = client.get(_history(cast.brand_a) + "?page=2").content.decode()
    assert second.count("Urgency term created") == 1
    assert "term0" in second


def test_the_history_speaks_indonesian(cast, client):
    assignment.update_assignment(
        brand=cast.brand_a, routing_mode="load", operator_capacity=4, idle_owner_minutes=0, user=cast.supervisor
    )
    client.force_login(cast.supervisor)
    page = client.get(_history(cast.brand_a), HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert "Riwayat pengaturan" in page
    assert "Penugasan diubah" in page


def test_the_settings_pages_link_to_the_history(cast, client):
    client.force_login(cast.supervisor)
    for name in ("tickets:sla_settings", "tickets:priority_settings", "tickets:review_settings"):
        page = client.get(reverse(name, args=["acme"])).content.decode()
        assert f'href="{_history(cast.brand_a)}"' in page, name


def test_a_product_change_through_the_page_is_recorded_once(cast, client):
    product = make_product(cast.brand_a, "Kuota Max")
    client.force_login(cast.supervisor)
    form = {"name": "Kuota Max", "category": "data", "specifications": "kuota: 5 GB", "faq": "", "competitor_notes": ""}
    url = reverse("knowledge:product", args=["acme", product.pk])
    assert client.post(url, form).status_code == 302
    assert client.post(url, form).status_code == 302  # the same again: no change, no record
    change = ConfigChange.objects.get()
    assert (change.kind, change.object_id, change.before, change.after) == (
        "product.updated",
        product.pk,
        {"category": "", "specifications": {}},
        {"category": "data", "specifications": {"kuota": "5 GB"}},
    )


def test_the_admin_membership_page_records_probation_and_skills(cast, client):
    client.force_login(cast.admin)
    membership = Membership.objects.get(user=cast.operator)
    url = reverse("admin:brands_membership_change", args=[membership.pk])
    data = {
        "user": cast.operator.pk,
        "brand": cast.brand_a.pk,
        "role": "operator",
        "languages": "id",
        "skills": "billing",
        "on_probation": "on",
    }
    assert client.post(url, data).status_code == 302
    rows = list(ConfigChange.objects.order_by("area").values_list("area", "kind", "source", "before", "after"))
    assert rows == [
        ("assignment", "assignment.updated", "admin", {}, {"profile:op_a": {"languages": "id", "skills": "billing"}}),
        ("review", "review_policy.updated", "admin", {"on_probation": []}, {"on_probation": ["op_a"]}),
    ]
