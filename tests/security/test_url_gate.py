"""Attack: links that are not plain http(s) (``javascript:``, ``data:``, ``vbscript:``, odd whitespace, encoded
schemes, credentials before the host, look-alike hosts) through every source. Each passes the one URL gate
(``brands.services.customer_data.gate_url``): the API refuses it with a 400 naming the field and stores nothing;
unattended sources (webhooks, polling, ``ingest_file``) store the mention without it and record field, reason
and value on the mention's raw data and in the log; ``load_config`` refuses a handle that could not build a link.
No page ever renders such a value as a link: profile links are built by us, "open on platform" shows only a
gated URL (also for rows stored before the gate)."""

import csv
import io
import json
import logging
import re
from datetime import UTC, datetime

import pytest
import responses
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from brands.models import Role
from brands.services.config import ConfigError, apply_config
from brands.services.customer_data import gate_url
from tests.factories import PASSWORD, make_channel, make_member, make_ticket, make_user
from tests.helpers import db_state, deliver_signed
from tickets.models import Mention
from tickets.services import polling

NOW = datetime.now(UTC).replace(microsecond=0)

HOSTILE = [
    "javascript:alert(document.domain)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "javascript\n:alert(1)",
    "%6Aavascript:alert(1)",
    "&#106;avascript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "ftp://evil.example/",
    "//evil.example/login",
    "https://x.com@evil.example/login",
    "https://evil.example/\u202egnp.exe",
    "https://x.com/\u200blogin",
    "https://\u0435vil.example/",  # a Cyrillic "е"
    "https://x.com/" + "a" * 500,
]
IDS = [f"hostile{i}" for i in range(len(HOSTILE))]
SAFE_HOSTS = {"x.com", "www.facebook.com", "www.instagram.com", "www.youtube.com", "docs.example.com"}


def _hrefs(html: str) -> list[str]:
    """The targets of the page's links (``<a href>``)."""
    return re.findall(r'<a\b[^>]*\bhref="([^"]*)"', html)


