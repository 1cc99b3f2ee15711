"""The channel parsers return media descriptors and no longer put attachment links into the message text."""

from tests.media.cdn import PHOTO_URL, payload
from tickets.channels import meta, x, youtube
from tickets.channels.base import MediaRef

PAGE = "104523987654321"
VIDEO_URL = "https://video.xx.fbcdn.net/v/t42.1790-2/10000000_n.mp4?_nc_cat=1&oe=6750A1B2"


def messenger(attachments, text=None) -> dict:
    message = {"mid": "m_AbC123", "attachments": attachments, **({"text": text} if text else {})}
    event = {
        "sender": {"id": "6100000000001"},
        "recipient": {"id": PAGE},
        "timestamp": 1795143913000,
        "message": message,
    }
    return {"object": "page", "entry": [{"id": PAGE, "time": 1795143913000, "messaging": [event]}]}


def test_a_facebook_photo_comment_is_a_photo_not_a_link_in_the_text():
    (item,) = meta.parse(payload("meta", "fb_feed_comment_photo_no_message.json")).items
    assert item.text == ""
    assert item.media == (MediaRef(kind="image", url=PHOTO_URL),)


def test_a_facebook_video_comment_and_an_attachment_object():
    doc = payload("meta", "fb_feed_comment_photo_no_message.json")
    value = doc["entry"][0]["changes"][0]["value"]
    del value["photo"]
    value["video"] = VIDEO_URL
    value["message"] = "lihat videonya"
    value["attachment"] = {
        "type": "photo",
        "media": {"image": {"src": "https://scontent.xx.fbcdn.net/v/2.jpg", "height": 720, "width": 960}},
        "target": {"id": "99887766", "url": "https://www.facebook.com/photo.php?fbid=99887766"},
    }
    (item,) = meta.parse(doc).items
    assert item.text == "lihat videonya"
    assert item.media == (
        MediaRef(kind="video", url=VIDEO_URL),
        MediaRef(kind="image", url="https://scontent.xx.fbcdn.net/v/2.jpg", media_id="99887766"),
    )


def test_messenger_attachments_in_the_documented_shape():
    doc = messenger(
        [
            {"type": "image", "payload": {"url": "https://scontent.xx.fbcdn.net/v/t1.15752-9/a.png?_nc_oc=x"}},
            {"type": "video", "payload": {"url": "https://video.xx.fbcdn.net/v/t42.3356-2/b.mp4"}},
            {"type": "file", "payload": {"url": "https://cdn.fbsbx.com/v/t59.2708-21/c.pdf"}},
            {"type": "location", "payload": {"coordinates": {"lat": -6.2, "long": 106.8}}},
            {"type": "image", "payload": {"url": "http://scontent.xx.fbcdn.net/plain-http.jpg"}},
        ],
        text="ini struknya",
    )
    (item,) = meta.parse(doc).items
    assert item.text == "ini struknya"
    assert [(m.kind, m.url) for m in item.media] == [
        ("image", "https://scontent.xx.fbcdn.net/v/t1.15752-9/a.png?_nc_oc=x"),
        ("video", "https://video.xx.fbcdn.net/v/t42.3356-2/b.mp4"),
        ("other", "https://cdn.fbsbx.com/v/t59.2708-21/c.pdf"),
    ]


def test_a_messenger_message_that_is_only_a_photo_has_no_text():
    (item,) = meta.parse(messenger([{"type": "image", "payload": {"url": PHOTO_URL}}])).items
    assert (item.text, item.kind, [m.url for m in item.media]) == ("", "dm", [PHOTO_URL])


def test_instagram_comments_carry_no_customer_media():
    # ``media`` of an Instagram comment is the brand's post it was written under, not something the customer sent
    (item,) = meta.parse(payload("meta", "ig_webhook_comments.json")).items
    assert item.media == ()


