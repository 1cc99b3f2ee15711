"""Exports of the hand-computed week: exact CSV content, an XLSX that opens, a PDF."""

import io
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from tests.tickets.reports.conftest import RANGE_QUERY

pytestmark = pytest.mark.django_db


def _get(client, query: str) -> str:
    response = client.get(f"/reports/acme/export/{RANGE_QUERY}&{query}")
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()


def _in_jakarta(lines: list[str]) -> list[str]:
    """The rows as first written in UTC, as the export now writes them (issue 15, edge 15): times in the report's
    zone (Asia/Jakarta, named in the header), priorities in words."""
    stamp = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)Z")

    def local(m):
        return datetime.fromisoformat(m.group(1) + "+00:00").astimezone(ZoneInfo("Asia/Jakarta")).isoformat()

    header = ",".join(f"{c} (Asia/Jakarta)" if c.endswith("_at") else c for c in lines[0].split(","))
    rows = [stamp.sub(local, line).replace(",x,2,", ",x,Normal,").replace(",facebook,2,", ",facebook,Normal,")
            .replace(",instagram,2,", ",instagram,Normal,") for line in lines[1:]]  # fmt: skip
    return [header, *rows]


def test_the_ticket_rows_csv_is_exact(world, cast, browser):
    body = _get(browser(cast.manager), "format=csv&data=rows")
    t1, t2, t3, t4 = world.t1.pk, world.t2.pk, world.t3.pk, world.t4.pk
    op, sup = cast.operator.username, cast.supervisor.username
    assert body.split("\r\n") == _in_jakarta(
        [
            "ticket,brand,platform,priority,status,assignee,posted_at,received_at,claimed_at,first_submitted_at,"
            "first_approved_at,first_response_at,first_response_due_at,resolved_at,resolution_due_at,"
            "first_response_seconds,first_response_business_seconds,resolution_business_seconds,paused_seconds",
            f"T-{t1},acme,x,2,resolved,{op},2025-04-28T02:50:00Z,2025-04-28T03:00:00Z,2025-04-28T03:10:00Z,"
            "2025-04-28T03:20:00Z,2025-04-28T03:20:00Z,2025-04-28T03:30:00Z,2025-04-28T04:00:00Z,2025-04-28T09:00:00Z,"
            "2025-05-02T08:30:00Z,1800,1800,1800,19800",
            f"T-{t3},acme,x,2,resolved,{op},2025-04-30T09:00:00Z,2025-04-30T09:00:00Z,2025-05-02T02:05:00Z,"
            "2025-05-02T02:30:00Z,2025-05-02T02:30:00Z,2025-05-02T02:30:00Z,2025-04-30T10:00:00Z,2025-05-02T03:30:00Z,"
            "2025-05-06T10:00:00Z,149400,5400,5400,3600",
            f"T-{t2},acme,facebook,2,pending,{sup},2025-05-02T09:00:00Z,2025-05-02T09:30:00Z,2025-05-05T02:10:00Z,"
            "2025-05-05T02:20:00Z,2025-05-05T02:20:00Z,2025-05-05T02:20:00Z,2025-05-05T02:30:00Z,,"
            "2025-05-08T02:10:00Z,233400,3000,,2400",
            f"T-{t4},acme,instagram,2,new,,2025-05-04T16:29:00Z,2025-05-04T16:30:00Z,,,,,2025-05-05T03:00:00Z,,"
            "2025-05-07T10:00:00Z,,,,0",
            "",
        ]
    )


def test_the_figures_csv_starts_with_volume_and_times(world, cast, browser, time_machine):
    time_machine.move_to(world.now, tick=False)  # the figures of conftest.py are computed at this "now"
    lines = _get(browser(cast.manager), "format=csv").split("\r\n")
    assert lines[:10] == [
        "section,group,metric,value",
        "summary,,tickets,4",
        "volume,2025-04-28,tickets,1",
        "volume,2025-04-29,tickets,0",
        "volume,2025-04-30,tickets,1",
        "volume,2025-05-01,tickets,0",
        "volume,2025-05-02,tickets,1",
        "volume,2025-05-03,tickets,0",
        "volume,2025-05-04,tickets,1",
        "heatmap,1-10,tickets,1",
    ]
    assert "first_response,,business_p50_seconds,3000" in lines
    assert "sla,,first_response_compliance_percent,50.0" in lines
    assert "sla,,next_response_compliance_percent,0.0" in lines
    assert "sla,,resolution_compliance_percent,100.0" in lines
    assert "time_split,,queue_p50_seconds,147900" in lines
    assert "sentiment,unknown,tickets,2" in lines
    assert "tag,refund,tickets,2" in lines
    # The "no tag" group is "-": quoted like any text cell that could start a formula (smrc/spreadsheets.py).
    assert "tag,'-,first_response_compliance_percent,0.0" in lines
    assert "review,,replies_approved,4" in lines


def test_the_xlsx_exports_open_with_the_same_cells(world, cast, browser):
    client = browser(cast.manager)
    response = client.get(f"/reports/acme/export/{RANGE_QUERY}&format=xlsx")
    assert response["Content-Disposition"] == 'attachment; filename="smrc-report-acme-20250428-20250504-figures.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[:2] == [("section", "group", "metric", "value"), ("summary", None, "tickets", 4)]
    response = client.get(f"/reports/acme/export/{RANGE_QUERY}&format=xlsx&data=rows")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert len(rows) == 5
    assert rows[1][0] == f"T-{world.t1.pk}"


def test_the_pdf_export_is_a_pdf(world, cast, browser):
    response = browser(cast.manager).get(f"/reports/acme/export/{RANGE_QUERY}&format=pdf")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-")


def test_an_unknown_format_is_a_400(cast, browser):
    assert browser(cast.manager).get(f"/reports/acme/export/{RANGE_QUERY}&format=doc").status_code == 400
    assert browser(cast.operator).get(f"/reports/acme/export/{RANGE_QUERY}&format=csv").status_code == 403
