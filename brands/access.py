"""The scoping layer for brands: who may see which brand, and what they may do there.

Every query that returns brand data starts from :func:`brand_ids_for` (directly or through the per-model
scopers in ``tickets.selectors`` and ``brands.services.knowledge.lookups``). Out of scope answers 404; in scope
without the capability answers 403.
Roles map to named capabilities, checked by :func:`has_perm` alone.
"""

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from .models import Brand, ChannelAccount, Membership, Role

OPERATOR, SUPERVISOR, MANAGER = Role.OPERATOR, Role.SUPERVISOR, Role.MANAGER

#: capability → roles holding it. Superusers (admins) hold every capability on every brand.
CAPABILITIES: dict[str, frozenset[str]] = {
    "ticket:view": frozenset({OPERATOR, SUPERVISOR, MANAGER}),
    "ticket:work": frozenset({OPERATOR, SUPERVISOR}),  # claim, reply, resolve, reopen, notes
    "ticket:assign": frozenset({SUPERVISOR}),  # reassign, unassign others, change priority
    "reply:approve": frozenset({SUPERVISOR}),
    "report:view": frozenset({SUPERVISOR, MANAGER}),
    "mention:ingest": frozenset({SUPERVISOR}),
    "brand:configure": frozenset({SUPERVISOR}),  # SLA targets, business hours, holidays
    # products and snippets; brand managers too where the brand allows (Brand.managers_edit_knowledge)
    "knowledge:edit": frozenset({SUPERVISOR}),
    "settings:history": frozenset({SUPERVISOR, MANAGER}),  # read the brand's configuration audit trail
    "goals:edit": frozenset({SUPERVISOR, MANAGER}),  # the brand's goals: the client's managers set them
    "team:view": frozenset({SUPERVISOR}),  # the live team view of the shift (/team/)
    "view:team": frozenset({SUPERVISOR}),  # make and remove the brand team's saved queue views
    # read the team's own notes (visibility "team"); brand managers read only the notes meant for the client
    "note:team": frozenset({OPERATOR, SUPERVISOR}),
    "webhooks:manage": frozenset({SUPERVISOR}),  # outbound webhooks: subscriptions, secrets, send again
    "qa:grade": frozenset({SUPERVISOR}),  # grade published replies on the brand's QA rubric, see calibration (/qa/)
    # read what qa:grade shows (the sample, scorecards, calibration) without grading: a read-only API key's share
    "qa:view": frozenset({SUPERVISOR}),
}

#: what a read-only API key may do (brands.services.api_keys): the capabilities that change nothing
READ_CAPABILITIES = frozenset({"ticket:view", "report:view", "settings:history", "qa:view"})

#: capabilities a brand manager also holds where the brand switched it on: capability → Brand field
BRAND_GRANTS: dict[str, str] = {"knowledge:edit": "managers_edit_knowledge"}

User = AbstractBaseUser | AnonymousUser


def key_scope(user: User):
    """The API key the request came with (``brands.api_auth``), or None: a key narrows its user's rights to its
    brands, and to :data:`READ_CAPABILITIES` when read-only. Never widens them: the role is read as it is now."""
    return getattr(user, "_smrc_api_key", None)


def _key_allows(user: User, brand_id: int, perm: str) -> bool:
    key = key_scope(user)
    if key is None:
        return True
    return brand_id in key.brand_ids and (not key.read_only or perm in READ_CAPABILITIES)


def roles_by_brand(user: User) -> dict[int, str]:
    """brand id → role for ``user``, read once per user object (one query per request)."""
    if not user.is_authenticated:
        return {}
    cached = getattr(user, "_smrc_roles", None)
    if cached is None:
        rows = Membership.objects.filter(user_id=user.pk).values_list(
            "brand_id", "role", "brand__managers_edit_knowledge"
        )
        cached = {brand_id: role for brand_id, role, _grant in rows}
        user._smrc_roles = cached  # type: ignore[union-attr]
        user._smrc_grants = {  # type: ignore[union-attr]
            "knowledge:edit": {brand_id for brand_id, role, grant in rows if grant and role == MANAGER}
        }
    return cached


