"""Exports of a report: its figures as a table (metric, group, value) and the ticket rows behind it, as CSV
(streamed) and XLSX (both written by :mod:`smrc.spreadsheets`, which keeps any cell from starting a formula)
and PDF (fpdf2: the page's figures, charts, tables, review and QA sections).

Durations are whole seconds in every export, so a spreadsheet can compute with them; the page shows them for
people. Customer text is never exported here: the rows carry references, clocks and figures only.
"""

import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path

from django.conf import settings
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from brands.models import Priority

from .qa import QaReport
from .queries import NO_TAG, SPLIT, Compliance, Distribution, Report, ReportRange, population

FIGURE_HEADER = ("section", "group", "metric", "value")
#: the ticket rows' columns; the times among them are in the report's time zone, named in the header
#: (:func:`row_header`), as the report page shows them
ROW_HEADER = (
    "ticket", "brand", "platform", "priority", "status", "assignee", "posted_at", "received_at", "claimed_at",
    "first_submitted_at", "first_approved_at", "first_response_at", "first_response_due_at", "resolved_at",
    "resolution_due_at", "first_response_seconds", "first_response_business_seconds", "resolution_business_seconds",
    "paused_seconds",
)  # fmt: skip


def _dist(section: str, group: str, name: str, d: Distribution) -> Iterator[tuple]:
    yield section, group, f"{name}_count", d.count
    for p in ("p50", "p90", "p95"):
        yield section, group, f"{name}_{p}_seconds", getattr(d, p)


def _comp(section: str, group: str, name: str, c: Compliance) -> Iterator[tuple]:
    yield section, group, f"{name}_met", c.met
    yield section, group, f"{name}_breached", c.breached
    yield section, group, f"{name}_compliance_percent", c.percent


def figure_rows(report: Report) -> Iterator[tuple]:
    """The report as (section, group, metric, value) rows, in page order. Empty values are None."""
    yield "summary", "", "tickets", report.tickets
    for day, n in report.per_day:
        yield "volume", day.isoformat(), "tickets", n
    for d, row in enumerate(report.heatmap):
        for h, n in enumerate(row):
            if n:
                yield "heatmap", f"{d + 1}-{h:02d}", "tickets", n
    yield from _dist("first_response", "", "business", report.fr_business)
    yield from _dist("first_response", "", "calendar", report.fr_calendar)
    yield from _dist("first_response", "", "customer_perceived", report.fr_customer)
    yield from _dist("next_response", "", "business", report.nr_business)
    yield from _dist("next_response", "", "calendar", report.nr_calendar)
    yield from _dist("resolution", "", "business", report.res_business)
    yield from _dist("resolution", "", "calendar", report.res_calendar)
    yield from _comp("sla", "", "first_response", report.fr)
    yield from _comp("sla", "", "next_response", report.nr)
    yield from _comp("sla", "", "resolution", report.res)
    for name in SPLIT:
        yield from _dist("time_split", "", name, report.split[name])
    for section, groups in (
        ("platform", report.by_platform),
        ("priority", report.by_priority),
        ("operator", report.by_operator),
        ("sentiment", report.by_sentiment),
        ("tag", report.by_tag),
    ):
        for g in groups:
            yield section, g.label, "tickets", g.tickets
            yield from _dist(section, g.label, "first_response_business", g.first_response)
            yield from _comp(section, g.label, "first_response", g.fr_compliance)
            yield from _comp(section, g.label, "resolution", g.res_compliance)
    yield "review", "", "replies_submitted", report.replies_submitted
    yield "review", "", "replies_approved", report.replies_approved
    for verdict, n in sorted(report.decisions.items()):
        yield "review", verdict, "decisions", n
    for code, _label, n in report.change_reasons:
        yield "review", code, "changes_requested", n


TIME_COLUMNS = frozenset(name for name in ROW_HEADER if name.endswith("_at"))


def row_header(tz: tzinfo) -> tuple[str, ...]:
    """``ROW_HEADER`` with the zone of the times named: ``received_at (Asia/Jakarta)``."""
    zone = getattr(tz, "key", str(tz))
    return tuple(f"{name} ({zone})" if name in TIME_COLUMNS else name for name in ROW_HEADER)


def _iso(value: datetime | None, tz: tzinfo = UTC) -> str:
    """ISO 8601 in ``tz`` with its offset (``2025-04-28T09:50:00+07:00``): what the report page shows, and
    still one instant for a machine."""
    return value.astimezone(tz).isoformat(timespec="seconds").replace("+00:00", "Z") if value else ""


