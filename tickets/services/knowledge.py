"""Product knowledge changes with their events: each wraps one ``brands.services.knowledge`` call and writes the
event in the same transaction ("every change is an event"; ``brands`` cannot import the event log)."""

from collections.abc import Callable
from typing import Any

from django.db import transaction

from brands.services import knowledge

from .. import events


def apply(change: Callable[..., Any], *, user, **kwargs: Any) -> Any:
    """Run ``change`` (a ``brands.services.knowledge`` function returning ``(object, Change | None)`` or an
    ``ImportResult``) and record its events, all in one transaction. Returns what ``change`` returned."""
    with transaction.atomic():
        result = change(user=user, **kwargs)
        if isinstance(result, knowledge.ImportResult):
            found = result.changes
        else:
            found = [result[1]] if result[1] is not None else []
        for item in found:
            events.knowledge_changed(item.brand, actor=user, kind=item.kind, data=item.data)
    return result
