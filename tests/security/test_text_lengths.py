"""Every text that comes in is checked against the column that keeps it, on every path, before anything is
written: a value one character too long is refused with its field (knowledge forms, CSV imports, load_config) or,
from an unattended source (webhooks, polling, ingest_file), its item is skipped with the reason. Never a
PostgreSQL ``DataError`` (a 500, or a whole delivery failed), never a silent cut on SQLite (an id cut to its
column could become another customer's id).
"""

import json
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from brands.models import Product, Snippet
from brands.services import knowledge
from brands.services.config import ConfigError, apply_config
from tests.factories import make_channel
from tests.helpers import KeyedAPIClient, db_state, deliver_signed
from tickets.models import Author, InboundDelivery, Mention, Ticket

pytestmark = pytest.mark.django_db


def column(model, name: str) -> int:
    return model._meta.get_field(name).max_length


SNIPPET_TEXT = ["title", "tags", "shortcut"]
PRODUCT_TEXT = ["name", "category"]


def snippet_csv(**cells: str) -> str:
    row = {"shortcut": "salam", "title": "Salam", "body": "Halo {customer_name}!", **cells}
    quoted = ",".join('"' + v.replace('"', '""') + '"' for v in row.values())
    return ",".join(row) + "\n" + quoted + "\n"


def product_csv(**cells: str) -> str:
    row = {"name": "Kuota Max", "category": "data", "specifications": "{}", **cells}
    quoted = ",".join('"' + v.replace('"', '""') + '"' for v in row.values())
    return ",".join(row) + "\n" + quoted + "\n"


def over(model, name: str) -> str:
    """One character past the column, in a value the field's other rules accept."""
    return ("s" if name == "shortcut" else "x") * (column(model, name) + 1)


@pytest.mark.parametrize("name", SNIPPET_TEXT)
def test_a_snippet_csv_cell_longer_than_its_column_is_refused_with_its_line(cast, name):
    before = db_state()
    with pytest.raises(knowledge.KnowledgeError) as refused:
        knowledge.import_snippets_csv(
            brand=cast.brand_a, user=cast.supervisor, text=snippet_csv(**{name: over(Snippet, name)})
        )
    assert [m for m in refused.value.errors["line 2"] if name in m] != [], refused.value.errors
    assert db_state() == before


@pytest.mark.parametrize("name", ["title", "tags"])
def test_a_snippet_cell_exactly_at_its_column_is_stored_whole(cast, name):
    value = over(Snippet, name)[: column(Snippet, name)]
    knowledge.import_snippets_csv(brand=cast.brand_a, user=cast.supervisor, text=snippet_csv(**{name: value}))
    assert getattr(Snippet.objects.get(brand=cast.brand_a), name) == value


@pytest.mark.parametrize("name", PRODUCT_TEXT)
def test_a_product_csv_cell_longer_than_its_column_is_refused_with_its_line(cast, name):
    before = db_state()
    with pytest.raises(knowledge.KnowledgeError) as refused:
        knowledge.import_products_csv(
            brand=cast.brand_a, user=cast.supervisor, text=product_csv(**{name: over(Product, name)})
        )
    assert [m for m in refused.value.errors["line 2"] if name in m] != [], refused.value.errors
    assert db_state() == before


def test_a_hostile_title_of_160_characters_and_more_through_load_config_is_refused(cast):
    """The reported case: a snippet title over 160 characters was a PostgreSQL DataError (a 500 on import)."""
    before = db_state()
    document = {
        "brands": [
            {
                "slug": "acme",
                "products": [{"name": "p" * 121}],
                "snippets": [{"title": "<script>x</script>" + "Z͑͗" * 60, "body": "Halo", "tags": ["t" * 301]}],
            }
        ]
    }
    with pytest.raises(ConfigError) as refused:
        apply_config(document)
    problems = refused.value.problems
    assert "brands[0].products[0].name: Ensure this value has at most 120 characters (it has 121)." in problems
    assert any(
        p.startswith("brands[0].snippets[0].title: Ensure this value has at most 160 characters") for p in problems
    )
    assert "brands[0].snippets[0].tags: Ensure this value has at most 300 characters (it has 301)." in problems
    assert db_state() == before


