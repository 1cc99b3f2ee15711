"""The monthly summary for the client (issue 16, item 5): one A4 page, its figures against the goals and April,
the charts, in the brand's language with every glyph in the font; attached to the monthly mail; offered on the
report page for a month. The world (conftest) puts T1 and T3 in April 2025 and T2 and T4 in May 2025."""

import os
import re
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from brands.models import Brand
from brands.services.goals import set_goals
from tests.helpers import db_state, pdf_text
from tickets.reports import summary
from tickets.reports.mail import send_scheduled_reports
from tickets.reports.queries import ReportRange

pytestmark = pytest.mark.django_db
WIB = ZoneInfo("Asia/Jakarta")
MAY = ReportRange(date(2025, 5, 1), date(2025, 5, 31), WIB)
NOW = datetime(2025, 6, 2, 8, 0, tzinfo=WIB)
MAY_QUERY = "?start=2025-05-01&end=2025-05-31"
#: among the longest words the Indonesian catalogue and a client's brand name can hold
LONG_NAME = "Perusahaan Telekomunikasi Internasionalisasi Pertanggungjawaban Ketidakbertanggungjawaban"


def pages(body: bytes) -> int:
    """Page objects in the PDF, read from the file itself (``/Type /Page`` not followed by ``s``)."""
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", body))


def drawn(body: bytes) -> str:
    return " ".join(pdf_text(body).split())


def missing_glyphs(body: bytes) -> set[str]:
    """The characters the PDF draws that the vendored fonts have no glyph for (or that its map lost)."""
    from fontTools.ttLib import TTFont

    covered = set()
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"):
        covered |= {chr(c) for c in TTFont(str(summary.FONTS / name)).getBestCmap()}
    text = pdf_text(body)
    return {c for c in text if c not in covered and not c.isspace()} | ({"\ufffd"} if "\ufffd" in text else set())


def save(body: bytes, name: str) -> None:
    if os.environ.get("SMRC_SCREENSHOTS"):
        Path(os.environ["SMRC_SCREENSHOTS"], name).write_bytes(body)


def test_a_month_and_the_month_before():
    assert summary.is_month(MAY)
    assert summary.is_month(ReportRange(date(2024, 2, 1), date(2024, 2, 29), WIB))
    assert not summary.is_month(ReportRange(date(2025, 5, 1), date(2025, 5, 30), WIB))
    assert not summary.is_month(ReportRange(date(2025, 5, 2), date(2025, 5, 31), WIB))
    assert summary.previous_month(MAY) == ReportRange(date(2025, 4, 1), date(2025, 4, 30), WIB)
    january = ReportRange(date(2025, 1, 1), date(2025, 1, 31), WIB)
    assert summary.previous_month(january) == ReportRange(date(2024, 12, 1), date(2024, 12, 31), WIB)


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", ["Monthly summary: Acme Telco", "May 2025", "April 2025", "Tickets received", "Tickets per day",
                "SLA compliance", "First response within SLA", "≥ 75.0 % — missed", "≤ 1h 00m — met", "no goal",
                "More than in April: +1 (was 2).", "Worse than in April: −16.7 pp (was 50.0 %).",
                "Worse than in April: +20m 00s (was 30m 00s).", "Not measured this month.", "33.3 % (May)",
                "The same as in April (0.00).", "3 tickets, 0.1 a day on average · April: 2, 0.1 a day"]),
        ("id", ["Ringkasan bulanan: Acme Telco", "Mei 2025", "April 2025", "Tiket diterima", "Tiket per hari",
                "Kepatuhan SLA", "≥ 75,0 % — tidak tercapai", "≤ 1j 00m — tercapai", "tanpa target",
                "Lebih buruk daripada April: −16,7 poin (sebelumnya 50,0 %).", "Tidak terukur bulan ini.",
                "33,3 % (Mei)"]),
    ],
)  # fmt: skip
def test_the_summary_is_one_page_with_the_figures_against_goals_and_april(world, cast, language, words):
    set_goals(brand=cast.brand_a, targets={"fr_compliance": Decimal(75), "fr_p50": Decimal(3600)})
    Brand.objects.filter(pk=cast.brand_a.pk).update(languages=f"{language},en")
    brand = Brand.objects.get(pk=cast.brand_a.pk)

    body = summary.summary_pdf(brand, MAY, now=NOW)
    save(body, f"summary-{language}.pdf")

    assert body.startswith(b"%PDF-")
    assert pages(body) == 1
    text = drawn(body)
    for word in words:
        assert word in text, word
    assert missing_glyphs(body) == set()


