"""Edge 15 of issue 15: the tickets CSV says priorities in words and times in the report's time zone, named in the
header (the report said Asia/Jakarta while the CSV said UTC); formula injection stays neutralised."""

import csv
import io

from tests.tickets.reports.conftest import RANGE_QUERY


def _rows(client, language="en"):
    response = client.get(f"/reports/acme/export/{RANGE_QUERY}&format=csv&data=rows", HTTP_ACCEPT_LANGUAGE=language)
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_priorities_in_words_and_times_in_the_brands_zone(world, cast, browser):
    header, *rows = _rows(browser(cast.manager))
    assert header[3] == "priority"
    assert header[7] == "received_at (Asia/Jakarta)"
    t4 = next(r for r in rows if r[0] == f"T-{world.t4.pk}")
    assert t4[3] == "Normal"
    assert t4[7] == "2025-05-04T23:30:00+07:00"  # Sunday 23:30 in Jakarta: the report's last day, as on the page