def ticket_rows(brand_ids: Iterable[int], rng: ReportRange) -> Iterator[tuple]:
    """The population's tickets, oldest first, read in chunks (an export never holds the range in memory)."""
    qs = (
        population(brand_ids, rng)
        .order_by("received_at", "pk")
        .values_list(
            "pk",
            "brand__slug",
            "platform",
            "priority",
            "status",
            "assignee__username",
            "posted_at",
            "received_at",
            "claimed_at",
            "first_submitted_at",
            "first_approved_at",
            "first_response_at",
            "first_response_due_at",
            "resolved_at",
            "resolution_due_at",
            "first_response_business_seconds",
            "resolution_business_seconds",
            "paused_seconds",
        )  # fmt: skip
    )
    for row in qs.iterator(chunk_size=2000):
        pk, slug, platform, priority, status, assignee, *stamps, fr_bus, res_bus, paused = row
        received, first_response = stamps[1], stamps[5]
        fr_seconds = (
            int(first_response.replace(microsecond=0).timestamp() - received.replace(microsecond=0).timestamp())
            if first_response
            else None
        )  # noqa: E501
        label = str(Priority(priority).label) if priority in Priority.values else priority
        yield (f"T-{pk}", slug, platform, label, status, assignee or "", *(_iso(s, rng.tz) for s in stamps),
               fr_seconds, fr_bus, res_bus, paused)  # fmt: skip


@dataclass(frozen=True)
class Block:
    """One piece of the PDF, in page order: ``heading`` (text), ``cards`` (label, value, note), ``table`` (a
    heading row then rows), ``bars`` (label, value) drawn as a column chart, ``meters`` (label, percent or None)
    drawn as horizontal bars, ``text`` (a paragraph)."""

    kind: str
    title: str = ""
    rows: tuple = ()


def _group_label(metric: str, g) -> str:
    """The breakdown group's name as the page writes it (reports/_groups.html)."""
    if metric == "operator" and g.key == "none":
        return _("Unassigned")
    if metric in ("sentiment", "intent") and g.key == "unknown":
        return _("Unknown")
    if metric == "tag" and g.key == NO_TAG:
        return _("No tag")
    return str(g.label)


def qa_blocks(qa: QaReport) -> list[Block]:
    """The page's QA section (reports/_qa.html) with its figures, words and number formats."""
    from django.template.defaultfilters import floatformat

    blocks = [Block("heading", _("QA scorecards"))]
    if not qa.overall.count:
        return [*blocks, Block("text", _("No reply published in this range was graded."))]
    n, acked = qa.overall.count, qa.acknowledged
    blocks.append(Block("text", ngettext(
        "%(n)s scorecard, mean QA score %(score)s%%, %(acked)s acknowledged by the operator.",
        "%(n)s scorecards, mean QA score %(score)s%%, %(acked)s acknowledged by the operators.",
        n,
    ) % {"n": n, "score": floatformat(qa.overall.mean, 1), "acked": acked}))  # fmt: skip
    score = _("QA score")
    blocks.append(Block("table", _("By operator"), (
        ("", _("Scorecards"), score),
        *((g.label, g.count, f"{floatformat(g.mean, 1)}%") for g in qa.by_operator),
    )))  # fmt: skip
    blocks.append(Block("table", _("By criterion"), (
        ("", _("Scores"), _("Mean (1–5)")),
        *((g.label, g.count, floatformat(g.mean, 1)) for g in qa.by_criterion),
    )))  # fmt: skip
    blocks.append(Block("table", _("Week by week"), (
        (_("Week of"), _("Scorecards"), score),
        *((g.label, g.count, "–" if g.mean is None else f"{floatformat(g.mean, 1)}%") for g in qa.weeks),
    )))  # fmt: skip
    blocks.append(Block("text", _(
        "Scorecards of replies published in the range. The QA score is the mean of the scorecards' overall scores: "
        "the weighted criteria as a share of the most they allow."
    )))  # fmt: skip
    return blocks


