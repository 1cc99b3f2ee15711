"""brands.services.review_policy: each rule, its reason, the deterministic sample, and no policy → no review."""

import pytest

from brands.models import DEFAULT_FLAGGED_TERMS, Priority, ReviewPolicy
from brands.services.review_policy import Facts, decide, describe, flagged_terms_in, in_sample


def facts(**kw):
    return Facts(**{"reply_id": 1, "author_id": 7, "text": "Halo kak, kami cek dulu ya", **kw})


def test_no_policy_reviews_nothing():
    assert decide(None, facts(on_probation=True, priority=Priority.URGENT, influence=99)) == []


def test_an_empty_policy_reviews_nothing():
    assert decide(ReviewPolicy(), facts(priority=Priority.URGENT, influence=99, text="refund")) == []


def test_each_rule_gives_its_reason():
    policy = ReviewPolicy(
        review_all=True,
        review_probation=True,
        review_high_priority=True,
        influence_threshold=60,
        review_flagged_terms=True,
    )
    reasons = decide(
        policy,
        facts(on_probation=True, priority=Priority.HIGH, influence=72, text="Kami proses REFUND dan ganti rugi"),
    )
    assert reasons == [
        {"code": "all", "params": {}},
        {"code": "probation", "params": {}},
        {"code": "priority", "params": {"priority": 3}},
        {"code": "influence", "params": {"score": 72, "threshold": 60}},
        {"code": "flagged", "params": {"terms": ["ganti rugi", "refund"]}},
    ]
    assert [describe(r) for r in reasons] == [
        "This brand reviews every reply.",
        "The author is on probation.",
        "The ticket's priority is High.",
        "An influential author (influence 72, review from 60).",
        "It contains flagged terms: ganti rugi, refund.",
    ]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Silakan hubungi pengacara kami", ["pengacara"]),
        ("Our LEGAL team will reply", ["legal"]),
        ("Ini ilegal", []),  # a whole word only
        ("refunds are processed", []),
        ("Uang kembali dalam 3 hari", ["uang kembali"]),
        ("Kami akan digugat? Tidak, gugat saja", ["gugat"]),
    ],
)
def test_flagged_terms_match_whole_words_in_either_language(text, found):
    terms = [t.strip() for t in DEFAULT_FLAGGED_TERMS.split(",")]
    assert flagged_terms_in(text, terms) == found


def test_below_the_thresholds_there_is_no_review():
    policy = ReviewPolicy(review_high_priority=True, influence_threshold=60, review_probation=True)
    assert decide(policy, facts(priority=Priority.NORMAL, influence=59, on_probation=False)) == []


def test_the_sample_is_deterministic_and_close_to_its_share():
    picked = [n for n in range(1, 1001) if in_sample(author_id=7, reply_id=n, percent=10)]
    assert picked == [n for n in range(1, 1001) if in_sample(author_id=7, reply_id=n, percent=10)]
    assert 70 <= len(picked) <= 130
    assert not in_sample(author_id=7, reply_id=1, percent=0)
    assert in_sample(author_id=7, reply_id=1, percent=100)
    first = picked[0]
    assert decide(ReviewPolicy(sample_percent=10), facts(reply_id=first)) == [
        {"code": "sample", "params": {"percent": 10}}
    ]
    assert decide(ReviewPolicy(sample_percent=10), facts(reply_id=first - 1 if first > 1 else 0)) == []


def test_a_reply_that_bounces_the_customer_waits_for_a_supervisor_and_says_why():
    reasons = decide(ReviewPolicy(), facts(text="Mohon maaf kak, silakan hubungi call center 14045 ya."))

    assert reasons == [{"code": "bounce", "params": {"phrases": ["hubungi call center"], "kinds": ["call_center"]}}]
    assert describe(reasons[0]) == "It sends the customer elsewhere: “hubungi call center”."


def test_bounces_follow_the_brands_phrases_and_switches():
    text = "Silakan ke Acme Care Point ya kak, atau datang ke kantor cabang."

    own_only = ReviewPolicy(bounce_defaults=False, bounce_terms="acme care point, gerai")
    assert decide(own_only, facts(text=text)) == [
        {"code": "bounce", "params": {"phrases": ["Acme Care Point"], "kinds": ["brand_term"]}}
    ]
    assert decide(ReviewPolicy(review_bounces=False), facts(text=text)) == []
    assert decide(ReviewPolicy(), facts(text="Boleh DM nomor pesanannya ya kak, kami bantu cek.")) == []
