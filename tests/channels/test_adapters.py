"""Normalization of each platform's documented shapes (tests/fixtures/payloads), without a database."""

from datetime import UTC, datetime

import pytest

from tickets.channels import imports, meta, registry, x, youtube
from tickets.channels.base import PayloadError

from .conftest import IG_ACCOUNT, PAGE, X_ACCOUNT, payload


def by_id(items):
    return {i.platform_id: i for i in items}


def test_the_registry_finds_an_adapter_per_platform():
    assert registry.adapter("x") is x
    assert registry.adapter("facebook") is meta
    assert registry.adapter("instagram") is meta
    assert registry.adapter("youtube") is youtube
    with pytest.raises(LookupError):
        registry.adapter("myspace")


def test_one_module_per_platform_parses_polls_and_publishes():
    assert registry.delivery_channel("x") is x
    assert registry.delivery_channel("facebook") is meta
    assert registry.delivery_channel("instagram") is meta
    assert registry.delivery_channel("youtube") is youtube
    assert registry.delivery_channel("console").__name__ == "tickets.channels.console"
    assert registry.polled_platforms() == ("x", "youtube")
    with pytest.raises(LookupError):
        registry.delivery_channel("pigeon")


def test_x_v2_search_joins_authors_unescapes_and_keys_edits_on_the_first_version():
    items = by_id(x.parse(payload("x_v2_search_recent_response.json")).items)
    assert len(items) == 6
    long = items["2123678013060050950"]
    assert long.text.endswith("#TelkoraLemot #KecewaBerat")  # note_tweet, not the preview
    assert long.language == "id"  # "in" on X
    assert long.author.handle == "rinaa_putri"
    assert long.author.followers_count is not None
    edited = items["2123660107576274948"]  # edit_history_tweet_ids[0], not the latest id
    assert edited.edited
    assert edited.raw["id"] == "2123661244232658949"
    quote = items["2123643225502674947"]
    assert "&amp;" not in quote.text
    assert "&" in quote.text
    reply = items["2123622400783314946"]
    assert (reply.kind, reply.parent_id, reply.conversation_id) == (
        "reply",
        "2123616243545042945",
        "2123616243545042945",
    )
    emoji = items["2123684015109074951"]
    assert emoji.language == ""
    assert emoji.author.handle == "anon_cikarang"
    assert items["2123616243545042945"].posted_at == datetime(2026, 11, 20, 3, 15, 42, tzinfo=UTC)


def test_x_empty_search_is_nothing():
    parsed = x.parse(payload("x_v2_search_recent_empty.json"))
    assert parsed.items == []
    assert parsed.actions == []


def test_x_account_activity_v11_tweet_uses_the_full_text_and_id_str():
    parsed = x.parse(payload("x_aaa_tweet_create_events_mention.json"))
    (item,) = parsed.items
    assert parsed.account_ids == {X_ACCOUNT}
    assert item.platform_id == "2123616243545042945"
    assert item.account_id == X_ACCOUNT
    assert item.text.endswith("#TelkoraLemot https://t.co/Ab3XyZ9kLm")  # extended_tweet.full_text
    assert (item.author.platform_user_id, item.author.handle, item.language) == (
        "1423456789012345678",
        "rinaa_putri",
        "id",
    )


def test_x_deletes_are_actions():
    parsed = x.parse(payload("x_aaa_tweet_delete_events.json"))
    assert [(a.action, a.platform_id) for a in parsed.actions] == [("delete", "2123684015109074951")]


def test_x_activity_api_event_is_a_v2_post_for_the_filtered_user():
    parsed = x.parse(payload("x_xaa_post_mention_create.json"))
    (item,) = parsed.items
    assert parsed.account_ids == {X_ACCOUNT}
    assert item.account_id == X_ACCOUNT
    assert item.author.handle == "rinaa_putri"


