"""Edge 2 of issue 15: the compare page's header names both versions and who wrote them."""

from django.urls import reverse

from brands.services import knowledge
from tests.factories import make_snippet


def _edit(snippet, user, body):
    data = knowledge.SnippetData(title=snippet.title, body=body, status="published")
    return knowledge.update_snippet(snippet=snippet, user=user, data=data, note="")[0]


def _header(client, snippet, query="?a=1&b=2", language="en"):
    url = reverse("knowledge:snippet_compare", args=["acme", snippet.pk]) + query
    page = client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    return page.split('<p class="muted compare-who">', 1)[1].split("</p>", 1)[0]


def test_the_header_names_the_versions_and_their_authors(cast, browser):
    snippet = make_snippet(cast.brand_a, user=cast.operator)
    _edit(snippet, cast.supervisor, "Hai {customer_name}!")
    header = _header(browser(cast.supervisor), snippet)
    assert "v1 by op_a on" in header
    assert "; v2 by sup_a on" in header


def test_a_version_written_by_the_configuration_file_says_so(cast, browser):
    snippet = make_snippet(cast.brand_a)  # user=None: what load_config writes
    _edit(snippet, cast.supervisor, "Hai {customer_name}!")
    client = browser(cast.supervisor)
    assert "v1 by the configuration file on" in _header(client, snippet)
    assert "v1 oleh berkas konfigurasi pada" in _header(client, snippet, language="id")
    assert "v2 oleh sup_a pada" in _header(client, snippet, language="id")
