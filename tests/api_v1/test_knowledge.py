"""Products and snippets through the API: listed (django-filter, cursor pages), created and changed through the
knowledge page's form and service (each change of a snippet a new version with its audit record, source ``api``),
archived and unarchived, versions listed, read and restored; scoped as the pages (another brand 404, a role
without ``knowledge:edit`` or a read-only key 403, nothing changed)."""

import pytest

from brands.models import ConfigChange, Snippet, SnippetVersion
from brands.services import api_keys
from tests.factories import make_product, make_snippet
from tests.helpers import KeyedAPIClient, api_as, api_with_token, db_state

pytestmark = pytest.mark.django_db

BASE = "/api/v1/knowledge/acme"


def client_for(user) -> KeyedAPIClient:
    return api_as(user, json=True)


def with_key(user, scope: str) -> KeyedAPIClient:
    token = api_keys.create_key(user=user, name="CRM", scope=scope, brand_slugs=["acme"]).token
    return api_with_token(token, json=True)


def test_a_snippet_is_created_changed_archived_and_restored_with_a_version_and_an_audit_row_each(cast):
    sup = client_for(cast.supervisor)
    product = make_product(cast.brand_a, "Kuota Max", specifications={"kuota": "10 GB"})
    created = sup.post(
        f"{BASE}/snippets/",
        {"title": "Salam", "body": "Halo {customer_name}, kuota {product.kuota}", "product": product.pk,
         "tags": "Salam, kuota", "shortcut": "/Salam", "status": "published"},
        format="json",
    )  # fmt: skip
    assert created.status_code == 201, created.json()
    body = created.json()
    pk = body["id"]
    assert (body["title"], body["tags"], body["shortcut"], body["status"], body["version"], body["product"]) == (
        "Salam",
        "salam, kuota",
        "salam",
        "published",
        1,
        product.pk,
    )
    changed = sup.patch(f"{BASE}/snippets/{pk}/", {"body": "Halo Kak {customer_name}", "note": "lebih ramah"})
    assert changed.status_code == 200, changed.json()
    assert (changed.json()["version"], changed.json()["body"], changed.json()["title"]) == (
        2,
        "Halo Kak {customer_name}",
        "Salam",
    )
    assert sup.patch(f"{BASE}/snippets/{pk}/", {"title": "Salam"}, format="json").json()["version"] == 2
    archived = sup.post(f"{BASE}/snippets/{pk}/archive/")
    assert (archived.status_code, archived.json()["status"], archived.json()["version"]) == (200, "archived", 3)
    again = sup.post(f"{BASE}/snippets/{pk}/archive/")
    assert (again.status_code, again.json()) == (409, {"detail": "This snippet is already archived."})
    unarchived = sup.post(f"{BASE}/snippets/{pk}/unarchive/")
    assert (unarchived.json()["status"], unarchived.json()["version"]) == ("draft", 4)
    assert sup.post(f"{BASE}/snippets/{pk}/unarchive/").status_code == 409
    restored = sup.post(f"{BASE}/snippets/{pk}/restore/", {"number": 1}, format="json")
    assert (restored.json()["version"], restored.json()["body"], restored.json()["status"]) == (
        5,
        "Halo {customer_name}, kuota {product.kuota}",
        "published",
    )
    same = sup.post(f"{BASE}/snippets/{pk}/restore/", {"number": 5}, format="json")
    assert (same.status_code, same.json()) == (409, {"detail": "That version is what the snippet already says."})
    assert sup.post(f"{BASE}/snippets/{pk}/restore/", {"number": 9}, format="json").status_code == 404
    changes = ConfigChange.objects.filter(brand=cast.brand_a, area="knowledge").order_by("pk")
    assert [(c.kind, c.source, c.actor_id) for c in changes] == [
        ("snippet.created", "api", cast.supervisor.pk),
        ("snippet.updated", "api", cast.supervisor.pk),
        ("snippet.archived", "api", cast.supervisor.pk),
        ("snippet.updated", "api", cast.supervisor.pk),
        ("snippet.restored", "api", cast.supervisor.pk),
    ]
    assert changes[1].before == {"version": 1, "body": "Halo {customer_name}, kuota {product.kuota}"}
    versions = sup.get(f"{BASE}/snippets/{pk}/versions/").json()
    assert [(v["number"], v["status"], v["author"], v["note"]) for v in versions["results"]] == [
        (5, "published", "sup_a", "restored version 1"),
        (4, "draft", "sup_a", "draft"),
        (3, "archived", "sup_a", "archived"),
        (2, "published", "sup_a", "lebih ramah"),
        (1, "published", "sup_a", "created"),
    ]
    one = sup.get(f"{BASE}/snippets/{pk}/versions/2/").json()
    assert (one["number"], one["body"], one["product"]) == (2, "Halo Kak {customer_name}", "Kuota Max")
    assert sup.get(f"{BASE}/snippets/{pk}/versions/6/").status_code == 404


