"""The audit trail of a brand's configuration: every change writes one :class:`~brands.models.ConfigChange` in the
transaction of the change itself, so a change and its record commit together or not at all.

Each area's service (``sla``, ``review_policy``, ``assignment``, ``priority``, ``knowledge``, ``channels``) calls
:func:`record` inside its own ``transaction.atomic`` block, after the write, with who (``user`` and ``source``) and
what (area, kind, the object, its values before and after). Only the values that differ are kept; a save that
changes nothing records nothing. Objects written whole (the admin's forms, ``load_config``) go through
:func:`save_object` / :func:`delete_object`; a form that changes several areas of a brand at once (the admin's
brand page) through :func:`tracking`. Secrets are never written: only whether one was set or changed.
"""

import datetime
import decimal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction

from ..models import (
    BlockedAuthor,
    Brand,
    ChannelAccount,
    ConfigArea,
    ConfigChange,
    ConfigSource,
    ListeningRule,
    Product,
    SlaPolicy,
    SpamPattern,
    UrgencyTerm,
)
from .locks import lock_brand

#: values never written to the trail: only "set", "not set" or "changed"
SECRET_FIELDS = frozenset({"access_token", "webhook_secret", "verify_token", "secret"})
SET, NOT_SET, CHANGED = "(set)", "(not set)", "(changed)"


@dataclass(frozen=True)
class Tracked:
    """How an object written whole is recorded: its area, the name in ``kind`` and the fields compared."""

    area: str
    name: str
    fields: tuple[str, ...]


#: the objects :func:`save_object` and :func:`delete_object` record
TRACKED: dict[type[models.Model], Tracked] = {
    UrgencyTerm: Tracked(ConfigArea.PRIORITY, "urgency_term", ("pattern", "label", "weight", "is_regex")),
    SpamPattern: Tracked(ConfigArea.PRIORITY, "spam_pattern", ("pattern", "label", "is_regex")),
    BlockedAuthor: Tracked(ConfigArea.PRIORITY, "blocked_author", ("platform", "handle", "note")),
    ChannelAccount: Tracked(
        ConfigArea.CHANNELS,
        "channel_account",
        (
            "platform",
            "external_id",
            "name",
            "handle",
            "status",
            "status_detail",
            "access_token",
            "webhook_secret",
            "verify_token",
        ),
    ),
    ListeningRule: Tracked(
        ConfigArea.CHANNELS,
        "listening_rule",
        ("name", "platforms", "handles", "hashtags", "keywords", "exclusions", "language", "is_active"),
    ),
    Product: Tracked(
        ConfigArea.KNOWLEDGE, "product", ("name", "category", "specifications", "faq", "competitor_notes")
    ),
    SlaPolicy: Tracked(
        ConfigArea.SLA,
        "sla_policy",
        ("priority", "first_response_minutes", "next_response_minutes", "resolution_minutes"),
    ),
}


def plain(value: Any) -> Any:
    """``value`` as JSON: times as ``HH:MM``, dates and instants in ISO format, a model as its text."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M")
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    return str(value)


def _secret(value: Any) -> str:
    return SET if value else NOT_SET


def changed_values(before: dict, after: dict) -> tuple[dict, dict]:
    """The keys whose values differ, with their values on each side (a key missing on one side is left out of
    that side). Secrets keep only whether they were set: a changed one reads ``(set)`` → ``(changed)``."""
    old, new = {}, {}
    for key in dict.fromkeys([*before, *after]):
        a, b = before.get(key), after.get(key)
        if key in before and key in after and a == b:
            continue
        if key in SECRET_FIELDS:
            a, b = _secret(a), (CHANGED if a and b else _secret(b))
        if key in before:
            old[key] = plain(a)
        if key in after:
            new[key] = plain(b)
    return old, new


def record(
    *,
    brand: Brand | int,
    user,
    source: str,
    area: str,
    kind: str,
    before: dict,
    after: dict,
    obj: models.Model | None = None,
    object_repr: str = "",
) -> ConfigChange | None:
    """Write the record of one change, in the caller's transaction (refused outside one). ``None`` when nothing
    differs between ``before`` and ``after``: a repeated save leaves no record."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record a configuration change inside the transaction that makes it")
    if source not in ConfigSource.values or area not in ConfigArea.values:
        raise ValueError(f"unknown source {source!r} or area {area!r}")
    old, new = changed_values(plain(before), plain(after))
    if not old and not new:
        return None
    person = user if user is not None and user.is_authenticated else None
    return ConfigChange.objects.create(
        brand_id=brand if isinstance(brand, int) else brand.pk,
        actor=person,
        actor_name=person.get_username() if person else "",
        source=source,
        area=area,
        kind=kind,
        object_id=obj.pk if obj is not None else None,
        object_repr=(object_repr or (str(obj) if obj is not None else ""))[:200],
        before=old,
        after=new,
    )


