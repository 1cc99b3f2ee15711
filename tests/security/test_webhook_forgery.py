"""Forged, mixed and replayed webhooks, as an attacker would send them (issue 11, docs/channels.md "Webhooks").

Brand A and brand B each have their own X app and Meta app (their own secrets). The attacker holds brand B's
secrets (a brand's own staff can read their app's settings), or none. Each refused call asserts that no row
changed and nothing was queued; each partly accepted one that nothing of brand A changed.
"""

import json
from functools import partial

import pytest
import responses
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from tests.channels.conftest import meta_signature, payload, raw, x_signature
from tests.factories import make_channel
from tests.helpers import db_state
from tickets.channels import meta, x
from tickets.models import Event, InboundDelivery, Mention, MentionRevision, Ticket
from tickets.services import inbound

X_A, X_B = "1587000000000000001", "1587000000000000002"
PAGE_A, PAGE_B = "104523987654321", "104523987654322"
IG_A, IG_B = "17841400123456789", "17841400123456790"
SECRETS = {"x_a": "x-secret-of-brand-a", "x_b": "x-secret-of-brand-b", "m_a": "meta-a", "m_b": "meta-b"}
CUSTOMER = "7712345098765432"


@pytest.fixture
def brands(cast):
    """Brand A and brand B, each with an X account, a Facebook page and an Instagram account of its own apps."""
    for brand, suffix, x_id, page, ig in (
        (cast.brand_a, "a", X_A, PAGE_A, IG_A),
        (cast.brand_b, "b", X_B, PAGE_B, IG_B),
    ):
        make_channel(brand, platform="x", external_id=x_id, webhook_secret=SECRETS[f"x_{suffix}"])
        make_channel(brand, platform="facebook", external_id=page, webhook_secret=SECRETS[f"m_{suffix}"])
        make_channel(
            brand,
            platform="instagram",
            external_id=ig,
            webhook_secret=SECRETS[f"m_{suffix}"],
            access_token=f"ig-token-{suffix}",
        )
    return cast


@pytest.fixture
def queued(monkeypatch):
    """Every delivery id queued for processing (processing still runs, eagerly)."""
    calls = []
    real = inbound.process_delivery_task.delay

    def spy(delivery_id):
        calls.append(delivery_id)
        return real(delivery_id)

    monkeypatch.setattr(inbound.process_delivery_task, "delay", spy)
    return calls


@pytest.fixture
def platform_http():
    """No platform is reachable unless a test registers an answer; every call is recorded."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def client():
    return Client()


SIGNING = {
    "x": ("HTTP_X_TWITTER_WEBHOOKS_SIGNATURE", x_signature),
    "meta": ("HTTP_X_HUB_SIGNATURE_256", meta_signature),
}


def send(client, data, *, family: str, secret: str, body: bytes | None = None):
    """POST ``data`` (or exactly ``body``) to the family's endpoint, signed as the platform does with ``secret``."""
    body = raw(data) if body is None else body
    header, sign = SIGNING[family]
    return client.post(
        f"/webhooks/{family}/", data=body, content_type="application/json", **{header: sign(body, secret)}
    )


send_x = partial(send, family="x")
send_meta = partial(send, family="meta")


def brand_rows(brand) -> dict:
    """Everything of one brand an inbound delivery could write."""
    return {
        "mentions": list(Mention.objects.filter(brand=brand).order_by("pk").values()),
        "tickets": list(Ticket.objects.filter(brand=brand).order_by("pk").values()),
        "revisions": list(MentionRevision.objects.filter(mention__brand=brand).order_by("pk").values()),
        "events": list(Event.objects.filter(brand=brand).order_by("pk").values()),
    }


def assert_refused(response, status: int, before: dict, queued: list):
    assert response.status_code == status
    assert db_state() == before
    assert queued == []


# --- payload builders -----------------------------------------------------------------------------------------


def feed_entry(page: str, comment_id: str, message: str, *, verb: str = "add", at: int = 1795140851) -> dict:
    value = {
        "from": {"id": CUSTOMER, "name": "Rina Putri"},
        "post_id": f"{page}_122187654321098765",
        "comment_id": comment_id,
        "parent_id": f"{page}_122187654321098765",
        "created_time": at,
        "item": "comment",
        "verb": verb,
        "message": message,
    }
    return {"id": page, "time": at, "changes": [{"field": "feed", "value": value}]}


def page_delivery(*entries) -> dict:
    return {"object": "page", "entry": list(entries)}


