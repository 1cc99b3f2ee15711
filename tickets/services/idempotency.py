"""Exactly once per submission (docs/publishing.md#exactly-once).

Every write a person can send twice by accident — a reply, a revision, a retry, a review decision, a note, a
claim, `Get next` — carries an idempotency key: a UUID the server puts in the page's form when it renders it
(a fresh one on every page, so the next reply is a new submission), or the API client's ``Idempotency-Key``
header. The services take it as ``key`` and, under the lock that already orders writes on the ticket:

1. :func:`previous` looks for a :class:`~tickets.models.Submission` of this user with this key. Found with
   the same request (action, target, text): the service returns what that submission made, marked
   ``replayed``, and writes, queues and sends nothing. Found with another request: :class:`KeyReused`.
2. Otherwise the service does its work and :func:`record` stores the key with the outcome, in the same
   transaction. The unique (user, key) constraint is the guarantee: two transactions the lock does not order
   (the same key on two tickets, `Get next`) cannot both commit; :func:`once` runs the loser again, and it
   then finds the winner's submission.

A refused submission writes nothing, its key included, so the same form can be corrected and sent again.
Keys belong to their user: another user's key is never looked up, so it can neither replay nor reveal anything.
"""

import functools
import hashlib
import json
import uuid
from collections.abc import Callable

from django.db import IntegrityError
from django.utils.translation import gettext as _

from ..models import Submission

#: the API's header (draft-ietf-httpapi-idempotency-key-header) and the forms' hidden field
HEADER = "Idempotency-Key"
FIELD = "idempotency_key"


class KeyReused(Exception):
    """The key already made another submission (another action, object or text). Nothing was done; the page
    shows its form again with a fresh key, the API answers 422."""

    def __init__(self) -> None:
        super().__init__(
            _("This form was already sent with different content, so nothing was done. Send it again to submit it.")
        )


def parse(value: str | None) -> uuid.UUID | None:
    """The key in its canonical form (a UUID, 36 characters with hyphens, any case), or None if missing or
    malformed."""
    if not value or len(value) != 36:
        return None
    try:
        key = uuid.UUID(value)
    except ValueError:
        return None
    return key if str(key) == value.lower() else None


def fingerprint(action: str, target: int, request: dict) -> str:
    """What was asked, as a hash: the action, the object it acts on and its normalised input."""
    text = json.dumps([action, target, request], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def previous(*, user, key: uuid.UUID | None, action: str, target: int, request: dict) -> Submission | None:
    """The submission ``key`` already made for ``user`` — call it under the lock the write takes — or None (no
    key, or a new one). :class:`KeyReused` if that submission asked for something else."""
    if key is None:
        return None
    found = Submission.objects.filter(user=user, key=key).first()
    if found is not None and found.fingerprint != fingerprint(action, target, request):
        raise KeyReused
    return found


def record(*, user, key: uuid.UUID | None, action: str, target: int, request: dict, ticket, **outcome) -> None:
    """Store ``key`` with what the submission made (``reply`` or ``note``; the ticket always), in the caller's
    transaction. Nothing without a key."""
    if key is None:
        return
    Submission.objects.create(
        user=user,
        key=key,
        action=action,
        fingerprint=fingerprint(action, target, request),
        brand_id=ticket.brand_id,
        ticket=ticket,
        **outcome,
    )


def replayed(obj):
    """Mark ``obj`` as the answer to a repeated submission (the caller answers as the first time, 200 in the
    API) and return it."""
    obj.replayed = True
    return obj


def was_replayed(obj) -> bool:
    return getattr(obj, "replayed", False)


def once(service: Callable) -> Callable:
    """Decorate a service that takes ``user`` and ``key``: when the unique (user, key) constraint refused its
    :func:`record` — another transaction with the same key committed first, and everything this one wrote was
    rolled back with it — run it once more; it then finds that submission (a replay or :class:`KeyReused`)."""

    @functools.wraps(service)
    def wrapper(**kwargs):
        try:
            return service(**kwargs)
        except IntegrityError:
            key = kwargs.get("key")
            if key is None or not Submission.objects.filter(user=kwargs["user"], key=key).exists():
                raise
            return service(**kwargs)

    return wrapper
