"""The queue's search box (issue 15, item 2): customer name and handle, message text, reference and tags, in
Indonesian and English; scoped like the queue; full-text and trigram on PostgreSQL, FTS5 on SQLite."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from tests.factories import make_ticket
from tests.helpers import db_state
from tickets.models import Author, Mention
from tickets.selectors.search import fts5_query, reference_id
from tickets.services import tags, workflow

URL = "/queue/"
postgres = pytest.mark.postgres


def found(client, q: str, **extra) -> list[int]:
    response = client.get(URL, {"q": q, **extra})
    assert response.status_code == 200
    return [t.pk for t in response.context["tickets"]]


@pytest.fixture
def world(cast):
    """Brand A: a parcel complaint by Budi Santoso, a refund tagged ticket, a resolved English one; brand B: the
    same words, and the same handle (its own customer)."""
    parcel = make_ticket(cast.brand_a, author_id="a-1", handle="budi_s", text="Paket saya belum sampai ke Depok")
    Author.objects.filter(pk=parcel.author_id).update(name="Budi Santoso")
    refund = make_ticket(
        cast.brand_a, author_id="a-2", handle="sari", text="Minta pengembalian dana, pesanan terlambat"
    )
    tags.set_ticket_tags(ticket=refund, user=cast.supervisor, names=["refund"])
    english = make_ticket(cast.brand_a, author_id="a-3", handle="john", text="My deliveries are always late")
    workflow.resolve_ticket(ticket=english, user=cast.supervisor)
    other = make_ticket(cast.brand_b, author_id="b-1", handle="budi_s", text="Paket saya belum sampai juga")
    return {"parcel": parcel, "refund": refund, "english": english, "other": other}


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("paket", ["parcel"]),  # message text
        ("PAKET sampai", ["parcel"]),  # every word, any case
        ("budi", ["parcel"]),  # the name
        ("@budi_s", ["parcel"]),  # the handle
        ("santoso", ["parcel"]),
        ("refund", ["refund"]),  # the tag
        ("#refund", ["refund"]),
        ("pengembalian", ["refund"]),
        ("tidak ada yang cocok", []),
    ],
)
def test_search_finds_by_name_handle_text_and_tag(cast, browser, world, q, expected):
    assert found(browser(cast.operator), q) == [world[name].pk for name in expected]


def test_search_by_reference(cast, browser, world):
    client = browser(cast.operator)
    pk = world["refund"].pk
    for q in (f"T-{pk}", f"t{pk}", f"#{pk}", str(pk)):
        assert world["refund"].pk in found(client, q), q
    # brand B's reference from brand A's operator: nothing
    assert found(client, f"T-{world['other'].pk}") == []


def test_search_spans_statuses_when_asked(cast, browser, world):
    client = browser(cast.operator)
    assert found(client, "deliveries") == []  # resolved: not in the active queue
    assert found(client, "deliveries", status="resolved") == [world["english"].pk]


def test_search_never_crosses_brands(cast, browser, world):
    assert found(browser(cast.operator_b), "paket") == [world["other"].pk]
    assert found(browser(cast.operator_b), "refund") == []
    assert found(browser(cast.operator_b), "budi") == [world["other"].pk]
    assert found(browser(cast.outsider), "paket") == []
    html = browser(cast.operator_b).get(URL, {"q": "pengembalian"}).content.decode()
    assert "pengembalian dana" not in html.lower()


def test_facet_counts_follow_the_search_and_the_other_filters(cast, browser, world):
    client = browser(cast.operator)
    counts = client.get(URL, {"q": "paket"}).context["counts"]
    assert (counts.total, counts.statuses, counts.unassigned, counts.mine) == (1, {"new": 1}, 1, 0)
    workflow.claim_ticket(ticket=world["parcel"], user=cast.operator)
    counts = client.get(URL, {"q": "paket", "mine": "1"}).context["counts"]
    # the status facet counts within "mine"; the owner facet counts across owners
    assert (counts.statuses, counts.mine, counts.unassigned) == ({"open": 1}, 1, 0)
    counts = client.get(URL, {"priority": "4"}).context["counts"]
    assert counts.statuses == {}  # nothing urgent: the status facet counts within the chosen priority
    assert sum(counts.priorities.values()) == 2  # the priority facet ignores its own choice


@pytest.mark.parametrize(
    "q", ['"', 'paket"', "NEAR(paket sampai)", "pa*", "text:paket", "-paket", "(", "'; DROP TABLE x; --", "\\", "ä€😀"]
)
def test_hostile_search_text_is_only_text(cast, browser, world, q):
    response = browser(cast.operator).get(URL, {"q": q})
    assert response.status_code == 200


def test_an_over_long_search_is_ignored_and_named(cast, browser, world):
    response = browser(cast.operator).get(URL, {"q": "x" * 201})
    assert response.status_code == 200
    assert [name for name, _e in response.context["ignored_filters"]] == ["q"]


def test_search_text_is_escaped_on_the_page(cast, browser, world):
    html = browser(cast.operator).get(URL, {"q": "<script>alert(1)</script>"}).content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_sort(cast, browser, world):
    client = browser(cast.operator)
    newest = found(client, "", sort="newest")
    assert newest == sorted(newest, reverse=True)
    assert found(client, "", sort="oldest") == list(reversed(newest))


def test_search_is_read_only(cast, browser, world):
    before = db_state()
    found(browser(cast.operator), "paket")
    assert db_state() == before


def test_an_edited_message_is_found_by_its_new_words(cast, browser, world):
    mention = Mention.objects.get(ticket=world["parcel"])
    mention.text = "Sinyal hilang di Bekasi"
    mention.save(update_fields=["text"])
    client = browser(cast.operator)
    assert found(client, "bekasi") == [world["parcel"].pk]
    assert found(client, "depok") == []


#: session, user, memberships, the page of rows, the brands, the counts, the saved views, the preference
SEARCH_QUERIES = 9  # the queue (tests/tickets/views/test_queue.py)


def test_a_search_costs_a_fixed_number_of_queries(cast, browser, world, django_assert_num_queries):
    client = browser(cast.operator)
    client.get(URL)
    for q in ("paket", "budi", "refund", f"T-{world['parcel'].pk}"):
        with django_assert_num_queries(SEARCH_QUERIES):
            client.get(URL, {"q": q})


def test_fts5_query_and_reference_parsing():
    assert fts5_query('paket" OR NEAR(x*') == '"paket"* "OR"* "NEAR"* "x"*'
    assert fts5_query("!!!") == ""
    assert reference_id("T-12") == 12
    assert reference_id("#0") is None
    assert reference_id("9" * 20) is None
    assert reference_id("T-12 x") is None


# --- SQLite: prefix matching; the FTS5 table and its rebuild --------------------------------------------------


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's FTS5 path")
def test_sqlite_matches_word_prefixes(cast, browser, world):
    assert found(browser(cast.operator), "pengemb") == [world["refund"].pk]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's FTS5 path")
def test_reindex_search_rebuilds_the_sqlite_table(cast, browser, world):
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO tickets_mention_fts(tickets_mention_fts) VALUES ('delete-all')")
    assert found(browser(cast.operator), "paket") == []
    out = StringIO()
    call_command("reindex_search", stdout=out)
    assert "rebuilt tickets_mention_fts" in out.getvalue()
    assert found(browser(cast.operator), "paket") == [world["parcel"].pk]


# --- PostgreSQL: both languages' stemming, trigram names, the indexes ----------------------------------------


@postgres
def test_postgres_has_the_configurations_and_indexes(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT cfgname FROM pg_ts_config WHERE cfgname IN ('indonesian', 'english') ORDER BY 1")
        assert [r[0] for r in cursor.fetchall()] == ["english", "indonesian"]
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE indexname IN "
            "('mention_text_search_idx', 'author_name_trgm_idx', 'author_handle_trgm_idx') ORDER BY 1"
        )
        assert [r[0] for r in cursor.fetchall()] == [
            "author_handle_trgm_idx",
            "author_name_trgm_idx",
            "mention_text_search_idx",
        ]


@postgres
@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("lambat", ["refund"]),  # Indonesian stemming: terlambat → lambat
        ("delivery", ["english"]),  # English stemming: deliveries → delivery
        ("Budi Santosa", ["parcel"]),  # a typo in the name: trigram word similarity
        ("budi_", ["parcel"]),
    ],
)
def test_postgres_stems_both_languages_and_forgives_typos_in_names(cast, browser, world, q, expected):
    assert found(browser(cast.operator), q, status="resolved" if q == "delivery" else "active") == [
        world[name].pk for name in expected
    ]


@postgres
def test_postgres_uses_the_full_text_index(cast, world):
    from tickets.selectors.search import TextMatches

    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        sql, params = Mention.objects.filter(TextMatches("paket")).values("ticket_id").query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(r[0] for r in cursor.fetchall())
        cursor.execute("SET enable_seqscan = on")
    assert "mention_text_search_idx" in plan


@postgres
@pytest.mark.django_db(transaction=True)
def test_reindex_search_on_postgres(cast):
    out = StringIO()
    call_command("reindex_search", stdout=out)
    assert "reindexed mention_text_search_idx" in out.getvalue()


def _second_message(ticket, text: str) -> Mention:
    mention = Mention.objects.filter(ticket=ticket).first()
    mention.pk = None
    mention.platform_id = f"{mention.platform_id}-2"
    mention.text = text
    mention.save()
    return mention


def _documents_are_current() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM tickets_ticket WHERE search_document IS DISTINCT FROM tickets_search_document(id)"
        )
        return cursor.fetchone()[0] == 0


@postgres
def test_postgres_ticket_search_document_follows_its_messages(cast, browser, world):
    """The ticket-level document (migration 0027_perf_search_document) is kept by a trigger on every new, edited
    and deleted message."""
    client = browser(cast.operator)
    second = _second_message(world["parcel"], "Kartu debit terblokir")
    assert _documents_are_current()
    assert found(client, "blokir") == [world["parcel"].pk]
    second.text = "Sinyal hilang"
    second.save(update_fields=["text"])
    assert _documents_are_current()
    assert found(client, "blokir") == []
    assert found(client, "sinyal") == [world["parcel"].pk]
    second.delete()
    assert _documents_are_current()
    assert found(client, "sinyal") == []
    assert found(client, "paket") == [world["parcel"].pk]


@postgres
@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("paket kartu", []),  # each word is in a message of the ticket, but not in the same one
        ("paket depok", ["parcel"]),
        ('"belum sampai"', ["parcel"]),  # a phrase, within one message
        ('"sampai kartu"', []),  # not across two messages
        ("kartu -depok", ["parcel"]),  # the second message has kartu and not depok
        ("paket -depok", []),
    ],
)
def test_postgres_words_of_two_messages_do_not_combine(cast, browser, world, q, expected):
    _second_message(world["parcel"], "Kartu debit terblokir")
    assert found(browser(cast.operator), q) == [world[name].pk for name in expected]


@postgres
@pytest.mark.django_db(transaction=True)
def test_reindex_search_fills_the_ticket_documents(cast):
    make_ticket(cast.brand_a, text="Paket saya belum sampai")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE tickets_ticket SET search_document = NULL")
    assert not _documents_are_current()
    out = StringIO()
    call_command("reindex_search", stdout=out)
    assert "filled search_document (1 tickets changed)" in out.getvalue()
    assert _documents_are_current()
