"""Attack: impossible counts (2^63, negative, 5,000 digits, floats, text) for followers, following and
interactions through every source. Never a 500: the API refuses them with a 400 naming the field and stores
nothing; unattended sources keep the mention with the count unknown (recorded on the mention's raw data), so a
forged count can neither crash ingest nor buy priority."""

import json
from datetime import UTC, datetime

import pytest
import responses
from django.core.management import call_command
from rest_framework.test import APIClient

from brands.services.customer_data import MAX_COUNT, bounded_count
from tests.factories import make_channel
from tests.helpers import db_state, deliver_signed
from tickets.models import Mention
from tickets.services import polling

NOW = datetime.now(UTC).replace(microsecond=0)
IMPOSSIBLE = [2**63, 2**64 + 1, -1, MAX_COUNT + 1, 10**400, 1.5, float("inf"), "9" * 5000, "12abc", "²", True]
IDS = ["2^63", "2^64+1", "negative", "over", "10^400", "float", "inf", "5000 digits", "text", "superscript", "bool"]


def _json_safe(value):
    """JSON has no infinity: send it as the string a careless exporter would write."""
    return "Infinity" if value == float("inf") else value


def test_bounded_count_keeps_the_column_range_and_refuses_the_rest():
    assert [bounded_count(v) for v in (0, 120, "120", " 7 ", 3.0, MAX_COUNT)] == [0, 120, 120, 7, 3, MAX_COUNT]
    assert [bounded_count(v) for v in IMPOSSIBLE] == [None] * len(IMPOSSIBLE)


@pytest.mark.parametrize("field", ["followers_count", "following_count"])
@pytest.mark.parametrize("value", [2**63, -1, MAX_COUNT + 1, 1.5, "many"], ids=["2^63", "neg", "over", "float", "text"])
def test_the_api_refuses_an_impossible_count_with_a_400(cast, field, value):
    client = APIClient()
    client.force_authenticate(cast.supervisor)
    before = db_state()
    item = {
        "platform": "x",
        "platform_id": "1",
        "brand": "acme",
        "author": {"id": "u-1", "handle": "budi", field: value},
        "text": "halo",
        "posted_at": NOW.isoformat(),
    }
    response = client.post("/api/v1/mentions/", [item], format="json")
    assert response.status_code == 400
    assert list(response.json()["results"][0]["errors"]["author"]) == [field]
    assert db_state() == before


@pytest.mark.parametrize("value", IMPOSSIBLE, ids=IDS)
def test_an_x_webhook_with_an_impossible_count_keeps_the_mention_with_the_count_unknown(cast, value):
    make_channel(cast.brand_a, platform="x", external_id="1587000000000000001")
    tweet = {
        "id_str": "1900000000000000001",
        "text": "halo",
        "timestamp_ms": str(int(NOW.timestamp() * 1000)),
        "favorite_count": _json_safe(value),
        "user": {
            "id_str": "2244994945",
            "screen_name": "budi",
            "followers_count": _json_safe(value),
            "friends_count": 3,
        },
    }
    payload = {"for_user_id": "1587000000000000001", "tweet_create_events": [tweet]}
    assert deliver_signed("x", payload).state == "processed"
    mention = Mention.objects.select_related("author", "ticket").get()
    assert (mention.author.followers_count, mention.author.following_count) == (None, 3)
    assert [n["field"] for n in mention.raw["smrc_dropped"]] == ["author.followers_count"]
    influence = {r["code"] for r in mention.ticket.priority_factors["influence"]["reasons"]}
    assert "followers_unknown" in influence


@responses.activate
def test_x_polling_with_a_count_past_2_63_is_stored_without_it(cast):
    account = make_channel(cast.brand_a, platform="x", external_id="1587000000000000001", access_token="t")
    page = {
        "data": [
            {
                "id": "19",
                "author_id": "2244994945",
                "text": "halo",
                "created_at": "2026-11-20T01:00:00Z",
                "public_metrics": {"like_count": 2**63, "retweet_count": 2},
            }
        ],
        "includes": {
            "users": [
                {
                    "id": "2244994945",
                    "username": "budi",
                    "public_metrics": {"followers_count": 2**63, "following_count": 2**64},
                }
            ]
        },
        "meta": {"result_count": 1},
    }
    responses.get(f"https://api.x.com/2/users/{account.external_id}/mentions", body=json.dumps(page))
    assert polling.poll_account(account.pk)["created"] == 1
    mention = Mention.objects.select_related("author", "ticket").get()
    assert (mention.author.followers_count, mention.author.following_count) == (None, None)
    reasons = {r["code"]: r["params"] for r in mention.ticket.priority_factors["influence"]["reasons"]}
    assert reasons["engagement"] == {"engagement": 2}  # the impossible like count is left out


@pytest.mark.parametrize("value", ["9223372036854775808", "-5", "9" * 5000, "1e9", "²"])
def test_ingest_file_csv_with_an_impossible_count_keeps_the_mention(cast, tmp_path, value):
    path = tmp_path / "m.csv"
    path.write_text(
        "platform,platform_id,author_id,author_handle,followers_count,text,posted_at\n"
        f"x,c-1,u-1,budi,{value},halo,{NOW.isoformat()}\n"
    )
    call_command("ingest_file", "--platform", "csv", str(path), "--brand", "acme", "--no-progress", stdout=None)
    mention = Mention.objects.select_related("author").get()
    assert mention.author.followers_count is None
    assert mention.raw["smrc_dropped"][0]["field"] == "author.followers_count"