def _page(ticket, user) -> str:
    client = Client()
    client.login(username=user.username, password=PASSWORD)
    response = client.get(f"/tickets/{ticket.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def assert_no_hostile_link(html: str, value: str) -> None:
    """Every link on the page is ours (a path) or http(s) to a platform; the hostile value is never a link, and
    the conversation has no "open on platform" link left."""
    for href in _hrefs(html):
        if href.startswith(("/", "#", "?")):
            continue
        assert href.startswith(("https://", "http://")), href
        assert gate_url(href.replace("&amp;", "&"))[1] == "", href
        assert href.split("/")[2] in SAFE_HOSTS, href
    thread = html[html.index('<ol class="thread"') : html.index("</ol>", html.index('<ol class="thread"'))]
    assert "open on platform" not in thread
    assert f'href="{value}' not in html


def assert_dropped_and_recorded(mention: Mention, value: str, caplog, field: str = "url") -> None:
    assert mention.url == ""
    notes = [n for n in mention.raw["smrc_dropped"] if n["field"] == field]
    assert len(notes) == 1
    assert notes[0]["value"] == value[:200]
    assert notes[0]["reason"] == gate_url(value)[1]
    assert any(r.name == "smrc.inbound" and f"{field} (" in r.getMessage() for r in caplog.records)


def test_the_gate_refuses_every_hostile_value_and_keeps_plain_links():
    assert [gate_url(v)[0] for v in HOSTILE] == [""] * len(HOSTILE)
    assert all(gate_url(v)[1] for v in HOSTILE)
    for good in ("https://x.com/budi/status/1", "http://www.facebook.com/1_2", "HTTPS://WWW.YOUTUBE.COM/watch?v=a"):
        assert gate_url(good) == (good, "")
    assert gate_url("") == ("", "")
    assert gate_url(42) == ("", "not text (int)")


# --- the ingest API: refused, nothing stored --------------------------------------------------------------------


@pytest.mark.parametrize("value", HOSTILE, ids=IDS)
def test_the_api_refuses_a_hostile_url_and_stores_nothing(cast, value):
    client = APIClient()
    client.force_authenticate(cast.supervisor)
    before = db_state()
    item = {
        "platform": "x",
        "platform_id": "1",
        "brand": "acme",
        "author": {"id": "u-1", "handle": "budi"},
        "text": "halo",
        "posted_at": NOW.isoformat(),
        "url": value,
    }
    response = client.post("/api/v1/mentions/", [item], format="json")
    assert response.status_code == 400
    errors = response.json()["results"][0]["errors"]
    assert list(errors) == ["url"]
    too_long = ["Ensure this field has no more than 500 characters."] if len(value) > 500 else []
    assert errors["url"] == ["Enter a plain http or https link.", *too_long]
    assert db_state() == before


def test_the_api_never_takes_a_profile_link_and_refuses_a_handle_that_is_not_one(cast):
    client = APIClient()
    client.force_authenticate(cast.supervisor)
    item = {
        "platform": "x",
        "platform_id": "1",
        "brand": "acme",
        "author": {"id": "u-1", "handle": "budi", "profile_url": "javascript:alert(1)"},
        "text": "halo",
        "posted_at": NOW.isoformat(),
    }
    assert client.post("/api/v1/mentions/", [item], format="json").status_code == 201
    ticket = Mention.objects.get().ticket
    assert ticket.author.profile_url == "https://x.com/budi"
    before = db_state()
    bad = {**item, "platform_id": "2", "author": {"id": "u-2", "handle": "javascript:alert(1)"}}
    response = client.post("/api/v1/mentions/", [bad], format="json")
    assert response.status_code == 400
    assert response.json()["results"][0]["errors"] == {"author": {"handle": ["Not a valid handle on X."]}}
    assert db_state() == before
    detail = client.get(f"/api/v1/tickets/{ticket.pk}/").json()
    assert detail["author"]["profile_url"] == "https://x.com/budi"


# --- ingest_file: JSON and CSV ------------------------------------------------------------------------------------


def _record(value: str, n: int = 1) -> dict:
    return {
        "platform": "x",
        "platform_id": f"f-{n}",
        "author": {"id": f"u-{n}", "handle": "budi", "profile_url": value},
        "text": "halo",
        "posted_at": NOW.isoformat(),
        "url": value,
    }


@pytest.mark.parametrize("value", HOSTILE, ids=IDS)
def test_ingest_file_json_drops_and_records_a_hostile_url(cast, tmp_path, caplog, value):
    path = tmp_path / "m.json"
    path.write_text(json.dumps([_record(value)]))
    with caplog.at_level(logging.WARNING, logger="smrc.inbound"):
        call_command("ingest_file", "--platform", "json", str(path), "--brand", "acme", "--no-progress", stdout=None)
    mention = Mention.objects.get()
    assert_dropped_and_recorded(mention, value, caplog)
    html = _page(mention.ticket, cast.operator)
    assert_no_hostile_link(html, value)
    assert 'href="https://x.com/budi"' in html  # the profile link is ours


@pytest.mark.parametrize("value", HOSTILE, ids=IDS)
def test_ingest_file_csv_drops_and_records_a_hostile_url(cast, tmp_path, caplog, value):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["platform", "platform_id", "author_id", "author_handle", "text", "posted_at", "url"])
    writer.writerow(["x", "c-1", "u-1", "budi", "halo", NOW.isoformat(), value])
    path = tmp_path / "m.csv"
    path.write_text(out.getvalue())
    with caplog.at_level(logging.WARNING, logger="smrc.inbound"):
        call_command("ingest_file", "--platform", "csv", str(path), "--brand", "acme", "--no-progress", stdout=None)
    mention = Mention.objects.get()
    assert_dropped_and_recorded(mention, value, caplog)
    assert_no_hostile_link(_page(mention.ticket, cast.operator), value)


# --- webhooks (through the processing service) ------------------------------------------------------------------

PAGE, IG = "104523987654321", "17841400123456789"


def _deliver(family: str, payload: dict) -> None:
    assert deliver_signed(family, payload).state == "processed"


def _feed(value: str, kind: str) -> dict:
    change = {
        "item": kind,
        "verb": "add",
        "post_id": f"{PAGE}_1",
        "from": {"id": "8899001122334455", "name": "Agus"},
        "message": "halo",
        "created_time": int(NOW.timestamp()),
    }
    if kind == "comment":
        change.update(comment_id=f"{PAGE}_1_2", post={"permalink_url": value})
    else:
        change.update(permalink_url=value)
    entry = {"id": PAGE, "time": int(NOW.timestamp()), "changes": [{"field": "feed", "value": change}]}
    return {"object": "page", "entry": [entry]}


