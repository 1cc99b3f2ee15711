"""A brand's assignment settings: how tickets reach operators (``routing_mode``: claim, round robin or by load),
how many each may hold, when an idle owner loses a ticket, and each operator's languages and skills
(docs/priority.md). Every change writes its audit record in its own transaction."""

from django.db import transaction

from ..models import Brand, ConfigArea, ConfigSource, Membership
from . import audit
from .locks import lock_brand

FIELDS = ("routing_mode", "operator_capacity", "idle_owner_minutes")


def snapshot(brand: Brand) -> dict:
    """The brand's assignment settings as stored now, with each member's languages and skills where set
    (``profile:<username>``), as JSON: what the admin's brand and membership pages can change."""
    stored = dict(Brand.objects.filter(pk=brand.pk).values(*FIELDS).get())
    members = Membership.objects.filter(brand_id=brand.pk).exclude(languages="", skills="").select_related("user")
    for member in members.order_by("user__username"):
        stored[f"profile:{member.user.get_username()}"] = {"languages": member.languages, "skills": member.skills}
    return stored


def update_assignment(
    *,
    brand: Brand,
    routing_mode: str,
    operator_capacity: int,
    idle_owner_minutes: int,
    user=None,
    source: str = ConfigSource.PAGE,
) -> dict:
    """Set the brand's assignment settings and record them. Returns ``{field: (before, after)}`` of what changed
    (empty: nothing, and nothing recorded); raises ValidationError, changing nothing."""
    values = {
        "routing_mode": routing_mode,
        "operator_capacity": operator_capacity,
        "idle_owner_minutes": idle_owner_minutes,
    }
    with transaction.atomic():
        current = lock_brand(brand.pk)  # a second save at once finds the first one's values: no change
        changed = {k: (getattr(current, k), v) for k, v in values.items() if getattr(current, k) != v}
        for key, (_before, after) in changed.items():
            setattr(current, key, after)
        current.full_clean(validate_unique=False)
        if changed:
            current.save(update_fields=list(changed))
            audit.record(
                brand=current,
                user=user,
                source=source,
                area=ConfigArea.ASSIGNMENT,
                kind="assignment.updated",
                before={k: before for k, (before, _after) in changed.items()},
                after={k: after for k, (_before, after) in changed.items()},
                object_repr=current.name,
            )
    for key in values:
        setattr(brand, key, getattr(current, key))
    return changed


def update_operator_profile(
    *, membership: Membership, languages: str, skills: str, user=None, source: str = ConfigSource.PAGE
) -> bool:
    """Set the languages and skills automatic assignment matches for one member; whether anything changed."""
    with transaction.atomic():
        lock_brand(membership.brand_id)
        current = Membership.objects.select_related("user").get(pk=membership.pk)
        before = {"languages": current.languages, "skills": current.skills}
        current.languages, current.skills = languages, skills
        current.full_clean(validate_unique=False)
        change = audit.record(
            brand=current.brand_id,
            user=user,
            source=source,
            area=ConfigArea.ASSIGNMENT,
            kind="operator_profile.updated",
            before=before,
            after={"languages": languages, "skills": skills},
            obj=current,
            object_repr=current.user.get_username(),
        )
        if change is not None:
            current.save(update_fields=["languages", "skills"])
    membership.languages, membership.skills = languages, skills
    return change is not None
