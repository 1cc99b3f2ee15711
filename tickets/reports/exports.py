"""Exports of a report: its figures as a table (metric, group, value) and the ticket rows behind it, as CSV
(streamed) and XLSX (both written by :mod:`smrc.spreadsheets`, which keeps any cell from starting a formula)
and PDF (fpdf2, figures only).

Durations are whole seconds in every export, so a spreadsheet can compute with them; the page shows them for
people. Customer text is never exported here: the rows carry references, clocks and figures only.
"""

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, tzinfo

from brands.models import Priority

from .queries import SPLIT, Compliance, Distribution, Report, ReportRange, population

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


def pdf_bytes(report: Report, *, title: str, labels: dict[str, str]) -> bytes:
    """A one-document PDF of the figures (fpdf2, core fonts: Latin-1 text only, so labels are transliterated)."""
    from fpdf import FPDF

    from ..templatetags.reports import format_seconds

    def text(value) -> str:
        return str(value).replace("—", "-").replace("−", "-").encode("latin-1", "replace").decode("latin-1")

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 15)
    pdf.cell(0, 9, text(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    pdf.cell(0, 6, text(f"{report.rng.first:%Y-%m-%d} - {report.rng.last:%Y-%m-%d} ({report.rng.tz.key})"),
             new_x="LMARGIN", new_y="NEXT")  # fmt: skip
    pdf.ln(3)

    def table(heading: str, header: list[str], rows: list[list]) -> None:
        pdf.set_font("Helvetica", "B", 11)
        pdf.cell(0, 7, text(heading), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 9)
        with pdf.table(text_align="LEFT", first_row_as_headings=True) as t:
            for line in [header, *rows]:
                r = t.row()
                for value in line:
                    r.cell(text(value))
        pdf.ln(3)

    def pct(value) -> str:
        return "-" if value is None else f"{value:.1f} %"

    table(
        labels["times"],
        ["", "n", "p50", "p90", "p95"],
        [
            [labels[key], d.count, format_seconds(d.p50), format_seconds(d.p90), format_seconds(d.p95)]
            for key, d in (
                ("fr_business", report.fr_business),
                ("fr_calendar", report.fr_calendar),
                ("fr_customer", report.fr_customer),
                ("nr_business", report.nr_business),
                ("res_business", report.res_business),
                ("res_calendar", report.res_calendar),
            )
        ],
    )
    table(
        labels["sla"],
        ["", labels["met"], labels["breached"], "%"],
        [
            [labels[key], c.met, c.breached, pct(c.percent)]
            for key, c in (("fr", report.fr), ("nr", report.nr), ("res", report.res))
        ],
    )
    for key, groups in (("platform", report.by_platform), ("priority", report.by_priority),
                        ("operator", report.by_operator), ("sentiment", report.by_sentiment),
                        ("tag", report.by_tag)):  # fmt: skip
        table(
            labels[key],
            ["", labels["tickets"], "p50", labels["fr"], labels["res"]],
            [
                [
                    g.label,
                    g.tickets,
                    format_seconds(g.first_response.p50),
                    pct(g.fr_compliance.percent),
                    pct(g.res_compliance.percent),
                ]
                for g in groups
            ],  # fmt: skip
        )
    return bytes(pdf.output())