def dm_entry(page: str, mid: str, text: str, *, recipient: str | None = None, echo_from: str | None = None) -> dict:
    message = {"mid": mid, "text": text}
    if echo_from:
        event = {"sender": {"id": echo_from}, "recipient": {"id": CUSTOMER}, "message": {**message, "is_echo": True}}
    else:
        event = {"sender": {"id": CUSTOMER}, "recipient": {"id": recipient or page}, "message": message}
    return {"id": page, "time": 1795149000423, "messaging": [{**event, "timestamp": 1795149000123}]}


def ig_comment_entry(account: str, comment_id: str, text: str) -> dict:
    value = {"from": {"id": "17841455566677788", "username": "rinaa.putri"}, "media": {"id": "1803"}, "id": comment_id}
    return {"id": account, "time": 1795156217, "changes": [{"field": "comments", "value": {**value, "text": text}}]}


def ig_mention_entry(account: str, comment_id: str) -> dict:
    value = {"comment_id": comment_id, "media_id": "18045678901234567"}
    return {"id": account, "time": 1795156815, "changes": [{"field": "mentions", "value": value}]}


def tweet(tweet_id: str, text: str) -> dict:
    base = payload("x_aaa_tweet_create_events_mention.json")["tweet_create_events"][0]
    return {**base, "id": int(tweet_id), "id_str": tweet_id, "text": text, "extended_tweet": {"full_text": text}}


def v11(account: str, *tweets: dict) -> dict:
    return {"for_user_id": account, "tweet_create_events": list(tweets)}


def xaa(account: str, post_id: str, text: str, *, history: list[str] | None = None) -> dict:
    event = payload("x_xaa_post_mention_create.json")["data"]
    post = {**event["payload"], "id": post_id, "text": text, "edit_history_tweet_ids": history or [post_id]}
    return {**event, "filter": {"user_id": account}, "payload": post}


# --- CRC and handshake can never sign a payload ------------------------------------------------------------------


HOSTILE_TOKENS = [
    raw(v11(X_A, tweet("2123616243545042945", "forged"))).decode(),  # the attack: a whole delivery
    '{"for_user_id":"1587000000000000001"}',
    "[1]",
    " 9b4507b3",  # anything around a token
    "9b4507b3\n",
    "a" * 129,
    "tökén",
    "crc token",
    "",
]


@pytest.mark.parametrize("token", HOSTILE_TOKENS, ids=range(len(HOSTILE_TOKENS)))
def test_the_x_crc_signs_nothing_but_a_token_of_xs_shape(client, brands, queued, token):
    before = db_state()
    response = client.get("/webhooks/x/", {"crc_token": token})
    assert response.status_code == 400
    assert "response_token" not in response.json()
    assert b"sha256=" not in response.content
    assert db_state() == before
    assert queued == []


@pytest.mark.parametrize("token", ["1158201444", "0", "true", "null", "12e3"])
def test_a_crc_answer_for_a_token_that_is_also_json_is_no_delivery_signature(client, brands, queued, token):
    """The only tokens that are also JSON are numbers and literals: a delivery must be an object."""
    answer = client.get("/webhooks/x/", {"crc_token": token})
    assert answer.status_code == 200
    before = db_state()
    forged = client.post(
        "/webhooks/x/",
        data=token.encode(),
        content_type="application/json",
        HTTP_X_TWITTER_WEBHOOKS_SIGNATURE=answer.json()["response_token"],
    )
    assert forged.json() == {"detail": "The body is not a JSON object."}
    assert_refused(forged, 400, before, queued)


@given(st.from_regex(x.CRC_TOKEN, fullmatch=True))
def test_no_token_the_crc_accepts_is_a_json_object(token):
    try:
        parsed = json.loads(token)
    except ValueError:
        return
    assert not isinstance(parsed, dict)


def test_the_x_crc_answers_xs_own_token_with_the_app_secret(client, brands):
    response = client.get("/webhooks/x/", {"crc_token": "9b4507b3-9040-4669-9ca3-6b94edb50553"})
    assert response.status_code == 200
    assert response.json() == x.crc_response("9b4507b3-9040-4669-9ca3-6b94edb50553", SECRETS["x_a"])
    with pytest.raises(ValueError, match="not a CRC token"):
        x.crc_response('{"a": 1}', SECRETS["x_a"])


