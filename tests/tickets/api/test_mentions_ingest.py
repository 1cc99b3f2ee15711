"""POST /api/v1/mentions/: token auth, per-item answers, idempotent replay, and the bad-input matrix."""

import json
from datetime import UTC, datetime

import pytest

from tests.factories import make_brand, make_channel, make_member
from tests.helpers import db_state
from tickets.models import Author, Mention, Ticket

URL = "/api/v1/mentions/"


def item(**over) -> dict:
    data = {
        "platform": "x",
        "platform_id": "1001",
        "brand": "acme",
        "author": {"id": "u-1", "handle": "@budi", "name": "Budi Santoso", "followers_count": 120},
        "text": "Halo @acme, paket saya belum sampai",
        "language": "id",
        "posted_at": "2025-03-03T09:00:00+07:00",
        "url": "https://x.com/budi/status/1001",
    }
    data.update(over)
    return data


def test_it_creates_a_mention_and_answers_per_item(cast, api):
    response = api(cast.supervisor).post(URL, [item()], format="json")

    assert response.status_code == 201
    mention = Mention.objects.get()
    ticket = Ticket.objects.get()
    assert response.json() == {
        "created": 1,
        "duplicates": 0,
        "results": [
            {"index": 0, "status": "created", "mention": mention.pk, "ticket": ticket.pk, "ticket_created": True}
        ],
    }
    assert (mention.brand, mention.platform, mention.platform_id, mention.kind) == (cast.brand_a, "x", "1001", "post")
    assert mention.text == "Halo @acme, paket saya belum sampai"
    assert mention.posted_at == datetime(2025, 3, 3, 2, 0, tzinfo=UTC)
    author = Author.objects.get()
    assert (author.platform_user_id, author.handle, author.name, author.followers_count) == (
        "u-1",
        "budi",
        "Budi Santoso",
        120,
    )
    assert (ticket.brand, ticket.status, ticket.subject) == (cast.brand_a, "new", "Halo @acme, paket saya belum sampai")


def test_a_replay_answers_duplicate_and_writes_nothing(cast, api):
    client = api(cast.supervisor)
    first = client.post(URL, [item()], format="json").json()["results"][0]
    before = db_state()

    response = client.post(URL, [item()], format="json")

    assert response.status_code == 200
    assert response.json() == {
        "created": 0,
        "duplicates": 1,
        "results": [
            {
                "index": 0,
                "status": "duplicate",
                "mention": first["mention"],
                "ticket": first["ticket"],
                "ticket_created": False,
            }
        ],
    }
    assert db_state() == before


def test_a_mixed_batch_answers_created_and_duplicate_per_item(cast, api):
    client = api(cast.supervisor)
    first = client.post(URL, [item()], format="json").json()["results"][0]

    response = client.post(
        URL,
        {
            "mentions": [
                item(platform_id="1002", parent_id="1001"),
                item(),
                item(platform_id="1003", author={"id": "u-2"}),
            ]
        },
        format="json",
    )

    assert response.status_code == 201
    second, third = Mention.objects.get(platform_id="1002"), Mention.objects.get(platform_id="1003")
    assert response.json() == {
        "created": 2,
        "duplicates": 1,
        "results": [
            {"index": 0, "status": "created", "mention": second.pk, "ticket": first["ticket"], "ticket_created": False},
            {
                "index": 1,
                "status": "duplicate",
                "mention": first["mention"],
                "ticket": first["ticket"],
                "ticket_created": False,
            },
            {"index": 2, "status": "created", "mention": third.pk, "ticket": third.ticket_id, "ticket_created": True},
        ],
    }
    assert Ticket.objects.count() == 2


def test_a_channel_account_routes_to_its_brand(cast, api):
    channel = make_channel(cast.brand_a, platform="facebook", external_id="page-1")
    data = item(platform="facebook", channel_account=channel.pk, url="https://www.facebook.com/104_1")
    del data["brand"]
    response = api(cast.supervisor).post(URL, [data], format="json")
    assert response.status_code == 201
    mention = Mention.objects.get()
    assert (mention.brand, mention.channel_account, mention.ticket.channel_account) == (cast.brand_a, channel, channel)


