"""Attack: brand B's ingest of a person brand A also knows, through every inbound path, with a forged profile
(another name and handle, 9,999,999 followers, a link to an outside login page). Nothing brand A sees may change:
its customer's name, handle, counts, profile link and ticket priority (exact values before and after), the
ticket page's customer card, and the priority of brand A's next ticket from that person.

Paths: the ingest API, each webhook family through the processing service (X, Meta feed, Messenger, Instagram),
polling (X, YouTube), ``ingest_file`` (JSON and CSV) and ``load_config``."""

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
import responses
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from brands.models import Role
from brands.services.config import apply_config
from tests.concurrency.test_races import run_together
from tests.factories import PASSWORD, make_channel, make_member, make_user
from tests.helpers import deliver_signed
from tickets.channels.base import NormalizedAuthor, NormalizedMention
from tickets.models import Author, Ticket
from tickets.services import ingest, polling

NOW = datetime.now(UTC).replace(microsecond=0)
EVIL_LINK = "https://login.evil.example/x.com"

#: the same person on each platform (ids are the platforms'), as brand A knows them
USERS = {
    "x": "2244994945",
    "facebook": "100001234567890",
    "instagram": "17841400000000001",
    "youtube": "UCbudiSantoso00000000001",
}
PROFILES = {
    "x": "https://x.com/budis",
    "facebook": "https://www.facebook.com/100001234567890",
    "instagram": "https://www.instagram.com/budis/",
    "youtube": "https://www.youtube.com/channel/UCbudiSantoso00000000001",
}
B_ACCOUNTS = {"x": "9900000000000000001", "facebook": "990000000000001", "instagram": "17841499999999999"}
B_YOUTUBE = "UCglobexBrandChannel00001"


def _a_mention(brand, platform: str, n: int, *, followers=120, following=80) -> NormalizedMention:
    return NormalizedMention(
        brand_id=brand.pk,
        platform=platform,
        platform_id=f"a-{platform}-{n}",
        author=NormalizedAuthor(
            platform_user_id=USERS[platform],
            handle="budis",
            name="Budi Santoso",
            followers_count=followers,
            following_count=following,
        ),
        text="Paket saya belum sampai, tolong dicek",
        posted_at=NOW - timedelta(hours=1),
        conversation_id=f"a-conv-{platform}-{n}",
    )


def _seen_by_a(ticket: Ticket) -> dict:
    ticket = Ticket.objects.select_related("author").get(pk=ticket.pk)
    author = ticket.author
    return {
        "author": (
            author.brand_id,
            author.name,
            author.handle,
            author.followers_count,
            author.following_count,
            author.verified_type,
            author.profile_url,
        ),
        "priority": (ticket.priority, ticket.priority_factors),
    }


def _card(ticket: Ticket, user) -> str:
    client = Client()
    client.login(username=user.username, password=PASSWORD)
    html = client.get(f"/tickets/{ticket.pk}/").content.decode()
    card = html[html.index('class="card author-card"') : html.index("</section>", html.index("author-card"))]
    # the card's forms (linking another account) carry a CSRF token masked afresh on every page
    return re.sub(r'name="csrfmiddlewaretoken" value="\w+"', 'name="csrfmiddlewaretoken"', card)


# --- brand B's ingest, one function per inbound path -----------------------------------------------------------


def _b_supervisor(cast):
    user = make_user("sup_b")
    make_member(user, cast.brand_b, Role.SUPERVISOR)
    return user


def via_api(cast, platform, tmp_path):
    client = APIClient()
    client.force_authenticate(_b_supervisor(cast))
    item = {
        "platform": platform,
        "platform_id": f"b-{platform}-1",
        "brand": "globex",
        "author": {
            "id": USERS[platform],
            "handle": "evil_login" if platform != "facebook" else "evil.login",
            "name": "Evil Twin",
            "followers_count": 9_999_999,
            "following_count": 1,
            "verified_type": "business",
            "profile_url": EVIL_LINK,
        },
        "text": "Login di sini untuk hadiah",
        "posted_at": NOW.isoformat(),
    }
    response = client.post("/api/v1/mentions/", [item], format="json")
    assert response.status_code == 201, response.content


