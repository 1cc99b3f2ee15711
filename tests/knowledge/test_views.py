"""The knowledge pages and the composer endpoints: scoping (outsider 404, read-only 403, nothing changed), escaping,
and the flows: create, edit, archive, compare, restore, import, export."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from brands.models import ConfigChange, Snippet
from tests.factories import make_snippet
from tests.helpers import db_state, keyed

XSS = "<script>alert(1)</script>"


def _form(**overrides):
    data = {
        "title": "Salam",
        "body": "Halo {customer_name}",
        "language": "id",
        "tone": "formal",
        "tags": "",
        "product": "",
        "shortcut": "salam",
        "status": "published",
        "expires_at": "",
        "note": "",
    }
    return data | overrides


PAGES = [
    "knowledge:snippets",
    "knowledge:snippet_new",
    "knowledge:products",
    "knowledge:product_new",
    "knowledge:import",
    "knowledge:export_snippets",
    "knowledge:export_products",
]


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize(
    ("who", "code"),
    [("outsider", 404), ("operator_b", 404), ("operator", 403), ("manager", 403), ("supervisor", 200), ("admin", 200)],
)
def test_who_may_open_the_knowledge_pages(cast, browser, name, who, code):
    assert browser(getattr(cast, who)).get(reverse(name, args=[cast.brand_a.slug])).status_code == code


def test_a_manager_may_edit_where_the_brand_allows(cast, browser):
    cast.brand_a.managers_edit_knowledge = True
    cast.brand_a.save()
    client = browser(cast.manager)
    assert client.get(reverse("knowledge:snippets", args=["acme"])).status_code == 200
    response = client.post(reverse("knowledge:snippet_new", args=["acme"]), _form())
    assert response.status_code == 302
    assert Snippet.objects.get(shortcut="salam").versions.get().author == cast.manager


@pytest.mark.parametrize(("who", "code"), [("outsider", 404), ("operator_b", 404), ("operator", 403), ("manager", 403)])
def test_denied_writes_change_nothing(cast, browser, who, code):
    snippet = make_snippet(cast.brand_a, shortcut="ada")
    client = browser(getattr(cast, who))
    before = db_state()
    posts = [
        (reverse("knowledge:snippet_new", args=["acme"]), _form()),
        (reverse("knowledge:snippet", args=["acme", snippet.pk]), _form(title="Hacked")),
        (reverse("knowledge:snippet_status", args=["acme", snippet.pk]), {"status": "archived"}),
        (reverse("knowledge:snippet_restore", args=["acme", snippet.pk]), {"number": "1"}),
        (reverse("knowledge:product_new", args=["acme"]), {"name": "X"}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == code, url
    upload = SimpleUploadedFile("s.csv", b"title,body\nA,B\n", content_type="text/csv")
    assert (
        client.post(reverse("knowledge:import", args=["acme"]), {"kind": "snippets", "file": upload}).status_code
        == code
    )
    assert db_state() == before


def test_a_snippet_of_another_brand_is_404_even_to_a_supervisor(cast, browser):
    foreign = make_snippet(cast.brand_b)
    client = browser(cast.supervisor)
    assert client.get(reverse("knowledge:snippet", args=["acme", foreign.pk])).status_code == 404
    assert client.get(reverse("knowledge:snippet", args=["globex", foreign.pk])).status_code == 404


def test_create_edit_archive_compare_restore(cast, browser):
    client = browser(cast.supervisor)
    response = client.post(reverse("knowledge:snippet_new", args=["acme"]), _form())
    snippet = Snippet.objects.get(shortcut="salam")
    assert response.url == reverse("knowledge:snippet", args=["acme", snippet.pk])
    client.post(
        reverse("knowledge:snippet", args=["acme", snippet.pk]), _form(body="Hai {customer_name}", note="lebih santai")
    )
    client.post(reverse("knowledge:snippet_status", args=["acme", snippet.pk]), {"status": "archived"})
    snippet.refresh_from_db()
    assert (snippet.version, snippet.status, snippet.body) == (3, "archived", "Hai {customer_name}")
    page = client.get(reverse("knowledge:snippet_compare", args=["acme", snippet.pk]) + "?a=1&b=2").content.decode()
    assert '<span class="kn-removed">- Halo {customer_name}</span>' in page
    assert '<span class="kn-added">+ Hai {customer_name}</span>' in page
    client.post(reverse("knowledge:snippet_restore", args=["acme", snippet.pk]), {"number": "1"})
    snippet.refresh_from_db()
    assert (snippet.version, snippet.status, snippet.body) == (4, "published", "Halo {customer_name}")
    kinds = list(ConfigChange.objects.order_by("pk").values_list("kind", "actor__username", "source"))
    assert kinds == [
        ("snippet.created", "sup_a", "page"),
        ("snippet.updated", "sup_a", "page"),
        ("snippet.archived", "sup_a", "page"),
        ("snippet.restored", "sup_a", "page"),
    ]


def test_a_malformed_placeholder_is_shown_with_its_position(cast, browser):
    before = db_state()
    response = browser(cast.supervisor).post(
        reverse("knowledge:snippet_new", args=["acme"]), _form(body="Halo {customer_nam}")
    )
    assert response.status_code == 400
    assert "Position 6: “{customer_nam}” is not a known placeholder." in response.content.decode()
    assert db_state() == before


def test_snippet_text_is_escaped_everywhere_it_is_shown(cast, browser, claimed_ticket):
    snippet = make_snippet(cast.brand_a, title=f"Judul {XSS}", body=f"Isi {XSS} pulsa terpotong", tags="pulsa")
    make_snippet(cast.brand_a, title="Two", body="other text")
    from brands.services import knowledge

    knowledge.update_snippet(
        snippet=snippet,
        user=None,
        data=knowledge.SnippetData(title=f"Judul {XSS}", body=f"Baru {XSS}", status="published"),
    )
    sup, op = browser(cast.supervisor), browser(cast.operator)
    pages = [
        sup.get(reverse("knowledge:snippets", args=["acme"])),
        sup.get(reverse("knowledge:snippet", args=["acme", snippet.pk])),
        sup.get(reverse("knowledge:snippet_compare", args=["acme", snippet.pk])),
        op.get(reverse("knowledge:options", args=[claimed_ticket.pk])),
        op.get(reverse("knowledge:options", args=[claimed_ticket.pk]) + "?q=judul"),
    ]
    for response in pages:
        body = response.content.decode()
        assert response.status_code == 200
        assert XSS not in body
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    rendered = op.get(reverse("knowledge:render", args=[claimed_ticket.pk]) + f"?snippet={snippet.pk}")
    assert rendered.headers["Content-Type"] == "application/json"
    assert rendered.json()["text"] == f"Baru {XSS}"  # JSON, inserted as text into the textarea by app.js


def test_the_composer_offers_operators_only_usable_snippets(cast, browser, library, claimed_ticket):
    client = browser(cast.operator)
    body = client.get(reverse("knowledge:options", args=[claimed_ticket.pk]) + "?q=terpotong").content.decode()
    assert "Refund pulsa" in body
    for hidden in ("Promo pulsa", "Draft pulsa", "Old pulsa", "Globex"):
        assert hidden not in body
    render = reverse("knowledge:render", args=[claimed_ticket.pk])
    assert client.get(f"{render}?snippet={library['archived'].pk}").status_code == 409
    assert client.get(f"{render}?snippet={library['expired'].pk}").status_code == 409
    assert client.get(f"{render}?snippet={library['brand_b'].pk}").status_code == 404
    ok = client.get(f"{render}?snippet={library['refund_id'].pk}").json()
    assert ok == {
        "id": library["refund_id"].pk,
        "title": "Refund pulsa",
        "text": "Mohon maaf Budi, pulsa yang terpotong akan kami kembalikan dalam 1x24 jam.",
        "unfilled": [],
    }
    assert browser(cast.manager).get(render + f"?snippet={library['refund_id'].pk}").status_code == 403
    assert browser(cast.operator_b).get(render + f"?snippet={library['refund_id'].pk}").status_code == 404


def test_the_reply_form_counts_snippets_and_refuses_over_limit(cast, browser, library, claimed_ticket):
    client = browser(cast.operator)
    url = reverse("tickets:reply", args=[claimed_ticket.pk])
    before = db_state()
    response = client.post(url, keyed({"body": "y" * 281, "snippets": str(library["refund_id"].pk)}))
    assert response.status_code == 400
    assert "Too long for X: 281 of 280 characters. Shorten it by 1." in response.content.decode()
    assert db_state() == before
    text = "Mohon maaf Budi, pulsa yang terpotong akan kami kembalikan dalam 1x24 jam."
    assert client.post(url, keyed({"body": text, "snippets": f"{library['refund_id'].pk}"})).status_code == 302
    assert Snippet.objects.get(pk=library["refund_id"].pk).used_as_is == 1


def test_the_ticket_page_has_the_composer(cast, browser, claimed_ticket):
    page = browser(cast.operator).get(reverse("tickets:detail", args=[claimed_ticket.pk])).content.decode()
    assert 'role="combobox"' in page
    assert 'role="listbox"' in page
    assert 'data-platform="x" data-limit="280"' in page


def test_csv_import_page_lists_bad_lines_and_export_downloads(cast, browser, library):
    client = browser(cast.supervisor)
    upload = SimpleUploadedFile("s.csv", b"title,body\nOk,Halo\n,Tanpa judul\n", content_type="text/csv")
    before = db_state()
    response = client.post(reverse("knowledge:import", args=["acme"]), {"kind": "snippets", "file": upload})
    assert response.status_code == 400
    assert "Line 3: title: A snippet needs a title." in response.content.decode()
    assert db_state() == before
    export = client.get(reverse("knowledge:export_snippets", args=["acme"]))
    assert export["Content-Disposition"] == 'attachment; filename="acme-snippets.csv"'
    assert "Globex" not in export.content.decode()
    assert export.content.decode().count("\n") == 8  # header + brand A's seven snippets
