"""Who a ticket can be handed to: the members of a brand who work tickets, with their load and presence."""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import OuterRef
from django.db.models.functions import Coalesce

from brands.access import members_holding

from ..services.assignment import open_load


@dataclass(frozen=True)
class Teammate:
    user_id: int
    name: str
    role: str
    #: their open load in the brand (``services.assignment.open_load``: new, open and pending tickets they own)
    load: int
    last_seen_at: datetime | None
    online: bool


def teammates_of(brand_ids: list[int], *, now: datetime) -> dict[int, list[Teammate]]:
    """brand id → its active members who work tickets (operators, supervisors), online first, then by load and
    name. One query whatever the number of brands and people."""
    load = open_load(brand=OuterRef("brand_id"), user=OuterRef("user_id"))
    rows = (
        members_holding(brand_ids, "ticket:work")
        .annotate(load=Coalesce(load, 0))
        .values_list("brand_id", "user_id", "user__username", "role", "load", "user__presence__last_seen_at")
    )
    online_since = now.timestamp() - settings.SMRC_ONLINE_MINUTES * 60
    found: dict[int, list[Teammate]] = {brand_id: [] for brand_id in brand_ids}
    for brand_id, user_id, name, role, n, seen in rows:
        online = seen is not None and seen.timestamp() >= online_since
        found[brand_id].append(Teammate(user_id, name, role, n, seen, online))
    for people in found.values():
        people.sort(key=lambda p: (not p.online, p.load, p.name.lower()))
    return found


def active_user(user_id: int):
    """The active user ``user_id`` (someone to assign to), or None. Whether they work the ticket's brand is the
    service's check (``workflow.assign_ticket``)."""
    return get_user_model().objects.filter(pk=user_id, is_active=True).first()


def active_user_named(username: str):
    """The active user of this username (someone the API assigns to), or None. Whether they work the ticket's
    brand is the service's check, and its refusal names them the same way whether or not they exist."""
    return get_user_model().objects.filter(username=username, is_active=True).first()


def user_ids_named(usernames: list[str]) -> dict[str, int]:
    """username → id for these usernames (the owners an API client saw on its rows); unknown names are left out."""
    return dict(get_user_model().objects.filter(username__in=sorted(set(usernames))).values_list("username", "pk"))