@pytest.mark.parametrize(
    ("params", "status", "content"),
    [
        ({"hub.challenge": "1158201444"}, 200, b"1158201444"),
        ({"hub.challenge": "<script>alert(1)</script>"}, 403, b"forbidden"),
        ({"hub.challenge": '{"object":"page"}'}, 403, b"forbidden"),
        ({"hub.challenge": "1" * 33}, 403, b"forbidden"),
        ({"hub.challenge": ""}, 403, b"forbidden"),
        ({"hub.challenge": "1", "hub.mode": "unsubscribe"}, 403, b"forbidden"),
        ({"hub.challenge": "1", "hub.verify_token": "wrong"}, 403, b"forbidden"),
        ({"hub.challenge": "1", "hub.verify_token": "x" * 5000}, 403, b"forbidden"),
        ({"hub.challenge": "1", "hub.verify_token": ""}, 403, b"forbidden"),
    ],
)
def test_the_meta_handshake_echoes_only_a_numeric_challenge_for_our_verify_token(
    client, brands, queued, params, status, content
):
    from brands.models import ChannelAccount

    token = ChannelAccount.objects.get(external_id=PAGE_B).verify_token
    query = {"hub.mode": "subscribe", "hub.verify_token": token, **params}
    before = db_state()
    response = client.get("/webhooks/meta/", query)
    assert (response.status_code, response.content, response["Content-Type"]) == (status, content, "text/plain")
    assert db_state() == before
    assert queued == []


def test_the_environment_verify_token_matches_exactly(brands, settings):
    settings.META_VERIFY_TOKEN = "from-the-environment"
    assert inbound.verify_token_matches("from-the-environment")
    assert not inbound.verify_token_matches("from-the-environment ")
    assert not inbound.verify_token_matches("")


# --- the challenge endpoints are throttled per client --------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "query", "ok"),
    [
        ("/webhooks/x/", {"crc_token": "9b4507b3"}, 200),
        ("/webhooks/meta/", {"hub.mode": "subscribe", "hub.verify_token": "nope", "hub.challenge": "1"}, 403),
    ],
)
def test_a_challenge_endpoint_answers_429_past_the_rate_and_counts_per_client(
    client, brands, settings, path, query, ok
):
    settings.SMRC_WEBHOOK_CHALLENGES_PER_MINUTE = 3
    assert [client.get(path, query).status_code for _ in range(3)] == [ok, ok, ok]
    over = client.get(path, query)
    assert over.status_code == 429
    assert 1 <= int(over["Retry-After"]) <= 60
    assert b"sha256=" not in over.content
    assert client.get(path, query, REMOTE_ADDR="203.0.113.9").status_code == ok  # another client
    body = raw(v11(X_A, tweet("2123616243545042945", "halo")))
    posted = send_x(client, None, body=body, secret=SECRETS["x_a"])  # deliveries are not throttled
    assert posted.status_code == 200


def test_an_unreachable_cache_lets_the_challenge_through(client, brands, monkeypatch):
    from tickets.views import webhooks

    def cache_down(*args, **kwargs):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(webhooks, "get_usage", cache_down)
    assert client.get("/webhooks/x/", {"crc_token": "9b4507b3"}).status_code == 200


def test_behind_a_proxy_the_client_address_comes_from_the_configured_header(client, brands, settings):
    settings.SMRC_WEBHOOK_CHALLENGES_PER_MINUTE = 1
    settings.SMRC_CLIENT_IP_HEADER = "X-Real-IP"
    query = {"crc_token": "9b4507b3"}
    assert client.get("/webhooks/x/", query, HTTP_X_REAL_IP="198.51.100.1").status_code == 200
    assert client.get("/webhooks/x/", query, HTTP_X_REAL_IP="198.51.100.1").status_code == 429
    assert client.get("/webhooks/x/", query, HTTP_X_REAL_IP="198.51.100.2").status_code == 200
    assert client.get("/webhooks/x/", query, HTTP_X_REAL_IP="not an address").status_code == 200  # 0.0.0.0
    assert client.get("/webhooks/x/", query, HTTP_X_REAL_IP="").status_code == 200  # REMOTE_ADDR


# --- mixed-account deliveries: each account's own secret, or nothing of it --------------------------------------


@pytest.fixture
def a_comment(client, brands):
    """Brand A holds a Facebook comment (with its ticket)."""
    assert send_meta(client, page_delivery(feed_entry(PAGE_A, "1_100", "kartu saya terblokir")), secret="meta-a")
    return Mention.objects.get(brand=brands.brand_a, platform_id="1_100")


