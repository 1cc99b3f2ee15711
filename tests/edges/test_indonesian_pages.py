"""Edge 11 of issue 15: pages that still spoke English in Indonesian — the definitions' body, the "Regular
expression" field, the field names on snippet compare, the sentiment groups of the report and the webhook fields
of the channel accounts — each rendered in Indonesian and read for the Indonesian words."""

from django.urls import reverse

from brands.services import knowledge
from tests.factories import make_channel, make_snippet
from tests.tickets.reports.conftest import RANGE_QUERY


def _id(client, url: str) -> str:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="id")
    assert response.status_code == 200
    return response.content.decode()


def test_the_definitions_page_is_written_in_indonesian(cast, browser):
    page = _id(browser(cast.manager), reverse("tickets:report_definitions"))
    assert "Rentang dan populasi" in page
    assert "Kepatuhan SLA" in page
    assert "Range and population" not in page
    english = browser(cast.manager).get(reverse("tickets:report_definitions"), HTTP_ACCEPT_LANGUAGE="en")
    assert "Range and population" in english.content.decode()


def test_the_pattern_forms_say_ekspresi_reguler(cast, browser):
    page = _id(browser(cast.supervisor), f"/settings/{cast.brand_a.slug}/priority/")
    assert "Ekspresi reguler" in page
    assert "Regular expression" not in page
    assert "regular expression" not in page


def test_snippet_compare_names_the_fields_in_indonesian(cast, browser):
    snippet = make_snippet(cast.brand_a, user=cast.operator)
    data = knowledge.SnippetData(title=snippet.title, body="Hai {customer_name}!", status="published")
    knowledge.update_snippet(snippet=snippet, user=cast.supervisor, data=data, note="")
    url = reverse("knowledge:snippet_compare", args=[cast.brand_a.slug, snippet.pk]) + "?a=1&b=2"
    assert "<h2>Isi</h2>" in _id(browser(cast.supervisor), url)
    assert "<h2>Body</h2>" in browser(cast.supervisor).get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_the_reports_sentiment_groups_are_in_indonesian(cast, world, browser):
    page = _id(browser(cast.manager), f"/reports/{cast.brand_a.slug}/{RANGE_QUERY}")
    section = page.split("Per sentimen", 1)[1].split("</section>", 1)[0]
    assert '<th scope="row">Negatif</th>' in section
    assert '<th scope="row">Positif</th>' in section
    assert "negative" not in section.split("<tbody>", 1)[1].replace("value=negative", "")


def test_the_channel_accounts_name_the_webhook_fields_in_indonesian(cast, browser):
    make_channel(cast.brand_a, platform="facebook")
    page = _id(browser(cast.supervisor), "/settings/channels/")
    assert "URL webhook" in page
    assert "Token verifikasi" in page
    assert "Verify token" not in page
    assert "Webhook URL" not in page
