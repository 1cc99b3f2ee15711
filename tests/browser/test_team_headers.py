"""The team view's tables in a real browser, in English and Indonesian, at 1280 px and 390 px (issue 16, item 1):
no header breaks inside a word ("Mendesak", "Terlambat"), and a table wider than its card makes the card scroll
sideways instead of being clipped or widening the page."""

import os

import pytest

from tests.browser.test_team import SIZES, shift_setup  # noqa: F401 (a fixture)
from tests.helpers import log_in

pytestmark = [pytest.mark.browser]
SHOTS = os.environ.get("SMRC_SCREENSHOTS")

#: for every header cell of the team view's tables shown: its words, and those the browser laid out on more than
#: one line (a word broken inside: a range over it has several boxes), with its widest word against the room
HEADERS = """() => {
  const out = [];
  for (const th of document.querySelectorAll('.team table.figures thead th, .team table.figures th[scope=row]')) {
    if (!th.clientWidth || th.closest('.visually-hidden')) continue;  // not shown (a screen reader's header)
    const style = getComputedStyle(th);
    const words = [], broken = [];
    let widest = 0;
    for (const node of th.childNodes) {
      if (node.nodeType !== 3) continue;
      for (const m of node.textContent.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const boxes = [...range.getClientRects()].filter(r => r.width > 0);
        words.push(m[0]);
        widest = Math.max(widest, range.getBoundingClientRect().width);
        if (boxes.length > 1) broken.push(m[0]);
      }
    }
    if (!words.length) continue;
    const room = th.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    out.push({text: words.join(' '), broken, widest, room});
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
    # The switcher, as a person would: a full load, in English too, where the page before it already matches the
    # selector below (measuring it while it goes away fails, or measures the old page)
    with page.expect_event("load"):
        page.locator(f".langswitch button[value={language}]").click()
    page.wait_for_selector(f"html[lang={language}] #h-sla")
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"team-headers-{language}-{width}.png"), full_page=True)
    headers = page.evaluate(HEADERS)
    assert headers, "no header measured"
    broken = [h for h in headers if h["broken"] or h["widest"] > h["room"] + 1]
    assert broken == [], broken
    if language == "id":
        assert "Mendesak" in {h["text"] for h in headers}
    for card in page.evaluate(CARDS):
        assert card["overflow"] in ("auto", "scroll"), card
        assert card["scroll"] >= card["table"] - 1, card  # the whole table can be scrolled to, nothing clipped
    assert page.evaluate("document.scrollingElement.scrollWidth") == width
