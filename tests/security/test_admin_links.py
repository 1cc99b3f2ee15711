"""The admin's mention form: the link goes through the same gate as every inbound link (http(s) to the
mention's own platform), and rendering it raises no deprecation warning (Django's ``URLField`` form field warned
that its default scheme changes in Django 6.0, and took ``ftp://`` and any host)."""

import warnings

import pytest
from django.utils.deprecation import RemovedInDjango60Warning

from tests.factories import make_ticket
from tests.helpers import db_state
from tickets.models import Mention

pytestmark = pytest.mark.django_db


@pytest.fixture
def mention(cast):
    make_ticket(cast.brand_a, platform="x", platform_id="adm-1")
    return Mention.objects.get()


@pytest.fixture
def root(client, cast):
    client.force_login(cast.admin)
    return client


def form_data(mention: Mention, url: str) -> dict:
    return {
        "brand": mention.brand_id,
        "ticket": mention.ticket_id,
        "author": mention.author_id,
        "platform": mention.platform,
        "platform_id": mention.platform_id,
        "kind": mention.kind,
        "text": mention.text,
        "language": "",
        "url": url,
        "conversation_id": "",
        "parent_id": "",
        "posted_at_0": "2025-03-03",
        "posted_at_1": "09:00:00",
        "received_at_0": "2025-03-03",
        "received_at_1": "09:00:00",
        "raw": "{}",
        "sentiment": "",
        "fingerprint": "",
        "revisions-TOTAL_FORMS": "0",
        "revisions-INITIAL_FORMS": "0",
    }


def test_the_mention_pages_render_without_a_deprecation_warning(root, mention):
    with warnings.catch_warnings():
        warnings.simplefilter("error", RemovedInDjango60Warning)
        assert root.get(f"/admin/tickets/mention/{mention.pk}/change/").status_code == 200
        assert root.get("/admin/tickets/mention/add/").status_code == 200


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "ftp://x.com/1", "https://evil.example/login", "https://x.com.evil.example/1"]
)
def test_the_admin_refuses_a_link_the_gate_refuses(root, mention, url):
    before = db_state()
    response = root.post(f"/admin/tickets/mention/{mention.pk}/change/", form_data(mention, url))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["url"] == ["Enter the link of the post on X."]
    assert db_state() == before


def test_the_admin_keeps_a_link_to_the_platform(root, mention):
    response = root.post(f"/admin/tickets/mention/{mention.pk}/change/", form_data(mention, "https://x.com/i/status/1"))
    assert response.status_code == 302
    mention.refresh_from_db()
    assert mention.url == mention.link == "https://x.com/i/status/1"