def values_of(obj: models.Model, fields: tuple[str, ...] | None = None) -> dict[str, Any]:
    """The tracked fields of ``obj`` as they are on the object (not yet masked)."""
    return {name: getattr(obj, name) for name in (fields or TRACKED[type(obj)].fields)}


def _label(obj: models.Model) -> str:
    for name in ("name", "pattern", "handle", "title"):
        if getattr(obj, name, ""):
            return str(getattr(obj, name))
    return str(obj)


def save_object(obj: models.Model, *, user, source: str, fields: list[str] | None = None) -> ConfigChange | None:
    """Save ``obj`` (one of :data:`TRACKED`, already validated) under its brand's row lock and record what changed,
    in one transaction. ``fields``: save only these (``update_fields``)."""
    spec = TRACKED[type(obj)]
    with transaction.atomic():
        lock_brand(obj.brand_id)
        stored = type(obj)._default_manager.filter(pk=obj.pk).first() if obj.pk else None
        before = values_of(stored) if stored is not None else {}
        if stored is not None and fields:
            obj.save(update_fields=fields)
        else:
            obj.save()
        return record(
            brand=obj.brand_id,
            user=user,
            source=source,
            area=spec.area,
            kind=f"{spec.name}.{'updated' if stored is not None else 'created'}",
            before=before,
            after=values_of(obj),
            obj=obj,
            object_repr=_label(obj),
        )


def delete_object(obj: models.Model, *, user, source: str) -> ConfigChange | None:
    """Delete ``obj`` (one of :data:`TRACKED`) and record it, in one transaction."""
    spec = TRACKED[type(obj)]
    with transaction.atomic():
        lock_brand(obj.brand_id)
        before, label = values_of(obj), _label(obj)
        obj.delete()
        return record(
            brand=obj.brand_id,
            user=user,
            source=source,
            area=spec.area,
            kind=f"{spec.name}.deleted",
            before=before,
            after={},
            object_repr=label,
        )


Snapshot = Callable[[Brand], dict]


@contextmanager
def tracking(brand_id: int, *, user, source: str, areas: dict[str, tuple[str, Snapshot]]) -> Iterator[Brand]:
    """Around a write that may change several areas of one brand at once (the admin's brand page with its
    inlines): locks the brand, reads each area's snapshot before and after, and records each area that changed
    as ``kind``, all in one transaction. ``areas``: area → (kind, snapshot of the brand as JSON)."""
    with transaction.atomic():
        brand = lock_brand(brand_id)
        before = {area: snapshot(brand) for area, (_kind, snapshot) in areas.items()}
        yield brand
        brand = Brand.objects.get(pk=brand_id)
        for area, (kind, snapshot) in areas.items():
            record(
                brand=brand, user=user, source=source, area=area, kind=kind, before=before[area], after=snapshot(brand)
            )


#: the brand's own fields (not of an area): its name, languages, threading and who edits its knowledge
BRAND_FIELDS = ("name", "slug", "languages", "thread_window_hours", "managers_edit_knowledge", "report_schedule")


def brand_snapshot(brand: Brand) -> dict:
    """The brand's own fields as stored now, as JSON."""
    return dict(Brand.objects.filter(pk=brand.pk).values(*BRAND_FIELDS).get())


def history_for(brand: Brand):
    """The brand's configuration changes, newest first (the settings history page)."""
    return ConfigChange.objects.filter(brand=brand).order_by("-created_at", "-id")
