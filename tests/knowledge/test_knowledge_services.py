"""Snippet versions, restore, compare, CSV import/export and load_config, with exact values."""

import pytest

from brands.models import ConfigChange, Product, Snippet, SnippetVersion
from brands.services import knowledge
from brands.services.config import ConfigError, apply_config
from tests.factories import make_product, make_snippet
from tests.helpers import db_state
from tickets.models import Event


def _data(snippet, **changes) -> knowledge.SnippetData:
    data = knowledge.SnippetData.of(snippet)
    for name, value in changes.items():
        setattr(data, name, value)
    return data


def test_every_change_is_a_version_with_author_and_an_audit_record(cast):
    snippet, _ = knowledge.create_snippet(
        user=cast.supervisor,
        brand=cast.brand_a,
        data=knowledge.SnippetData(
            title="Refund", body="Halo {customer_name}, dana kembali 3 hari.", shortcut="/Refund"
        ),
    )
    knowledge.update_snippet(
        user=cast.supervisor,
        snippet=snippet,
        data=_data(snippet, body="Halo {customer_name}, dana kembali 5 hari."),
    )
    knowledge.set_status(user=cast.supervisor, snippet=Snippet.objects.get(pk=snippet.pk), status="published")
    snippet.refresh_from_db()
    assert (snippet.version, snippet.status, snippet.shortcut) == (3, "published", "refund")
    versions = list(snippet.versions.order_by("number").values_list("number", "body", "status", "author__username"))
    assert versions == [
        (1, "Halo {customer_name}, dana kembali 3 hari.", "draft", "sup_a"),
        (2, "Halo {customer_name}, dana kembali 5 hari.", "draft", "sup_a"),
        (3, "Halo {customer_name}, dana kembali 5 hari.", "published", "sup_a"),
    ]
    changes = list(
        ConfigChange.objects.filter(brand=cast.brand_a)
        .order_by("pk")
        .values_list("area", "kind", "actor__username", "source", "object_id")
    )
    assert changes == [
        ("knowledge", "snippet.created", "sup_a", "page", snippet.pk),
        ("knowledge", "snippet.updated", "sup_a", "page", snippet.pk),
        ("knowledge", "snippet.published", "sup_a", "page", snippet.pk),
    ]
    updated = ConfigChange.objects.get(kind="snippet.updated")
    assert (updated.before, updated.after) == (
        {"version": 1, "body": "Halo {customer_name}, dana kembali 3 hari."},
        {"version": 2, "body": "Halo {customer_name}, dana kembali 5 hari."},
    )
    assert Event.objects.filter(ticket=None).count() == 0  # no longer in the ticket event log


def test_saving_nothing_new_writes_no_version(cast):
    snippet = make_snippet(cast.brand_a)
    before = db_state()
    _same, change = knowledge.update_snippet(snippet=snippet, user=cast.supervisor, data=_data(snippet))
    assert change is None
    assert db_state() == before


def test_a_malformed_placeholder_is_refused_with_its_position_and_nothing_is_written(cast):
    snippet = make_snippet(cast.brand_a, body="Halo {customer_name}")
    before = db_state()
    with pytest.raises(knowledge.KnowledgeError) as caught:
        knowledge.update_snippet(snippet=snippet, user=cast.supervisor, data=_data(snippet, body="Halo {customer_name"))
    assert caught.value.errors == {"body": ["Position 6: “{” is never closed with “}”."]}
    assert db_state() == before


def test_a_shortcut_is_unique_per_brand_only(cast):
    make_snippet(cast.brand_a, shortcut="promo")
    with pytest.raises(knowledge.KnowledgeError) as caught:
        make_snippet(cast.brand_a, title="Other", shortcut="promo")
    assert caught.value.errors == {"shortcut": ["Another snippet of this brand has the shortcut /promo."]}
    assert make_snippet(cast.brand_b, shortcut="promo").shortcut == "promo"


def test_restore_makes_an_old_version_current_as_a_new_version(cast):
    product = make_product(cast.brand_a, "Kuota Max", specifications={"quota": "50 GB"})
    snippet = make_snippet(cast.brand_a, title="Kuota", body="{product.name}: {product.quota}", product=product)
    knowledge.update_snippet(
        snippet=snippet, user=cast.supervisor, data=_data(snippet, title="Kuota baru", body="Tanya kami", product=None)
    )
    restored, change = knowledge.restore_version(
        snippet=Snippet.objects.get(pk=snippet.pk), user=cast.supervisor, number=1
    )
    assert (restored.version, restored.title, restored.body, restored.product_id) == (
        3,
        "Kuota",
        "{product.name}: {product.quota}",
        product.pk,
    )
    assert change.kind == "snippet.restored"
    assert SnippetVersion.objects.get(snippet=snippet, number=3).note == "restored version 1"
    with pytest.raises(knowledge.KnowledgeError):
        knowledge.restore_version(snippet=restored, user=cast.supervisor, number=9)


def test_compare_shows_line_diffs_of_changed_fields_only(cast):
    snippet = make_snippet(cast.brand_a, title="A", body="line one\nline two")
    knowledge.update_snippet(snippet=snippet, user=None, data=_data(snippet, body="line one\nline 2\nline three"))
    v1, v2 = snippet.versions.order_by("number")
    diff = knowledge.compare_versions(old=v1, new=v2)
    assert list(diff) == ["body"]
    assert [(d.kind, d.text) for d in diff["body"]] == [
        ("same", "line one"),
        ("removed", "line two"),
        ("added", "line 2"),
        ("added", "line three"),
    ]


