"""Ticket viewers: who else has a ticket open, and who is writing a reply on it; a heartbeat kept in the cache only.

(Not to be confused with a user's *presence*, ``brands.models.Presence``: when they were last seen anywhere in
SMRC, which makes them online for automatic assignment, ``services/assignment.py``. The page's beat keeps its
deployed URL name, ``tickets:presence``.)

Each open ticket page beats every ~10 s (htmx); a beat rewrites one cache entry per ticket holding
``user id → (name, composing, last beat)``, and entries older than :data:`TTL_SECONDS` drop out. Nothing is written
to the database. With Redis configured every web process sees the same entries; with the local-memory cache
(the embedded default, one process) so does the one process. Two beats at the same instant may drop one of
them for one period: the viewers line is a hint, not a lock (the ticket's row lock decides who submits).
"""

import time

from django.core.cache import cache

TTL_SECONDS = 30


def _key(ticket_id: int) -> str:
    return f"viewers:ticket:{ticket_id}"


def _fresh(entries: dict, now: float) -> dict:
    return {uid: entry for uid, entry in entries.items() if now - entry[2] < TTL_SECONDS}


def beat(ticket_id: int, user, *, composing: bool, now: float | None = None) -> None:
    now = time.time() if now is None else now
    entries = _fresh(cache.get(_key(ticket_id)) or {}, now)
    entries[str(user.pk)] = (user.get_username(), bool(composing), now)
    cache.set(_key(ticket_id), entries, TTL_SECONDS)


def others(ticket_id: int, user, *, now: float | None = None) -> list[dict]:
    """The other people on the ticket, writers first: ``[{"name", "composing"}]``."""
    now = time.time() if now is None else now
    entries = _fresh(cache.get(_key(ticket_id)) or {}, now)
    people = [{"name": name, "composing": composing} for uid, (name, composing, _at) in entries.items()]
    people = [p for uid, p in zip(entries, people, strict=True) if uid != str(user.pk)]
    return sorted(people, key=lambda p: (not p["composing"], p["name"]))