def test_a_meta_delivery_for_page_b_and_page_a_signed_by_b_keeps_only_bs_entries(client, brands, a_comment, queued):
    a_before = brand_rows(brands.brand_a)
    forged = page_delivery(
        feed_entry(PAGE_B, "2_200", "halo globex"),
        feed_entry(PAGE_A, "1_100", "HACKED: call +62 812 scam", verb="edited", at=1795140999),
        feed_entry(PAGE_A, "1_101", "a mention forged into brand A"),
    )
    response = send_meta(client, forged, secret=SECRETS["m_b"])
    assert response.json() == {"received": True}
    assert brand_rows(brands.brand_a) == a_before
    assert list(Mention.objects.filter(brand=brands.brand_b).values_list("platform_id", "text")) == [
        ("2_200", "halo globex")
    ]
    delivery = InboundDelivery.objects.latest("pk")
    assert (delivery.state, delivery.channel_account.external_id) == ("processed", PAGE_B)
    assert delivery.error == f"refused, not signed with the account's own secret: facebook:{PAGE_A}"
    assert delivery.summary["created"] == 1
    assert sorted(delivery.summary["skipped_reasons"]) == [
        f"facebook:1_100: for facebook:{PAGE_A}, which did not sign the delivery",
        f"facebook:1_101: for facebook:{PAGE_A}, which did not sign the delivery",
    ]
    assert queued == [delivery.pk]


def test_a_meta_delivery_only_for_page_a_signed_by_b_is_refused_whole(client, brands, a_comment, queued):
    before = db_state()
    forged = page_delivery(feed_entry(PAGE_A, "1_100", "HACKED", verb="edited", at=1795140999))
    response = send_meta(client, forged, secret=SECRETS["m_b"])
    assert response.json() == {"detail": "The signature is not the addressed account's."}
    assert_refused(response, 403, before, queued)


@pytest.mark.parametrize(
    "entry",
    [
        dm_entry(PAGE_B, "m_1", "halo", recipient=PAGE_A),  # a message to page A, filed under B's entry
        dm_entry(PAGE_B, "m_2", "halo", echo_from=PAGE_A),  # an echo of page A's, filed under B's entry
    ],
    ids=["recipient", "echo-sender"],
)
def test_a_messenger_event_naming_another_page_than_its_entry_is_refused_whole(client, brands, queued, entry):
    before = db_state()
    response = send_meta(client, page_delivery(entry), secret=SECRETS["m_b"])
    assert "carries a message for account 104523987654321" in response.json()["detail"]
    assert_refused(response, 400, before, queued)


def test_messenger_for_page_a_signed_by_b_is_refused_and_bs_own_is_kept(client, brands, queued):
    before = db_state()
    response = send_meta(client, page_delivery(dm_entry(PAGE_A, "m_a", "transfer saya")), secret=SECRETS["m_b"])
    assert_refused(response, 403, before, queued)
    mixed = page_delivery(dm_entry(PAGE_B, "m_b", "halo globex"), dm_entry(PAGE_A, "m_a", "transfer saya"))
    assert send_meta(client, mixed, secret=SECRETS["m_b"]).status_code == 200
    assert list(Mention.objects.values_list("brand__slug", "platform_id", "kind")) == [("globex", "m_b", "dm")]


def test_meta_parse_skips_a_messenger_event_for_another_page_in_imports_too():
    parsed = meta.parse(page_delivery(dm_entry(PAGE_B, "m_1", "halo", recipient=PAGE_A)))
    assert (parsed.items, parsed.skipped) == ([], [f"messaging event in entry {PAGE_B} for account {PAGE_A}"])


def test_an_instagram_delivery_mixing_accounts_never_spends_as_token(client, brands, queued, platform_http):
    forged = {
        "object": "instagram",
        "entry": [ig_comment_entry(IG_B, "179001", "kopi globex"), ig_mention_entry(IG_A, "179002")],
    }
    a_before = brand_rows(brands.brand_a)
    assert send_meta(client, forged, secret=SECRETS["m_b"]).status_code == 200
    assert brand_rows(brands.brand_a) == a_before
    assert list(Mention.objects.values_list("brand__slug", "platform", "platform_id")) == [
        ("globex", "instagram", "179001")
    ]
    assert len(platform_http.calls) == 0  # A's mention was never fetched with A's token
    assert InboundDelivery.objects.get().error == f"refused, not signed with the account's own secret: instagram:{IG_A}"


def test_a_page_id_under_the_instagram_object_is_no_page(client, brands, queued):
    """Accounts are looked up by platform and id: page A's id in an Instagram body names no account of ours."""
    body = {"object": "instagram", "entry": [ig_comment_entry(PAGE_A, "179003", "halo")]}
    assert send_meta(client, body, secret=SECRETS["m_a"]).json() == {"received": True}
    delivery = InboundDelivery.objects.get()
    assert (delivery.state, delivery.error) == ("ignored", f"unknown account(s): instagram:{PAGE_A}")
    assert not Mention.objects.exists()
    assert queued == []


