"""Edge 7 of issue 15: no page repeats an element id, and every label points at an element of the page (on the
priority settings page the spam form's "Regular expression" label ticked the urgency form's box). Checked over
every page the attribute check renders, in both languages."""

from collections import Counter
from html.parser import HTMLParser

import pytest

from tests.edges.test_unlocalized_numbers import _pages


class _Ids(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: list[str] = []
        self.label_targets: list[str] = []
        self.in_template = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.append(attrs["id"])
        if tag == "label" and attrs.get("for"):
            self.label_targets.append(attrs["for"])

    handle_startendtag = handle_starttag


def problems(html: str) -> dict:
    parser = _Ids()
    parser.feed(html)
    repeated = sorted(i for i, n in Counter(parser.ids).items() if n > 1)
    dangling = sorted(set(parser.label_targets) - set(parser.ids))
    return {k: v for k, v in (("repeated ids", repeated), ("labels for no element", dangling)) if v}


def test_the_checker_catches_a_repeated_id():
    assert problems('<input id="id_is_regex"><input id="id_is_regex"><label for="x">') == {
        "repeated ids": ["id_is_regex"],
        "labels for no element": ["x"],
    }


@pytest.mark.parametrize("language", ["en", "id"])
def test_no_page_repeats_an_id(cast, world, browser, language):
    supervisor, admin = browser(cast.supervisor), browser(cast.admin)
    bad = {}
    for url in _pages(cast, world):
        client = admin if "all-brands" in url or "channels" in url else supervisor
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200, url
        found = problems(response.content.decode())
        if found:
            bad[url] = found
    assert bad == {}


def test_the_spam_forms_regular_expression_label_ticks_its_own_box(cast, browser):
    page = browser(cast.supervisor).get(f"/settings/{cast.brand_a.slug}/priority/").content.decode()
    assert page.count('id="id_spam_is_regex"') == 1
    assert '<label for="id_spam_is_regex">' in page
    assert '<label for="id_urgency_is_regex">' in page
