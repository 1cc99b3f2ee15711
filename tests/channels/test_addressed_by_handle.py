"""Addressed by handle (docs/channels.md): an item no account of ours received, that starts with ``@handle`` or
whose platform marks one of our accounts as mentioned, goes to that account's brand, in every adapter and in
``ingest_file``; saved timelines of each platform, with no listening rule at all."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from tests.factories import make_channel
from tickets.channels import imports, registry
from tickets.channels.base import addressed_handles
from tickets.models import Mention, Ticket
from tickets.services import inbound

from .conftest import IG_ACCOUNT, PAGE, PAYLOADS, X_ACCOUNT, YT_CHANNEL

NUSA_X = "1587000000000000002"


@pytest.fixture
def ours(cast):
    """brand A: X @TelkoraCare, the Facebook page, Instagram @kopisenja.id; brand B: X @NusaBankID and the
    YouTube channel @SenjaCoffeeID."""
    return {
        "x_a": make_channel(cast.brand_a, platform="x", external_id=X_ACCOUNT, handle="TelkoraCare"),
        "x_b": make_channel(cast.brand_b, platform="x", external_id=NUSA_X, handle="@NusaBankID"),
        "facebook": make_channel(cast.brand_a, platform="facebook", external_id=PAGE, handle="nusabank"),
        "instagram": make_channel(cast.brand_a, platform="instagram", external_id=IG_ACCOUNT, handle="kopisenja.id"),
        "youtube": make_channel(cast.brand_b, platform="youtube", external_id=YT_CHANNEL, handle="SenjaCoffeeID"),
    }


def ingest_file(platform: str, path) -> dict:
    out = StringIO()
    call_command("ingest_file", "--platform", platform, str(path), "--no-progress", stdout=out)
    return out.getvalue()


def routed() -> dict[str, list[str]]:
    """platform id → the brands (slugs) holding a mention of it, each on its own ticket."""
    found: dict[str, list[str]] = {}
    for platform_id, slug in Mention.objects.order_by("brand__slug").values_list("platform_id", "brand__slug"):
        found.setdefault(platform_id, []).append(slug)
    return found


@pytest.mark.parametrize(
    ("platform", "text", "handles"),
    [
        ("x", "@TelkoraCare @rinaa_putri sama kak", ["TelkoraCare", "rinaa_putri"]),
        ("x", "  @telkoracare: halo", ["telkoracare"]),
        ("x", "halo @TelkoraCare", []),  # not at the start: only the platform's entities count there
        ("x", "@this_handle_is_far_too_long halo", []),  # not an X handle: reading stops
        ("instagram", "@kopisenja.id kak, buka jam berapa?", ["kopisenja.id"]),
        ("youtube", "@SenjaCoffeeID, kopinya enak", ["SenjaCoffeeID"]),
        ("x", "", []),
    ],
)
def test_the_handles_a_text_starts_with(platform, text, handles):
    assert addressed_handles(platform, text) == handles


def test_a_saved_x_mentions_timeline_routes_to_the_addressed_accounts_brands(cast, ours):
    """``GET /2/users/:id/mentions`` saved and imported: no listening rule matches anything, every post addresses
    one of our X accounts by handle (any case, without "@") or as an entity."""
    output = ingest_file("x", PAYLOADS / "x" / "x_v2_users_mentions_response.json")

    assert "no listening rule" not in output
    assert routed() == {
        "2124100000000000101": ["acme"],  # "@TelkoraCare …"
        "2124100000000000102": ["acme"],  # "@telkoracare …": handles compare case-insensitively
        "2124100000000000103": ["acme", "globex"],  # "@NusaBankID @TelkoraCare …": one ticket per brand
        "2124100000000000104": ["acme"],  # "… cc @TelkoraCare": the entity marks it
    }
    assert Ticket.objects.filter(brand=cast.brand_a).count() == 4
    assert Ticket.objects.filter(brand=cast.brand_b).count() == 1
    both = Mention.objects.filter(platform_id="2124100000000000103")
    assert {(m.brand_id, m.channel_account_id) for m in both} == {
        (cast.brand_a.pk, ours["x_a"].pk),
        (cast.brand_b.pk, ours["x_b"].pk),
    }
    assert Ticket.objects.get(brand=cast.brand_b).channel_account_id == ours["x_b"].pk  # replies go out from it
    assert ingest_file("x", PAYLOADS / "x" / "x_v2_users_mentions_response.json")  # again: nothing new
    assert Mention.objects.count() == 5


def test_another_brands_handle_routes_to_that_brand_only(cast, ours):
    data = json.loads((PAYLOADS / "x" / "x_v2_users_mentions_response.json").read_text())
    data["data"] = [dict(data["data"][0], id="2124100000000000199", text="@NusaBankID kartu saya terblokir")]
    data["data"][0]["entities"] = {}
    data["data"][0]["edit_history_tweet_ids"] = ["2124100000000000199"]
    parsed = registry.adapter("x").parse(data)
    outcome = inbound.match_brands_and_ingest(parsed)
    assert (outcome.created, outcome.skipped) == (1, [])
    assert routed() == {"2124100000000000199": ["globex"]}


def test_a_facebook_comment_tagging_our_page_goes_to_its_brand(cast, ours):
    """A comment on a page we do not hold, tagging ours (``message_tags``): for our page's brand."""
    ingest_file("facebook", PAYLOADS / "meta" / "fb_feed_comment_tagging_our_page.json")
    assert routed() == {"555000111_8800001": ["acme"]}
    assert Mention.objects.get().channel_account_id == ours["facebook"].pk


