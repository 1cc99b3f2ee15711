"""Edge 8 of issue 15: the PDF report has what the page has — the headline figures ("Tickets received" first),
the tickets-per-day chart drawn as bars, every response-time row, the breakdowns with the page's words
("Unassigned", "No tag", "Negative") and the review section — in English and Indonesian, in a font that writes
both. What the renderer is given is compared with the page's own HTML."""

import html
import os
import re
from pathlib import Path

import pytest

from tests.helpers import pdf_text
from tests.tickets.reports.conftest import RANGE_QUERY
from tickets.models import ReviewDecision
from tickets.reports import exports


def _rows(page: str, heading: str) -> list[tuple[str, ...]]:
    """The body rows of the table under ``heading`` on the page, as text cells."""
    section = page.split(f">{heading}</h2>", 1)[1].split("</table>", 1)[0].split("<tbody>", 1)[1]
    rows = []
    for tr in re.findall(r"<tr>(.*?)</tr>", section, re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, re.S)
        rows.append(tuple(html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in cells))
    return rows


@pytest.fixture
def pdf_given(monkeypatch):
    given = {}

    def capture(blocks, *, title, subtitle):
        given.update(blocks=blocks, title=title, subtitle=subtitle)
        return real(blocks, title=title, subtitle=subtitle)

    real = exports.render_pdf
    monkeypatch.setattr(exports, "render_pdf", capture)
    return given


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", {"received": "Tickets received", "unassigned": "Unassigned", "no_tag": "No tag", "neg": "Negative",
                "times": "Response and resolution times", "review": "Review", "changes": "1 change requested"}),
        ("id", {"received": "Tiket diterima", "unassigned": "Belum dipegang", "no_tag": "Tanpa tag",
                "neg": "Negatif", "times": "Waktu respons dan penyelesaian", "review": "Tinjauan",
                "changes": "1 permintaan perubahan"}),
    ],
)  # fmt: skip
def test_the_pdf_has_the_pages_figures_charts_and_words(world, cast, browser, pdf_given, language, words):
    ReviewDecision.objects.create(
        reply=world.t1.replies.get(), reviewer=cast.supervisor, verdict="changes_requested", revision=1,
        reason_code="wrong_info", created_at=world.now,
    )  # fmt: skip
    client = browser(cast.manager)
    page = client.get(f"/reports/acme/{RANGE_QUERY}", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    response = client.get(f"/reports/acme/export/{RANGE_QUERY}&format=pdf", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-")
    if os.environ.get("SMRC_SCREENSHOTS"):
        Path(os.environ["SMRC_SCREENSHOTS"], f"report-{language}.pdf").write_bytes(response.content)
    assert b"DejaVu" in response.content  # the embedded font that writes Indonesian
    blocks = pdf_given["blocks"]
    tables = {}  # the first table of each title: the QA section's "By operator" comes after the tickets' one
    for b in blocks:
        if b.kind == "table":
            tables.setdefault(b.title, [tuple(str(v) for v in row) for row in b.rows[1:]])

    # the headline: "Tickets received" and the four other cards, then the figures against the previous period
    cards = next(b for b in blocks if b.kind == "cards").rows
    card_values = re.findall(r'<span class="card-label">(.*?)</span><span class="card-value">(.*?)</span>', page)
    assert [(label, value) for label, value, _note in cards] == [
        (html.unescape(a), html.unescape(b)) for a, b in card_values
    ]
    assert cards[0][:2] == (words["received"], "4")
    headline_title = next(t for t in tables if t and t.startswith(("Against", "Dibanding")))
    assert tables[headline_title] == [row[:5] for row in _rows(page, headline_title)]

    # the chart: one bar per day with the page's counts
    bars = next(b for b in blocks if b.kind == "bars")
    assert [n for _label, n in bars.rows] == [1, 0, 1, 0, 1, 0, 1]

    # every response-time row, with the page's labels and values (the next response, calendar row included)
    assert tables[words["times"]] == _rows(page, words["times"])
    assert len(tables[words["times"]]) == 7

    # breakdowns: the page's rows and words, never "none" or "-"
    for title in tables:
        if f">{title}</h2>" in page and title != words["times"] and title != headline_title:
            assert tables[title] == [row[: len(tables[title][0])] for row in _rows(page, title)], title
    labels = {row[0] for rows in tables.values() for row in rows}
    assert {words["unassigned"], words["no_tag"], words["neg"]} <= labels
    assert "none" not in labels
    assert "-" not in labels

    # and the PDF draws those words (its text read back through the font's ToUnicode map)
    drawn = " ".join(pdf_text(response.content).split())  # a label wrapped in its cell reads as one line again
    for key in ("received", "unassigned", "no_tag", "neg", "times", "changes"):
        assert words[key] in drawn, key
    for label, *_figures in tables[words["times"]]:
        assert label in drawn

    # the review section
    texts = [b.title for b in blocks if b.kind in ("text", "heading")]
    assert words["review"] in texts
    assert any(words["changes"] in t for t in texts)
