"""Numbers a platform (or whoever speaks for it) sends in headers and timestamps: read as ASCII digits within a
range, never with ``str.isdigit()`` (``"²".isdigit()`` is true and ``int("²")`` raises), and a wait the platform
announces is bounded before any clock arithmetic (a reset of 10^30 seconds overflowed ``timedelta``).

Each bad value leaves the reply deferred for a bounded time (a rate limit stays a rate limit: nothing fails,
nothing crashes), the webhook answers 4xx (never 500), and a delivery's item keeps its other fields.
"""

import hashlib
import hmac
import json
import math
from datetime import timedelta

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from tests.factories import make_channel
from tests.publishing.fake_platform import payload
from tests.publishing.test_publishing import TARGETS, answered_ticket, submit
from tickets.channels.base import ChannelError
from tickets.models import DeliveryAttempt, InboundDelivery, Mention, ReplyStatus
from tickets.services import delivery

pytestmark = pytest.mark.django_db

#: what a header or a timestamp may hold instead of a number
MAX_RETRY_AFTER = 24 * 3600
NOT_NUMBERS = ["²", "١٢٣", "12³", "1e999", "nan", "inf", "-5", "0x10", ""]
#: digits, but no moment a platform means (a reset in 300 billion years), and more digits than any id
HUGE = ["9" * 19]
TOO_LONG = ["9" * 30, "9" * 400]


def test_a_wait_is_always_a_finite_number_of_seconds_within_a_day():
    for given, kept in [(float("inf"), MAX_RETRY_AFTER), (float("nan"), None), (-3.0, 0.0), (1e30, MAX_RETRY_AFTER)]:
        error = ChannelError("x", permanent=False, retry_after=given)
        assert error.retry_after == kept
    assert MAX_RETRY_AFTER == 24 * 3600


@pytest.mark.parametrize("reset", [v for v in NOT_NUMBERS if v.isascii() or v == "²"] + HUGE + TOO_LONG)
def test_an_x_rate_limit_reset_that_is_no_number_still_defers_the_reply_for_a_bounded_time(cast, fake_platform, reset):
    ticket = answered_ticket(cast, fake_platform, "x")
    error = payload("x_v2_error_429_rate_limited.json")["response"]
    fake_platform.script("POST", "/x/2/tweets", 429, error["body"], {"x-rate-limit-reset": reset})
    reply = submit(ticket, cast.operator)
    now = timezone.now()
    deferred = delivery.deliver_reply(reply_id=reply.pk, now=now)
    assert deferred.status == ReplyStatus.APPROVED
    wait = (deferred.retry_at - now).total_seconds()
    assert wait == (MAX_RETRY_AFTER if reset in HUGE else 60), reset
    attempt = DeliveryAttempt.objects.get(reply=reply)
    assert (attempt.outcome, attempt.error) == ("deferred", "rate limited (429): Too Many Requests")


@pytest.mark.parametrize(
    ("regain", "minutes"), [("inf", 24 * 60), ("1e308", 24 * 60), ("nan", 1), ("²", 1), (-5, 1), ("abc", 1)]
)
def test_a_meta_regain_time_that_is_no_number_still_defers_the_reply_for_a_bounded_time(
    cast, fake_platform, regain, minutes
):
    ticket = answered_ticket(cast, fake_platform, "facebook")
    error = payload("fb_graph_error_rate_limited.json")["response"]
    usage = {"104": [{"type": "pages", "estimated_time_to_regain_access": regain}]}
    fake_platform.script(
        "POST", TARGETS["facebook"][4], error["status"], error["body"], {"x-business-use-case-usage": json.dumps(usage)}
    )
    reply = submit(ticket, cast.operator)
    now = timezone.now()
    deferred = delivery.deliver_reply(reply_id=reply.pk, now=now)
    assert deferred.status == ReplyStatus.APPROVED
    assert deferred.retry_at == now + timedelta(minutes=minutes)


# --- webhooks ----------------------------------------------------------------------------------------------------

SECRET = "meta-app-secret"
PAGE = "104523987654321"


def signed_meta(client, body: bytes, **extra):
    signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    with override_settings(META_APP_SECRET=SECRET):
        return client.post(
            "/webhooks/meta/", data=body, content_type="application/json", HTTP_X_HUB_SIGNATURE_256=signature, **extra
        )


@pytest.mark.parametrize("length", ["²", "1²", "٣", "-1", "1e3", "0x10", " 12"])
@pytest.mark.parametrize("path", ["/webhooks/meta/", "/webhooks/x/", "/api/v1/mentions/", "/login/"])
def test_a_content_length_that_is_no_number_is_a_400_on_every_path(cast, path, length):
    """Django's ``request.body`` raises ``ValueError`` on such a length: a 500 wherever a body is read."""
    make_channel(cast.brand_a, platform="facebook", external_id=PAGE)
    client = Client()
    if path.startswith("/api/"):
        client.force_login(cast.supervisor)
    response = client.post(path, data=b"{}", content_type="application/json", CONTENT_LENGTH=length)
    assert response.status_code == 400
    assert response.content == b"The Content-Length header is not a number."
    assert not InboundDelivery.objects.exists()


@pytest.mark.parametrize("stamp", NOT_NUMBERS)
def test_a_meta_timestamp_that_is_no_number_keeps_the_comment(cast, stamp):
    make_channel(cast.brand_a, platform="facebook", external_id=PAGE)
    change = {
        "item": "comment",
        "verb": "add",
        "post_id": f"{PAGE}_1",
        "comment_id": f"{PAGE}_1_2",
        "from": {"id": "8899001122334455", "name": "Agus"},
        "message": "halo",
        "created_time": stamp,
    }
    entry = {"id": PAGE, "time": stamp, "changes": [{"field": "feed", "value": change}]}
    before = timezone.now()
    response = signed_meta(Client(), json.dumps({"object": "page", "entry": [entry]}).encode())
    assert response.status_code == 200
    delivery_row = InboundDelivery.objects.get()
    assert delivery_row.state == "processed", delivery_row.error
    mention = Mention.objects.get()
    assert mention.text == "halo"
    assert before <= mention.posted_at <= timezone.now()  # no time given that we can read: when it came


@pytest.mark.parametrize("stamp", NOT_NUMBERS)
def test_an_x_timestamp_that_is_no_number_falls_back_to_created_at(cast, stamp):
    from tests.helpers import deliver_signed

    make_channel(cast.brand_a, platform="x", external_id="777")
    tweet = {
        "id_str": "1001",
        "text": "halo",
        "timestamp_ms": stamp,
        "created_at": "Mon Mar 03 09:00:00 +0000 2025",
        "user": {"id_str": "42", "screen_name": "budi"},
    }
    row = deliver_signed("x", {"for_user_id": "777", "tweet_create_events": [tweet]})
    row.refresh_from_db()
    assert row.state == "processed", row.error
    assert Mention.objects.get().posted_at.isoformat() == "2025-03-03T09:00:00+00:00"
    assert math.isfinite(Mention.objects.get().posted_at.timestamp())