def test_the_figures_and_sentences(world, cast):
    set_goals(brand=cast.brand_a, targets={"fr_compliance": Decimal(75), "fr_p50": Decimal(3600)})
    s = summary.build(cast.brand_a, MAY, now=NOW)
    rows = {f.metric.key: (f.value, f.previous, f.goal, f.goal_met) for f in s.figures}
    # May: T2 (first response met, 3,000 s), T4 and T5 (unanswered, breached); April: T1 (met, 1,800 s) and T3
    # (breached, 5,400 s)
    assert rows["tickets"] == (3, 2, None, None)
    assert rows["fr_compliance"] == (33.3, 50.0, 75.0, False)
    assert rows["fr_p50"] == (3000, 1800, 3600.0, True)
    assert "csat" not in rows  # no survey in either month: left out
    with translation.override("en"):
        said = {f.metric.key: summary.what_changed(f, s.previous) for f in s.figures}
        assert said["tickets"] == "More than in April: +1 (was 2)."
        assert said["fr_compliance"] == "Worse than in April: −16.7 pp (was 50.0 %)."
        assert said["fr_p50"] == "Worse than in April: +20m 00s (was 30m 00s)."
        assert said["handoffs"] == "The same as in April (0.00)."
        assert said["in_channel"] == "Not measured this month."
        assert said["nr_compliance"] == "Not measured in April."
        assert summary.goal_text(next(f for f in s.figures if f.metric.key == "fr_compliance")) == "≥ 75.0 % — missed"


def test_the_longest_words_and_the_largest_figures_still_fit_one_page(world, cast):
    """A brand name of 120 characters of long Indonesian words, a goal on every figure, every figure present in
    both months with seven-digit counts and every day busy: still one page, nothing drawn outside it."""
    set_goals(brand=cast.brand_a, targets={k: Decimal(v) for k, v in {
        "fr_compliance": 99.5, "nr_compliance": 99.5, "res_compliance": 99.5, "fr_p50": 2592000,
        "in_channel": 99.9, "reopen_rate": 0.1, "handoffs": 0.01, "csat": 99.9}.items()})  # fmt: skip
    Brand.objects.filter(pk=cast.brand_a.pk).update(languages="id", name=(LONG_NAME + " " + LONG_NAME)[:120])
    brand = Brand.objects.get(pk=cast.brand_a.pk)
    with translation.override("id"):
        s = summary.build(brand, MAY, now=NOW)
        per_day = [(day, 1_234_567 + i * 7) for i, (day, _n) in enumerate(s.report.per_day)]
        big = replace(s.report, tickets=sum(n for _d, n in per_day), per_day=per_day)
        widest = {"count": (38_274_832, 1_234_567), "percent": (87.65, 100.0), "seconds": (2_591_999, 86_399),
                  "ratio": (12.34, 99.99)}  # fmt: skip
        figures = [summary.headline.Figure(m, *widest[m.unit], None if m.unit == "count" else 99.9)
                   for m in summary.headline.METRICS]  # fmt: skip
        body = summary.pdf_bytes(replace(s, report=big, figures=figures))
    save(body, "summary-long-id.pdf")
    assert pages(body) == 1
    assert len(figures) == 9
    text = drawn(body)
    assert "Ringkasan bulanan: Perusahaan" in text
    assert "38.274.832" in text  # Indonesian digit grouping
    for day in range(31):  # every day's count, whole, turned a quarter above its bar
        assert f"1.234.{567 + 7 * day}" in text
    assert "…" not in text
    assert missing_glyphs(body) == set()
    # every figure's label and its sentence of what changed is on the page
    assert text.count("daripada April") == 9


# --- the monthly mail --------------------------------------------------------------------------------------


