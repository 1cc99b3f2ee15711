"""A brand's webhook subscriptions: where its events are pushed (docs/api.md, "Webhooks").

Every change is one transaction under the brand's row lock with its audit record (the secret only as set or
changed). Sending lives in ``tickets.services.hooks``; this module only keeps the configuration and checks that
an address is one the server may call: ``https`` on a public address, unless ``SMRC_WEBHOOKS_ALLOW_PRIVATE`` (for
development) lets ``http`` and private, loopback and link-local addresses through. The address is checked again
before each delivery, so a name that later resolves to a private address is not called either; and the
connection itself goes through :func:`session`, which connects to the very addresses it checked, never to the
name resolved a second time (DNS rebinding: a first answer public, the next 127.0.0.1). IPv6 forms of an inside
IPv4 address (mapped, 6to4, NAT64) count as that address.
"""

import ipaddress
import socket
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
from urllib3.util import connection as urllib3_connection

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


#: NAT64 (RFC 6052, RFC 8215): the well-known prefix carries an IPv4 address in its last 32 bits; the local-use
#: prefix leads wherever the network's translator is, so it is never public.
NAT64 = ipaddress.ip_network("64:ff9b::/96")
LOCAL_NAT64 = ipaddress.ip_network("64:ff9b:1::/48")


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in LOCAL_NAT64:
            return False
        # an IPv4 address written as IPv6 (mapped, 6to4, NAT64) is that IPv4 address
        embedded = (
            ip.ipv4_mapped or ip.sixtofour or (ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF) if ip in NAT64 else None)
        )
        if embedded is not None:
            ip = embedded
    return ip.is_global and not ip.is_multicast


class _Pinned:
    """A urllib3 connection that resolves its host once, checks every address is public, and connects to those
    addresses (the TLS name stays the host's, so the certificate is still checked against it)."""

    def _new_conn(self):
        if allow_private():
            return super()._new_conn()
        host = self._dns_host.rstrip(".")
        try:
            addresses = resolve(host)
        except (OSError, UnicodeError) as exc:
            raise NewConnectionError(self, f"{host} does not resolve") from exc
        if not addresses or not all(_public(a) for a in addresses):
            raise NewConnectionError(self, f"{host} resolves to an address that is not public")
        error: OSError | None = None
        for address in addresses:
            try:
                return urllib3_connection.create_connection(
                    (address, self.port),
                    self.timeout,
                    source_address=self.source_address,
                    socket_options=self.socket_options,
                )
            except TimeoutError as exc:
                raise ConnectTimeoutError(self, f"Connection to {host} timed out.") from exc
            except OSError as exc:
                error = exc
        raise NewConnectionError(self, f"Failed to establish a new connection: {error}") from error


class _PinnedHTTPConnection(_Pinned, HTTPConnection):
    pass


class _PinnedHTTPSConnection(_Pinned, HTTPSConnection):
    pass


class _PinnedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _PinnedHTTPConnection


class _PinnedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _PinnedHTTPSConnection


class _PinnedAdapter(requests.adapters.HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _PinnedHTTPPool, "https": _PinnedHTTPSPool}


def session() -> requests.Session:
    """A session for calling an address that came from outside (a webhook's URL, a media link): it connects only
    to the public addresses it resolved and checked itself, and ignores proxies from the environment."""
    out = requests.Session()
    out.trust_env = False
    out.mount("https://", _PinnedAdapter())
    out.mount("http://", _PinnedAdapter())
    return out


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