# --- unattended sources: ids too long for their column -----------------------------------------------------------


def x_delivery(account: str, tweets: list[dict]) -> dict:
    return {"for_user_id": account, "tweet_create_events": tweets}


def tweet(tweet_id: str, user_id: str, text: str = "halo @acme") -> dict:
    return {
        "id_str": tweet_id,
        "text": text,
        "timestamp_ms": "1741000000000",
        "user": {"id_str": user_id, "screen_name": "budi", "name": "Budi"},
    }


@pytest.mark.parametrize(
    ("tweet_id", "user_id", "reason"),
    [
        ("1" * 129, "42", "platform_id is longer than 128 characters"),
        ("1001", "4" * 65, "author.platform_user_id is longer than 64 characters"),
    ],
)
def test_a_webhook_item_whose_id_does_not_fit_is_skipped_and_the_rest_kept(cast, tweet_id, user_id, reason):
    make_channel(cast.brand_a, platform="x", external_id="777")
    delivery = deliver_signed("x", x_delivery("777", [tweet(tweet_id, user_id), tweet("1002", "43", "kedua")]))
    delivery.refresh_from_db()
    assert delivery.state == InboundDelivery.State.PROCESSED, delivery.error
    assert delivery.summary["created"] == 1
    assert [r for r in delivery.summary["skipped_reasons"] if reason in r] != [], delivery.summary
    assert list(Mention.objects.values_list("platform_id", flat=True)) == ["1002"]
    assert list(Author.objects.values_list("platform_user_id", flat=True)) == ["43"]


def test_ingest_file_never_cuts_an_id_to_its_column(cast, tmp_path):
    """Two authors whose ids share their first 64 characters stayed one person once cut: now each record whose
    id does not fit is skipped with the reason."""
    prefix = "9" * 64
    records = [
        {"platform": "x", "platform_id": f"p{n}", "author": {"id": prefix + str(n)}, "text": "hi", "posted_at": 1741e9}
        for n in (1, 2)
    ]
    path = tmp_path / "m.json"
    path.write_text(json.dumps(records))
    out = StringIO()
    call_command("ingest_file", "--platform", "json", str(path), "--brand", "acme", "--no-progress", stdout=out)
    assert out.getvalue().splitlines()[0].startswith("created 0, duplicates 0")
    assert "skipped 2: author.platform_user_id is longer than 64 characters" in out.getvalue()
    assert not Author.objects.exists()


def test_the_import_page_answers_an_over_long_title_with_the_line_not_a_500(cast):
    client = Client()
    client.force_login(cast.supervisor)
    upload = SimpleUploadedFile("s.csv", snippet_csv(title="T" * 161).encode(), content_type="text/csv")
    before = db_state()
    response = client.post("/knowledge/acme/import/", {"kind": "snippets", "file": upload})
    assert response.status_code == 400
    assert response.context["problems"] == ["Line 2: title: Ensure this value has at most 160 characters (it has 161)."]
    assert db_state() == before


@pytest.mark.parametrize("platform", ["x", "instagram"])
def test_the_longest_conversation_id_the_api_takes_opens_a_ticket(cast, platform):
    """The API takes conversation and platform ids of 128 characters; the ticket's thread key is the platform's
    name, a colon and that id, and must hold it whole (it was cut to nothing by a PostgreSQL DataError: a 500)."""
    client = KeyedAPIClient()
    client.force_authenticate(cast.supervisor)
    item = {
        "platform": platform,
        "brand": "acme",
        "text": "halo",
        "posted_at": "2025-03-03T09:00:00Z",
    }
    for n, conversation in ((7, ""), (8, "c" * 128)):
        mention = {**item, "platform_id": str(n) * 128, "author": {"id": f"u-{n}"}, "conversation_id": conversation}
        response = client.post("/api/v1/mentions/", [mention], format="json")
        assert response.status_code == 201, response.content
    keys = sorted(Ticket.objects.values_list("conversation_key", flat=True))
    assert keys == [f"{platform}:{'7' * 128}", f"{platform}:{'c' * 128}"]
