"""QA scores in the report (issue 16: "scores by operator and criterion in reports, with trends") are one set of
figures wherever the report is read: the page, the full PDF report and ``GET /api/v1/reports/<brand>/`` all come
from ``tickets.reports.qa.qa_report``; these tests read each and compare them, value by value. (The monthly
one-page summary shows the headline, tickets per day and SLA compliance only, no review figures: no QA there.)"""

import html
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from brands.models import Role
from tests.factories import make_member, make_user
from tests.helpers import pdf_text
from tickets.models import Scorecard
from tickets.services import qa

from .conftest import WEDNESDAY, full_grade, publish

pytestmark = pytest.mark.django_db

#: ISO weeks 2026-W10 and 2026-W11, brand A's local dates
QUERY = "?start=2026-03-02&end=2026-03-15"


@pytest.fixture
def graded(cast):
    """Brand A (its rubric named in its language, Indonesian): op_a graded 80.0 (W10, acknowledged) and 100.0
    (W11); op_a2 graded 70.0 (W10: tone 5, the rest 3, (25×5 + 75×3) / 500). Brand B: one scorecard of 20.0 in
    W10 that no figure of brand A may count."""
    second = make_user("op_a2", first_name="Sari")
    make_member(second, cast.brand_a, Role.OPERATOR)
    grader_b = make_user("sup_b")
    make_member(grader_b, cast.brand_b, Role.SUPERVISOR)
    week = timedelta(days=7)
    cards = [
        qa.grade(reply=publish(cast.brand_a, cast.operator), grader=cast.supervisor, grade=full_grade(score=4)),
        qa.grade(
            reply=publish(cast.brand_a, cast.operator, at=WEDNESDAY + week),
            grader=cast.supervisor,
            grade=full_grade(score=5),
        ),
        qa.grade(reply=publish(cast.brand_a, second), grader=cast.supervisor, grade=full_grade(score=3, tone=5)),
        qa.grade(reply=publish(cast.brand_b, cast.operator_b), grader=grader_b, grade=full_grade(score=1)),
    ]
    assert [c.score for c in cards] == [80, 100, 70, 20]
    assert qa.acknowledge(scorecard=cards[0], user=cast.operator, now=timezone.now())
    return cards


def _section(page: str) -> str:
    return page.split('<section class="panel" id="qa">', 1)[1].split("</section>", 1)[0]


def _tables(section: str) -> dict[str, list[tuple[str, ...]]]:
    """Each table of the page's QA section under its heading: body rows as text cells (the meter column dropped)."""
    found = {}
    for heading, body in re.findall(r"<h3>(.*?)</h3>\s*<table.*?<tbody>(.*?)</tbody>", section, re.S):
        rows = []
        for tr in re.findall(r"<tr>(.*?)</tr>", body, re.S):
            cells = [
                html.unescape(re.sub(r"<[^>]+>", "", c)).strip()
                for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, re.S)
            ]
            rows.append(tuple(c for c in cells if c))
        found[html.unescape(heading)] = rows
    return found


EXPECTED_EN = {
    "By operator": [("op_a", "2", "90.0%"), ("Sari", "1", "70.0%")],
    "By criterion": [
        ("Nada pelayanan", "3", "4.7"),
        ("Pengetahuan produk", "3", "4.0"),
        ("Tanggung jawab", "3", "4.0"),
        ("Bahasa", "3", "4.0"),
        ("Etika platform", "3", "4.0"),
    ],
    "Week by week": [("2026-03-02", "2", "75.0%"), ("2026-03-09", "1", "100.0%")],
}
SENTENCE_EN = "3 scorecards, mean QA score 83.3%, 1 acknowledged by the operators."