def test_an_x_delivery_for_b_with_an_event_for_a_keeps_only_bs(client, brands, queued):
    """The issue's case: ``for_user_id`` of B, an X Activity event for A's account, signed with B's secret."""
    forged = {
        **v11(X_B, tweet("2123616243545042945", "@globex halo")),
        "data": [xaa(X_A, "2123616243545042999", "forged into brand A")],
    }
    assert send_x(client, forged, secret=SECRETS["x_b"]).status_code == 200
    assert list(Mention.objects.values_list("brand__slug", "platform_id")) == [("globex", "2123616243545042945")]
    delivery = InboundDelivery.objects.get()
    assert delivery.error == f"refused, not signed with the account's own secret: x:{X_A}"
    assert delivery.summary["skipped_reasons"] == [
        f"x:2123616243545042999: for x:{X_A}, which did not sign the delivery"
    ]


def test_x_activity_events_for_a_and_b_signed_by_b_keep_only_bs(client, brands, queued):
    forged = {"data": [xaa(X_B, "2123616243545042001", "@globex"), xaa(X_A, "2123616243545042002", "forged")]}
    assert send_x(client, forged, secret=SECRETS["x_b"]).status_code == 200
    assert list(Mention.objects.values_list("brand__slug", "platform_id")) == [("globex", "2123616243545042001")]


@pytest.mark.parametrize(
    ("data", "secret"),
    [
        (v11(X_A, tweet("2123616243545042945", "forged")), "x_b"),
        ({"data": xaa(X_A, "2123616243545042002", "forged")}, "x_b"),
        ({"for_user_id": X_A, "tweet_delete_events": [{"status": {"id": "2123616243545042945"}}]}, "x_b"),
    ],
    ids=["v1.1 create", "v2 event", "v1.1 delete"],
)
def test_an_x_delivery_only_for_a_signed_by_b_is_refused_whole(client, brands, queued, data, secret):
    before = db_state()
    assert_refused(send_x(client, data, secret=SECRETS[secret]), 403, before, queued)


@pytest.mark.parametrize(
    "data",
    [
        {"tweet_create_events": [tweet("2123616243545042945", "@acme halo")]},  # listening rules would route it
        {"tweet_delete_events": [{"status": {"id": "2123616243545042945"}}]},  # would delete in every brand
        {"data": [{**payload("x_xaa_post_mention_create.json")["data"]["payload"]}]},  # a search response
        {"data": {**xaa(X_B, "2123616243545042003", "x"), "filter": {}}},
        {"data": {**xaa(X_B, "2123616243545042003", "x"), "filter": "1587000000000000002"}},
        {"for_user_id": "@globex", "tweet_create_events": []},
        {"for_user_id": 1.5e400, "tweet_create_events": []},
        {"for_user_id": ["1587000000000000002"], "tweet_create_events": []},
        {"for_user_id": "1" * 65, "tweet_create_events": []},
        {"user_has_blocked": "false"},
    ],
    ids=range(10),
)
def test_an_x_part_that_names_no_account_is_refused_whole(client, brands, queued, data):
    before = db_state()
    response = send_x(client, data, secret=SECRETS["x_b"])
    assert response.json()["detail"].startswith("The body does not have the platform's shape")
    assert_refused(response, 400, before, queued)


@pytest.mark.parametrize(
    "data",
    [
        {"object": "user", "entry": [feed_entry(PAGE_B, "2_1", "x")]},
        {"object": ["page"], "entry": [feed_entry(PAGE_B, "2_1", "x")]},
        {"object": "page", "entry": []},
        {"object": "page", "entry": {"id": PAGE_B}},
        {"object": "page", "entry": [{"changes": []}]},
        {"object": "page", "entry": [{"id": {"id": PAGE_B}}]},
        {"object": "page", "entry": ["104523987654322"]},
        {"object": "page", "entry": [{"id": PAGE_B, "messaging": {"sender": {"id": CUSTOMER}}}]},
    ],
    ids=range(8),
)
def test_a_meta_part_that_names_no_account_is_refused_whole(client, brands, queued, data):
    before = db_state()
    assert_refused(send_meta(client, data, secret=SECRETS["m_b"]), 400, before, queued)