X_PHOTO = {"media_key": "3_2123616243545042945", "type": "photo", "url": "https://pbs.twimg.com/media/GdXk1.jpg"}
X_VIDEO = {
    "media_key": "7_2123616243545042999",
    "type": "video",
    "duration_ms": 20000,
    "alt_text": "Kemasan rusak <b>",
    "variants": [
        {"content_type": "application/x-mpegURL", "url": "https://video.twimg.com/ext_tw_video/1/pu/pl/a.m3u8"},
        {
            "bit_rate": 256000,
            "content_type": "video/mp4",
            "url": "https://video.twimg.com/ext_tw_video/1/480x270/l.mp4",
        },
        {
            "bit_rate": 2176000,
            "content_type": "video/mp4",
            "url": "https://video.twimg.com/ext_tw_video/1/1280x720/h.mp4",
        },
        {
            "bit_rate": 832000,
            "content_type": "video/mp4",
            "url": "https://video.twimg.com/ext_tw_video/1/640x360/m.mp4",
        },
    ],
}


def test_x_v2_includes_media_photo_and_the_best_mp4():
    doc = payload("x", "x_v2_search_recent_response.json")
    doc["includes"]["media"] = [X_PHOTO, X_VIDEO]
    with_media = next(p for p in doc["data"] if p.get("attachments"))
    with_media["attachments"]["media_keys"].append(X_VIDEO["media_key"])
    items = {i.platform_id: i for i in x.parse(doc).items}
    item = items[with_media["edit_history_tweet_ids"][0]]
    assert item.media == (
        MediaRef(kind="image", url=X_PHOTO["url"], media_id=X_PHOTO["media_key"]),
        MediaRef(
            kind="video",
            url="https://video.twimg.com/ext_tw_video/1/1280x720/h.mp4",
            media_id=X_VIDEO["media_key"],
            content_type="video/mp4",
            alt_text="Kemasan rusak <b>",
        ),
    )
    assert "pbs.twimg.com" not in item.text
    assert all(i.media == () for key, i in items.items() if key != item.platform_id)


def test_the_best_mp4_is_the_highest_bit_rate_under_the_cap():
    variants = X_VIDEO["variants"]
    # 20 s: 2,176 kbit/s is 5.4 MB, 832 kbit/s 2.1 MB, 256 kbit/s 0.6 MB
    assert x.best_mp4(variants, 20000, 50 * 1024 * 1024).endswith("/h.mp4")
    assert x.best_mp4(variants, 20000, 3 * 1024 * 1024).endswith("/m.mp4")
    assert x.best_mp4(variants, 20000, 100_000).endswith("/l.mp4")  # none fits: the smallest (the cap decides)
    assert x.best_mp4(variants, None, 100_000).endswith("/h.mp4")  # no duration: the best; the cap decides
    assert x.best_mp4([variants[0]], 20000, 10**9) == ""  # HLS only: nothing fetched


def test_x_v11_extended_entities_of_the_extended_tweet():
    doc = payload("x", "x_aaa_tweet_create_events_mention.json")
    tweet = doc["tweet_create_events"][0]
    tweet.setdefault("extended_tweet", {})["extended_entities"] = {
        "media": [
            {"id_str": "1900000000000000001", "type": "photo", "media_url_https": "https://pbs.twimg.com/media/A.jpg"},
            {
                "id_str": "1900000000000000002",
                "type": "animated_gif",
                "media_url_https": "https://pbs.twimg.com/tweet_video_thumb/B.jpg",
                "video_info": {
                    "variants": [
                        {"bitrate": 0, "content_type": "video/mp4", "url": "https://video.twimg.com/tweet_video/B.mp4"}
                    ]
                },
            },
        ]
    }
    (item,) = x.parse(doc).items
    assert [(m.kind, m.url, m.media_id) for m in item.media] == [
        ("image", "https://pbs.twimg.com/media/A.jpg", "1900000000000000001"),
        ("video", "https://video.twimg.com/tweet_video/B.mp4", "1900000000000000002"),
    ]


def test_youtube_comments_have_no_media():
    parsed = youtube.parse(payload("youtube", "yt_commentThreads_list_response.json"))
    assert parsed.items
    assert all(i.media == () for i in parsed.items)