def test_x_v11_reply_points_at_its_parent():
    tweet = {
        "id_str": "9",
        "text": "@TelkoraCare masih belum",
        "in_reply_to_status_id_str": "8",
        "user": {"id_str": "5", "screen_name": "a"},
        "created_at": "Fri Nov 20 03:15:42 +0000 2026",
    }
    (item,) = x.parse({"for_user_id": X_ACCOUNT, "tweet_create_events": [tweet]}).items
    assert (item.kind, item.parent_id) == ("reply", "8")


def test_x_crc_and_signature_vectors():
    vectors = payload("x_webhook_signature_vectors.json")
    secret = vectors["consumer_secret"]
    token = vectors["crc"]["request"]["query"]["crc_token"]
    assert x.crc_response(token, secret) == vectors["crc"]["response"]["body"]
    body = vectors["post"]["raw_body_utf8"].encode()
    signature = vectors["post"]["headers"]["x-twitter-webhooks-signature"]
    assert x.verify(body, signature, [secret])
    assert not x.verify(body + b" ", signature, [secret])
    assert not x.verify(body, signature, ["other"])
    assert not x.verify(body, signature.replace("sha256=", ""), [secret])


def test_meta_signature_is_over_the_raw_escaped_body():
    vectors = payload("meta_webhook_signature_vectors.json")
    body = vectors["raw_body_as_delivered"].encode()
    assert meta.verify(body, vectors["headers"]["x-hub-signature-256"], [vectors["app_secret"]])
    assert not meta.verify(
        body, vectors["negative_example"]["signature_over_reserialised_utf8"], [vectors["app_secret"]]
    )


def test_meta_feed_comment_reply_and_page_echo():
    (comment,) = meta.parse(payload("fb_feed_comment_add.json")).items
    assert (comment.kind, comment.parent_id, comment.own, comment.account_id) == ("comment", "", False, PAGE)
    assert comment.conversation_id == comment.platform_id
    assert comment.posted_at == datetime.fromtimestamp(1795140849, UTC)  # seconds in feed
    (reply,) = meta.parse(payload("fb_feed_comment_reply_by_user.json")).items
    assert reply.kind == "reply"
    assert reply.parent_id == comment.platform_id == reply.conversation_id
    (echo,) = meta.parse(payload("fb_feed_comment_reply_by_page.json")).items
    assert echo.own


def test_meta_edit_remove_and_photo_only():
    (edited,) = meta.parse(payload("fb_feed_comment_edited.json")).items
    assert edited.edited
    assert "[UPDATE" in edited.text
    removed = meta.parse(payload("fb_feed_comment_remove.json"))
    assert removed.items == []
    assert [a.action for a in removed.actions] == ["delete"]
    (photo,) = meta.parse(payload("fb_feed_comment_photo_no_message.json")).items
    assert photo.text == ""  # the photo is media (docs/media.md), not a link in the text
    assert [(m.kind, m.url[:36]) for m in photo.media] == [("image", "https://scontent.xx.fbcdn.net/v/t39.")]


def test_meta_batched_entries_with_reaction_hide_and_comment():
    comment = payload("fb_feed_comment_add.json")["entry"][0]
    change = comment["changes"][0]["value"]
    body = {
        "object": "page",
        "entry": [
            {
                "id": PAGE,
                "time": 1,
                "changes": [
                    {
                        "field": "feed",
                        "value": {
                            "item": "reaction",
                            "verb": "add",
                            "reaction_type": "angry",
                            "post_id": change["post_id"],
                            "comment_id": change["comment_id"],
                            "from": {"id": "1"},
                            "created_time": 1795140900,
                        },
                    },
                    {"field": "feed", "value": {**change, "verb": "hide"}},
                ],
            },
            comment,
        ],
    }
    parsed = meta.parse(body)
    assert [a.action for a in parsed.actions] == ["reaction", "hide"]
    assert parsed.actions[0].data["reaction"] == "angry"
    assert len(parsed.items) == 1