SNIPPETS_CSV = (
    "shortcut,title,body,language,tone,tags,product,status,expires_at\n"
    'salam,Salam,Halo {customer_name}!,id,casual,"Greeting, halo",,published,\n'
    'promo,Promo,"Diskon {product.name}\nsampai akhir bulan",id,formal,promo,Kuota Max,published,2030-01-31\n'
)


def test_csv_import_creates_then_updates_by_shortcut_and_exports_the_same(cast):
    make_product(cast.brand_a, "Kuota Max")
    result = knowledge.import_snippets_csv(user=cast.supervisor, brand=cast.brand_a, text=SNIPPETS_CSV)
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    salam = Snippet.objects.get(brand=cast.brand_a, shortcut="salam")
    assert (salam.tags, salam.tone, salam.status) == ("greeting, halo", "casual", "published")
    again = knowledge.import_snippets_csv(
        brand=cast.brand_a,
        user=cast.supervisor,
        text=SNIPPETS_CSV.replace("Halo {customer_name}!", "Hai {customer_name}!"),
    )
    assert (again.created, again.updated, again.unchanged) == (0, 1, 1)
    exported = knowledge.export_snippets_csv(brand=cast.brand_a)
    assert exported.splitlines()[0] == "shortcut,title,body,language,tone,tags,product,status,expires_at"
    assert 'salam,Salam,Hai {customer_name}!,id,casual,"greeting, halo",,published,' in exported
    assert ConfigChange.objects.filter(kind="snippet.created").count() == 2
    assert ConfigChange.objects.filter(kind="snippet.updated").count() == 1


def test_csv_import_reports_every_bad_row_with_its_line_and_writes_nothing(cast):
    make_snippet(cast.brand_a, title="Existing", shortcut="ada")
    text = (
        "shortcut,title,body,language,status,product,expires_at\n"
        "ok,Fine,Halo {customer_name},id,published,,\n"
        'bad1,Broken,"Two lines\nthen {oops",id,published,,\n'
        "bad2,,No title,xx,published,,\n"
        "bad3,Prod,Hi,en,published,Nope,\n"
        "ok,Dup,Hi,en,gone,,31-12-2030\n"
    )
    before = db_state()
    with pytest.raises(knowledge.KnowledgeError) as caught:
        knowledge.import_snippets_csv(brand=cast.brand_a, user=cast.supervisor, text=text)
    assert caught.value.errors == {
        "line 3": ["Line 3: body: Position 16: “{” is never closed with “}”."],
        "line 5": ["Line 5: title: A snippet needs a title.", "Line 5: language: Use id or en."],
        "line 6": ["Line 6: unknown product “Nope”"],
        "line 7": [
            "Line 7: expires_at is not a date like 2026-12-31",
            "Line 7: shortcut /ok is also on line 2",
            "Line 7: status: Use draft, published or archived.",
        ],
    }
    assert db_state() == before


def test_csv_import_refuses_unknown_columns(cast):
    with pytest.raises(knowledge.KnowledgeError) as caught:
        knowledge.import_snippets_csv(brand=cast.brand_a, user=None, text="title,bodee\nA,B\n")
    assert caught.value.errors == {"line 1": ["Line 1: missing column(s) body.", "Line 1: unknown column(s) bodee."]}


def test_products_csv_round_trip_and_errors(cast):
    text = 'name,category,specifications,faq\nKuota Max,Paket data,"{""quota"": ""50 GB""}",Berlaku 30 hari\n'
    result = knowledge.import_products_csv(brand=cast.brand_a, user=None, text=text)
    assert (result.created, result.updated) == (1, 0)
    assert Product.objects.get(brand=cast.brand_a).specifications == {"quota": "50 GB"}
    assert (
        knowledge.export_products_csv(brand=cast.brand_a).splitlines()[1]
        == 'Kuota Max,Paket data,"{""quota"": ""50 GB""}",Berlaku 30 hari,'
    )
    before = db_state()
    with pytest.raises(knowledge.KnowledgeError) as caught:
        knowledge.import_products_csv(brand=cast.brand_a, user=None, text="name,specifications\nA,not json\n,\n")
    assert caught.value.errors == {
        "line 2": ["Line 2: specifications is not a JSON object"],
        "line 3": ["Line 3: name: A product needs a name."],
    }
    assert db_state() == before


def test_load_config_learns_products_and_snippets(cast):
    config = {
        "brands": [
            {
                "slug": "acme",
                "managers_edit_knowledge": True,
                "products": [{"name": "Kuota Max", "category": "Paket", "specifications": {"quota": "50 GB"}}],
                "snippets": [
                    {
                        "title": "Kuota",
                        "body": "{product.name} {product.quota}",
                        "product": "Kuota Max",
                        "shortcut": "kuota",
                        "tags": ["paket"],
                    },
                ],
            }
        ]
    }
    summary = apply_config(config)
    assert summary.created == {"products": 1, "snippets": 1}
    snippet = Snippet.objects.get(brand=cast.brand_a, shortcut="kuota")
    assert (snippet.status, snippet.product.name, snippet.tags) == ("published", "Kuota Max", "paket")
    again = apply_config(config)
    assert again.created == {}
    assert again.updated == {}
    bad = {"brands": [{"slug": "acme", "snippets": [{"title": "X", "body": "Hi {nama}"}]}]}
    before = db_state()
    with pytest.raises(ConfigError) as caught:
        apply_config(bad)
    assert caught.value.problems == ["brands[0].snippets[0].body: Position 4: “{nama}” is not a known placeholder."]
    assert db_state() == before
