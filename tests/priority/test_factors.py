"""Each priority factor with exact points: influence, urgency terms, the combination and the noise checks."""

import pytest

from brands.models import Priority
from tickets.services import noise
from tickets.services.priority import (
    DEFAULT_URGENCY_TERMS,
    AuthorSignals,
    PriorityInputs,
    Reason,
    Score,
    Term,
    account_created_from_raw,
    assess,
    engagement_from_raw,
    explain,
    influence,
    match_terms,
)


def codes(score) -> list[tuple[str, int]]:
    return [(r.code, r.points) for r in score.reasons]


def test_influence_of_an_ordinary_account():
    score = influence(AuthorSignals(followers=12_000, following=300, engagement=40))
    # 10·log10(12,001) = 40.8 → 41; 5·log10(41) = 8.1 → 8
    assert codes(score) == [("followers", 41), ("engagement", 8)]
    assert score.value == 49
    assert [r.text for r in score.reasons] == ["12000 followers", "40 interactions on the message"]


def test_bought_followers_lower_the_score():
    score = influence(AuthorSignals(followers=50_000, following=100, engagement=5))
    assert codes(score) == [("followers", 47), ("engagement", 4), ("bought_followers", -25)]
    assert score.value == 26
    assert score.reasons[-1].params == {"ratio": 500, "rate": 0.01}
    assert score.reasons[-1].text == "followers look bought: 500 followers per account followed, 0.01% engagement"


def test_the_same_reach_with_real_engagement_is_not_bought():
    score = influence(AuthorSignals(followers=50_000, following=100, engagement=200))
    assert codes(score) == [("followers", 47), ("engagement", 12)]
    assert score.value == 59


def test_following_far_more_than_followers_and_a_new_account_lower_it():
    score = influence(
        AuthorSignals(followers=50, following=4000, verified_type="blue", earlier_tickets=3, account_age_days=10)
    )
    assert codes(score) == [
        ("followers", 17),
        ("engagement_unknown", 0),
        ("verified_blue", 10),
        ("history", 6),
        ("follows_many", -15),
        ("new_account", -15),
    ]
    assert score.value == 3


def test_verified_business_or_government_beats_blue():
    business = influence(AuthorSignals(verified_type="business"))
    government = influence(AuthorSignals(verified_type="Government"))
    assert codes(business) == [("followers_unknown", 0), ("engagement_unknown", 0), ("verified_org", 20)]
    assert business.value == government.value == 20


def test_influence_is_clamped_to_100_and_to_0():
    top = influence(
        AuthorSignals(followers=10**9, following=10**6, verified_type="business", engagement=10**9, earlier_tickets=9)
    )
    assert codes(top) == [("followers", 50), ("engagement", 20), ("verified_org", 20), ("history", 10)]
    assert top.value == 100
    bottom = influence(AuthorSignals(followers=0, following=5000, account_age_days=1))
    assert bottom.value == 0


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({}, None),
        ({"public_metrics": {"like_count": 3, "retweet_count": 2, "reply_count": 1, "quote_count": 0}}, 6),
        ({"like_count": 10, "comments_count": 4}, 14),
        ({"engagement": "7"}, 7),
        ({"public_metrics": {"like_count": "lots"}}, None),
        ({"engagement": 2**63}, None),
        ({"engagement": "9" * 5000}, None),
        ({"like_count": -5, "comments_count": 4}, 4),
        ({"like_count": 2_147_483_647, "comments_count": 2**64}, 2_147_483_647),
        ("not a dict", None),
    ],
)
def test_engagement_from_the_raw_payload(raw, expected):
    assert engagement_from_raw(raw) == expected


def test_account_creation_from_the_raw_payload():
    assert account_created_from_raw({"author": {"created_at": "2025-01-02T03:04:05Z"}}).isoformat() == (
        "2025-01-02T03:04:05+00:00"
    )
    assert account_created_from_raw({"user": {"created_at": "garbage"}}) is None
    assert account_created_from_raw({}) is None


@pytest.mark.parametrize(
    ("text", "labels"),
    [
        ("Ini PENIPUAN, saya mau lapor ke OJK!", ["fraud", "regulator"]),
        ("saldo terpotong 2x tapi transaksi gagal", ["lost money"]),
        ("saya akan menggugat kalian, pengacara saya sudah siap", ["legal"]),
        ("This is a scam, I lost money and will call the police", ["fraud", "lost money", "police"]),
        ("charger meledak, bahaya sekali", ["safety"]),
        ("pesugihan", []),  # no word of a term inside another word
        ("kapan promo berikutnya?", []),
    ],
)
def test_default_urgency_terms(text, labels):
    assert sorted(t.label for t in match_terms(text, DEFAULT_URGENCY_TERMS)) == sorted(labels)


def test_one_term_per_label_the_heaviest():
    terms = (Term("refund", "money", 10), Term("refund now", "money", 25), Term("[", "broken", 50, is_regex=True))
    assert match_terms("I want a refund now", terms) == [Term("refund now", "money", 25)]


