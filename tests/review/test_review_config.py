"""load_config: ``review:`` per brand (policy and probation), idempotent, every problem reported."""

import pytest

from brands.models import DEFAULT_FLAGGED_TERMS, Membership, ReviewPolicy
from brands.services.config import ConfigError, apply_config


def doc(review):
    return {"brands": [{"slug": "acme", "review": review}]}


def test_the_review_policy_comes_from_the_file(cast):
    summary = apply_config(
        doc(
            {
                "all": False,
                "sample_percent": 20,
                "high_priority": True,
                "influence_threshold": 70,
                "flagged": True,
                "flagged_terms": ["refund", "somasi", "pengacara"],
                "on_probation": ["op_a"],
            }
        )
    )
    policy = ReviewPolicy.objects.get(brand=cast.brand_a)
    assert (
        policy.review_all,
        policy.sample_percent,
        policy.review_high_priority,
        policy.influence_threshold,
        policy.review_flagged_terms,
        policy.flagged_terms,
    ) == (False, 20, True, 70, True, "refund, somasi, pengacara")
    assert Membership.objects.get(user=cast.operator, brand=cast.brand_a).on_probation is True
    assert summary.created == {"review_policy": 1}
    assert summary.updated == {"probation": 1}
    again = apply_config(doc({"sample_percent": 20, "on_probation": ["op_a"]}))
    assert (again.created, again.updated) == ({}, {})


def test_defaults_keep_the_built_in_terms(cast):
    apply_config(doc({"all": True}))
    assert ReviewPolicy.objects.get(brand=cast.brand_a).flagged_terms == DEFAULT_FLAGGED_TERMS


def test_every_problem_is_reported_and_nothing_changes(cast):
    with pytest.raises(ConfigError) as exc:
        apply_config(
            doc(
                {
                    "all": "yes",
                    "sample_percent": 101,
                    "flagged_terms": ["a,b"],
                    "on_probation": ["nobody"],
                    "sometimes": True,
                }
            )
        )
    assert exc.value.problems == [
        "brands[0].review.sometimes: unknown key",
        "brands[0].review.all: must be true or false",
        "brands[0].review.sample_percent: must be a whole number from 0 to 100",
        "brands[0].review.flagged_terms: must be a list of words or phrases without commas",
        "brands[0].review.on_probation: 'nobody' is not a member of this brand",
    ]
    assert not ReviewPolicy.objects.exists()