def test_bs_own_delivery_naming_as_mention_ids_changes_nothing_of_a(client, brands, a_comment, queued):
    """Platform ids are keys within a brand: B's signed edit, hide and removal of A's comment id stay in B."""
    a_before = brand_rows(brands.brand_a)
    edit = feed_entry(PAGE_B, "1_100", "HACKED", verb="edited", at=1795140999)
    remove = feed_entry(PAGE_B, "1_100", "", verb="remove", at=1795141000)
    hide = feed_entry(PAGE_B, "1_100", "", verb="hide", at=1795141001)
    assert send_meta(client, page_delivery(edit, remove, hide), secret=SECRETS["m_b"]).status_code == 200
    x_delete = {"for_user_id": X_B, "tweet_delete_events": [{"status": {"id": "1_100"}}]}
    assert send_x(client, x_delete, secret=SECRETS["x_b"]).status_code == 200
    assert brand_rows(brands.brand_a) == a_before


# --- unknown accounts and the processing gate --------------------------------------------------------------------


def test_an_unknown_page_is_recorded_ignored_and_counts_only_once_its_own_secret_signed(client, brands, settings):
    settings.META_APP_SECRET = "the-agency-app"
    body = raw(page_delivery(feed_entry("999000111", "9_1", "halo")))
    assert send_meta(client, None, body=body, secret="the-agency-app").json() == {"received": True}
    delivery = InboundDelivery.objects.get()
    assert (delivery.state, delivery.error) == ("ignored", "unknown account(s): facebook:999000111")
    assert not Mention.objects.exists()

    page = make_channel(brands.brand_b, platform="facebook", external_id="999000111", webhook_secret="another-app")
    inbound.retry_deliveries([delivery.pk])  # an admin added the page, with another app's secret, and retried
    delivery.refresh_from_db()
    assert (delivery.state, delivery.error) == (
        "failed",
        "refused, not signed with the account's own secret: facebook:999000111",
    )
    assert not Mention.objects.exists()

    page.webhook_secret = ""  # the page belongs to the agency's app after all: the fallback secret is its own
    page.save()
    inbound.retry_deliveries([delivery.pk])
    delivery.refresh_from_db()
    assert (delivery.state, delivery.error, delivery.channel_account) == ("processed", "", page)
    assert list(Mention.objects.values_list("brand__slug", "platform_id")) == [("globex", "9_1")]


def test_a_signature_made_by_no_secret_of_ours_is_refused_even_for_an_unknown_page(client, brands, queued):
    before = db_state()
    body = page_delivery(feed_entry("999000111", "9_1", "halo"))
    assert_refused(send_meta(client, body, secret="a-stranger's-secret"), 403, before, queued)


def test_an_account_with_its_own_secret_is_not_signed_by_the_fallback(client, brands, settings, queued):
    settings.META_APP_SECRET = "the-agency-app"
    before = db_state()
    body = page_delivery(feed_entry(PAGE_A, "1_7", "halo"))
    assert_refused(send_meta(client, body, secret="the-agency-app"), 403, before, queued)


def test_processing_routes_only_to_accounts_that_signed_what_is_stored(client, brands, monkeypatch):
    """A stored body changed afterwards (or a secret changed since) is checked again: nothing reaches brand A."""
    monkeypatch.setattr(inbound.process_delivery_task, "delay", lambda pk: None)  # stored, not processed yet
    body = raw(page_delivery(feed_entry(PAGE_B, "2_1", "halo")))
    assert send_meta(client, None, body=body, secret=SECRETS["m_b"]).status_code == 200
    delivery = InboundDelivery.objects.get()
    tampered = body.decode().replace(PAGE_B, PAGE_A)
    InboundDelivery.objects.filter(pk=delivery.pk).update(body=tampered)
    assert inbound.process_delivery(delivery.pk) == "failed"
    delivery.refresh_from_db()
    assert delivery.error == f"refused, not signed with the account's own secret: facebook:{PAGE_A}"
    assert not Mention.objects.exists()


def test_a_secret_changed_between_receipt_and_processing_fails_the_delivery(client, brands, monkeypatch):
    from brands.models import ChannelAccount

    monkeypatch.setattr(inbound.process_delivery_task, "delay", lambda pk: None)
    assert send_meta(client, page_delivery(feed_entry(PAGE_B, "2_1", "halo")), secret=SECRETS["m_b"]).status_code == 200
    ChannelAccount.objects.filter(external_id=PAGE_B).update(webhook_secret="rotated")
    delivery = InboundDelivery.objects.get()
    assert inbound.process_delivery(delivery.pk) == "failed"
    assert not Mention.objects.exists()


# --- replays -----------------------------------------------------------------------------------------------------


