"""Polling X and YouTube against recorded responses (the ``responses`` library; never the real platforms):
cursors, routing by listening rules, rate limits, quotas and refused credentials."""

import time

import pytest
import responses
from responses import matchers

from brands.models import ChannelAccount, ListeningRule
from tests.factories import make_channel
from tickets.models import Mention, Ticket
from tickets.services import polling

from .conftest import X_ACCOUNT, YT_CHANNEL, payload

MENTIONS = f"https://api.x.com/2/users/{X_ACCOUNT}/mentions"
SEARCH = "https://api.x.com/2/tweets/search/recent"
THREADS = "https://www.googleapis.com/youtube/v3/commentThreads"


@pytest.fixture
def x_account(cast):
    return make_channel(cast.brand_a, platform="x", external_id=X_ACCOUNT, access_token="x-token", handle="TelkoraCare")


@pytest.fixture
def yt_account(cast):
    return make_channel(cast.brand_b, platform="youtube", external_id=YT_CHANNEL, access_token="yt-token")


def rule(brand, name="main", **fields):
    return ListeningRule.objects.create(brand=brand, name=name, **fields)


@responses.activate
def test_x_polls_the_mentions_timeline_and_moves_the_since_id_cursor(x_account, cast):
    page = payload("x_v2_search_recent_response.json")
    page["meta"].pop("next_token")
    responses.get(MENTIONS, json=page)
    result = polling.poll_account(x_account.pk)
    assert result["created"] == 6
    assert Mention.objects.filter(brand=cast.brand_a, channel_account=x_account).count() == 6
    x_account.refresh_from_db()
    assert x_account.poll_cursor["mentions"] == "2123684015109074951"
    assert x_account.last_polled_at
    responses.replace(responses.GET, MENTIONS, json=payload("x_v2_search_recent_empty.json"))
    assert polling.poll_account(x_account.pk)["created"] == 0
    call = responses.calls[-1]
    assert "since_id=2123684015109074951" in call.request.url
    assert call.request.headers["Authorization"] == "Bearer x-token"
    assert call.request.req_kwargs["timeout"]
    x_account.refresh_from_db()
    assert x_account.poll_cursor["mentions"] == "2123684015109074951"  # an empty page keeps the cursor


@responses.activate
def test_x_recent_search_per_rule_routes_to_every_matching_brand(x_account, cast):
    rule(cast.brand_a, handles="TelkoraCare", hashtags="TelkoraLemot", exclusions="giveaway", language="id")
    rule(cast.brand_b, name="competitor watch", keywords="telkora")
    responses.get(MENTIONS, json=payload("x_v2_search_recent_empty.json"))
    search = payload("x_v2_search_recent_response.json")
    search["meta"].pop("next_token")
    responses.get(SEARCH, json=search)
    polling.poll_account(x_account.pk)
    query = responses.calls[1].request.params["query"]
    assert query == "(@TelkoraCare OR #TelkoraLemot) -giveaway lang:in -is:retweet"
    a = set(Mention.objects.filter(brand=cast.brand_a).values_list("platform_id", flat=True))
    b = set(Mention.objects.filter(brand=cast.brand_b).values_list("platform_id", flat=True))
    # brand A: its handle in Indonesian posts ("und" emoji-only has no language, so it passes the filter too)
    assert "2123616243545042945" in a
    assert "2123660107576274948" not in a
    # brand B listens for the word "telkora": the quote ("Outage Telkora di Bekasi") is in both brands
    assert "2123643225502674947" in a & b
    assert Ticket.objects.filter(brand=cast.brand_b).count() == len(b)


@responses.activate
def test_x_rate_limit_waits_until_the_announced_reset(x_account):
    reset = int(time.time()) + 600
    error = payload("x_v2_error_429_rate_limited.json")["response"]
    responses.get(MENTIONS, status=429, json=error["body"], headers={"x-rate-limit-reset": str(reset)})
    result = polling.poll_account(x_account.pk)
    assert result["retry_after"] == pytest.approx(600, abs=5)
    x_account.refresh_from_db()
    assert x_account.status == "active"
    assert "rate limited" in x_account.status_detail
    assert abs(x_account.next_poll_at.timestamp() - reset) < 5
    assert x_account.pk not in polling.accounts_due()


