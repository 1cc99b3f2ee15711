"""API keys people manage on their profile page (docs/api.md, "Authentication"): named, scoped to reading or to
reading and writing and to some of the brands the person belongs to, shown once, stored as a SHA-256 digest.

A key is ``smrc_<prefix>_<secret>``: the prefix (12 hex characters) finds the row, the secret (256 random bits)
is never stored; the digest of the whole token is compared in constant time. A key never exceeds its person: each
request is scoped by ``brands.access`` to the key's brands intersected with the person's memberships *now*, and
a read-only key holds only the read capabilities (``access.READ_CAPABILITIES``). Creating and revoking a key are
recorded in the audit trail of each brand it reaches (area ``api_keys``), so a brand's supervisors and managers
see who holds a key into it."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from ..access import brands_for
from ..models import ApiKey, ApiKeyScope, ConfigArea, ConfigSource
from . import audit
from .locks import lock_user

TOKEN_PREFIX = "smrc_"
#: ``last_used_at`` is written at most this often per key: a busy integration does not write on every request
TOUCH_EVERY = timedelta(minutes=1)
#: keys a person may hold at once (revoked ones do not count)
MAX_KEYS = 20


class KeyRefused(Exception):
    """The key cannot be made as asked; the message says why."""


@dataclass(frozen=True)
class NewKey:
    key: ApiKey
    #: the token, shown once: only its digest is kept
    token: str


#: raised for a key that is not the person's own (the views answer 404)
KeyNotFound = ApiKey.DoesNotExist


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_key(*, user, name: str, scope: str, brand_slugs: list[str], source: str = ConfigSource.PAGE) -> NewKey:
    """A new key of ``user`` for the brands named (each one of theirs), recorded on each brand's trail."""
    if scope not in ApiKeyScope.values:
        raise KeyRefused("unknown scope")
    brands = list(brands_for(user).filter(slug__in=brand_slugs).order_by("pk"))
    if not brands or len(brands) != len(set(brand_slugs)):
        raise KeyRefused("a key reaches one or more of your own brands")
    with transaction.atomic():
        # counted under the user's row lock: four keys made at once for the last free place kept all four
        lock_user(user.pk)
        if ApiKey.objects.filter(user=user, revoked_at__isnull=True).count() >= MAX_KEYS:
            raise KeyRefused("too many keys")
        prefix = secrets.token_hex(6)
        token = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
        key = ApiKey.objects.create(user=user, name=name, prefix=prefix, digest=digest(token), scope=scope)
        key.brands.set(brands)
        for brand in brands:
            audit.record(
                brand=brand,
                user=user,
                source=source,
                area=ConfigArea.API_KEYS,
                kind="api_key.created",
                before={},
                after={"name": name, "scope": scope, "owner": user.get_username(), "prefix": prefix},
                obj=key,
            )
    return NewKey(key=key, token=token)


def keys_of(user):
    return ApiKey.objects.filter(user=user).prefetch_related("brands").order_by("-created_at", "-pk")


def revoke_key(*, user, key_id: int, source: str = ConfigSource.PAGE) -> ApiKey:
    """Revoke one of ``user``'s own keys (``ApiKey.DoesNotExist`` for anyone else's); at once, for every request
    after this one. Revoking a revoked key does nothing."""
    with transaction.atomic():
        key = ApiKey.objects.select_for_update().get(pk=key_id, user=user)
        if key.revoked_at is None:
            key.revoked_at = timezone.now()
            key.save(update_fields=["revoked_at"])
            for brand in key.brands.all():
                audit.record(
                    brand=brand,
                    user=user,
                    source=source,
                    area=ConfigArea.API_KEYS,
                    kind="api_key.revoked",
                    before={"name": key.name, "scope": key.scope, "owner": user.get_username(), "revoked": False},
                    after={"name": key.name, "scope": key.scope, "owner": user.get_username(), "revoked": True},
                    obj=key,
                )
    return key


def authenticate(token: str) -> ApiKey | None:
    """The live key ``token`` is, with its user and brands, or None (unknown, wrong secret, revoked, user
    inactive). Notes the use at most once per :data:`TOUCH_EVERY`."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 100:
        return None
    prefix, _sep, secret = token[len(TOKEN_PREFIX) :].partition("_")
    if not prefix or not secret:
        return None
    key = ApiKey.objects.select_related("user").filter(prefix=prefix, revoked_at__isnull=True).first()
    if key is None or not hmac.compare_digest(key.digest, digest(token)) or not key.user.is_active:
        return None
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at >= TOUCH_EVERY:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key