def test_the_page_forms_refusals_are_400s_naming_the_field(cast):
    sup = client_for(cast.supervisor)
    make_snippet(cast.brand_a, title="Salam", body="Halo", shortcut="salam")
    other = make_product(cast.brand_b, "Kartu")
    before = db_state()
    bad = sup.post(f"{BASE}/snippets/", {"title": "Lain", "body": "Halo {nope}", "shortcut": "salam"}, format="json")
    assert bad.status_code == 400
    assert set(bad.json()) == {"body", "shortcut"}
    assert bad.json()["shortcut"] == ["Another snippet of this brand has the shortcut /salam."]
    assert sup.post(f"{BASE}/snippets/", {"title": "x"}, format="json").json() == {"body": ["This field is required."]}
    foreign = sup.post(f"{BASE}/snippets/", {"title": "x", "body": "y", "product": other.pk}, format="json")
    assert foreign.status_code == 400
    assert list(foreign.json()) == ["product"]
    assert sup.post(f"{BASE}/products/", {"name": "P", "specifications": {"name": "x"}}, format="json").json() == {
        "specifications": ["“name” cannot be a field: use lower-case letters, digits and _ (not name or category)."]
    }
    assert db_state() == before


def test_lists_are_filtered_and_cursor_paginated(cast):
    sup = client_for(cast.supervisor)
    for n in range(5):
        make_snippet(cast.brand_a, title=f"Promo {n}", body=f"Diskon {n}", status="published" if n % 2 else "draft")
    make_snippet(cast.brand_b, title="Promo B", body="Diskon B", status="published")
    first = sup.get(f"{BASE}/snippets/?status=published&page_size=1")
    assert first.status_code == 200
    assert [s["title"] for s in first.json()["results"]] == ["Promo 3"]
    second = sup.get(first.json()["next"])
    assert [s["title"] for s in second.json()["results"]] == ["Promo 1"]
    assert second.json()["next"] is None
    assert [s["title"] for s in sup.get(f"{BASE}/snippets/?q=diskon 4").json()["results"]] == ["Promo 4"]
    assert sup.get(f"{BASE}/snippets/?status=gone").status_code == 400
    assert sup.get(f"{BASE}/snippets/?cursor=forged").status_code == 404
    make_product(cast.brand_a, "Kuota Max", category="data")
    make_product(cast.brand_a, "Pulsa", category="pulsa")
    assert [p["name"] for p in sup.get(f"{BASE}/products/?category=data").json()["results"]] == ["Kuota Max"]
    assert [p["name"] for p in sup.get(f"{BASE}/products/?q=uls").json()["results"]] == ["Pulsa"]