@responses.activate
def test_an_expired_token_marks_the_account_as_needing_attention(x_account):
    responses.get(MENTIONS, status=401, json={"title": "Unauthorized", "detail": "Unauthorized", "status": 401})
    result = polling.poll_account(x_account.pk)
    assert result["needs_attention"]
    x_account.refresh_from_db()
    assert x_account.status == ChannelAccount.Status.NEEDS_ATTENTION
    assert "401" in x_account.status_detail
    assert x_account.pk not in polling.accounts_due()


@responses.activate
def test_a_meta_code_190_is_a_credentials_error():
    from tickets.channels import http
    from tickets.channels.base import CredentialsError

    body = payload("fb_graph_error_token_expired.json")["response"]["body"]
    responses.get("https://graph.facebook.com/v25.0/1", status=400, json=body)
    with pytest.raises(CredentialsError, match="code 190"):
        http.get_json(http.session(), "https://graph.facebook.com/v25.0/1")


@responses.activate
def test_a_meta_throttle_waits_the_estimated_time():
    from tickets.channels import http
    from tickets.channels.base import ChannelError

    error = payload("fb_graph_error_rate_limited.json")["response"]
    responses.get(
        "https://graph.facebook.com/v25.0/1", status=error["status"], json=error["body"], headers=error["headers"]
    )
    with pytest.raises(ChannelError) as caught:
        http.get_json(http.session(), "https://graph.facebook.com/v25.0/1")
    assert not caught.value.permanent
    assert caught.value.retry_after >= 60


@responses.activate
def test_a_timeout_is_a_transient_error(x_account):
    import requests

    responses.get(MENTIONS, body=requests.Timeout("read timed out"))
    result = polling.poll_account(x_account.pk)
    assert "timed out" in result["error"]
    assert result["retry_after"] == 30.0
    x_account.refresh_from_db()
    assert x_account.status == "active"


@responses.activate
def test_youtube_polls_comment_threads_and_recognises_the_channels_own_replies(yt_account, cast):
    responses.get(
        THREADS,
        json=payload("yt_commentThreads_list_response.json") | {"nextPageToken": None},
        match=[matchers.query_param_matcher({"allThreadsRelatedToChannelId": YT_CHANNEL}, strict_match=False)],
    )
    result = polling.poll_account(yt_account.pk)
    # 4 threads + 1 customer reply; the channel's own reply is attached to the thread's ticket, not a ticket
    assert result["created"] == 5
    assert result["echoes"] == 1
    assert Mention.objects.filter(brand=cast.brand_b).count() == 5
    thread = Mention.objects.get(platform_id="UgzF3kq9Lr2Wm1VbN7x4AaABAg").ticket
    assert thread.events.filter(kind="reply.echoed").count() == 1
    yt_account.refresh_from_db()
    assert yt_account.poll_cursor["since"]


@responses.activate
def test_youtube_quota_exceeded_backs_off_until_the_quota_resets(yt_account):
    error = payload("yt_error_403_quotaExceeded.json")["response"]
    responses.get(THREADS, status=403, json=error["body"])
    result = polling.poll_account(yt_account.pk)
    assert 60 <= result["retry_after"] <= 86400
    yt_account.refresh_from_db()
    assert yt_account.next_poll_at is not None
    assert yt_account.status == "active"


@responses.activate
def test_the_beat_task_polls_the_accounts_that_are_due(x_account, yt_account, settings):
    responses.get(MENTIONS, json=payload("x_v2_search_recent_empty.json"))
    responses.get(THREADS, json={"items": []})
    assert polling.poll_channels_task() == 2
    assert polling.poll_channels_task() == 0  # polled within the interval
    settings.SMRC_POLL_INTERVAL_SECONDS = 0
    assert polling.poll_channels_task() == 2