@pytest.mark.parametrize("kind", ["comment", "status"])
@pytest.mark.parametrize("value", HOSTILE, ids=IDS)
def test_meta_feed_webhook_drops_and_records_a_hostile_permalink(cast, caplog, value, kind):
    make_channel(cast.brand_a, platform="facebook", external_id=PAGE)
    with caplog.at_level(logging.WARNING, logger="smrc.inbound"):
        _deliver("meta", _feed(value, kind))
    mention = Mention.objects.get()
    assert_dropped_and_recorded(mention, value, caplog)
    assert_no_hostile_link(_page(mention.ticket, cast.operator), value)


@responses.activate
@pytest.mark.parametrize("value", HOSTILE, ids=IDS)
def test_instagram_mention_webhook_drops_and_records_a_hostile_permalink(cast, caplog, value):
    make_channel(cast.brand_a, platform="instagram", external_id=IG, access_token="ig-token")
    responses.get(
        f"https://graph.facebook.com/v25.0/{IG}",
        json={"mentioned_media": {"id": "18056789", "caption": "ngopi", "username": "sari", "permalink": value}},
    )
    entry = {"id": IG, "time": int(NOW.timestamp()), "changes": [{"field": "mentions", "value": {"media_id": "1805"}}]}
    with caplog.at_level(logging.WARNING, logger="smrc.inbound"):
        _deliver("meta", {"object": "instagram", "entry": [entry]})
    mention = Mention.objects.get()
    assert_dropped_and_recorded(mention, value, caplog)
    assert_no_hostile_link(_page(mention.ticket, cast.operator), value)


@pytest.mark.parametrize("handle", ["javascript:alert(1)", "budi santoso", "evil.example/login", "x" * 16])
def test_x_webhook_builds_links_only_from_a_valid_handle(cast, caplog, handle):
    make_channel(cast.brand_a, platform="x", external_id="1587000000000000001")
    tweet = {
        "id_str": "1900000000000000001",
        "text": "halo",
        "timestamp_ms": str(int(NOW.timestamp() * 1000)),
        "user": {"id_str": "2244994945", "screen_name": handle, "name": "Budi", "url": "javascript:alert(1)"},
    }
    with caplog.at_level(logging.WARNING, logger="smrc.inbound"):
        _deliver("x", {"for_user_id": "1587000000000000001", "tweet_create_events": [tweet]})
    mention = Mention.objects.select_related("author").get()
    assert mention.url == "https://x.com/i/status/1900000000000000001"
    assert (mention.author.handle, mention.author.profile_url) == ("", "")
    assert mention.raw["smrc_dropped"] == [
        {"field": "author.handle", "reason": "not a valid x handle", "value": handle},
    ]
    html = _page(mention.ticket, cast.operator)
    assert [h for h in _hrefs(html) if h.startswith("http")] == ["https://x.com/i/status/1900000000000000001"]


# --- polling ------------------------------------------------------------------------------------------------------


@responses.activate
@pytest.mark.parametrize("value", ["javascript:alert(1)", "https://login.evil.example/"])
def test_youtube_polling_never_takes_the_channel_url_of_the_payload(cast, caplog, value):
    account = make_channel(cast.brand_a, platform="youtube", external_id="UCk0pISenjaBrandCh4nne01", access_token="t")
    comment = {
        "kind": "youtube#comment",
        "id": "Ugz1",
        "snippet": {
            "videoId": "dQw4w9WgXcQ",
            "textOriginal": "halo",
            "authorDisplayName": "@budi.s",
            "authorChannelUrl": value,
            "authorChannelId": {"value": "UCbudiSantoso00000000001"},
            "publishedAt": NOW.isoformat().replace("+00:00", "Z"),
        },
    }
    thread = {"id": "Ugz1", "snippet": {"channelId": account.external_id, "topLevelComment": comment}}
    responses.get("https://www.googleapis.com/youtube/v3/commentThreads", json={"items": [thread]})
    assert polling.poll_account(account.pk)["created"] == 1
    mention = Mention.objects.select_related("author").get()
    assert mention.url == "https://www.youtube.com/watch?v=dQw4w9WgXcQ&lc=Ugz1"
    assert mention.author.profile_url == "https://www.youtube.com/channel/UCbudiSantoso00000000001"
    html = _page(mention.ticket, cast.operator)
    assert value not in html
    assert "https://www.youtube.com/channel/UCbudiSantoso00000000001" in _hrefs(html)


