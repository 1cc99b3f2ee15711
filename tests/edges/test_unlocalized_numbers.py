"""Edge 1 of issue 15: numbers written into markup are never localised.

Indonesian writes decimals with a comma (2,4). Inside an SVG attribute, a style, a data-* attribute or an htmx
value that comma is not a number: the browser drops the bar ("<rect> attribute x: Expected length, "2,4"").
Every page that writes numbers into attributes is rendered in Indonesian and every attribute that carries
machine-readable values is checked for a decimal comma. Text meant for people (title, aria-label, alt,
placeholder) may be localised and is not checked.
"""

import re
from html.parser import HTMLParser

import pytest

from tests.factories import make_snippet
from tests.tickets.reports.conftest import RANGE_QUERY
from tickets.services import workflow

HUMAN_TEXT = {"title", "aria-label", "alt", "placeholder", "aria-valuetext", "content", "aria-description"}
DECIMAL_COMMA = re.compile(r"\d,\d")


class _Attributes(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value and name not in HUMAN_TEXT and DECIMAL_COMMA.search(value):
                self.found.append((tag, name, value))

    handle_startendtag = handle_starttag


def localised_attributes(html: str) -> list[tuple[str, str, str]]:
    parser = _Attributes()
    parser.feed(html)
    return parser.found


def test_the_checker_catches_a_decimal_comma():
    assert localised_attributes('<svg><rect x="2,4" width="10" title="2,4 jam"/></svg>') == [("rect", "x", "2,4")]
    assert localised_attributes('<div style="width: 12,5%" data-v="1.5"></div>') == [("div", "style", "width: 12,5%")]


def _pages(cast, world) -> list[str]:
    brand = cast.brand_a.slug
    snippet = make_snippet(cast.brand_a)
    workflow.claim_ticket(ticket=world.t4, user=cast.supervisor)
    return [
        f"/reports/{brand}/{RANGE_QUERY}",
        f"/reports/all-brands/{RANGE_QUERY}",
        f"/reports/{brand}/tickets/{RANGE_QUERY}&metric=all",
        "/reports/",
        "/reports/definitions/",
        "/queue/",
        f"/tickets/{world.t1.pk}/",
        f"/tickets/{world.t2.pk}/",
        f"/tickets/{world.t4.pk}/",
        "/review/",
        "/notifications/",
        f"/settings/{brand}/sla/",
        f"/settings/{brand}/priority/",
        f"/settings/{brand}/review/",
        f"/settings/{brand}/goals/",
        f"/settings/{brand}/history/",
        "/settings/channels/",
        f"/knowledge/{brand}/",
        f"/knowledge/{brand}/snippets/{snippet.pk}/",
        f"/knowledge/{brand}/products/",
    ]


@pytest.mark.parametrize("language", ["id", "en"])
def test_no_page_writes_a_localised_number_into_an_attribute(cast, world, browser, language):
    supervisor, admin = browser(cast.supervisor), browser(cast.admin)
    bad = {}
    for url in _pages(cast, world):
        client = admin if "all-brands" in url or "channels" in url else supervisor
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200, url
        found = localised_attributes(response.content.decode())
        if found:
            bad[url] = found[:5]
    assert bad == {}


def test_the_report_chart_really_has_fractional_coordinates(cast, world, browser):
    """The check above is only worth something if the chart draws fractional numbers: 7 days on 720 units."""
    html = browser(cast.supervisor).get(f"/reports/{cast.brand_a.slug}/{RANGE_QUERY}", HTTP_ACCEPT_LANGUAGE="id")
    assert re.search(r'<rect x="\d+\.\d+"', html.content.decode())