def test_page_pdf_and_api_show_the_same_qa_figures(cast, browser, api, graded):
    client = browser(cast.manager)
    page = client.get(f"/reports/acme/{QUERY}")
    assert page.status_code == 200
    section = _section(page.content.decode())
    tables = _tables(section)
    assert tables == EXPECTED_EN
    assert SENTENCE_EN in section

    pdf = client.get(f"/reports/acme/export/{QUERY}&format=pdf")
    assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")
    lines = pdf_text(pdf.content).splitlines()
    qa_part = lines[lines.index("QA scorecards") :]
    assert qa_part[:2] == ["QA scorecards", SENTENCE_EN]
    for heading, rows in tables.items():  # each table after its heading, its rows' cells in the page's order
        after = qa_part[qa_part.index(heading) :]
        cells = [cell for row in rows for cell in row]
        start = after.index(cells[0])
        assert after[start : start + len(cells)] == cells

    answer = api(cast.manager).get(f"/api/v1/reports/acme/{QUERY}")
    assert answer.status_code == 200
    assert answer.json()["qa"] == {
        "scorecards": 3,
        "mean": 83.3,
        "acknowledged": 1,
        "by_operator": [
            {"key": str(cast.operator.pk), "label": "op_a", "count": 2, "mean": 90.0},
            {"key": str(graded[2].operator_id), "label": "Sari", "count": 1, "mean": 70.0},
        ],
        "by_criterion": [
            {"key": "tone", "label": "Nada pelayanan", "count": 3, "mean": 4.7},
            {"key": "knowledge", "label": "Pengetahuan produk", "count": 3, "mean": 4.0},
            {"key": "ownership", "label": "Tanggung jawab", "count": 3, "mean": 4.0},
            {"key": "language", "label": "Bahasa", "count": 3, "mean": 4.0},
            {"key": "etiquette", "label": "Etika platform", "count": 3, "mean": 4.0},
        ],
        "weeks": [
            {"key": "2026-03-02", "label": "2026-03-02", "count": 2, "mean": 75.0},
            {"key": "2026-03-09", "label": "2026-03-09", "count": 1, "mean": 100.0},
        ],
    }
    # the page's figures, as the API gives them (the page rounds to one decimal too)
    api_rows = [(g["label"], str(g["count"]), f"{g['mean']:.1f}%") for g in answer.json()["qa"]["by_operator"]]
    assert api_rows == tables["By operator"]


def test_the_pdf_writes_the_qa_section_in_indonesian_as_the_page_does(cast, browser, graded):
    client = browser(cast.manager)
    page = client.get(f"/reports/acme/{QUERY}", HTTP_ACCEPT_LANGUAGE="id").content.decode()
    tables = _tables(_section(page))
    assert tables == {
        "Per operator": [("op_a", "2", "90,0%"), ("Sari", "1", "70,0%")],
        "Per kriteria": [(name, "3", mean.replace(".", ",")) for name, _n, mean in EXPECTED_EN["By criterion"]],
        "Minggu demi minggu": [("2026-03-02", "2", "75,0%"), ("2026-03-09", "1", "100,0%")],
    }
    lines = pdf_text(client.get(f"/reports/acme/export/{QUERY}&format=pdf", HTTP_ACCEPT_LANGUAGE="id").content)
    lines = lines.splitlines()
    sentence = "3 kartu penilaian, skor QA rata-rata 83,3%, 1 dikonfirmasi operator."
    assert sentence in _section(page)
    assert sentence in lines
    for heading, rows in tables.items():
        after = lines[lines.index(heading) :]
        cells = [cell for row in rows for cell in row]
        assert after[after.index(cells[0]) :][: len(cells)] == cells


def test_an_ungraded_range_says_so_in_page_and_pdf_and_the_api_gives_zeros(cast, browser, api, graded):
    query = "?start=2026-04-06&end=2026-04-12"
    client = browser(cast.manager)
    page = client.get(f"/reports/acme/{query}").content.decode()
    assert "No reply published in this range was graded." in _section(page)
    lines = pdf_text(client.get(f"/reports/acme/export/{query}&format=pdf").content).splitlines()
    assert lines[lines.index("QA scorecards") + 1] == "No reply published in this range was graded."
    assert api(cast.manager).get(f"/api/v1/reports/acme/{query}").json()["qa"] == {
        "scorecards": 0,
        "mean": None,
        "acknowledged": 0,
        "by_operator": [],
        "by_criterion": [],
        "weeks": [
            {"key": "2026-04-06", "label": "2026-04-06", "count": 0, "mean": None},
        ],
    }


def test_the_qa_figures_are_refused_outside_the_brand_and_without_the_report(cast, browser, api, graded):
    before = list(Scorecard.objects.order_by("pk").values_list("pk", "acknowledged_at"))
    for who in ("operator_b", "outsider"):
        assert api(getattr(cast, who)).get(f"/api/v1/reports/acme/{QUERY}").status_code == 404
        assert browser(getattr(cast, who)).get(f"/reports/acme/export/{QUERY}&format=pdf").status_code == 404
    assert api(cast.operator).get(f"/api/v1/reports/acme/{QUERY}").status_code == 403
    assert browser(cast.operator).get(f"/reports/acme/export/{QUERY}&format=pdf").status_code == 403
    assert list(Scorecard.objects.order_by("pk").values_list("pk", "acknowledged_at")) == before
