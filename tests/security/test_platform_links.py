""" "Open on platform" opens the platform: a mention's link passes the URL gate *and* points to its own
platform's site, on every path (API, webhooks, ingest_file; rows stored before are checked again when shown).

A plain ``https://`` link passes the URL gate (``tests/security/test_url_gate.py``), so a listening-tool export,
an integration posting to the API or a forged permalink could still put ``https://evil.example/login`` behind the
button the operator trusts to open the customer's post, a phishing page for the brand's own platform login.
"""

import json
import logging
from datetime import UTC, datetime

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from brands.services.customer_data import PLATFORM_HOSTS, gate_url, platform_link
from tests.factories import make_channel, make_ticket
from tests.helpers import db_state, deliver_signed
from tickets.models import Mention

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)

#: links that pass the URL gate but do not lead to the platform
OFF_PLATFORM = [
    "https://evil.example/login",
    "https://x.com.evil.example/i/status/1",
    "https://evilx.com/i/status/1",
    "https://evil.example/x.com/status/1",
    "https://evil.example/?next=https://x.com/",
    "https://xn--x-com-evil.example/",
    "https://www.facebook.com.evil.example/1_2",
    "https://instagram.com.evil.example/p/abc/",
    "https://youtube.com-watch.example/?v=a",
    "https://youtu.be.evil.example/a",
    "https://127.0.0.1/login",
    "http://[::1]/login",
]
#: the platform's own sites, as the platforms and our adapters write them
ON_PLATFORM = {
    "x": ["https://x.com/budi/status/1", "https://x.com/i/web/status/1", "https://twitter.com/budi/status/1"],
    "facebook": [
        "https://www.facebook.com/104_1?comment_id=2",
        "https://m.facebook.com/story.php?id=1",
        "https://fb.watch/a1/",
    ],
    "instagram": ["https://www.instagram.com/p/Cx1y2z/", "https://instagram.com/reel/abc/"],
    "youtube": [
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ&lc=Ugz1",
        "https://youtu.be/dQw4w9WgXcQ",
        "https://m.youtube.com/watch?v=a",
    ],
}


def test_every_off_platform_link_passes_the_gate_but_not_as_a_platform_link():
    for value in OFF_PLATFORM:
        assert gate_url(value) == (value, ""), value
        for platform in PLATFORM_HOSTS:
            link, reason = platform_link(platform, value)
            assert link == "", (platform, value)
            assert reason.startswith(f"not a link to {platform} ("), (platform, value, reason)


def test_each_platform_link_passes_for_its_own_platform_only():
    for platform, links in ON_PLATFORM.items():
        for value in links:
            assert platform_link(platform, value) == (value, ""), value
            for other in set(PLATFORM_HOSTS) - {platform}:
                assert platform_link(other, value)[0] == "", (other, value)
    assert platform_link("x", "javascript:alert(1)") == ("", gate_url("javascript:alert(1)")[1])
    assert platform_link("x", "") == ("", "")


def test_the_api_refuses_an_off_platform_link_and_stores_nothing(cast):
    client = APIClient()
    client.force_authenticate(cast.supervisor)
    item = {
        "platform": "x",
        "platform_id": "1",
        "brand": "acme",
        "author": {"id": "u-1", "handle": "budi"},
        "text": "halo",
        "posted_at": NOW.isoformat(),
    }
    before = db_state()
    for value in OFF_PLATFORM:
        response = client.post("/api/v1/mentions/", [{**item, "url": value}], format="json")
        assert response.status_code == 400, value
        assert response.json()["results"][0]["errors"] == {"url": ["Enter the link of the post on X."]}, value
    assert db_state() == before
    assert client.post("/api/v1/mentions/", [{**item, "url": ON_PLATFORM["x"][0]}], format="json").status_code == 201
    assert Mention.objects.get().link == ON_PLATFORM["x"][0]


@pytest.mark.parametrize("value", OFF_PLATFORM)
def test_ingest_file_drops_and_records_an_off_platform_link(cast, tmp_path, caplog, value):
    record = {"platform": "x", "platform_id": "f-1", "author": {"id": "u-1"}, "text": "halo", "url": value}
    path = tmp_path / "m.json"
    path.write_text(json.dumps([{**record, "posted_at": NOW.isoformat()}]))
    with caplog.at_level(logging.WARNING, logger="smrc.inbound"):
        call_command("ingest_file", "--platform", "json", str(path), "--brand", "acme", "--no-progress", stdout=None)
    mention = Mention.objects.get()
    assert mention.url == ""
    assert mention.raw["smrc_dropped"] == [{"field": "url", "reason": platform_link("x", value)[1], "value": value}]


@pytest.mark.parametrize("value", OFF_PLATFORM[:4])
def test_a_forged_facebook_permalink_is_dropped(cast, value):
    page = "104523987654321"
    make_channel(cast.brand_a, platform="facebook", external_id=page)
    change = {
        "item": "status",
        "verb": "add",
        "post_id": f"{page}_1",
        "from": {"id": "8899001122334455", "name": "Agus"},
        "message": "halo",
        "created_time": int(NOW.timestamp()),
        "permalink_url": value,
    }
    entry = {"id": page, "time": int(NOW.timestamp()), "changes": [{"field": "feed", "value": change}]}
    assert deliver_signed("meta", {"object": "page", "entry": [entry]}).state == "processed"
    mention = Mention.objects.get()
    assert (mention.url, mention.link) == ("", "")
    assert [d["field"] for d in mention.raw["smrc_dropped"]] == ["url"]


def test_an_off_platform_link_stored_before_is_never_shown(cast, client):
    ticket = make_ticket(cast.brand_a, platform_id="old-1")
    Mention.objects.filter(ticket=ticket).update(url=OFF_PLATFORM[0])
    assert Mention.objects.get(ticket=ticket).link == ""
    client.force_login(cast.operator)
    html = client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert "evil.example" not in html
    assert "open on platform" not in html