def test_a_product_is_created_and_changed_with_its_audit_rows(cast):
    sup = client_for(cast.supervisor)
    created = sup.post(f"{BASE}/products/", {"name": "Kuota Max", "specifications": {"kuota": "10 GB"}}, format="json")
    assert created.status_code == 201
    pk = created.json()["id"]
    assert created.json()["specifications"] == {"kuota": "10 GB"}
    changed = sup.patch(f"{BASE}/products/{pk}/", {"category": "data"}, format="json")
    assert (changed.json()["name"], changed.json()["category"], changed.json()["specifications"]) == (
        "Kuota Max",
        "data",
        {"kuota": "10 GB"},
    )
    taken = sup.post(f"{BASE}/products/", {"name": "Kuota Max"}, format="json")
    assert taken.json() == {"name": ["This brand already has a product of that name."]}
    assert list(
        ConfigChange.objects.filter(brand=cast.brand_a, area="knowledge")
        .order_by("pk")
        .values_list("kind", "source", "after")
    ) == [
        ("product.created", "api", {"name": "Kuota Max", "category": "", "specifications": {"kuota": "10 GB"},
                                    "faq": "", "competitor_notes": ""}),
        ("product.updated", "api", {"category": "data"}),
    ]  # fmt: skip


@pytest.mark.parametrize("who", ["operator_b", "outsider", "operator", "manager", "read_key"])
def test_out_of_scope_is_404_and_without_knowledge_edit_403_and_nothing_changes(cast, who):
    snippet = make_snippet(cast.brand_a, title="Salam", body="Halo")
    product = make_product(cast.brand_a, "Kuota")
    client = with_key(cast.supervisor, "read") if who == "read_key" else client_for(getattr(cast, who))
    want = 404 if who in ("operator_b", "outsider") else 403
    before = db_state()
    calls = [
        ("get", f"{BASE}/snippets/", None),
        ("post", f"{BASE}/snippets/", {"title": "x", "body": "y"}),
        ("get", f"{BASE}/snippets/{snippet.pk}/", None),
        ("patch", f"{BASE}/snippets/{snippet.pk}/", {"title": "z"}),
        ("post", f"{BASE}/snippets/{snippet.pk}/archive/", {}),
        ("post", f"{BASE}/snippets/{snippet.pk}/unarchive/", {}),
        ("post", f"{BASE}/snippets/{snippet.pk}/restore/", {"number": 1}),
        ("get", f"{BASE}/snippets/{snippet.pk}/versions/", None),
        ("get", f"{BASE}/snippets/{snippet.pk}/versions/1/", None),
        ("get", f"{BASE}/products/", None),
        ("post", f"{BASE}/products/", {"name": "x"}),
        ("get", f"{BASE}/products/{product.pk}/", None),
        ("patch", f"{BASE}/products/{product.pk}/", {"name": "x"}),
    ]
    for method, path, data in calls:
        response = getattr(client, method)(path, data, format="json") if data is not None else client.get(path)
        assert response.status_code == want, (method, path, response.status_code)
        assert "Salam" not in response.content.decode()
    assert db_state() == before


def test_a_write_key_edits_and_another_brands_snippet_is_404_even_by_id(cast):
    writer = with_key(cast.supervisor, "write")
    snippet = make_snippet(cast.brand_a, title="Salam", body="Halo")
    other = make_snippet(cast.brand_b, title="Halo B", body="B")
    assert writer.patch(f"{BASE}/snippets/{snippet.pk}/", {"title": "Salam!"}, format="json").status_code == 200
    assert writer.get(f"{BASE}/snippets/{other.pk}/").status_code == 404
    assert writer.get("/api/v1/knowledge/globex/snippets/").status_code == 404
    assert Snippet.objects.get(pk=snippet.pk).title == "Salam!"
    assert SnippetVersion.objects.filter(snippet=snippet).count() == 2


def test_a_manager_edits_where_the_brand_grants_it_as_on_the_page(cast):
    cast.brand_a.managers_edit_knowledge = True
    cast.brand_a.save(update_fields=["managers_edit_knowledge"])
    manager = client_for(cast.manager)
    created = manager.post(f"{BASE}/snippets/", {"title": "Salam", "body": "Halo"})
    assert (created.status_code, created.json()["status"], created.json()["version"]) == (201, "draft", 1)
    assert list(ConfigChange.objects.values_list("kind", "actor_name", "source")) == [
        ("snippet.created", "mgr_a", "api")
    ]
    assert with_key(cast.manager, "read").get(f"{BASE}/snippets/").status_code == 403
