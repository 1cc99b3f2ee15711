"""What a platform answers is read by the one bounded reader (``smrc.jsonlimits.loads_bounded``, text repaired),
as its webhook deliveries are (decision 89): a NUL or a lone UTF-16 surrogate in a polled message is kept as
U+FFFD instead of failing the whole poll on PostgreSQL, and an answer nested too deep is a platform error, never
a ``RecursionError``. Recorded responses at the HTTP boundary (the ``responses`` library), SQLite and
PostgreSQL."""

import json

import pytest
import responses

from tests.channels.conftest import X_ACCOUNT, payload
from tests.factories import make_channel
from tickets.channels import publishing
from tickets.channels.base import ChannelError
from tickets.models import Mention
from tickets.services import polling

MENTIONS = f"https://api.x.com/2/users/{X_ACCOUNT}/mentions"
TWEETS = "https://api.x.com/2/tweets"
DEEP = b"[" * 100_000 + b"]" * 100_000


@pytest.fixture
def x_account(cast):
    return make_channel(cast.brand_a, platform="x", external_id=X_ACCOUNT, access_token="x-token", handle="TelkoraCare")


@pytest.mark.django_db(transaction=True)
@responses.activate
def test_a_polled_message_with_a_nul_and_a_lone_surrogate_is_kept_with_the_replacement_character(x_account, cast):
    page = payload("x_v2_search_recent_response.json")
    page["meta"].pop("next_token")
    plain = [page["data"][0], page["data"][5]]  # two plain mentions (no long-post note, no quote)
    first, second = plain[0]["id"], plain[1]["id"]
    plain[0]["text"] = "@TelkoraCare sinyal \ud83d hilang"
    plain[1]["text"] = "@TelkoraCare kuota\x00habis"
    body = json.dumps(page).encode()  # ensure_ascii: "\ud83d" and "\u0000", as a platform escapes them
    assert b"\\ud83d" in body
    assert b"\\u0000" in body
    responses.get(MENTIONS, body=body, content_type="application/json")

    result = polling.poll_account(x_account.pk)

    assert result["created"] == 6
    assert Mention.objects.filter(brand=cast.brand_a).count() == 6
    assert Mention.objects.get(brand=cast.brand_a, platform_id=first).text == "@TelkoraCare sinyal \ufffd hilang"
    assert Mention.objects.get(brand=cast.brand_a, platform_id=second).text == "@TelkoraCare kuota\ufffdhabis"
    x_account.refresh_from_db()
    assert x_account.poll_cursor["mentions"] == "2123684015109074951"


@pytest.mark.django_db
@responses.activate
def test_a_polled_answer_nested_too_deep_is_a_platform_error_and_nothing_is_stored(x_account, cast):
    responses.get(MENTIONS, body=DEEP, content_type="application/json")
    assert polling.poll_account(x_account.pk) == {
        "error": "the platform answered with something that is not JSON",
        "retry_after": None,
    }
    assert Mention.objects.count() == 0
    x_account.refresh_from_db()
    assert x_account.status_detail == "the platform answered with something that is not JSON"
    assert x_account.status == "active"
    assert (x_account.poll_cursor or {}).get("mentions") is None


@responses.activate
def test_a_publish_answer_nested_too_deep_is_ambiguous_never_a_recursion_error():
    responses.post(TWEETS, body=DEEP, content_type="application/json")
    with pytest.raises(publishing.Ambiguous) as caught:
        publishing.post(TWEETS, token="x-token", json={"text": "Halo"})
    assert str(caught.value) == "HTTP 200 without the JSON we expect"


@responses.activate
def test_a_publish_answer_with_a_lone_surrogate_is_read_with_the_replacement_character():
    responses.post(
        TWEETS, body=b'{"data": {"id": "1790", "text": "Halo \\ud83d\\u0000"}}', content_type="application/json"
    )
    assert publishing.post(TWEETS, token="x-token", json={"text": "Halo"}) == {
        "data": {"id": "1790", "text": "Halo \ufffd\ufffd"}
    }


@responses.activate
def test_a_refusal_nested_too_deep_is_still_the_refusal_by_its_status():
    responses.post(TWEETS, body=DEEP, status=403, content_type="application/json")
    with pytest.raises(ChannelError) as caught:
        publishing.post(TWEETS, token="x-token", json={"text": "Halo"})
    assert type(caught.value) is ChannelError
    assert str(caught.value) == "HTTP 403: Forbidden"
    assert caught.value.permanent is True