def _holds(user: User, brand_id: int, role: str | None, perm: str) -> bool:
    if role in CAPABILITIES[perm]:
        return True
    return perm in BRAND_GRANTS and brand_id in getattr(user, "_smrc_grants", {}).get(perm, ())


def is_admin(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_superuser)


def brand_ids_for(user: User, perm: str = "ticket:view") -> list[int] | None:
    """The ids of the brands where ``user`` holds ``perm``; ``None`` means every brand (admins)."""
    if perm not in CAPABILITIES:
        raise ValueError(f"unknown capability {perm!r}")
    if not user.is_authenticated or not user.is_active:
        return []
    if is_admin(user):
        key = key_scope(user)
        return None if key is None else sorted(b for b in key.brand_ids if _key_allows(user, b, perm))
    return sorted(
        brand_id
        for brand_id, role in roles_by_brand(user).items()
        if _holds(user, brand_id, role, perm) and _key_allows(user, brand_id, perm)
    )


def scope_to_brands(queryset: QuerySet, user: User, field: str = "brand_id", perm: str = "ticket:view") -> QuerySet:
    """Restrict ``queryset`` to rows whose ``field`` is a brand ``user`` may see. Fails closed."""
    ids = brand_ids_for(user, perm)
    if ids is None:
        return queryset
    return queryset.filter(**{f"{field}__in": ids})


def brands_for(user: User, perm: str = "ticket:view") -> QuerySet[Brand]:
    return scope_to_brands(Brand.objects.all(), user, field="pk", perm=perm)


def channel_accounts_for(user: User, perm: str = "ticket:view") -> QuerySet[ChannelAccount]:
    return scope_to_brands(ChannelAccount.objects.all(), user, perm=perm)


def role_for(user: User, brand_id: int) -> str | None:
    return roles_by_brand(user).get(brand_id)


def has_perm(user: User, brand_id: int, perm: str) -> bool:
    if perm not in CAPABILITIES:
        raise ValueError(f"unknown capability {perm!r}")
    if not user.is_authenticated or not user.is_active:
        return False
    if not _key_allows(user, brand_id, perm):
        return False
    if is_admin(user):
        return True
    return _holds(user, brand_id, role_for(user, brand_id), perm)


def can_see(user: User, brand_id: int) -> bool:
    return has_perm(user, brand_id, "ticket:view")


def require(user: User, brand_id: int, perm: str) -> None:
    """404 if the brand is out of the user's scope, 403 if in scope without ``perm``."""
    if not can_see(user, brand_id):
        raise Http404
    if not has_perm(user, brand_id, perm):
        raise PermissionDenied


def require_writing_key(user: User) -> None:
    """403 when the request came with a read-only API key: for writes that belong to the person rather than to a
    brand (their own saved views), where no brand capability says so."""
    key = key_scope(user)
    if key is not None and key.read_only:
        raise PermissionDenied


def get_brand_for_user(user: User, slug: str, perm: str = "ticket:view") -> Brand:
    brand = brands_for(user).filter(slug=slug).first()
    if brand is None:
        raise Http404
    require(user, brand.pk, perm)
    return brand


def perms_for(user: User, brand_id: int, perms: Iterable[str] = CAPABILITIES) -> set[str]:
    return {perm for perm in perms if has_perm(user, brand_id, perm)}


def members_holding(brand_ids: Iterable[int], perm: str) -> QuerySet[Membership]:
    """The active members of these brands whose role holds ``perm`` (for example who works tickets: whom a ticket
    can be handed to, whom the team view lists). The caller passes brand ids from this module's scoping."""
    return Membership.objects.filter(brand_id__in=brand_ids, user__is_active=True, role__in=sorted(CAPABILITIES[perm]))
