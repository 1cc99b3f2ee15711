"""The team view's tables in a real browser, in English and Indonesian, at 1280 px and 390 px (issue 16, item 1):
no header breaks inside a word ("Mendesak", "Terlambat"), and a table wider than its card makes the card scroll
sideways instead of being clipped or widening the page."""

import os

import pytest

from tests.browser.test_team import SIZES, shift_setup  # noqa: F401 (a fixture)
from tests.helpers import log_in

pytestmark = [pytest.mark.browser]
SHOTS = os.environ.get("SMRC_SCREENSHOTS")

#: for every header cell of the team view's tables, its longest word's width against the room inside the cell
HEADERS = """() => {
  const ctx = document.createElement('canvas').getContext('2d');
  const out = [];
  for (const th of document.querySelectorAll('.team table.figures thead th, .team table.figures th[scope=row]')) {
    const style = getComputedStyle(th);
    ctx.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const own = [...th.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent).join(' ');
    const words = own.split(/\\s+/).filter(Boolean);
    if (!words.length) continue;
    const widest = Math.max(...words.map(w => ctx.measureText(w).width));
    const room = th.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    out.push({text: own.trim(), widest, room});
  }
  return out;
}"""
#: every card holding a table: whether it scrolls sideways, and whether the table reaches past it
CARDS = """() => [...document.querySelectorAll('.team .panel')].filter(p => p.querySelector('table')).map(p => ({
  id: p.getAttribute('aria-labelledby'),
  overflow: getComputedStyle(p).overflowX,
  table: p.querySelector('table').getBoundingClientRect().width,
  inner: p.clientWidth,
  scroll: p.scrollWidth,
}))"""


@pytest.mark.parametrize(("width", "language"), SIZES)
def test_headers_keep_their_words_and_cards_scroll(page, shift_setup, width, language):  # noqa: F811
    page.set_viewport_size({"width": width, "height": 900})
    page.set_extra_http_headers({"Accept-Language": language})
    log_in(page, "sup_a")
    page.goto("/team/")
    page.locator(f".langswitch button[value={language}]").click()  # the switcher, as a person would
    page.wait_for_selector(f"html[lang={language}] #h-sla")
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"team-headers-{language}-{width}.png"), full_page=True)
    headers = page.evaluate(HEADERS)
    assert headers, "no header measured"
    broken = [h for h in headers if h["widest"] > h["room"] + 0.5]
    assert broken == [], broken
    if language == "id":
        assert "Mendesak" in {h["text"] for h in headers}
    for card in page.evaluate(CARDS):
        assert card["overflow"] in ("auto", "scroll"), card
        assert card["scroll"] >= card["table"] - 1, card  # the whole table can be scrolled to, nothing clipped
    assert page.evaluate("document.scrollingElement.scrollWidth") == width
