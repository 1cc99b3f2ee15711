"""A brand's webhook subscriptions: where its events are pushed (docs/api.md, "Webhooks").

Every change is one transaction under the brand's row lock with its audit record (the secret only as set or
changed). Sending lives in ``tickets.services.hooks``; this module only keeps the configuration and checks that
an address is one the server may call: ``https`` on a public address, unless ``SMRC_WEBHOOKS_ALLOW_PRIVATE`` (for
development) lets ``http`` and private, loopback and link-local addresses through. The address is checked again
before each delivery, so a name that later resolves to a private address is not called either.
"""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import (
    MAX_WEBHOOK_URL,
    MAX_WEBHOOKS_PER_BRAND,
    WEBHOOK_EVENTS,
    Brand,
    ConfigArea,
    ConfigSource,
    WebhookSubscription,
    new_webhook_secret,
)
from . import audit
from .locks import lock_brand

EVENT_NAMES = frozenset(name for name, _label in WEBHOOK_EVENTS)
FIELDS = ("name", "url", "events", "is_active", "secret")


def allow_private() -> bool:
    return bool(getattr(settings, "SMRC_WEBHOOKS_ALLOW_PRIVATE", False))


def resolve(host: str) -> list[str]:
    """The addresses ``host`` resolves to (a seam the tests replace; no network in them)."""
    return sorted({info[4][0] for info in socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)})


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check_url(url: str, *, resolve_host: bool = True) -> str:
    """The URL, stripped, when the server may call it; ValidationError otherwise."""
    url = (url or "").strip()
    if not url or len(url) > MAX_WEBHOOK_URL or any(ord(c) < 33 or ord(c) == 127 for c in url):
        raise ValidationError(_("Enter a URL of at most %(max)d characters.") % {"max": MAX_WEBHOOK_URL})
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise ValidationError(_("This is not a valid URL.")) from None
    schemes = {"https", "http"} if allow_private() else {"https"}
    if parts.scheme not in schemes:
        raise ValidationError(_("The URL must start with https://."))
    if not parts.hostname or parts.username or parts.password or "@" in parts.netloc:
        raise ValidationError(_("The URL needs a host name and no user name or password."))
    if port is not None and not 0 < port < 65536:
        raise ValidationError(_("This is not a valid URL."))
    if allow_private() or not resolve_host:
        return url
    try:
        addresses = resolve(parts.hostname)
    except (OSError, UnicodeError):
        raise ValidationError(_("This host name does not resolve.")) from None
    if not addresses or not all(_public(a) for a in addresses):
        raise ValidationError(_("The URL must point to a public address."))
    return url


def check_events(events) -> list[str]:
    chosen = list(dict.fromkeys(str(e) for e in (events or ())))
    if not chosen or any(e not in EVENT_NAMES for e in chosen):
        raise ValidationError(_("Choose one or more events."))
    return [name for name, _label in WEBHOOK_EVENTS if name in chosen]


def subscriptions_of(brand: Brand):
    return WebhookSubscription.objects.filter(brand=brand).order_by("name", "pk")


def get_subscription(brand: Brand, pk: int) -> WebhookSubscription:
    """The brand's subscription ``pk``; another brand's is not found (``DoesNotExist``)."""
    return WebhookSubscription.objects.get(brand=brand, pk=pk)


def _record(sub: WebhookSubscription, kind: str, before: dict, after: dict, user, source: str) -> None:
    audit.record(
        brand=sub.brand_id,
        user=user,
        source=source,
        area=ConfigArea.WEBHOOKS,
        kind=f"webhook.{kind}",
        before=before,
        after=after,
        obj=sub,
    )


def create(*, brand: Brand, name: str, url: str, events, user=None, source: str = ConfigSource.PAGE):
    """A new subscription, sending at once. Its secret is on the returned object: show it this once."""
    url, events = check_url(url), check_events(events)
    with transaction.atomic():
        lock_brand(brand.pk)
        if WebhookSubscription.objects.filter(brand=brand).count() >= MAX_WEBHOOKS_PER_BRAND:
            raise ValidationError(_("A brand has at most %(max)d webhooks.") % {"max": MAX_WEBHOOKS_PER_BRAND})
        if WebhookSubscription.objects.filter(brand=brand, name=name).exists():
            raise ValidationError(_("A webhook with this name exists already."))
        sub = WebhookSubscription.objects.create(brand=brand, name=name, url=url, events=events)
        _record(sub, "created", {}, audit.values_of(sub, FIELDS), user, source)
    return sub


def update(*, sub: WebhookSubscription, name: str, url: str, events, user=None, source: str = ConfigSource.PAGE):
    url, events = check_url(url), check_events(events)
    with transaction.atomic():
        lock_brand(sub.brand_id)
        current = WebhookSubscription.objects.get(pk=sub.pk)
        if WebhookSubscription.objects.filter(brand_id=sub.brand_id, name=name).exclude(pk=sub.pk).exists():
            raise ValidationError(_("A webhook with this name exists already."))
        before = audit.values_of(current, FIELDS)
        current.name, current.url, current.events = name, url, events
        current.save(update_fields=["name", "url", "events"])
        _record(current, "updated", before, audit.values_of(current, FIELDS), user, source)
    return current


def rotate_secret(*, sub: WebhookSubscription, user=None, source: str = ConfigSource.PAGE) -> WebhookSubscription:
    """A new secret from now on; the returned object carries it: show it this once."""
    with transaction.atomic():
        lock_brand(sub.brand_id)
        current = WebhookSubscription.objects.get(pk=sub.pk)
        before = audit.values_of(current, FIELDS)
        current.secret = new_webhook_secret()
        current.save(update_fields=["secret"])
        _record(current, "updated", before, audit.values_of(current, FIELDS), user, source)
    return current


def set_active(
    *, sub: WebhookSubscription, active: bool, user=None, source: str = ConfigSource.PAGE
) -> WebhookSubscription:
    """Pause (``False``) or resume (``True``) by hand. Resuming also lifts an automatic pause and starts the
    failure count again."""
    with transaction.atomic():
        lock_brand(sub.brand_id)
        current = WebhookSubscription.objects.get(pk=sub.pk)
        before = audit.values_of(current, FIELDS)
        current.is_active = active
        if active:
            current.paused_at, current.pause_reason, current.consecutive_failures = None, "", 0
        current.save(update_fields=["is_active", "paused_at", "pause_reason", "consecutive_failures"])
        after = audit.values_of(current, FIELDS)
        if before == after and active and sub.paused_at is not None:
            before["is_active"] = False  # lifting an automatic pause is a change too
        _record(current, "resumed" if active else "paused", before, after, user, source)
    return current


def delete(*, sub: WebhookSubscription, user=None, source: str = ConfigSource.PAGE) -> None:
    with transaction.atomic():
        lock_brand(sub.brand_id)
        current = WebhookSubscription.objects.filter(pk=sub.pk).first()
        if current is None:
            return
        _record(current, "deleted", audit.values_of(current, FIELDS), {}, user, source)
        current.delete()


def pause_automatically(sub_id: int, *, reason: str) -> bool:
    """Pause a subscription that keeps failing; ``True`` when this call paused it (only one caller does)."""
    return bool(
        WebhookSubscription.objects.filter(pk=sub_id, paused_at__isnull=True).update(
            paused_at=timezone.now(), pause_reason=reason[:200]
        )
    )
