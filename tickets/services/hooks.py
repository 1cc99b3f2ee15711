"""Outbound webhooks: a brand's events pushed, signed, to the URLs its supervisors subscribed (docs/api.md,
"Webhooks"; the subscriptions are brand configuration, brands.services.webhooks).

- **Outbox.** :func:`on_events` receives ``tickets.events.recorded`` inside the transaction that wrote the events
  and writes one :class:`WebhookDelivery` per event and subscription that chose it, in that same transaction: a
  rolled-back change sends nothing and a committed one loses nothing. On commit, each is queued
  (``deliver_webhook_task``, queue ``mail``, beside the other calls out); a queueing that fails (broker down)
  never fails the request, and ``sweep_webhooks_task`` picks up every delivery whose time has come.
- **Sending.** A worker claims the row (a conditional update: one sender at a time), signs ``timestamp.body``
  with the subscription's secret (HMAC-SHA256, header ``X-SMRC-Signature: t=<unix>,v1=<hex>``), POSTs it with a
  timeout and without following redirects, and logs the answer's status, its first characters and the duration.
  A 2xx is delivered; anything else is retried with exponential backoff (``RETRY_BASE_SECONDS`` × 4ⁿ) up to
  ``MAX_ATTEMPTS`` attempts, then failed.
- **Pausing.** ``SMRC_WEBHOOK_PAUSE_AFTER`` failed attempts in a row pause the subscription and notify the
  brand's supervisors; resuming it on the page sends what waited.
- **Send again** makes one new delivery of the same event (same ``event_id``, so a receiver can deduplicate);
  two clicks at once make one.
"""

import hashlib
import hmac
import json
import logging
import time
from datetime import datetime, timedelta

import requests
from celery import shared_task
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from brands.models import ConfigSource, Membership, Role, WebhookSubscription
from brands.services import webhooks
from brands.services.locks import lock_brand
from smrc.jsonlimits import keepable

from .. import events as ticket_events
from ..models import Event, Notification, WebhookDelivery

log = logging.getLogger(__name__)

#: the product's event kinds (tickets.events) → the webhook event they are sent as
KINDS = {
    "ticket.created": "ticket.created",
    "ticket.claimed": "ticket.assigned",
    "ticket.assigned": "ticket.assigned",
    "ticket.resolved": "ticket.resolved",
    "ticket.reopened": "ticket.reopened",
    "reply.submitted": "reply.submitted",
    "reply.approved": "reply.approved",
    "reply.sent": "reply.published",
    "reply.failed": "reply.failed",
    "sla.warning": "sla.warning",
    "sla.breach": "sla.breach",
}
MAX_ATTEMPTS = 6
RETRY_BASE_SECONDS = 30
#: seconds to connect, seconds to wait for the answer
TIMEOUT = (3.05, 10)
EXCERPT_CHARS = 300
#: a second "send again" of one delivery within this many seconds makes nothing new
RESEND_WINDOW = timedelta(seconds=30)
SIGNATURE_HEADER = "X-SMRC-Signature"
#: a receiver refuses a signature older (or newer) than this (the documented default)
REPLAY_WINDOW_SECONDS = 300
Status = WebhookDelivery.Status


def pause_after() -> int:
    return int(getattr(settings, "SMRC_WEBHOOK_PAUSE_AFTER", 15))


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt: 30 s, 2 min, 8 min, 32 min, 2 h 8 min."""
    return timedelta(seconds=RETRY_BASE_SECONDS * 4 ** max(attempts - 1, 0))


def sign(secret: str, timestamp: int | str, body: bytes | str) -> str:
    raw = body.encode() if isinstance(body, str) else body
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + raw, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, body: str) -> str:
    return f"t={timestamp},v1={sign(secret, timestamp, body)}"


# --- the outbox -----------------------------------------------------------------------------------------------


def payload(event: Event, kind: str) -> dict:
    actor = event.actor.get_username() if event.actor_id and event.actor else None
    return {
        "type": kind,
        "occurred_at": event.created_at,
        "brand_id": event.brand_id,
        "ticket_id": event.ticket_id,
        "reply_id": event.reply_id,
        "actor": actor,
        "data": event.data,
    }


def on_events(sender, events: list[Event], **kwargs) -> list[int]:
    """The outbox rows of ``events`` for the subscriptions that chose them, in the caller's transaction."""
    wanted = [(event, KINDS[event.kind]) for event in events if event.kind in KINDS and event.pk]
    if not wanted:
        return []
    subs = list(
        WebhookSubscription.objects.filter(
            brand_id__in={event.brand_id for event, _kind in wanted}, is_active=True, paused_at__isnull=True
        ).values_list("pk", "brand_id", "events")
    )
    if not subs:
        return []
    now = timezone.now()
    rows = []
    for event, kind in wanted:
        for sub_id, brand_id, chosen in subs:
            if brand_id == event.brand_id and kind in chosen:
                row = WebhookDelivery(subscription_id=sub_id, brand_id=brand_id, kind=kind, next_attempt_at=now)
                body = {"id": str(row.event_id), **payload(event, kind)}
                row.body = json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))
                rows.append(row)
    if not rows:
        return []
    ids = [row.pk for row in WebhookDelivery.objects.bulk_create(rows)]
    transaction.on_commit(lambda: queue(ids))
    return ids