def test_a_replayed_delivery_changes_nothing_and_queues_nothing(client, brands, queued):
    body = raw(page_delivery(feed_entry(PAGE_A, "1_300", "saldo saya hilang")))
    assert send_meta(client, None, body=body, secret=SECRETS["m_a"]).json() == {"received": True}
    before, queued_before = db_state(), list(queued)
    for _ in range(3):
        again = send_meta(client, None, body=body, secret=SECRETS["m_a"])
        assert again.json() == {"received": True, "duplicate": True}
    assert db_state() == before
    assert queued == queued_before


def test_an_old_meta_edit_replayed_or_rebatched_never_overwrites_a_newer_one(client, brands, queued):
    versions = [
        page_delivery(feed_entry(PAGE_A, "1_400", "v0")),
        page_delivery(feed_entry(PAGE_A, "1_400", "v1", verb="edited", at=1795140900)),
        page_delivery(feed_entry(PAGE_A, "1_400", "v2", verb="edited", at=1795140950)),
    ]
    bodies = [raw(v) for v in versions]
    for body in bodies:
        assert send_meta(client, None, body=body, secret=SECRETS["m_a"]).status_code == 200
    before = db_state()
    assert send_meta(client, None, body=bodies[1], secret=SECRETS["m_a"]).json()["duplicate"] is True
    rebatched = json.dumps(versions[1], indent=1).encode()  # the platform sending the old edit in another batch
    assert send_meta(client, None, body=rebatched, secret=SECRETS["m_a"]).json() == {"received": True}
    mention = Mention.objects.get(platform_id="1_400")
    assert (mention.text, list(mention.revisions.values_list("text", flat=True))) == ("v2", ["v0", "v1"])
    after = db_state()
    assert after["mentions"] == before["mentions"]
    assert after["mention_revisions"] == before["mention_revisions"]
    assert after["tickets"] == before["tickets"]
    assert after["events"] == before["events"]


def test_an_old_x_edit_replayed_never_overwrites_a_newer_one(client, brands):
    first, second, third = "2123660107576274948", "2123661244232658949", "2123661244232658950"
    versions = [
        {"data": xaa(X_A, first, "v0")},
        {"data": xaa(X_A, second, "v1", history=[first, second])},
        {"data": xaa(X_A, third, "v2", history=[first, second, third])},
    ]
    for version in versions:
        assert send_x(client, version, secret=SECRETS["x_a"]).status_code == 200
    assert send_x(client, versions[1], secret=SECRETS["x_a"]).json()["duplicate"] is True
    assert send_x(client, None, body=json.dumps(versions[0]).encode(), secret=SECRETS["x_a"]).status_code == 200
    mention = Mention.objects.get(platform_id=first)
    assert (mention.text, list(mention.revisions.values_list("text", flat=True))) == ("v2", ["v0", "v1"])


def test_a_replayed_hide_after_an_unhide_records_nothing(client, brands, a_comment):
    hide = raw(page_delivery(feed_entry(PAGE_A, "1_100", "", verb="hide", at=1795141001)))
    unhide = page_delivery(feed_entry(PAGE_A, "1_100", "", verb="unhide", at=1795141002))
    send_meta(client, None, body=hide, secret=SECRETS["m_a"])
    send_meta(client, unhide, secret=SECRETS["m_a"])
    before = db_state()
    assert send_meta(client, None, body=hide, secret=SECRETS["m_a"]).json()["duplicate"] is True
    rebatched = json.dumps(json.loads(hide), indent=2).encode()
    assert send_meta(client, None, body=rebatched, secret=SECRETS["m_a"]).status_code == 200
    after = db_state()
    assert after["events"] == before["events"]
    kinds = list(Event.objects.filter(kind__in=["mention.hidden", "mention.unhidden"]).values_list("kind", flat=True))
    assert kinds == ["mention.hidden", "mention.unhidden"]


def test_a_replayed_delete_does_not_delete_twice(client, brands):
    create = {"data": xaa(X_A, "2123684015109074951", "halo")}
    delete = raw({"for_user_id": X_A, "tweet_delete_events": [{"status": {"id": "2123684015109074951"}}]})
    send_x(client, create, secret=SECRETS["x_a"])
    send_x(client, None, body=delete, secret=SECRETS["x_a"])
    before = db_state()
    assert send_x(client, None, body=delete, secret=SECRETS["x_a"]).json()["duplicate"] is True
    assert send_x(client, None, body=delete + b" ", secret=SECRETS["x_a"]).status_code == 200
    after = db_state()
    assert (after["mentions"], after["events"]) == (before["mentions"], before["events"])
    assert Mention.objects.get().is_deleted