@responses.activate
@pytest.mark.parametrize("post_id", ["19 javascript:alert(1)", "19\n"])
def test_x_polling_drops_a_link_that_a_hostile_post_id_would_break(cast, caplog, post_id):
    account = make_channel(cast.brand_a, platform="x", external_id="1587000000000000001", access_token="t")
    page = {
        "data": [{"id": post_id, "author_id": "2244994945", "text": "halo", "created_at": "2026-11-20T01:00:00Z"}],
        "includes": {"users": [{"id": "2244994945", "username": "budi", "url": "javascript:alert(1)"}]},
        "meta": {"result_count": 1},
    }
    responses.get(f"https://api.x.com/2/users/{account.external_id}/mentions", json=page)
    with caplog.at_level(logging.WARNING, logger="smrc.inbound"):
        assert polling.poll_account(account.pk)["created"] == 1
    mention = Mention.objects.get()
    assert_dropped_and_recorded(mention, f"https://x.com/budi/status/{post_id}", caplog)
    assert_no_hostile_link(_page(mention.ticket, cast.operator), "javascript:")


# --- load_config ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("section", ["channels", "blocked_authors"])
@pytest.mark.parametrize("handle", ["javascript:alert(1)", "evil.example/login", "budi santoso"])
def test_load_config_refuses_a_handle_that_is_not_one_and_changes_nothing(cast, section, handle):
    entry = {"platform": "x", "handle": handle}
    if section == "channels":
        entry["external_id"] = "1587000000000000001"
    before = db_state()
    with pytest.raises(ConfigError) as error:
        apply_config({"brands": [{"slug": "acme", section: [entry]}]})
    assert error.value.problems == [f"brands[0].{section}[0].handle: not a valid x handle"]
    assert db_state() == before


# --- rows stored before the gate ----------------------------------------------------------------------------------


STORABLE = [(v, i) for v, i in zip(HOSTILE, IDS, strict=True) if len(v) <= 500]  # the column holds 500


@pytest.mark.parametrize("value", [v for v, _ in STORABLE], ids=[i for _, i in STORABLE])
def test_a_hostile_link_stored_before_the_gate_is_never_rendered(cast, value):
    ticket = make_ticket(cast.brand_a, handle="budi")
    Mention.objects.filter(ticket=ticket).update(url=value)  # as an older version could have stored it
    assert_no_hostile_link(_page(ticket, cast.operator), value)
    client = APIClient()
    client.force_authenticate(cast.manager)
    assert client.get(f"/api/v1/tickets/{ticket.pk}/").json()["mentions"][0]["url"] == ""


def test_a_payload_cannot_bring_its_own_drop_notes(cast, tmp_path):
    record = {**_record("https://x.com/budi/status/1"), "smrc_dropped": [{"field": "url", "reason": "forged"}]}
    path = tmp_path / "m.json"
    path.write_text(json.dumps([record]))
    call_command("ingest_file", "--platform", "json", str(path), "--brand", "acme", "--no-progress", stdout=None)
    mention = Mention.objects.get()
    assert mention.url == "https://x.com/budi/status/1"
    assert "smrc_dropped" not in mention.raw


def test_a_supervisor_of_brand_a_cannot_see_brand_b_drop_notes_through_the_api(cast):
    """The notes live on the mention: scoped like the mention (404 for another brand's staff)."""
    user = make_user("sup_b")
    make_member(user, cast.brand_b, Role.SUPERVISOR)
    ticket = make_ticket(cast.brand_b, url="javascript:alert(1)")
    client = APIClient()
    client.force_authenticate(cast.supervisor)
    assert client.get(f"/api/v1/tickets/{ticket.pk}/").status_code == 404