def _deliver(family: str, payload: dict) -> None:
    assert deliver_signed(family, payload).state == "processed"


def via_x_webhook(cast, platform, tmp_path):
    make_channel(cast.brand_b, platform="x", external_id=B_ACCOUNTS["x"], handle="GlobexCare")
    tweet = {
        "id_str": "1900000000000000001",
        "text": "@GlobexCare hadiah?",
        "timestamp_ms": str(int(NOW.timestamp() * 1000)),
        "user": {
            "id_str": USERS["x"],
            "screen_name": "evil_login",
            "name": "Evil Twin",
            "followers_count": 9_999_999,
            "friends_count": 1,
            "verified": True,
            "url": EVIL_LINK,
        },
    }
    _deliver("x", {"for_user_id": B_ACCOUNTS["x"], "tweet_create_events": [tweet]})


def via_meta_feed(cast, platform, tmp_path):
    make_channel(cast.brand_b, platform="facebook", external_id=B_ACCOUNTS["facebook"])
    value = {
        "item": "comment",
        "verb": "add",
        "comment_id": f"{B_ACCOUNTS['facebook']}_1_2",
        "post_id": f"{B_ACCOUNTS['facebook']}_1",
        "from": {"id": USERS["facebook"], "name": "Evil Twin", "link": EVIL_LINK},
        "message": "Login di sini untuk hadiah",
        "created_time": int(NOW.timestamp()),
        "post": {"permalink_url": EVIL_LINK},
    }
    entry = {"id": B_ACCOUNTS["facebook"], "time": int(NOW.timestamp()), "changes": [{"field": "feed", "value": value}]}
    _deliver("meta", {"object": "page", "entry": [entry]})


def via_messenger(cast, platform, tmp_path):
    make_channel(cast.brand_b, platform="facebook", external_id=B_ACCOUNTS["facebook"])
    event = {
        "sender": {"id": USERS["facebook"]},
        "recipient": {"id": B_ACCOUNTS["facebook"]},
        "timestamp": int(NOW.timestamp() * 1000),
        "message": {"mid": "m_evil_1", "text": "Login di sini", "attachments": [{"payload": {"url": EVIL_LINK}}]},
    }
    entry = {"id": B_ACCOUNTS["facebook"], "time": int(NOW.timestamp() * 1000), "messaging": [event]}
    _deliver("meta", {"object": "page", "entry": [entry]})


def via_instagram(cast, platform, tmp_path):
    make_channel(cast.brand_b, platform="instagram", external_id=B_ACCOUNTS["instagram"])
    value = {
        "id": "17990000000000001",
        "text": "Login di sini",
        "from": {"id": USERS["instagram"], "username": "evil_login", "profile_url": EVIL_LINK},
        "media": {"id": "17990000000000099"},
    }
    entry = {
        "id": B_ACCOUNTS["instagram"],
        "time": int(NOW.timestamp()),
        "changes": [{"field": "comments", "value": value}],
    }
    _deliver("meta", {"object": "instagram", "entry": [entry]})


@responses.activate
def via_x_polling(cast, platform, tmp_path):
    account = make_channel(cast.brand_b, platform="x", external_id=B_ACCOUNTS["x"], access_token="b-token")
    page = {
        "data": [
            {
                "id": "1900000000000000002",
                "author_id": USERS["x"],
                "text": "@GlobexCare hadiah?",
                "created_at": NOW.isoformat().replace("+00:00", "Z"),
                "edit_history_tweet_ids": ["1900000000000000002"],
            }
        ],
        "includes": {
            "users": [
                {
                    "id": USERS["x"],
                    "username": "evil_login",
                    "name": "Evil Twin",
                    "verified_type": "business",
                    "url": EVIL_LINK,
                    "public_metrics": {"followers_count": 9_999_999, "following_count": 1},
                }
            ]
        },
        "meta": {"result_count": 1, "newest_id": "1900000000000000002"},
    }
    responses.get(f"https://api.x.com/2/users/{B_ACCOUNTS['x']}/mentions", json=page)
    assert polling.poll_account(account.pk)["created"] == 1