# --- hostile bodies ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("post", [send_x, send_meta], ids=["x", "meta"])
@pytest.mark.parametrize("levels", [33, 100_000])
def test_deeply_nested_json_is_400_before_parsing(client, brands, queued, post, levels):
    body = b'{"a":' * levels + b"1" + b"}" * levels
    secret = SECRETS["x_a"] if post is send_x else SECRETS["m_a"]
    before = db_state()
    response = post(client, None, body=body, secret=secret)
    assert response.json() == {"detail": "The body is nested deeper than 32 levels."}
    assert_refused(response, 400, before, queued)


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (b"\xff\xfe{}", "The body is not UTF-8."),
        ('{"for_user_id": "1"}'.encode("utf-16"), "The body is not UTF-8."),
        (b'{"for_user_id": ' + b"9" * 5000 + b"}", None),
        (b'{"a": "' + b'\\"' * 1000 + b"}", None),
        (b"[" * 50_000, "The body is not JSON: its brackets do not pair up."),
    ],
    ids=["latin", "utf-16", "huge number", "unterminated string", "unpaired"],
)
def test_bodies_that_are_not_utf8_json_are_400(client, brands, queued, body, detail):
    before = db_state()
    response = send_x(client, None, body=body, secret=SECRETS["x_a"])
    if detail:
        assert response.json() == {"detail": detail}
    else:
        assert response.json()["detail"].startswith("The body is not JSON")
    assert_refused(response, 400, before, queued)


@pytest.mark.parametrize("post", [send_x, send_meta], ids=["x", "meta"])
def test_a_body_over_the_limit_is_413_even_when_signed(client, brands, queued, settings, post):
    settings.SMRC_WEBHOOK_MAX_BYTES = 2048
    body = raw(page_delivery(feed_entry(PAGE_A, "1_1", "a" * 3000)))
    secret = SECRETS["x_a"] if post is send_x else SECRETS["m_a"]
    before = db_state()
    assert_refused(post(client, None, body=body, secret=secret), 413, before, queued)


def test_a_timestamp_past_any_date_fails_the_delivery_not_the_request(client, brands):
    data = v11(X_A, {**tweet("2123616243545042945", "halo"), "timestamp_ms": "9" * 30})
    assert send_x(client, data, secret=SECRETS["x_a"]).status_code == 200
    delivery = InboundDelivery.objects.get()
    assert delivery.state == "failed"
    assert delivery.error.startswith("unreadable: OverflowError")
    assert not Mention.objects.exists()


# --- bad signatures ----------------------------------------------------------------------------------------------


def _bad_signatures():
    body = raw(page_delivery(feed_entry(PAGE_A, "1_1", "halo")))
    good = meta_signature(body, SECRETS["m_a"])
    return body, [
        ("missing", "", 401),
        ("empty hash", "sha256=", 403),
        ("sha1 scheme", "sha1=" + good[7:], 403),
        ("no scheme", good[7:], 403),
        ("other bytes", meta_signature(body + b" ", SECRETS["m_a"]), 403),
        ("other secret", meta_signature(body, "meta-c"), 403),
        ("x's scheme", x_signature(body, SECRETS["m_a"]), 403),
        ("padded", good + " ", 403),
        ("huge", good + "0" * 10_000, 403),
        ("truncated", good[:-1], 403),
    ]


@pytest.mark.parametrize(
    ("case", "signature", "status"), _bad_signatures()[1], ids=[c[0] for c in _bad_signatures()[1]]
)
def test_a_bad_signature_is_refused_and_stores_nothing(client, brands, queued, case, signature, status):
    body = _bad_signatures()[0]
    before = db_state()
    response = client.post(
        "/webhooks/meta/", data=body, content_type="application/json", HTTP_X_HUB_SIGNATURE_256=signature
    )
    assert_refused(response, status, before, queued)


def test_the_same_body_signed_right_is_accepted(client, brands, queued):
    body = _bad_signatures()[0]
    assert send_meta(client, None, body=body, secret=SECRETS["m_a"]).json() == {"received": True}
    assert Mention.objects.get().brand == brands.brand_a


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_bytes_posted_at_once_are_stored_once(brands, monkeypatch):
    from tests.channels import test_reliability as reliability

    monkeypatch.setattr(inbound.process_delivery_task, "delay", lambda pk: None)
    body = raw(page_delivery(feed_entry(PAGE_A, "1_500", "halo")))
    answers = reliability.run_together(
        *[lambda: send_meta(Client(), None, body=body, secret=SECRETS["m_a"]).json() for _ in range(4)]
    )
    assert sorted(answers, key=len) == [{"received": True}] + [{"received": True, "duplicate": True}] * 3
    assert InboundDelivery.objects.count() == 1
