"""Publishing through the platform adapters against a local fake platform server: success, rate limits, permanent
errors, expired tokens, and a worker stopped between the platform call and saving the state (one post only)."""

import logging
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from brands.models import ChannelAccount
from tests.factories import make_channel, make_ticket
from tests.helpers import db_state
from tests.publishing.fake_platform import payload
from tickets.models import DeliveryAttempt, Notification, ReplyStatus, TicketStatus
from tickets.services import delivery, replies, workflow
from tickets.services.workflow import WorkflowError

TOKEN = "tok-SECRET-never-logged"

#: platform, mention kind, the customer's item id, parent id, the POST path the fake server must see
TARGETS = {
    "x": ("x", "post", "2123616243545042945", "", "/x/2/tweets"),
    "facebook": ("facebook", "comment", "1221876_1187456392011845", "", "/graph/1221876_1187456392011845/comments"),
    "instagram": ("instagram", "comment", "17912345678901234", "", "/graph/17912345678901234/replies"),
    "youtube": ("youtube", "comment", "Ugy8pQ2mZc5Vn0LrT3k4AaABAg", "", "/yt/comments"),
}


def answered_ticket(cast, fake, name: str = "x", *, now=None, kind=None, platform_id=None):
    platform, default_kind, item_id, parent, _path = TARGETS[name] if name in TARGETS else TARGETS["facebook"]
    account = make_channel(
        cast.brand_a, platform=platform, external_id=f"acct-{platform}", access_token=TOKEN, handle="acme"
    )
    fake.page_id, fake.page_handle, fake.youtube_channel = account.external_id, "acme", account.external_id
    ticket = make_ticket(
        cast.brand_a,
        platform=platform,
        platform_id=platform_id or item_id,
        kind=kind or default_kind,
        channel_account_id=account.pk,
        now=now,
        conversation_id=item_id,
    )
    return workflow.claim_ticket(ticket=ticket, user=cast.operator, now=now)


def submit(ticket, user, body="Halo Kak, mohon maaf 🙏 boleh DM nomor pesanan & lokasi?", now=None):
    return replies.submit_reply(ticket=ticket, user=user, body=body, now=now)


@pytest.mark.parametrize("name", ["x", "facebook", "instagram", "youtube"])
def test_an_approved_reply_is_published_once_with_the_platform_id(cast, fake_platform, name, caplog):
    caplog.set_level(logging.DEBUG)
    ticket = answered_ticket(cast, fake_platform, name)
    reply = submit(ticket, cast.operator)
    assert reply.delivery_channel == TARGETS[name][0]

    sent = delivery.deliver_reply(reply_id=reply.pk)

    (post,) = fake_platform.posts()
    assert post.path == TARGETS[name][4].split("?")[0]
    assert post.headers["Authorization"] == f"Bearer {TOKEN}"
    if name == "x":
        assert post.body == {"text": reply.body, "reply": {"in_reply_to_tweet_id": "2123616243545042945"}}
    elif name == "youtube":
        assert post.query == {"part": ["snippet"]}
        assert post.body == {"snippet": {"parentId": "Ugy8pQ2mZc5Vn0LrT3k4AaABAg", "textOriginal": reply.body}}
    else:
        assert post.body == {"message": reply.body}
    assert (sent.status, sent.platform_reply_id) == (ReplyStatus.SENT, fake_platform.published[0]["id"])
    sent.ticket.refresh_from_db()
    assert sent.ticket.first_response_at == sent.sent_at
    assert sent.ticket.status == TicketStatus.PENDING
    assert TOKEN not in caplog.text
    attempt = DeliveryAttempt.objects.get(reply=reply)
    assert (attempt.outcome, attempt.platform_reply_id) == ("succeeded", sent.platform_reply_id)
    assert TOKEN not in str(attempt.payload)


def test_a_messenger_reply_inside_the_window_is_sent_to_the_customer(cast, fake_platform):
    ticket = answered_ticket(cast, fake_platform, "messenger", kind="dm", platform_id="m_abc")
    reply = submit(ticket, cast.operator, body="Baik Kak, sudah kami terima.")
    sent = delivery.deliver_reply(reply_id=reply.pk)
    (post,) = fake_platform.posts()
    assert post.path == "/graph/me/messages"
    assert post.body == {
        "recipient": {"id": "u-1"},
        "messaging_type": "RESPONSE",
        "message": {"text": "Baik Kak, sudah kami terima."},
    }
    assert (sent.status, sent.platform_reply_id) == (ReplyStatus.SENT, "m_fake1")