def queue(ids: list[int]) -> None:
    """Queue deliveries after commit; a broker that is down is left to the sweep (never fails the request)."""
    for pk in ids:
        try:
            deliver_webhook_task.delay(pk)
        except Exception:  # the sweep sends it; the request that caused the event goes on
            log.warning("webhook delivery %s not queued; the sweep sends it", pk, exc_info=True)


def connect() -> None:
    ticket_events.recorded.connect(on_events, sender=Event, dispatch_uid="tickets.services.hooks")


# --- sending --------------------------------------------------------------------------------------------------


def _claim(pk: int, now: datetime) -> bool:
    due = Q(status=Status.PENDING, next_attempt_at__lte=now) | Q(status=Status.SENDING, claimed_until__lt=now)
    lease = now + timedelta(seconds=sum(TIMEOUT) * 3)
    return bool(
        WebhookDelivery.objects.filter(due, pk=pk).update(
            status=Status.SENDING, claimed_until=lease, attempts=F("attempts") + 1
        )
    )


def _post(url: str, body: str, headers: dict) -> tuple[int | None, str]:
    webhooks.check_url(url)  # resolved again: a name that now points inside is not called
    # the session connects to the addresses it checks itself, never to the name resolved once more (rebinding)
    with (
        webhooks.session() as session,
        session.post(
            url, data=body.encode(), headers=headers, timeout=TIMEOUT, allow_redirects=False, stream=True
        ) as response,
    ):
        first = next(response.iter_content(EXCERPT_CHARS * 4), b"")
        # the receiver's bytes are anyone's: a NUL in them (PostgreSQL keeps none in text) failed the log's write
        return response.status_code, keepable(first.decode("utf-8", "replace")[:EXCERPT_CHARS])


def deliver(pk: int, *, now: datetime | None = None) -> str | None:
    """Send delivery ``pk`` once if it is due and nobody else holds it; its status after, or ``None``."""
    now = now or timezone.now()
    if not _claim(pk, now):
        return None
    delivery = WebhookDelivery.objects.select_related("subscription").get(pk=pk)
    sub = delivery.subscription
    if not sub.sending:  # paused since it was queued: it waits for the resume
        WebhookDelivery.objects.filter(pk=pk).update(
            status=Status.PENDING, next_attempt_at=None, claimed_until=None, attempts=F("attempts") - 1
        )
        return Status.PENDING
    stamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "SMRC-Webhooks/1",
        "X-SMRC-Event": delivery.kind,
        "X-SMRC-Event-Id": str(delivery.event_id),
        "X-SMRC-Delivery": str(delivery.pk),
        SIGNATURE_HEADER: signature_header(sub.secret, stamp, delivery.body),
    }
    started = time.monotonic()
    try:
        code, excerpt = _post(sub.url, delivery.body, headers)
    except ValidationError as exc:
        code, excerpt = None, "; ".join(str(m) for m in exc.messages)
    except requests.RequestException as exc:
        code, excerpt = None, type(exc).__name__
    duration = int((time.monotonic() - started) * 1000)
    ok = code is not None and 200 <= code < 300
    return _finish(delivery, ok=ok, code=code, excerpt=excerpt, duration=duration)


