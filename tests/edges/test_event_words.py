"""Edge 3 of issue 15: the timeline says every event in words, in both languages, never its raw name
(``reply.snippets_used``, ``sla.breach``). The kinds are read from the code that writes events, so a new kind
without words fails here."""

import pathlib
import re

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from tickets.models import Event

ROOT = pathlib.Path(__file__).resolve().parents[2] / "tickets"
#: attribute paths in code, and the names webhooks send (tickets/services/hooks.py), not event kinds
NOT_EVENTS = {"ticket.due_at", "ticket.reference", "reply.published"}
EXAMPLE_DATA = {
    "sla.breach": {"clock": "first_response", "due_at": "2025-05-05T10:00:00+07:00"},
    "sla.warning": {"clock": "resolution", "due_at": "2025-05-05T10:00:00+07:00"},
    "reply.snippets_used": {"as_is": [1], "edited": [2]},
    "ticket.priority_changed": {"before": 2, "after": 4},
}


def written_kinds() -> set[str]:
    """Event kinds as string literals in the code; a serializer field's ``source=\"reply.pk\"`` is an attribute path."""
    kinds = set()
    for path in ROOT.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        kinds |= set(re.findall(r'(?<!source=)"((?:ticket|reply|mention|note|sla)\.[a-z_]+)"', path.read_text()))
    return kinds - NOT_EVENTS


def test_the_kinds_are_found():
    assert {"reply.snippets_used", "sla.breach", "sla.warning", "ticket.claimed"} <= written_kinds()


@pytest.mark.parametrize("kind", sorted(written_kinds()))
@pytest.mark.parametrize("language", ["en", "id"])
def test_every_event_is_told_in_words(kind, language):
    event = Event(kind=kind, data=EXAMPLE_DATA.get(kind, {}))
    with translation.override(language):
        text = render_to_string("tickets/_event.html", {"event": event}).strip()
    assert text
    assert kind not in text
    assert "_" not in text  # no raw clock or field names either