def test_a_messenger_reply_outside_the_24_hour_window_fails_without_a_call(cast, fake_platform):
    long_ago = timezone.now() - timedelta(hours=25)
    ticket = answered_ticket(cast, fake_platform, "messenger", kind="dm", platform_id="m_old", now=long_ago)
    reply = submit(ticket, cast.operator, body="Maaf baru sempat membalas")
    failed = delivery.deliver_reply(reply_id=reply.pk)
    assert failed.status == ReplyStatus.FAILED
    assert failed.failure_reason.startswith("outside Messenger's 24-hour window")
    assert fake_platform.requests == []


def test_a_429_waits_for_the_announced_reset_then_publishes(cast, fake_platform):
    ticket = answered_ticket(cast, fake_platform, "x")
    error = payload("x_v2_error_429_rate_limited.json")["response"]
    reset = int(time.time()) + 2
    fake_platform.script("POST", "/x/2/tweets", 429, error["body"], {"x-rate-limit-reset": str(reset)})
    reply = submit(ticket, cast.operator)
    now = timezone.now()

    deferred = delivery.deliver_reply(reply_id=reply.pk, now=now)

    assert deferred.status == ReplyStatus.APPROVED
    assert 1 <= (deferred.retry_at - now).total_seconds() <= 3
    attempt = DeliveryAttempt.objects.get(reply=reply)
    assert (attempt.outcome, attempt.error) == ("deferred", "rate limited (429): Too Many Requests")
    # not before the reset: neither the task nor the sweep publishes it
    assert delivery.deliver_reply(reply_id=reply.pk, now=now) is None
    assert delivery.approved_replies_waiting(older_than=timedelta(minutes=1), now=now) == []
    assert len(fake_platform.posts()) == 1

    later = deferred.retry_at
    assert delivery.approved_replies_waiting(older_than=timedelta(minutes=1), now=later) == [reply.pk]
    sent = delivery.deliver_reply(reply_id=reply.pk, now=later)
    assert sent.status == ReplyStatus.SENT
    assert len(fake_platform.posts()) == 2
    assert list(reply.attempts.order_by("pk").values_list("outcome", flat=True)) == ["deferred", "succeeded"]


def test_the_task_retries_itself_at_the_reset(cast, fake_platform, monkeypatch):
    ticket = answered_ticket(cast, fake_platform, "x")
    reset = int(time.time()) + 2
    fake_platform.script("POST", "/x/2/tweets", 429, {"title": "Too Many Requests"}, {"x-rate-limit-reset": str(reset)})
    reply = submit(ticket, cast.operator)
    asked = {}

    class Retry(Exception):
        pass

    def retry(countdown):
        asked["countdown"] = countdown
        return Retry()

    monkeypatch.setattr(delivery.deliver_reply_task, "retry", retry)
    delivery.deliver_reply_task.push_request(is_eager=False, called_directly=False)
    try:
        with pytest.raises(Retry):
            delivery.deliver_reply_task.run(reply.pk)
    finally:
        delivery.deliver_reply_task.pop_request()
    assert 1 <= asked["countdown"] <= 3


@pytest.mark.parametrize(
    ("name", "fixture", "reason"),
    [
        ("x", "x_v2_error_403_duplicate_content.json", "duplicate content: You are not allowed"),
        ("x", "x_v2_error_403_reply_not_allowed.json", "reply not allowed: Reply to this conversation"),
        ("youtube", "yt_error_403_commentsDisabled.json", "commentsDisabled: The video identified by the videoId"),
        ("youtube", "yt_error_400_operationNotSupported.json", "operationNotSupported: The API user"),
    ],
)
def test_a_permanent_error_fails_with_the_platforms_reason_and_tells_the_author(
    cast, fake_platform, name, fixture, reason
):
    ticket = answered_ticket(cast, fake_platform, name)
    error = payload(fixture)["response"]
    fake_platform.script("POST", TARGETS[name][4], error["status"], error["body"])
    reply = submit(ticket, cast.operator)

    failed = delivery.deliver_reply(reply_id=reply.pk)

    assert failed.status == ReplyStatus.FAILED
    assert failed.failure_reason.startswith(reason)
    assert len(fake_platform.posts()) == 1
    notice = Notification.objects.get(kind="reply.failed")
    assert (notice.user, notice.ticket_id, notice.data["reply_id"]) == (cast.operator, ticket.pk, reply.pk)
    # the operator retries: failed → approved → published (the platform accepts it this time)
    retried = replies.retry_reply(reply=failed, user=cast.operator)
    assert retried.status == ReplyStatus.APPROVED
    assert delivery.deliver_reply(reply_id=reply.pk).status == ReplyStatus.SENT
    assert len(fake_platform.posts()) == 2


