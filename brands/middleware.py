"""Presence: when each signed-in user was last seen, for automatic assignment (docs/priority.md).

At most one write per user a minute: a cache key marks a recent write, so a page that polls every 15
seconds costs one cache read per request and one small UPSERT a minute. Signing in counts as being seen.
"""

from datetime import datetime

from django.core.cache import cache
from django.utils import timezone

from .models import Presence

SEEN_EVERY_SECONDS = 60


def mark_seen(user_id: int, *, now: datetime | None = None) -> bool:
    """Record that ``user_id`` is here, unless it was recorded in the last minute. Returns True if written."""
    if not cache.add(f"smrc:seen:{user_id}", 1, timeout=SEEN_EVERY_SECONDS):
        return False
    Presence.objects.bulk_create(
        [Presence(user_id=user_id, last_seen_at=now or timezone.now())],
        update_conflicts=True,
        unique_fields=["user"],
        update_fields=["last_seen_at"],
    )
    return True


def on_login(sender, request, user, **kwargs) -> None:
    mark_seen(user.pk)


class PresenceMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            mark_seen(user.pk)
        return response