def test_an_instagram_comment_starting_with_our_handle_goes_to_its_brand(cast, ours):
    """Comments on another account's media: "@Kopisenja.id …" is ours (any case); "@kedaisebelah …" is not and is
    skipped as before (an unknown account, no handle of ours)."""
    output = ingest_file("instagram", PAYLOADS / "meta" / "ig_webhook_comments_addressed_by_handle.json")
    assert routed() == {"18100000000000101": ["acme"]}
    assert "skipped 1: unknown account 17841400999999999" in output


def test_a_youtube_comment_starting_with_our_handle_goes_to_its_brand(cast, ours):
    output = ingest_file("youtube", PAYLOADS / "youtube" / "yt_commentThreads_other_channel_addressed.json")
    assert routed() == {"UgzOtherChannelThread0001": ["globex"]}
    assert "skipped 1: unknown account UCzzOtherReviewChannel0001" in output  # the reply to "@raka.s"
    assert Mention.objects.get().channel_account_id == ours["youtube"].pk


def test_imports_route_by_leading_handle_and_by_the_mentions_they_list(cast, ours, tmp_path):
    records = [
        {
            "platform": "x",
            "platform_id": "imp-1",
            "author": {"id": "u1", "handle": "rina"},
            "text": "@TELKORACARE halo",
            "posted_at": "2026-11-21T01:00:00Z",
        },
        {
            "platform": "x",
            "platform_id": "imp-2",
            "author": {"id": "u2", "handle": "dodi"},
            "text": "kartu ATM tertelan, ada yang tahu nomor CS?",
            "mentions": ["@NusaBankID"],
            "posted_at": "2026-11-21T01:00:00Z",
        },
        {
            "platform": "x",
            "platform_id": "imp-3",
            "author": {"id": "u3", "handle": "eka"},
            "text": "@someone_else halo",
            "posted_at": "2026-11-21T01:00:00Z",
        },
        {  # our X handle on Instagram is no handle of ours there
            "platform": "instagram",
            "platform_id": "imp-4",
            "author": {"id": "u4", "handle": "fitri"},
            "text": "@TelkoraCare halo",
            "posted_at": "2026-11-21T01:00:00Z",
        },
    ]
    path = tmp_path / "export.json"
    path.write_text(json.dumps(records))
    output = ingest_file("json", path)
    assert routed() == {"imp-1": ["acme"], "imp-2": ["globex"]}
    assert "skipped 2: no listening rule matches" in output  # imp-3 and imp-4

    csv_path = tmp_path / "export.csv"
    csv_path.write_text(
        "platform,platform_id,author_id,author_handle,text,posted_at,mentions\n"
        "x,csv-1,u5,gita,terima kasih sudah dibantu,2026-11-21T01:00:00Z,TelkoraCare NusaBankID\n"
    )
    ingest_file("csv", csv_path)
    assert routed()["csv-1"] == ["acme", "globex"]
    parsed, _ = imports.parse_csv(csv_path.read_text())
    assert parsed.items[0].mentioned_handles == ("TelkoraCare", "NusaBankID")
