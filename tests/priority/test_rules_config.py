"""Rules and routing settings from load_config and the admin: an invalid pattern is refused on save."""

import pytest
from django.urls import reverse

from brands.models import BlockedAuthor, Membership, SpamPattern, UrgencyTerm
from brands.services.config import ConfigError, apply_config
from tests.helpers import db_state


def doc(**brand) -> dict:
    return {"brands": [{"slug": "acme", **brand}]}


def test_load_config_sets_routing_terms_patterns_and_blocked_authors(cast):
    summary = apply_config(
        doc(
            routing={
                "mode": "load",
                "capacity": 4,
                "idle_owner_minutes": 30,
                "operators": {"op_a": {"languages": ["id", "EN"], "skills": ["legal", "fraud"]}},
            },
            urgency_terms=[{"pattern": r"kartu\s+diblokir", "label": "card", "weight": 25, "regex": True}],
            spam_patterns=[{"pattern": "followers murah", "label": "followers"}],
            blocked_authors=[{"platform": "x", "handle": "@spambot", "note": "bot"}],
        )
    )
    brand = cast.brand_a
    brand.refresh_from_db()
    assert (brand.routing_mode, brand.operator_capacity, brand.idle_owner_minutes) == ("load", 4, 30)
    member = Membership.objects.get(user=cast.operator, brand=brand)
    assert (member.languages, member.skills) == ("id,en", "legal,fraud")
    assert list(UrgencyTerm.objects.values_list("pattern", "label", "weight", "is_regex")) == [
        (r"kartu\s+diblokir", "card", 25, True)
    ]
    assert list(SpamPattern.objects.values_list("pattern", "label", "is_regex")) == [
        ("followers murah", "followers", False)
    ]
    assert list(BlockedAuthor.objects.values_list("platform", "handle", "note")) == [("x", "spambot", "bot")]
    assert summary.created == {"urgency_terms": 1, "spam_patterns": 1, "blocked_authors": 1}
    assert summary.updated == {"routing": 1, "operator_profiles": 1}


def test_load_config_twice_changes_nothing(cast):
    document = doc(
        routing={"mode": "round_robin"},
        urgency_terms=[{"pattern": "somasi", "label": "legal", "weight": 30}],
        blocked_authors=[{"platform": "x", "handle": "bot"}],
    )
    apply_config(document)
    before = db_state()
    summary = apply_config(document)
    assert (summary.created, summary.updated) == ({}, {})
    assert db_state() == before


def test_load_config_refuses_an_invalid_regex_and_changes_nothing(cast):
    before = db_state()
    with pytest.raises(ConfigError) as error:
        apply_config(
            doc(
                routing={"mode": "fastest", "capacity": 0, "operators": {"outsider": {"languages": ["id"]}}},
                urgency_terms=[{"pattern": "([", "label": "broken", "regex": True}],
                spam_patterns=[{"pattern": ".*", "label": "all", "regex": True}],
                blocked_authors=[{"platform": "myspace", "handle": "x"}],
            )
        )
    assert error.value.problems == [
        "brands[0].routing.mode: unknown mode 'fastest' (use claim, round_robin, load)",
        "brands[0].routing.capacity: must be a whole number above zero",
        "brands[0].routing.operators.outsider: not a member of this brand",
        "brands[0].urgency_terms[0].pattern: Not a valid regular expression: unterminated character set at position 1",
        "brands[0].spam_patterns[0].pattern: This regular expression matches empty text, "
        "so it would match every message.",
        "brands[0].blocked_authors[0].platform: unknown platform (use x, facebook, instagram, youtube)",
    ]
    assert db_state() == before


def test_the_admin_refuses_an_invalid_regex(client, cast):
    client.force_login(cast.admin)
    before = db_state()
    response = client.post(
        reverse("admin:brands_urgencyterm_add"),
        {"brand": cast.brand_a.pk, "pattern": "(unclosed", "is_regex": "on", "label": "x", "weight": "10"},
    )
    assert response.status_code == 200
    assert "Not a valid regular expression: missing ), unterminated subpattern at position 0" in (
        response.content.decode()
    )
    assert db_state() == before
    response = client.post(
        reverse("admin:brands_urgencyterm_add"),
        {"brand": cast.brand_a.pk, "pattern": "(unclosed", "label": "x", "weight": "10"},  # plain words: fine
    )
    assert response.status_code == 302
    assert UrgencyTerm.objects.get().pattern == "(unclosed"
