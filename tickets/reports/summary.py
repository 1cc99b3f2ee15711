"""The monthly summary for the client: one A4 page (PDF, fpdf2, DejaVu Sans) with the month's headline figures
against the brand's goals and the previous calendar month, each with a line saying what changed in words, the
tickets per day and the SLA compliance drawn as charts, in the brand's first language.

It is attached to the monthly scheduled mail (``mail.send_scheduled_reports``) and offered on the report page
for a range that is one calendar month. The figures are the headline's (``headline.values``), so the summary,
the page and the full PDF never disagree; only the previous period differs: the previous calendar month here
(April for May), not the same number of days before.

One page by construction: every block has a fixed place and height, automatic page breaks are off, and a text
that does not fit its box is set smaller, then shortened with an ellipsis (:func:`_fit`), never wrapped onto
more lines. Met and missed goals and better or worse figures are written in words; colour only repeats them.
"""

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.utils import translation
from django.utils.dateformat import format as date_format
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from brands.models import Brand
from brands.services.goals import goals_for

from . import headline
from .csat import csat
from .queries import Report, ReportRange, build_report
from .serving import serving

FONTS = Path(settings.BASE_DIR) / "static" / "fonts"
#: figures shown only when measured in one of the two months ("where present")
OPTIONAL = ("csat", "in_channel")
CONTENT_TYPE = "application/pdf"


def language_of(brand: Brand) -> str:
    """The brand's first language, ``id`` or ``en``: what its client reads."""
    first = brand.languages.split(",")[0].strip().lower()
    return "id" if first in ("id", "in") else "en"


def is_month(rng: ReportRange) -> bool:
    """Whether ``rng`` is one whole calendar month."""
    return rng.first.day == 1 and rng.last == _month_end(rng.first)