@responses.activate
def via_youtube_polling(cast, platform, tmp_path):
    account = make_channel(cast.brand_b, platform="youtube", external_id=B_YOUTUBE, access_token="b-token")
    comment = {
        "kind": "youtube#comment",
        "id": "UgzEvil1",
        "snippet": {
            "channelId": B_YOUTUBE,
            "videoId": "vid00000001",
            "textOriginal": "Login di sini",
            "authorDisplayName": "@evil_login",
            "authorChannelUrl": EVIL_LINK,
            "authorChannelId": {"value": USERS["youtube"]},
            "publishedAt": NOW.isoformat().replace("+00:00", "Z"),
            "updatedAt": NOW.isoformat().replace("+00:00", "Z"),
        },
    }
    thread = {
        "kind": "youtube#commentThread",
        "id": "UgzEvil1",
        "snippet": {"channelId": B_YOUTUBE, "videoId": "vid00000001", "topLevelComment": comment},
    }
    responses.get("https://www.googleapis.com/youtube/v3/commentThreads", json={"items": [thread]})
    assert polling.poll_account(account.pk)["created"] == 1


def _record(platform: str) -> dict:
    return {
        "platform": platform,
        "platform_id": f"b-file-{platform}-1",
        "author": {
            "id": USERS[platform],
            "handle": "evil_login" if platform != "facebook" else "evil.login",
            "name": "Evil Twin",
            "followers_count": 9_999_999,
            "profile_url": EVIL_LINK,
        },
        "text": "Login di sini",
        "posted_at": NOW.isoformat(),
        "url": EVIL_LINK,
    }


def via_ingest_file_json(cast, platform, tmp_path):
    path = tmp_path / "b.json"
    path.write_text(json.dumps([_record(platform)]))
    call_command("ingest_file", "--platform", "json", str(path), "--brand", "globex", "--no-progress", stdout=None)


def via_ingest_file_csv(cast, platform, tmp_path):
    record = _record(platform)
    path = tmp_path / "b.csv"
    header = "platform,platform_id,author_id,author_handle,author_name,followers_count,text,posted_at,url"
    row = [
        platform,
        record["platform_id"],
        USERS[platform],
        record["author"]["handle"],
        "Evil Twin",
        "9999999",
        "Login di sini",
        NOW.isoformat(),
        EVIL_LINK,
    ]
    path.write_text(header + "\n" + ",".join(row) + "\n")
    call_command("ingest_file", "--platform", "csv", str(path), "--brand", "globex", "--no-progress", stdout=None)


PATHS = [
    ("api", via_api, ["x", "facebook", "instagram", "youtube"]),
    ("x webhook", via_x_webhook, ["x"]),
    ("meta feed webhook", via_meta_feed, ["facebook"]),
    ("messenger webhook", via_messenger, ["facebook"]),
    ("instagram webhook", via_instagram, ["instagram"]),
    ("x polling", via_x_polling, ["x"]),
    ("youtube polling", via_youtube_polling, ["youtube"]),
    ("ingest_file json", via_ingest_file_json, ["x", "facebook", "instagram", "youtube"]),
    ("ingest_file csv", via_ingest_file_csv, ["x", "facebook", "instagram", "youtube"]),
]
CASES = [pytest.param(fn, platform, id=f"{name}-{platform}") for name, fn, platforms in PATHS for platform in platforms]