def test_an_expired_token_fails_the_reply_and_marks_the_account(cast, fake_platform):
    ticket = answered_ticket(cast, fake_platform, "facebook")
    error = payload("fb_graph_error_token_expired.json")["response"]
    fake_platform.script("POST", TARGETS["facebook"][4], error["status"], error["body"])
    reply = submit(ticket, cast.operator)

    failed = delivery.deliver_reply(reply_id=reply.pk)

    assert failed.status == ReplyStatus.FAILED
    assert failed.failure_reason.startswith("credentials refused (400, code 190): Error validating access token")
    account = ChannelAccount.objects.get(pk=ticket.channel_account_id)
    assert account.status == ChannelAccount.Status.NEEDS_ATTENTION
    assert account.status_detail == failed.failure_reason


def test_meta_throttling_waits_for_the_regain_time(cast, fake_platform):
    ticket = answered_ticket(cast, fake_platform, "facebook")
    error = payload("fb_graph_error_rate_limited.json")["response"]
    headers = {"x-business-use-case-usage": error["headers"]["x-business-use-case-usage"]}
    fake_platform.script("POST", TARGETS["facebook"][4], error["status"], error["body"], headers)
    reply = submit(ticket, cast.operator)
    now = timezone.now()
    deferred = delivery.deliver_reply(reply_id=reply.pk, now=now)
    assert deferred.status == ReplyStatus.APPROVED
    assert deferred.retry_at == now + timedelta(minutes=12)


def test_a_quota_error_waits_until_the_daily_reset(cast, fake_platform):
    ticket = answered_ticket(cast, fake_platform, "youtube")
    error = payload("yt_error_403_quotaExceeded.json")["response"]
    fake_platform.script("POST", "/yt/comments", error["status"], error["body"])
    reply = submit(ticket, cast.operator)
    now = timezone.now()
    deferred = delivery.deliver_reply(reply_id=reply.pk, now=now)
    assert deferred.status == ReplyStatus.APPROVED
    assert deferred.retry_at > now + timedelta(seconds=59)


@pytest.mark.parametrize("name", ["x", "facebook", "instagram", "youtube"])
def test_a_worker_stopped_after_the_platform_call_never_posts_twice(cast, fake_platform, name, monkeypatch):
    ticket = answered_ticket(cast, fake_platform, name)
    reply = submit(ticket, cast.operator)
    real_mark_sent = delivery._mark_sent

    def killed(*args, **kwargs):
        raise SystemExit("worker killed")  # after the platform answered, before the state was saved

    monkeypatch.setattr(delivery, "_mark_sent", killed)
    t0 = timezone.now()
    with pytest.raises(SystemExit):
        delivery.deliver_reply(reply_id=reply.pk, now=t0)
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.SENDING
    assert len(fake_platform.posts()) == 1
    monkeypatch.setattr(delivery, "_mark_sent", real_mark_sent)

    # too fresh to be taken over: a live worker may still be on it
    assert delivery.recover_stale_replies(older_than=timedelta(minutes=5), now=t0 + timedelta(minutes=1)) == []
    later = t0 + timedelta(minutes=6)
    assert delivery.recover_stale_replies(older_than=timedelta(minutes=5), now=later) == [reply.pk]
    assert delivery.recover_stale_replies(older_than=timedelta(minutes=5), now=later) == []  # taken once
    sent = delivery.deliver_reply(reply_id=reply.pk, now=later)

    assert len(fake_platform.posts()) == 1
    assert [r.method for r in fake_platform.requests] == ["POST", "GET"]
    assert (sent.status, sent.platform_reply_id) == (ReplyStatus.SENT, fake_platform.published[0]["id"])
    assert list(reply.attempts.order_by("pk").values_list("outcome", flat=True)) == ["unknown", "succeeded"]
    assert sent.ticket.first_response_at == later
    assert reply.events.filter(kind="reply.recovered", data__found=True).count() == 1