def test_an_admin_may_ingest_for_any_brand(cast, api):
    response = api(cast.admin).post(URL, [item(brand="globex")], format="json")
    assert response.status_code == 201
    assert Mention.objects.get().brand == cast.brand_b


# --- who may call -------------------------------------------------------------------------------------------


def test_unauthenticated_is_401_and_writes_nothing(cast, api):
    before = db_state()
    response = api(None).post(URL, [item()], format="json")
    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}
    assert db_state() == before


def test_a_wrong_token_is_401(cast, api):
    client = api(None)
    client.credentials(HTTP_AUTHORIZATION="Token 0000000000000000000000000000000000000000")
    before = db_state()
    response = client.post(URL, [item()], format="json")
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token."}
    assert db_state() == before


@pytest.mark.parametrize("who", ["operator", "manager"])
def test_a_member_without_mention_ingest_is_403_and_writes_nothing(cast, api, who):
    before = db_state()
    response = api(getattr(cast, who)).post(URL, [item()], format="json")
    assert response.status_code == 403
    assert response.json() == {"detail": "You do not have permission to perform this action."}
    assert db_state() == before


@pytest.mark.parametrize("who", ["outsider", "operator_b"])
def test_someone_outside_the_brand_cannot_tell_it_exists(cast, api, who):
    """Out of scope, the brand is simply unknown: the same answer as for a brand that does not exist."""
    before = db_state()
    response = api(getattr(cast, who)).post(URL, [item()], format="json")
    assert response.status_code == 400
    assert response.json()["results"] == [{"index": 0, "status": "error", "errors": {"brand": ["Unknown brand."]}}]
    assert db_state() == before


def test_get_is_not_allowed(cast, api):
    assert api(cast.supervisor).get(URL).status_code == 405


# --- bad input ----------------------------------------------------------------------------------------------