def test_the_monthly_mail_carries_the_summary_as_a_pdf(world, cast, mailoutbox, django_capture_on_commit_callbacks):
    Brand.objects.filter(pk=cast.brand_a.pk).update(report_schedule="monthly", languages="id,en")
    with django_capture_on_commit_callbacks(execute=True):
        assert send_scheduled_reports(now=NOW) == 1
    (mail,) = mailoutbox
    assert mail.to == [cast.manager.email]
    ((name, content, mimetype),) = mail.attachments
    assert (name, mimetype) == ("smrc-summary-acme-2025-05.pdf", "application/pdf")
    assert pages(content) == 1
    assert "Ringkasan bulanan: Acme Telco" in drawn(content)
    assert "Ringkasan satu halaman untuk bulan ini terlampir (PDF)." in mail.body


def test_the_weekly_mail_has_no_attachment(world, cast, mailoutbox, django_capture_on_commit_callbacks):
    Brand.objects.filter(pk=cast.brand_a.pk).update(report_schedule="weekly", languages="en")
    with django_capture_on_commit_callbacks(execute=True):
        assert send_scheduled_reports(now=datetime(2025, 5, 6, 12, 0, tzinfo=WIB)) == 1
    (mail,) = mailoutbox
    assert mail.attachments == []
    assert "summary" not in mail.body


def test_a_summary_that_fails_to_render_leaves_the_mail_without_it(
    world, cast, mailoutbox, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    def broken(*args, **kwargs):
        raise RuntimeError("no font")

    monkeypatch.setattr(summary, "summary_pdf", broken)
    Brand.objects.filter(pk=cast.brand_a.pk).update(report_schedule="monthly", languages="en")
    with django_capture_on_commit_callbacks(execute=True):
        assert send_scheduled_reports(now=NOW) == 1
    (mail,) = mailoutbox
    assert mail.attachments == []
    assert "summary" not in mail.body
    assert "could not render the monthly summary of acme" in caplog.text


# --- the download on the report page ---------------------------------------------------------------------


def test_the_report_page_offers_the_summary_for_a_month_only(world, cast, browser):
    client = browser(cast.manager)
    page = client.get(f"/reports/acme/{MAY_QUERY}").content.decode()
    assert 'href="/reports/acme/summary/?start=2025-05-01&amp;end=2025-05-31"' in page
    assert "Monthly summary (PDF)" in page
    week = client.get("/reports/acme/?start=2025-04-28&end=2025-05-04").content.decode()
    assert "/summary/" not in week


def test_the_summary_download(world, cast, browser):
    Brand.objects.filter(pk=cast.brand_a.pk).update(languages="en,id")
    response = browser(cast.manager).get(f"/reports/acme/summary/{MAY_QUERY}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="smrc-summary-acme-2025-05.pdf"'
    assert pages(response.content) == 1
    assert "Monthly summary: Acme Telco" in drawn(response.content)  # brand A writes English first


def test_a_range_that_is_not_one_month_is_refused(world, cast, browser):
    response = browser(cast.manager).get("/reports/acme/summary/?start=2025-05-01&end=2025-05-30")
    assert response.status_code == 400
    assert response.content.decode() == "The monthly summary covers one calendar month, from its first day to its last."
    assert browser(cast.manager).get("/reports/acme/summary/?start=2025-05-01").status_code == 400


@pytest.mark.parametrize(
    ("who", "status"), [("operator", 403), ("operator_b", 404), ("outsider", 404), ("anonymous", 302)]
)  # fmt: skip
def test_the_summary_is_scoped_like_the_report(world, cast, browser, mailoutbox, who, status):
    user = None if who == "anonymous" else getattr(cast, who)
    before = db_state()
    response = browser(user).get(f"/reports/acme/summary/{MAY_QUERY}")
    assert response.status_code == status
    assert not response.content.startswith(b"%PDF")
    assert db_state() == before
    assert mailoutbox == []


def test_all_brands_have_no_summary(world, cast, browser):
    assert browser(cast.admin).get(f"/reports/all-brands/summary/{MAY_QUERY}").status_code == 404