@pytest.mark.parametrize(("ingest_for_b", "platform"), CASES)
def test_brand_b_ingest_of_the_same_person_changes_nothing_brand_a_sees(cast, tmp_path, ingest_for_b, platform):
    result = ingest.ingest_mentions(items=[_a_mention(cast.brand_a, platform, 1)], now=NOW - timedelta(hours=1))[0]
    ticket = Ticket.objects.get(pk=result.ticket_id)
    expected_author = (cast.brand_a.pk, "Budi Santoso", "budis", 120, 80, "", PROFILES[platform])
    before = _seen_by_a(ticket)
    assert before["author"] == expected_author
    card = _card(ticket, cast.operator)

    ingest_for_b(cast, platform, tmp_path)

    # brand B now has its own profile of the person, built from what B received; brand A's is untouched
    b_author = Author.objects.get(brand=cast.brand_b, platform=platform, platform_user_id=USERS[platform])
    assert b_author.profile_url != EVIL_LINK
    assert Ticket.objects.filter(brand=cast.brand_b, author=b_author).count() == 1
    assert _seen_by_a(ticket) == before
    assert _card(ticket, cast.operator) == card
    assert "evil" not in card.lower()
    assert "9,999,999" not in card

    # brand A's next ticket from that person is scored on what brand A knows (120 followers), not B's forgery
    follow_up = ingest.ingest_mentions(items=[_a_mention(cast.brand_a, platform, 2, followers=None)], now=NOW)[0]
    second = Ticket.objects.get(pk=follow_up.ticket_id)
    reasons = {r["code"]: r["params"] for r in second.priority_factors["influence"]["reasons"]}
    assert reasons["followers"] == {"followers": 120}
    assert _seen_by_a(ticket)["author"] == expected_author


def test_brand_b_config_naming_the_person_changes_nothing_for_brand_a(cast):
    result = ingest.ingest_mentions(items=[_a_mention(cast.brand_a, "x", 1)], now=NOW - timedelta(hours=1))[0]
    ticket = Ticket.objects.get(pk=result.ticket_id)
    before = _seen_by_a(ticket)
    apply_config(
        {
            "brands": [
                {
                    "slug": "globex",
                    "channels": [{"platform": "x", "external_id": B_ACCOUNTS["x"], "handle": "budis"}],
                    "blocked_authors": [{"platform": "x", "handle": "@budis", "note": "spam"}],
                }
            ]
        }
    )
    assert _seen_by_a(ticket) == before
    follow_up = ingest.ingest_mentions(items=[_a_mention(cast.brand_a, "x", 2)], now=NOW)[0]
    assert Ticket.objects.get(pk=follow_up.ticket_id).status != "ignored"  # B's block is B's alone
    assert Author.objects.filter(platform_user_id=USERS["x"]).count() == 1  # config makes no customer profile


def test_deleting_brand_b_keeps_brand_a_customers(cast):
    a = ingest.ingest_mentions(items=[_a_mention(cast.brand_a, "x", 1)], now=NOW)[0]
    ingest.ingest_mentions(items=[_a_mention(cast.brand_b, "x", 1)], now=NOW)
    before = _seen_by_a(Ticket.objects.get(pk=a.ticket_id))
    cast.brand_b.delete()
    assert list(Author.objects.values_list("brand_id", flat=True)) == [cast.brand_a.pk]
    assert _seen_by_a(Ticket.objects.get(pk=a.ticket_id)) == before


def test_one_batch_for_two_brands_makes_one_profile_each(cast):
    """The same new person in one batch for both brands: two profiles, each brand's counts its own."""
    items = [_a_mention(cast.brand_a, "x", 1), _a_mention(cast.brand_b, "x", 1, followers=9_999_999)]
    ingest.ingest_mentions(items=items, now=NOW)
    rows = sorted(Author.objects.values_list("brand_id", "followers_count"))
    assert rows == [(cast.brand_a.pk, 120), (cast.brand_b.pk, 9_999_999)]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_brands_ingesting_the_same_new_person_at_once_keep_their_own_profiles(cast):
    """Two transactions insert the same platform user at the same instant, one per brand: neither merges into
    the other's row (the conflict key includes the brand), and a replay by brand B still leaves A alone."""
    a = [_a_mention(cast.brand_a, "x", n) for n in range(1, 4)]
    b = [_a_mention(cast.brand_b, "x", n, followers=9_999_999) for n in range(1, 4)]
    results = run_together(lambda: ingest.ingest_mentions(items=a), lambda: ingest.ingest_mentions(items=b))
    assert [len(r) for r in results] == [3, 3], results
    rows = sorted(Author.objects.values_list("brand_id", "platform_user_id", "followers_count"))
    assert rows == [(cast.brand_a.pk, USERS["x"], 120), (cast.brand_b.pk, USERS["x"], 9_999_999)]
    for ticket in Ticket.objects.select_related("author"):
        assert ticket.author.brand_id == ticket.brand_id