def test_points_of_each_factor_and_the_thresholds():
    result = assess(
        PriorityInputs(
            sentiment="negative",
            influence=Score(49, []),
            terms=(Term("penipuan", "fraud", 30),),
            is_private=True,
            mentions_on_ticket=3,
            recent_tickets=1,
        )
    )
    assert [(f.code, f.points) for f in result.factors] == [
        ("sentiment_negative", 20),
        ("influence", 9),
        ("urgency_term", 30),
        ("private", 10),
        ("repeat_mentions", 10),
        ("recent_tickets", 5),
    ]
    assert (result.points, result.priority) == (84, Priority.URGENT)


@pytest.mark.parametrize(
    ("inputs", "points", "priority"),
    [
        (PriorityInputs(sentiment="positive"), -5, Priority.LOW),
        (PriorityInputs(sentiment="neutral"), 0, Priority.NORMAL),
        (PriorityInputs(sentiment="negative"), 20, Priority.NORMAL),
        (PriorityInputs(sentiment="negative", mentions_on_ticket=2), 25, Priority.NORMAL),
        (PriorityInputs(sentiment="negative", is_private=True), 30, Priority.HIGH),
        (PriorityInputs(sentiment="neutral", terms=(Term("OJK", "regulator", 30),)), 30, Priority.HIGH),
        (PriorityInputs(sentiment="negative", terms=(Term("OJK", "regulator", 30),)), 50, Priority.URGENT),
        (PriorityInputs(sentiment="neutral", influence=Score(100, [])), 20, Priority.NORMAL),
    ],
)
def test_thresholds(inputs, points, priority):
    result = assess(inputs)
    assert (result.points, result.priority) == (points, priority)


def test_urgency_is_capped_at_40_and_repeats_at_20():
    result = assess(
        PriorityInputs(
            terms=(Term("OJK", "regulator", 30), Term("somasi", "legal", 30)), mentions_on_ticket=6, recent_tickets=2
        )
    )
    assert [(f.code, f.points) for f in result.factors] == [
        ("urgency_term", 30),
        ("urgency_term_capped", 10),
        ("repeat_mentions", 20),
        ("recent_tickets", 0),
    ]


def test_the_explanation_round_trips_through_json():
    result = assess(PriorityInputs(sentiment="negative", influence=influence(AuthorSignals(followers=99))))
    shown = explain(result.as_json())
    assert shown.points == 24
    assert [(f.code, f.points, f.text) for f in shown.factors] == [
        ("sentiment_negative", 20, "negative message"),
        ("influence", 4, "author influence 20 of 100"),
    ]
    assert shown.influence == 20
    assert [r.text for r in shown.influence_reasons] == ["99 followers", "engagement unknown"]
    assert explain({}) is None
    assert Reason("unknown_code", 3).text == "unknown_code"


# --- noise ------------------------------------------------------------------------------------------------------


def check(text: str, **kwargs):
    kwargs.setdefault("handle", "someone")
    kwargs.setdefault("blocked_handles", frozenset())
    return noise.check(text=text, **kwargs)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("SLOT GACOR hari ini maxwin terus!! daftar sekarang", "gambling"),
        ("situs judi online terpercaya", "gambling"),
        ("depo 10rb bonus 100%", "gambling"),
        ("deposit 10 ribu langsung main", "gambling"),
        ("https://bit.ly/x1y2", "link_only"),
        ("@acme #promo https://t.co/abc 🔥🔥", "link_only"),
        ("paket saya belum sampai, cek https://track.example/123", None),
        ("Halo kak, kapan slotnya tersedia?", None),
    ],
)
def test_noise_signals(text, reason):
    verdict = check(text)
    assert (verdict.reason if verdict else None) == reason


def test_blocked_author_brand_pattern_and_floods():
    assert check("halo", handle="@SpamBot", blocked_handles=frozenset({"spambot"})) == noise.Verdict(
        "blocked_author", "SpamBot"
    )
    assert check("beli followers murah", spam_terms=(Term("followers murah", "followers", 0),)) == noise.Verdict(
        "spam_pattern", "followers"
    )
    assert check("same words again and again", same_text_same_author=1) is None
    assert check("same words again and again", same_text_same_author=2) == noise.Verdict("flood", "1")
    assert check("same words again and again", same_text_recently=18) is None
    assert check("same words again and again", same_text_recently=19) == noise.Verdict("flood", "20")


def test_fingerprints_ignore_case_spacing_and_links_and_skip_short_texts():
    a = noise.fingerprint("Promo  GRATIS ongkir hari ini https://a.example/1")
    b = noise.fingerprint("promo gratis ongkir hari ini https://b.example/2")
    assert a == b
    assert len(a) == 16
    assert noise.fingerprint("halo min") == ""


def test_a_capped_term_says_so():
    result = assess(
        PriorityInputs(terms=(Term("OJK", "regulator", 30), Term("somasi", "legal", 30), Term("sue", "x", 5)))
    )
    assert [(f.code, f.points, f.text) for f in result.factors] == [
        ("urgency_term", 30, "mentions regulator (“OJK”)"),
        ("urgency_term_capped", 10, "mentions legal (“somasi”), above the 40-point urgency cap"),
        ("urgency_term_capped", 0, "mentions x (“sue”), above the 40-point urgency cap"),
    ]