def pdf_blocks(
    report: Report,
    headline: Sequence | None = None,
    previous: ReportRange | None = None,
    qa: QaReport | None = None,
) -> list[Block]:
    """What the PDF shows, with the page's figures, rows and words (reports/report.html), in the active language;
    ``qa`` (:func:`~tickets.reports.qa.qa_report`, as the page is given it) adds the page's QA section."""
    from ..templatetags.reports import figure, format_seconds, percent, signed_figure

    r = report
    blocks = [
        Block(
            "cards",
            rows=(
                (_("Tickets received"), figure(r.tickets, "tickets"), ""),
                *(
                    (
                        label,
                        percent(c.percent),
                        _("%(met)s of %(n)s met, %(b)s breached") % {"met": c.met, "n": c.measured, "b": c.breached},
                    )
                    for label, c in (
                        (_("First response within SLA"), r.fr),
                        (_("Next response within SLA"), r.nr),
                        (_("Resolution within SLA"), r.res),
                    )
                ),  # fmt: skip
                (
                    _("Median first response (business)"),
                    format_seconds(r.fr_business.p50),
                    _("p90 %(p90)s · p95 %(p95)s")
                    % {"p90": format_seconds(r.fr_business.p90), "p95": format_seconds(r.fr_business.p95)},
                ),
            ),
        )
    ]
    if headline:
        before = _("Previous (%(first)s–%(last)s)") % {
            "first": date_format(previous.first, "j M") if previous else "",
            "last": date_format(previous.last, "j M") if previous else "",
        }
        rows = [("", _("This period"), before, _("Change"), _("Goal"))]
        for f in headline:
            unit = f.metric.unit
            goal = ""
            if f.goal is not None:
                goal = ("≥ " if f.metric.higher_is_better else "≤ ") + figure(f.goal, unit)
                goal += {True: " " + _("met"), False: " " + _("missed")}.get(f.goal_met, "")
            elif f.metric.key != "tickets":
                goal = _("no goal")
            rows.append((str(f.metric.label), figure(f.value, unit), figure(f.previous, unit),
                         signed_figure(f.change, unit), goal))  # fmt: skip
        blocks.append(Block("table", _("Against the goals and the previous period"), tuple(rows)))
    blocks.append(Block("bars", _("Tickets per day"), tuple((f"{day:%d/%m}", n) for day, n in r.per_day)))
    times = (
        (_("First response, business time"), r.fr_business),
        (_("First response, calendar time"), r.fr_calendar),
        (_("First response as the customer saw it"), r.fr_customer),
        (_("Next response, business time"), r.nr_business),
        (_("Next response, calendar time"), r.nr_calendar),
        (_("Resolution, business time"), r.res_business),
        (_("Resolution, calendar time (pauses removed)"), r.res_calendar),
    )
    blocks.append(
        Block(
            "table",
            _("Response and resolution times"),
            (
                ("", _("Tickets"), "p50", "p90", "p95"),
                *(
                    (label, d.count, format_seconds(d.p50), format_seconds(d.p90), format_seconds(d.p95))
                    for label, d in times
                ),
            ),  # fmt: skip
        )
    )
    sla = ((_("First response"), r.fr), (_("Next response"), r.nr), (_("Resolution"), r.res))
    blocks.append(
        Block(
            "table",
            _("SLA compliance"),
            (
                ("", _("Met"), _("Breached"), _("Compliance")),
                *((lb, c.met, c.breached, percent(c.percent)) for lb, c in sla),
            ),
        )
    )
    blocks.append(Block("meters", rows=tuple((label, c.percent) for label, c in sla)))
    for title, metric, groups in (
        (_("By channel"), "platform", r.by_platform),
        (_("By priority"), "priority", r.by_priority),
        (_("By operator"), "operator", r.by_operator),
        (_("By sentiment of the first mention"), "sentiment", r.by_sentiment),
        (_("By tag"), "tag", r.by_tag),
    ):
        header = ("", _("Tickets"), _("First response p50"), _("First response SLA"), _("Resolution SLA"))
        rows = tuple(
            (_group_label(metric, g), g.tickets, format_seconds(g.first_response.p50),
             percent(g.fr_compliance.percent), percent(g.res_compliance.percent))
            for g in groups
        )  # fmt: skip
        blocks.append(Block("table", title, (header, *rows) if rows else (header, (_("No tickets in this range."),))))
    blocks.append(Block("heading", _("Review")))
    submitted = ngettext(
        "%(s)s reply submitted, %(a)s approved", "%(s)s replies submitted, %(a)s approved", r.replies_submitted
    ) % {"s": r.replies_submitted, "a": r.replies_approved}
    if r.approval_percent is not None:
        submitted += f" ({percent(r.approval_percent)})"
    blocks.append(Block("text", submitted + "."))
    if r.decisions_total:
        changes = r.decisions.get("changes_requested", 0)
        blocks.append(
            Block(
                "text",
                ngettext("%(n)s review decision", "%(n)s review decisions", r.decisions_total)
                % {"n": r.decisions_total}
                + f": {_('approval rate')} {percent(r.review_approval_percent)} · "
                + ngettext("%(n)s change requested", "%(n)s changes requested", changes) % {"n": changes},
            )
        )
        if r.change_reasons:
            rows = tuple((str(label), n) for _code, label, n in r.change_reasons)
            blocks.append(Block("table", "", ((_("Reason for changes"), _("Decisions")), *rows)))
    else:
        blocks.append(Block("text", _("No reply was reviewed in this range.")))
    if qa is not None:
        blocks.extend(qa_blocks(qa))
    return blocks


FONTS = Path(settings.BASE_DIR) / "static" / "fonts"