def test_messenger_message_in_milliseconds_and_echo():
    (message,) = meta.parse(payload("fb_messenger_message_text.json")).items
    assert message.kind == "dm"
    assert message.posted_at == datetime.fromtimestamp(1795149000.123, UTC)
    assert message.conversation_id == f"dm:{PAGE}:25123456789012345"
    (echo,) = meta.parse(payload("fb_messenger_message_echo.json")).items
    assert echo.own
    assert echo.conversation_id == message.conversation_id


def test_instagram_comments_and_mentions_fetch_their_text():
    (comment,) = meta.parse(payload("ig_webhook_comments.json")).items
    assert comment.platform == "instagram"
    assert comment.author.handle == "rinaa.putri"
    calls = []

    def fetch(account, path, params):
        calls.append((account, params["fields"]))
        if "mentioned_comment" in params["fields"]:
            return {
                "mentioned_comment": {
                    "text": "halo @kopisenja.id",
                    "username": "budi",
                    "timestamp": "2026-11-20T08:00:00+0000",
                }
            }
        return {"mentioned_media": {"caption": "ngopi bareng @kopisenja.id", "username": "sari"}}

    parsed = meta.parse(payload("ig_webhook_mentions.json"), fetch=fetch)
    assert [i.text for i in parsed.items] == ["halo @kopisenja.id", "ngopi bareng @kopisenja.id"]
    assert [c[0] for c in calls] == [IG_ACCOUNT, IG_ACCOUNT]
    without = meta.parse(payload("ig_webhook_mentions.json"))
    assert without.items == []
    assert len(without.skipped) == 2


def test_youtube_threads_and_replies_use_text_original():
    parsed = youtube.parse(payload("yt_commentThreads_list_response.json"))
    items = by_id(parsed.items)
    top = items["UgzF3kq9Lr2Wm1VbN7x4AaABAg"]
    assert top.kind == "comment"
    assert top.author.handle == "rinaputri_"
    reply = items["UgzF3kq9Lr2Wm1VbN7x4AaABAg.A1b2C3d4E5fA1b2C3d4E5f"]
    assert reply.parent_id == top.platform_id
    assert "R&D" in reply.text
    assert items["Ugy8pQ2mZc5Vn0LrT3k4AaABAg"].edited


def test_unreadable_bodies_raise_payload_errors():
    for module, body in ((x, {"hello": 1}), (meta, {"object": "page"}), (youtube, {"kind": "x"})):
        with pytest.raises(PayloadError):
            module.parse(body)


def test_imports_read_json_and_csv_and_skip_bad_records_with_reasons():
    parsed, brands = imports.parse_json(
        [
            {
                "platform": "x",
                "platform_id": "1",
                "author": {"id": "u", "handle": "@a"},
                "text": "hi",
                "posted_at": "2026-11-20T01:00:00Z",
                "brand": "acme",
            },
            {
                "platform": "tiktok",
                "platform_id": "2",
                "author": {"id": "u"},
                "text": "?",
                "posted_at": "2026-11-20T01:00:00Z",
            },
            {"platform": "x", "platform_id": "3", "author": {"id": "u"}, "text": "?"},
        ]
    )
    assert [i.platform_id for i in parsed.items] == ["1"]
    assert brands == ["acme"]
    assert parsed.items[0].author.handle == "a"
    assert any("unknown platform" in s for s in parsed.skipped)
    assert any("posted_at" in s for s in parsed.skipped)
    text = (
        "platform,platform_id,author_id,author_handle,text,posted_at\n"
        "x,7,u1,budi,halo,2026-11-20T01:00:00+07:00\n"
        "x,,u1,budi,halo,2026-11-20\n"
    )
    parsed, brands = imports.parse_csv(text)
    assert [i.platform_id for i in parsed.items] == ["7"]
    assert parsed.skipped == ["line 3: platform_id is missing"]
    with pytest.raises(PayloadError):
        imports.parse_csv("a,b\n1,2\n")