def test_a_worker_stopped_before_the_platform_call_posts_once_after_the_lookup(cast, fake_platform, monkeypatch):
    ticket = answered_ticket(cast, fake_platform, "x")
    reply = submit(ticket, cast.operator)
    t0 = timezone.now()
    type(reply).objects.filter(pk=reply.pk).update(status=ReplyStatus.SENDING, sending_started_at=t0)
    DeliveryAttempt.objects.create(reply=reply, channel="x", started_at=t0)

    with pytest.MonkeyPatch.context() as m:
        m.setattr("django.conf.settings.SMRC_SENDING_STALE_SECONDS", 0)
        assert delivery.sweep_replies_task() == 1  # eager: recovered, looked up (not there), posted

    reply.refresh_from_db()
    assert reply.status == ReplyStatus.SENT
    assert [r.method for r in fake_platform.requests] == ["GET", "POST"]


def test_a_5xx_after_publishing_is_looked_up_and_not_posted_again(cast, fake_platform):
    ticket = answered_ticket(cast, fake_platform, "x")
    fake_platform.script("POST", "/x/2/tweets", 503, {"title": "Service Unavailable"}, publish_first=True)
    reply = submit(ticket, cast.operator)
    now = timezone.now()

    deferred = delivery.deliver_reply(reply_id=reply.pk, now=now)
    assert deferred.status == ReplyStatus.APPROVED
    assert deferred.retry_at == now + timedelta(seconds=30)
    sent = delivery.deliver_reply(reply_id=reply.pk, now=deferred.retry_at)

    assert sent.status == ReplyStatus.SENT
    assert len(fake_platform.posts()) == 1
    assert sent.platform_reply_id == fake_platform.published[0]["id"]


def test_a_messenger_reply_of_unknown_outcome_is_left_for_a_person(cast, fake_platform):
    ticket = answered_ticket(cast, fake_platform, "messenger", kind="dm", platform_id="m_abc")
    fake_platform.script("POST", "/graph/me/messages", 502, {}, publish_first=False)
    reply = submit(ticket, cast.operator)
    now = timezone.now()
    deferred = delivery.deliver_reply(reply_id=reply.pk, now=now)
    failed = delivery.deliver_reply(reply_id=reply.pk, now=deferred.retry_at)
    assert failed.status == ReplyStatus.FAILED
    assert "cannot be looked up" in failed.failure_reason
    assert len(fake_platform.posts()) == 1


def test_transient_errors_back_off_exponentially_then_give_up(cast, fake_platform, settings):
    settings.SMRC_PUBLISH_MAX_TRIES = 3
    ticket = answered_ticket(cast, fake_platform, "youtube")
    for _ in range(3):
        fake_platform.script("POST", "/yt/comments", 429, {"error": {"message": "slow down"}})
    reply = submit(ticket, cast.operator)
    now = timezone.now()
    waits = []
    for _ in range(2):
        reply = delivery.deliver_reply(reply_id=reply.pk, now=now)
        waits.append((reply.retry_at - now).total_seconds())
        now = reply.retry_at
    assert reply.status == ReplyStatus.APPROVED
    failed = delivery.deliver_reply(reply_id=reply.pk, now=now)
    assert failed.status == ReplyStatus.FAILED
    assert failed.failure_reason.startswith("Gave up after 3 tries: rate limited (429)")
    assert waits == [60.0, 60.0]  # 429 without a reset header: X's rule, a minute


def test_a_ticket_without_an_account_token_is_recorded_by_the_console(cast, fake_platform):
    ticket = workflow.claim_ticket(ticket=make_ticket(cast.brand_a), user=cast.operator)
    reply = submit(ticket, cast.operator)
    assert reply.delivery_channel == "console"
    assert delivery.deliver_reply(reply_id=reply.pk).status == ReplyStatus.SENT
    assert fake_platform.requests == []


@pytest.mark.parametrize(
    ("body", "message"),
    [("   ", "A reply cannot be empty."), ("x" * 8001, "A reply can be at most 8000 characters.")],
)
def test_bad_replies_change_nothing_and_send_nothing(cast, fake_platform, body, message):
    ticket = answered_ticket(cast, fake_platform, "facebook")
    before = db_state()
    with pytest.raises(WorkflowError) as exc:
        submit(ticket, cast.operator, body=body)
    assert str(exc.value) == message
    assert db_state() == before
    assert delivery.sweep_replies_task() == 0
    assert fake_platform.requests == []


def test_a_reply_on_a_resolved_ticket_is_refused_and_nothing_is_sent(cast, fake_platform):
    ticket = answered_ticket(cast, fake_platform, "x")
    workflow.resolve_ticket(ticket=ticket, user=cast.operator)
    before = db_state()
    with pytest.raises(WorkflowError) as exc:
        submit(ticket, cast.operator)
    assert str(exc.value) == "A Resolved ticket cannot be answered; reopen it first."
    assert db_state() == before
    assert fake_platform.requests == []