def _finish(delivery: WebhookDelivery, *, ok: bool, code, excerpt: str, duration: int) -> str:
    now = timezone.now()
    attempts = delivery.attempts
    if ok:
        status, next_at, finished = Status.DELIVERED, None, now
    elif attempts >= MAX_ATTEMPTS:
        status, next_at, finished = Status.FAILED, None, now
    else:
        status, next_at, finished = Status.PENDING, now + backoff(attempts), None
    with transaction.atomic():
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=status,
            next_attempt_at=next_at,
            finished_at=finished,
            claimed_until=None,
            response_status=code,
            response_excerpt=excerpt[:EXCERPT_CHARS],
            duration_ms=duration,
        )
        subs = WebhookSubscription.objects.filter(pk=delivery.subscription_id)
        if ok:
            subs.exclude(consecutive_failures=0).update(consecutive_failures=0)
        else:
            subs.update(consecutive_failures=F("consecutive_failures") + 1)
            failures = subs.values_list("consecutive_failures", flat=True).first() or 0
            if failures >= pause_after():
                reason = _("%(n)d failed deliveries in a row") % {"n": failures}
                if webhooks.pause_automatically(delivery.subscription_id, reason=reason):
                    _notify_paused(delivery.subscription, reason=reason, now=now)
    return status


def _notify_paused(sub: WebhookSubscription, *, reason: str, now: datetime) -> None:
    supervisors = Membership.objects.filter(brand_id=sub.brand_id, role=Role.SUPERVISOR, user__is_active=True)
    Notification.objects.bulk_create(
        Notification(
            user_id=user_id,
            brand_id=sub.brand_id,
            kind=Notification.Kind.WEBHOOK_PAUSED,
            data={"reason": f"{sub.name}: {reason}", "webhook_id": sub.pk},
            created_at=now,
        )
        for user_id in supervisors.values_list("user_id", flat=True)
    )


def resume(*, sub: WebhookSubscription, user, source: str = ConfigSource.PAGE) -> WebhookSubscription:
    """Resume a paused subscription (by hand or after an automatic pause) and send what waited."""
    with transaction.atomic():
        current = webhooks.set_active(sub=sub, active=True, user=user, source=source)
        held = WebhookDelivery.objects.filter(subscription=current, status=Status.PENDING, next_attempt_at=None)
        ids = list(held.values_list("pk", flat=True))
        held.update(next_attempt_at=timezone.now())
        transaction.on_commit(lambda: queue(ids))
    return current


def send_again(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """One new delivery of ``delivery``'s event. A second call for it while the first is recent or waiting
    answers that one: two clicks at once send once."""
    with transaction.atomic():
        lock_brand(delivery.brand_id)
        sub = WebhookSubscription.objects.get(pk=delivery.subscription_id)
        if not sub.sending:
            raise ValidationError(_("Resume this webhook to send again."))
        now = timezone.now()
        recent = (
            WebhookDelivery.objects.filter(resent_from_id=delivery.pk)
            .filter(Q(created_at__gte=now - RESEND_WINDOW) | Q(status__in=[Status.PENDING, Status.SENDING]))
            .order_by("-pk")
            .first()
        )
        if recent is not None:
            return recent
        again = WebhookDelivery.objects.create(
            subscription_id=delivery.subscription_id,
            brand_id=delivery.brand_id,
            event_id=delivery.event_id,
            kind=delivery.kind,
            body=delivery.body,
            next_attempt_at=now,
            resent_from_id=delivery.pk,
            created_at=now,
        )
        transaction.on_commit(lambda: queue([again.pk]))
    return again


def deliveries_of(sub: WebhookSubscription, limit: int = 50) -> list[WebhookDelivery]:
    return list(WebhookDelivery.objects.filter(subscription=sub).order_by("-created_at", "-pk")[:limit])


def delivery_log(sub: WebhookSubscription):
    """Every delivery of ``sub`` (the API pages through it, newest first, by id)."""
    return WebhookDelivery.objects.filter(subscription=sub)


def get_delivery(sub: WebhookSubscription, pk: int) -> WebhookDelivery:
    return WebhookDelivery.objects.get(subscription=sub, pk=pk)


def sweep(*, now: datetime | None = None, limit: int = 500) -> int:
    """Queue the deliveries whose time has come (retries, and any whose queueing was lost)."""
    now = now or timezone.now()
    due = Q(status=Status.PENDING, next_attempt_at__lte=now) | Q(status=Status.SENDING, claimed_until__lt=now)
    ids = list(WebhookDelivery.objects.filter(due).order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
    queue(ids)
    return len(ids)


@shared_task(name="tickets.tasks.deliver_webhook_task")
def deliver_webhook_task(delivery_id: int) -> str | None:
    """Send one webhook delivery once (its retries are queued by the sweep when their time comes)."""
    return deliver(delivery_id)


@shared_task(name="tickets.tasks.sweep_webhooks_task")
def sweep_webhooks_task() -> int:
    return sweep()