def test_malformed_json_is_400_and_writes_nothing(cast, api):
    before = db_state()
    response = api(cast.supervisor).post(URL, data='[{"platform": "x",', content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("JSON parse error - ")
    assert db_state() == before


@pytest.mark.parametrize("payload", [[], {}, {"mentions": []}, "a string", 42, {"mentions": {"platform": "x"}}])
def test_anything_but_a_non_empty_list_is_400(cast, api, payload):
    before = db_state()
    response = api(cast.supervisor).post(URL, data=json.dumps(payload), content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": 'Send a non-empty JSON list of mentions, or {"mentions": [...]}.'}
    assert db_state() == before


def test_a_wrong_content_type_is_415(cast, api):
    before = db_state()
    response = api(cast.supervisor).post(URL, data="platform=x", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert db_state() == before


def test_one_bad_item_stores_nothing_even_for_the_valid_ones(cast, api):
    no_text = item(platform_id="1002")
    del no_text["text"]
    before = db_state()

    response = api(cast.supervisor).post(
        URL,
        [
            item(),
            no_text,
            item(platform_id="1003", author={"id": "u-3", "followers_count": "many"}),
            "not an object",
            item(platform_id="1005", platform="myspace", posted_at="yesterday"),
            item(platform_id=""),
        ],
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "detail": "Nothing was stored: 5 of the mentions are invalid.",
        "results": [
            {"index": 0, "status": "valid"},
            {"index": 1, "status": "error", "errors": {"text": ["This field is required."]}},
            {
                "index": 2,
                "status": "error",
                "errors": {"author": {"followers_count": ["A valid integer is required."]}},
            },
            {"index": 3, "status": "error", "errors": {"non_field_errors": ["Each mention must be a JSON object."]}},
            {
                "index": 4,
                "status": "error",
                "errors": {
                    "platform": ['"myspace" is not a valid choice.'],
                    "posted_at": [
                        "Datetime has wrong format. Use one of these formats instead: "
                        "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."
                    ],
                },
            },
            {"index": 5, "status": "error", "errors": {"platform_id": ["This field may not be blank."]}},
        ],
    }
    assert db_state() == before


@pytest.mark.parametrize(
    ("over", "errors"),
    [
        ({"brand": "no-such-brand"}, {"brand": ["Unknown brand."]}),
        ({"brand": "globex"}, {"brand": ["Unknown brand."]}),
        ({"brand": None}, {"brand": ["This field may not be null."]}),
        ({"channel_account": 999999}, {"channel_account": ["Unknown channel account."]}),
        ({"channel_account": "seven"}, {"channel_account": ["A valid integer is required."]}),
        ({"author": "budi"}, {"author": {"non_field_errors": ["Invalid data. Expected a dictionary, but got str."]}}),
        ({"author": {"handle": "budi"}}, {"author": {"id": ["This field is required."]}}),
        ({"text": ["a", "list"]}, {"text": ["Not a valid string."]}),
        ({"url": "not a url"}, {"url": ["Enter a plain http or https link."]}),
        ({"kind": "story"}, {"kind": ['"story" is not a valid choice.']}),
        ({"raw": [1, 2]}, {"raw": ['Expected a dictionary of items but got type "list".']}),
        ({"platform_id": "x" * 129}, {"platform_id": ["Ensure this field has no more than 128 characters."]}),
    ],
)
def test_a_field_error_is_reported_on_its_item(cast, api, over, errors):
    before = db_state()
    response = api(cast.supervisor).post(URL, [item(platform_id="ok"), item(**over)], format="json")
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Nothing was stored: 1 mention is invalid.",
        "results": [{"index": 0, "status": "valid"}, {"index": 1, "status": "error", "errors": errors}],
    }
    assert db_state() == before


def test_neither_brand_nor_channel_is_400(cast, api):
    data = item()
    del data["brand"]
    before = db_state()
    response = api(cast.supervisor).post(URL, [data], format="json")
    assert response.status_code == 400
    assert response.json()["results"] == [
        {"index": 0, "status": "error", "errors": {"brand": ["Give a brand slug or a channel account id."]}}
    ]
    assert db_state() == before


def test_a_channel_of_another_brand_or_platform_is_400(cast, api):
    mine_fb = make_channel(cast.brand_a, platform="facebook")
    theirs = make_channel(cast.brand_b, platform="x")
    other_brand_of_mine = make_channel(cast.brand_a, platform="x")
    second = make_brand("initech")
    make_member(cast.supervisor, second, "supervisor")
    initech_x = make_channel(second, platform="x")
    before = db_state()

    response = api(cast.supervisor).post(
        URL,
        [
            item(platform_id="a", channel_account=mine_fb.pk),
            item(platform_id="b", channel_account=theirs.pk),
            item(platform_id="c", channel_account=initech_x.pk),
            item(platform_id="d", channel_account=other_brand_of_mine.pk),
        ],
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["results"] == [
        {
            "index": 0,
            "status": "error",
            "errors": {"channel_account": ["This channel account is on another platform."]},
        },
        {"index": 1, "status": "error", "errors": {"channel_account": ["Unknown channel account."]}},
        {
            "index": 2,
            "status": "error",
            "errors": {"channel_account": ["This channel account belongs to another brand."]},
        },
        {"index": 3, "status": "valid"},
    ]
    assert db_state() == before


def test_a_batch_over_1000_items_is_413(cast, api):
    before = db_state()
    batch = [item(platform_id=str(n)) for n in range(1001)]
    response = api(cast.supervisor).post(URL, batch, format="json")
    assert response.status_code == 413
    assert response.json() == {"detail": "A batch can hold at most 1000 mentions."}
    assert db_state() == before


def test_the_item_limit_is_inclusive(cast, api, settings):
    settings.SMRC_INGEST_MAX_ITEMS = 3
    client = api(cast.supervisor)
    assert client.post(URL, [item(platform_id=str(n)) for n in range(4)], format="json").status_code == 413
    assert Mention.objects.count() == 0
    response = client.post(URL, [item(platform_id=str(n)) for n in range(3)], format="json")
    assert response.status_code == 201
    assert response.json()["created"] == 3


def test_a_body_over_1_mb_is_413(cast, api):
    before = db_state()
    body = json.dumps([item(text="x" * (1024 * 1024))])
    response = api(cast.supervisor).post(URL, data=body, content_type="application/json")
    assert response.status_code == 413
    assert response.json() == {"detail": "The body is over the limit of 1048576 bytes."}
    assert db_state() == before


def test_a_body_just_under_the_limit_is_read(cast, api, settings):
    settings.SMRC_INGEST_MAX_BYTES = 2000
    body = json.dumps([item()])
    assert len(body) < 2000
    response = api(cast.supervisor).post(URL, data=body, content_type="application/json")
    assert response.status_code == 201
