"""Does a reply need a supervisor before it is published? (docs/publishing.md) The brand's review policy: how it
is decided (:func:`decide`) and how it is changed (:func:`update_review_policy`, with its audit record).

:func:`decide` is pure: it takes the brand's policy and plain facts about the reply and returns every reason that
applies, so the operator and the reviewer see *why*. The random sample is a hash of the author and the reply id,
not a random draw: the same reply always gets the same answer, and tests are exact.
"""

import hashlib
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..models import Brand, ConfigArea, ConfigSource, Membership, Priority, ReviewPolicy
from . import audit, bounces, patterns
from .locks import lock_brand

#: the policy's own settings (the page's form, the admin's inline and ``load_config`` change these)
POLICY_FIELDS = (
    "review_all",
    "review_probation",
    "sample_percent",
    "review_high_priority",
    "influence_threshold",
    "review_flagged_terms",
    "flagged_terms",
    "review_bounces",
    "bounce_defaults",
    "bounce_terms",
)


@dataclass(frozen=True)
class Facts:
    reply_id: int
    author_id: int
    text: str
    on_probation: bool = False
    priority: int = Priority.NORMAL
    influence: int | None = None


def in_sample(*, author_id: int, reply_id: int, percent: int) -> bool:
    """``percent`` of each author's replies, chosen by a hash of (author, reply): deterministic and even."""
    if percent <= 0:
        return False
    if percent >= 100:
        return True
    digest = hashlib.sha256(f"review-sample:{author_id}:{reply_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % 100 < percent


def flagged_terms_in(text: str, terms: list[str]) -> list[str]:
    """The terms found in ``text`` as whole words or phrases, case-insensitive, in the policy's order (on RE2;
    the whole reply is read, so a term cannot hide past a length limit)."""
    return patterns.has_literal(text, terms, limit=len(text or ""))


def bounces_in(text: str, policy: ReviewPolicy | None) -> list[bounces.Bounce]:
    """The phrases of ``text`` that send the customer elsewhere, by the brand's settings (the built-in phrases
    alone when the brand has no policy)."""
    if policy is None:
        return bounces.find_bounces(text)
    return bounces.find_bounces(text, brand_terms=policy.bounce_term_list, use_defaults=policy.bounce_defaults)


def decide(policy: ReviewPolicy | None, facts: Facts) -> list[dict[str, Any]]:
    """Every reason the policy gives for reviewing this reply, as ``{"code", "params"}``; empty: publish it."""
    if policy is None:
        return []
    reasons: list[dict[str, Any]] = []
    if policy.review_all:
        reasons.append({"code": "all", "params": {}})
    if policy.review_probation and facts.on_probation:
        reasons.append({"code": "probation", "params": {}})
    if policy.review_high_priority and facts.priority >= Priority.HIGH:
        reasons.append({"code": "priority", "params": {"priority": int(facts.priority)}})
    threshold = policy.influence_threshold
    if threshold is not None and facts.influence is not None and facts.influence >= threshold:
        reasons.append({"code": "influence", "params": {"score": facts.influence, "threshold": threshold}})
    if policy.review_flagged_terms:
        found = flagged_terms_in(facts.text, policy.flagged_term_list)
        if found:
            reasons.append({"code": "flagged", "params": {"terms": found}})
    if policy.review_bounces:
        found = bounces_in(facts.text, policy)
        if found:
            reasons.append(
                {"code": "bounce", "params": {"phrases": [b.text for b in found], "kinds": [b.kind for b in found]}}
            )
    if not reasons and in_sample(author_id=facts.author_id, reply_id=facts.reply_id, percent=policy.sample_percent):
        reasons.append({"code": "sample", "params": {"percent": policy.sample_percent}})
    return reasons


def describe(reason: dict[str, Any]) -> str:
    """One reason in words, in the active language."""
    code, params = reason.get("code"), reason.get("params") or {}
    if code == "all":
        return _("This brand reviews every reply.")
    if code == "probation":
        return _("The author is on probation.")
    if code == "priority":
        label = Priority(params.get("priority", Priority.HIGH)).label
        return _("The ticket's priority is %(priority)s.") % {"priority": label}
    if code == "influence":
        return _("An influential author (influence %(score)d, review from %(threshold)d).") % params
    if code == "flagged":
        terms = params.get("terms") or []
        return ngettext(
            "It contains a flagged term: %(terms)s.", "It contains flagged terms: %(terms)s.", len(terms)
        ) % {"terms": ", ".join(terms)}
    if code == "bounce":
        phrases = params.get("phrases") or []
        return ngettext(
            "It sends the customer elsewhere: %(phrases)s.",
            "It sends the customer elsewhere: %(phrases)s.",
            len(phrases),
        ) % {"phrases": ", ".join(f"“{p}”" for p in phrases)}
    if code == "sample":
        return _("Picked for the random review sample (%(percent)d %% of replies).") % params
    if code == "resubmitted":
        return _("Revised after a reviewer asked for changes.")
    return str(code)


def snapshot(brand: Brand) -> dict:
    """The brand's policy (every value ``None`` while it has none) and who is on probation, as JSON."""
    policy = ReviewPolicy.objects.filter(brand=brand).first()
    values = {name: getattr(policy, name) if policy else None for name in POLICY_FIELDS}
    members = Membership.objects.filter(brand=brand, on_probation=True).select_related("user")
    return {**values, "on_probation": sorted(m.user.get_username() for m in members)}


def update_review_policy(
    *,
    brand: Brand,
    values: dict[str, Any],
    on_probation: set[int] | None = None,
    among: set[int] | None = None,
    user=None,
    source: str = ConfigSource.PAGE,
) -> ReviewPolicy:
    """Set the policy's ``values`` (of :data:`POLICY_FIELDS`; the brand gets its policy row on its first save) and,
    when ``on_probation`` is given, put those memberships on probation and take the others of ``among`` (membership
    ids; ``None``: every member) off it. One transaction under the brand's row lock, with one audit record of what
    changed: the same form saved twice at once changes once and records once. Raises ValidationError."""
    with transaction.atomic():
        lock_brand(brand.pk)
        before = snapshot(brand)
        policy = ReviewPolicy.objects.filter(brand=brand).first() or ReviewPolicy(brand=brand)
        made = policy.pk is None
        for name, value in values.items():
            if name not in POLICY_FIELDS:
                raise ValueError(f"not a review policy setting: {name}")
            setattr(policy, name, value)
        policy.full_clean(exclude=["brand"])
        if made or any(before[name] != getattr(policy, name) for name in values):
            policy.save()
        if on_probation is not None:
            members = Membership.objects.filter(brand=brand)
            if among is not None:
                members = members.filter(pk__in=among)
            set_probation(list(members), on_probation)
        audit.record(
            brand=brand,
            user=user,
            source=source,
            area=ConfigArea.REVIEW,
            kind="review_policy.created" if made else "review_policy.updated",
            before=before,
            after=snapshot(brand),
            obj=policy,
            object_repr=brand.name,
        )
    return policy


def set_probation(members: list[Membership], on_probation: set[int]) -> None:
    """Put the given memberships (ids) of ``members`` on probation and take the others off it."""
    for membership in members:
        wanted = membership.pk in on_probation
        if membership.on_probation != wanted:
            Membership.objects.filter(pk=membership.pk).update(on_probation=wanted)
            membership.on_probation = wanted