def pdf_bytes(
    report: Report,
    *,
    title: str,
    headline: Sequence | None = None,
    previous: ReportRange | None = None,
    qa: QaReport | None = None,
) -> bytes:
    """The report as a PDF (fpdf2): the page's headline figures, charts drawn with fpdf2's rectangles, tables and
    review section (:func:`pdf_blocks`), in DejaVu Sans (vendored under static/fonts/), which writes Indonesian."""
    return render_pdf(pdf_blocks(report, headline, previous, qa), title=title, subtitle=(
        f"{report.rng.first:%Y-%m-%d} – {report.rng.last:%Y-%m-%d} ({report.rng.tz.key})"))  # fmt: skip


def render_pdf(blocks: Sequence[Block], *, title: str, subtitle: str) -> bytes:
    from fpdf import FPDF

    logging.getLogger("fontTools").setLevel(logging.WARNING)  # fpdf2 subsets the font: no INFO line per glyph table

    pdf = FPDF(format="A4")
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(True, margin=15)
    pdf.set_title(title)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 15)
    pdf.multi_cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    pdf.cell(0, 6, subtitle, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    width = pdf.epw
    accent, muted = (37, 99, 235), (120, 120, 120)

    def heading(text: str) -> None:
        if text:
            pdf.set_font("DejaVu", "B", 11)
            pdf.multi_cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 9)

    for block in blocks:
        if block.kind == "heading":
            heading(block.title)
        elif block.kind == "text":
            pdf.set_font("DejaVu", "", 9)
            pdf.multi_cell(0, 5, block.title, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
        elif block.kind == "cards":
            n = len(block.rows)
            w = width / n
            x0, y0 = pdf.l_margin, pdf.get_y()
            for i, (label, value, note) in enumerate(block.rows):
                x = x0 + i * w
                pdf.set_draw_color(200, 200, 200)
                pdf.rect(x + 1, y0, w - 2, 24)
                pdf.set_xy(x + 2, y0 + 1)
                pdf.set_font("DejaVu", "", 7)
                pdf.multi_cell(w - 4, 3.5, label, align="L")
                pdf.set_xy(x + 2, y0 + 9)
                pdf.set_font("DejaVu", "B", 13)
                pdf.cell(w - 4, 7, str(value))
                pdf.set_xy(x + 2, y0 + 17)
                pdf.set_font("DejaVu", "", 6)
                pdf.set_text_color(*muted)
                pdf.multi_cell(w - 4, 3, note, align="L")
                pdf.set_text_color(0, 0, 0)
            pdf.set_xy(x0, y0 + 27)
        elif block.kind == "bars":
            heading(block.title)
            rows = block.rows
            height, axis = 40, 5
            if pdf.will_page_break(height + axis + 4):
                pdf.add_page()
            top, x0 = pdf.get_y(), pdf.l_margin
            peak = max([n for _label, n in rows] or [0]) or 1
            step = width / max(len(rows), 1)
            bar = max(step * 0.7, 0.3)
            every = max(1, round(len(rows) / 14))
            pdf.set_draw_color(*muted)
            pdf.line(x0, top + height, x0 + width, top + height)
            pdf.set_fill_color(*accent)
            pdf.set_font("DejaVu", "", 6)
            for i, (label, n) in enumerate(rows):
                h = height * n / peak
                x = x0 + i * step + (step - bar) / 2
                if h:
                    pdf.rect(x, top + height - h, bar, h, style="F")
                if len(rows) <= 31 and n:
                    pdf.set_xy(x - 2, top + height - h - 3.5)
                    pdf.cell(bar + 4, 3, str(n), align="C")
                if i % every == 0:
                    pdf.set_xy(x - 3, top + height + 0.5)
                    pdf.cell(bar + 6, 3.5, label, align="C")
            pdf.set_fill_color(255, 255, 255)
            pdf.set_xy(x0, top + height + axis + 2)
        elif block.kind == "meters":
            pdf.set_font("DejaVu", "", 8)
            label_w, bar_w = 45, width - 65
            for label, value in block.rows:
                y = pdf.get_y()
                pdf.set_x(pdf.l_margin)
                pdf.cell(label_w, 5, label)
                pdf.set_fill_color(230, 230, 230)
                pdf.rect(pdf.l_margin + label_w, y + 1, bar_w, 3, style="F")
                if value:
                    pdf.set_fill_color(*accent)
                    pdf.rect(pdf.l_margin + label_w, y + 1, bar_w * min(value, 100) / 100, 3, style="F")
                pdf.set_xy(pdf.l_margin + label_w + bar_w + 2, y)
                pdf.cell(18, 5, "—" if value is None else f"{value:.1f} %", new_x="LMARGIN", new_y="NEXT")
            pdf.set_fill_color(255, 255, 255)
            pdf.ln(3)
        elif block.kind == "table":
            heading(block.title)
            with pdf.table(text_align="LEFT", first_row_as_headings=True) as t:
                for line in block.rows:
                    row = t.row()
                    for value in line:
                        row.cell(str(value))
            pdf.ln(3)
    return bytes(pdf.output())