def _month_end(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def previous_month(rng: ReportRange) -> ReportRange:
    """The calendar month before the one ``rng`` starts in."""
    last = rng.first.replace(day=1) - timedelta(days=1)
    return ReportRange(last.replace(day=1), last, rng.tz)


def filename(brand: Brand, rng: ReportRange) -> str:
    return f"smrc-summary-{brand.slug}-{rng.first:%Y-%m}.pdf"


@dataclass(frozen=True)
class Summary:
    brand: Brand
    rng: ReportRange
    previous: ReportRange
    report: Report
    figures: list[headline.Figure]


def build(brand: Brand, rng: ReportRange, *, now: datetime, report: Report | None = None) -> Summary:
    """The month's figures against the previous month and the brand's goals (``report``: this month's, when the
    caller already has it)."""
    ids = [brand.pk]
    report = report or build_report(ids, rng, now=now)
    before = previous_month(rng)
    current = headline.values(report, serving(ids, rng), csat(ids, rng))
    previous = headline.values(build_report(ids, before, now=now), serving(ids, before), csat(ids, before))
    figures = [
        f
        for f in headline.headline(current, previous, goals_for(brand))
        if f.metric.key not in OPTIONAL or f.value is not None or f.previous is not None
    ]
    return Summary(brand, rng, before, report, figures)


def _month(day: date) -> str:
    return date_format(day, "F Y")


def goal_text(f: headline.Figure) -> str:
    """``≥ 90.0 % — met``, ``missed``, ``not measured`` or ``no goal``, in words."""
    from ..templatetags.reports import figure

    if f.goal is None:
        return "" if f.metric.unit == "count" else _("no goal")
    target = ("≥ " if f.metric.higher_is_better else "≤ ") + figure(f.goal, f.metric.unit)
    state = {True: _("met"), False: _("missed"), None: _("not measured")}[f.goal_met]
    return f"{target} — {state}"


def what_changed(f: headline.Figure, previous: ReportRange) -> str:
    """One sentence on how the figure moved since the previous month, in words."""
    from ..templatetags.reports import figure, signed_figure

    month = date_format(previous.first, "F")
    unit = f.metric.unit
    if f.value is None:
        return _("Not measured this month.")
    if f.previous is None:
        return _("Not measured in %(month)s.") % {"month": month}
    values = {"month": month, "change": signed_figure(f.change, unit), "before": figure(f.previous, unit)}
    return {
        "same": _("The same as in %(month)s (%(before)s)."),
        "better": _("Better than in %(month)s: %(change)s (was %(before)s)."),
        "worse": _("Worse than in %(month)s: %(change)s (was %(before)s)."),
        "up": _("More than in %(month)s: %(change)s (was %(before)s)."),
        "down": _("Fewer than in %(month)s: %(change)s (was %(before)s)."),
    }[f.trend] % values


def pdf_bytes(summary: Summary) -> bytes:
    """The summary as a one-page PDF in the active language."""
    from fpdf import FPDF

    from ..templatetags.reports import figure, signed_figure

    logging.getLogger("fontTools").setLevel(logging.WARNING)
    s, r = summary, summary.report
    title = _("Monthly summary: %(brand)s") % {"brand": s.brand.name}
    pdf = FPDF(format="A4")
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(False)
    pdf.set_margins(12, 12, 12)
    pdf.set_title(title)
    pdf.add_page()
    left, width = pdf.l_margin, pdf.epw
    ink, muted, accent, grey = (0, 0, 0), (95, 95, 95), (37, 99, 235), (170, 170, 170)
    good, bad = (21, 128, 61), (185, 28, 28)

    def text(x: float, y: float, w: float, h: float, value: str, size: float, *, bold=False, align="L", color=ink):
        pdf.set_text_color(*color)
        value, size = _fit(pdf, value, w, size, "B" if bold else "")
        pdf.set_font("DejaVu", "B" if bold else "", size)
        pdf.set_xy(x, y)
        pdf.cell(w, h, value, align=align)
        pdf.set_text_color(*ink)

    # 1. the title (one line, or two smaller ones for a long brand name) and the period (y 12–30)
    size = 15.0
    pdf.set_font("DejaVu", "B", size)
    if pdf.get_string_width(title) > width:
        size = 11.0
        pdf.set_font("DejaVu", "B", size)
        lines = pdf.multi_cell(width, 5.5, title, dry_run=True, output="LINES")
        while len(lines) > 2 and size > 7:
            size -= 0.5
            pdf.set_font("DejaVu", "B", size)
            lines = pdf.multi_cell(width, 5.5, title, dry_run=True, output="LINES")
        text(left, 12, width, 5.5, lines[0], size, bold=True)
        text(left, 17.5, width, 5.5, " ".join(lines[1:]), size, bold=True)
    else:
        text(left, 13, width, 8, title, size, bold=True)
    subtitle = _("%(month)s, against %(previous)s and the brand's goals · times in %(zone)s") % {
        "month": _month(s.rng.first),
        "previous": _month(s.previous.first),
        "zone": s.rng.tz.key,
    }
    text(left, 23.5, width, 6, subtitle, 9, color=muted)

    # 2. the headline figures (y 29–): one row per figure, the sentence of what changed below it
    columns = (
        ("", 60, "L"),
        (_month(s.rng.first), 25, "R"),
        (_month(s.previous.first), 25, "R"),
        (_("Change"), 25, "R"),
        (_("Goal"), width - 135, "L"),
    )
    y = 32
    pdf.set_draw_color(*grey)
    x = left
    for label, w, align in columns:
        text(x + 1, y, w - 2, 5, label, 7.5, bold=True, align=align)
        x += w
    y += 5.5
    pdf.line(left, y, left + width, y)
    row_h = 10.5
    for f in s.figures:
        cells = (
            str(f.metric.label),
            figure(f.value, f.metric.unit),
            figure(f.previous, f.metric.unit),
            signed_figure(f.change, f.metric.unit),
            goal_text(f),
        )
        x = left
        for (_label, w, align), value, i in zip(columns, cells, range(5), strict=True):
            color = ink
            if i == 4 and f.goal_met is not None:
                color = good if f.goal_met else bad
            text(x + 1, y + 0.8, w - 2, 5, value, 8.5, bold=i in (0, 1), align=align, color=color)
            x += w
        text(left + 1, y + 5.6, width - 2, 4, what_changed(f, s.previous), 7, color=muted)
        y += row_h
        pdf.line(left, y, left + width, y)

    # 3. tickets per day (a column per day, its count above it)
    y += 4
    text(left, y, width, 6, _("Tickets per day"), 10.5, bold=True)
    y += 7
    days = r.per_day
    chart_h, peak = 36, max(r.day_max, 1)
    step = width / max(len(days), 1)
    bar = step * 0.7
    base = y + chart_h
    pdf.set_draw_color(*muted)
    pdf.line(left, base, left + width, base)
    pdf.set_fill_color(*accent)
    every = max(1, -(-len(days) // 16))
    # each day's count above its bar; turned a quarter when the widest does not fit across a bar
    pdf.set_font("DejaVu", "", 5.5)
    counts = [figure(n, "count") for _day, n in days]
    widest = max((pdf.get_string_width(c) for c in counts), default=0)
    turned = widest > step - 0.4
    room = widest + 1.5 if turned else 4
    for i, ((day, n), count) in enumerate(zip(days, counts, strict=True)):
        h = (chart_h - room) * n / peak
        x = left + i * step + (step - bar) / 2
        if h:
            pdf.rect(x, base - h, bar, h, style="F")
        if n and turned:
            with pdf.rotation(90, x + bar / 2, base - h - 0.8):
                text(x + bar / 2, base - h - 0.8 - 1.2, widest + 1, 2.4, count, 5.5)
        elif n:
            text(x - 2, base - h - 3.4, bar + 4, 3, count, 5.5, align="C")
        if i % every == 0:
            text(x - 3, base + 0.6, bar + 6, 3.5, f"{day.day}", 6, align="C", color=muted)
    y = base + 5
    total_before = next((f.previous for f in s.figures if f.metric.key == "tickets"), None)
    average = _("%(n)s tickets, %(avg)s a day on average") % {
        "n": figure(r.tickets, "count"),
        "avg": number_format(round(r.tickets / r.rng.days, 1), 1, force_grouping=True),
    }
    if total_before is not None:
        average += " · " + _("%(month)s: %(n)s, %(avg)s a day") % {
            "month": date_format(s.previous.first, "F"),
            "n": figure(total_before, "count"),
            "avg": number_format(round(total_before / s.previous.days, 1), 1, force_grouping=True),
        }
    text(left, y, width, 4, average, 7.5, color=muted)

    # 4. SLA compliance: this month and the previous one side by side, per clock, the goal marked and written
    y += 8
    text(left, y, width, 6, _("SLA compliance"), 10.5, bold=True)
    y += 7
    pdf.set_fill_color(*accent)
    pdf.rect(left, y + 1, 3, 3, style="F")
    text(left + 4, y, 40, 5, _month(s.rng.first), 7.5)
    pdf.set_fill_color(*grey)
    pdf.rect(left + 46, y + 1, 3, 3, style="F")
    text(left + 50, y, 40, 5, _month(s.previous.first), 7.5)
    pdf.set_draw_color(*ink)
    pdf.line(left + 92, y + 0.5, left + 92, y + 4.5)
    text(left + 94, y, 40, 5, _("Goal"), 7.5)
    y += 6.5
    by_key = {f.metric.key: f for f in s.figures}
    label_w, value_w = 58, 46
    bar_w = width - label_w - value_w
    for key in ("fr_compliance", "nr_compliance", "res_compliance"):
        f = by_key[key]
        text(left, y, label_w - 2, 5, str(f.metric.label), 8, bold=True)
        text(left, y + 5, label_w - 2, 4, goal_text(f), 7, color=(good if f.goal_met else bad) if f.goal_met
             is not None else muted)  # fmt: skip
        for offset, value, color in ((0, f.value, accent), (5, f.previous, grey)):
            top = y + offset + 0.8
            pdf.set_fill_color(236, 236, 236)
            pdf.rect(left + label_w, top, bar_w, 3.4, style="F")
            if value:
                pdf.set_fill_color(*color)
                pdf.rect(left + label_w, top, bar_w * min(value, 100) / 100, 3.4, style="F")
            month = s.rng.first if offset == 0 else s.previous.first
            text(left + label_w + bar_w + 2, y + offset, value_w - 2, 5,
                 f"{figure(value, 'percent')} ({date_format(month, 'M')})", 7.5)  # fmt: skip
        if f.goal is not None:
            gx = left + label_w + bar_w * min(f.goal, 100) / 100
            pdf.set_draw_color(*ink)
            pdf.set_line_width(0.5)
            pdf.line(gx, y, gx, y + 10)
            pdf.set_line_width(0.2)
        y += 12.5

    # 5. what the figures are, at the foot of the page
    text(left, 281, width, 4, _("Tickets received in the month; the definitions are in the report."), 6.5,
         color=muted)  # fmt: skip
    pdf.set_fill_color(255, 255, 255)
    return bytes(pdf.output())


def _fit(pdf, value: str, width: float, size: float, style: str, smallest: float = 5.5) -> tuple[str, float]:
    """``value`` and a font size at which it fits ``width`` mm on one line: down to ``smallest`` points, then
    shortened with an ellipsis."""
    pdf.set_font("DejaVu", style, size)
    while pdf.get_string_width(value) > width and size > smallest:
        size = max(smallest, size - 0.5)
        pdf.set_font("DejaVu", style, size)
    if pdf.get_string_width(value) > width:
        while value and pdf.get_string_width(value + "…") > width:
            value = value[:-1]
        value = value.rstrip() + "…"
    return value, size


def summary_pdf(brand: Brand, rng: ReportRange, *, now: datetime, report: Report | None = None) -> bytes:
    """The brand's summary of the month ``rng`` in the brand's language."""
    with translation.override(language_of(brand)):
        return pdf_bytes(build(brand, rng, now=now, report=report))
