"""ReDoS: every place a brand's or user's text becomes a pattern runs on RE2 (linear time) or is refused on save.

Settings that take patterns: urgency terms and spam patterns (settings page, admin, ``load_config``; regular
expressions or plain terms), listening rules (admin, ``load_config``; plain terms) and the review policy's
flagged terms (settings page, admin, ``load_config``; plain terms). The API takes no pattern.

Assertions are about behaviour: which engine compiled the pattern, what is refused and why, what another brand
matches. The single time bound is loose (seconds) and stands for "finishes at all": Python's backtracking engine
took 14 s on 28 characters of the first pattern below, and would not finish on 5,000.
"""

import logging
import time

import pytest
import re2
from django.core.exceptions import ValidationError
from django.test import Client

from brands.models import ListeningRule, ReviewPolicy, SpamPattern, UrgencyTerm
from brands.services import patterns
from brands.services.channels import listening
from brands.services.config import ConfigError, apply_config
from brands.services.review_policy import flagged_terms_in
from tests.factories import make_normalized
from tests.helpers import db_state
from tickets.models import Ticket
from tickets.services import ingest
from tickets.services.priority import DEFAULT_URGENCY_TERMS, Term, match_terms, rules_for, term_set

#: patterns that backtrack exponentially (or polynomially of high degree) in Python's ``re``
CATASTROPHIC = [
    r"(a+)+$",
    r"(a|a)+$",
    r"(a|aa)+$",
    r"^(\w+\s?)+$",
    r"(x+x+)+y",
    r"([a-zA-Z]+)*!$",
    r"(a*)*b",
    r"(.*a){12}",
    r"^(([a-z])+.)+[A-Z]([a-z])+$",
]
#: what RE2 cannot run in linear time, refused on save with the reason
UNSUPPORTED = [r"(a)\1", r"(?P<x>a)(?P=x)", r"(?=a)b", r"(?!a)b", r"(?<=a)b", r"(?<!a)b"]
#: texts the catastrophic patterns choke on: the short one of the report and the longest text ever matched
HOSTILE_TEXTS = [
    "a" * 28 + "!",
    "a" * (patterns.MATCH_CHARS - 1) + "!",
    "aaaa " * (patterns.MATCH_CHARS // 5 - 1) + "!",
]
SECONDS = 5.0

PRIORITY_URL = "/settings/acme/priority/"
REVIEW_URL = "/settings/acme/review/"


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def ingest_one(brand, text: str, **kwargs) -> Ticket:
    return Ticket.objects.get(
        pk=ingest.ingest_mentions(items=[make_normalized(brand, text=text, **kwargs)])[0].ticket_id
    )


def urgency_codes(ticket: Ticket) -> list[str]:
    return [f["code"] for f in ticket.priority_factors["factors"] if f["code"].startswith("urgency")]


# --- the engine --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("pattern", CATASTROPHIC)
def test_a_catastrophic_pattern_compiles_on_re2_and_runs_through_hostile_text(pattern):
    compiled = patterns.compile_regex(pattern)
    assert isinstance(compiled, re2._Regexp)
    assert compiled.programsize <= patterns.MAX_REGEX_PROGRAM
    started = time.perf_counter()
    for text in HOSTILE_TEXTS:
        match_terms(text, (Term(pattern, "x", 10, is_regex=True),))
    assert time.perf_counter() - started < SECONDS


def test_every_term_of_every_set_is_compiled_by_re2():
    compiled = term_set(DEFAULT_URGENCY_TERMS + (Term(r"(a+)+$", "x", 10, is_regex=True),)).compiled
    assert len(compiled) == len(DEFAULT_URGENCY_TERMS) + 1
    assert all(isinstance(regexp, re2._Regexp) for _term, regexp in compiled)


@pytest.mark.parametrize("pattern", UNSUPPORTED)
def test_what_re2_cannot_run_is_refused_with_the_reason(pattern):
    error = patterns.pattern_error(pattern, is_regex=True)
    assert error.startswith("This regular expression uses a feature the safe engine (RE2) does not run")
    assert patterns.pattern_error(pattern, is_regex=False) is None  # as a plain term it is only text


@pytest.mark.parametrize("pattern", [r"x{1001}", r"(.*a){300}", r"((a{50}){50}){50}", r"\pL{100}"])
def test_a_pattern_too_complex_for_the_budget_is_refused(pattern):
    assert patterns.pattern_error(pattern, is_regex=True) == (
        "This regular expression is too complex (at most 2000 steps once compiled): simplify it, e.g. fewer or "
        "smaller repetitions."
    )


# --- refused on save, everywhere patterns are saved --------------------------------------------------------------


@pytest.mark.parametrize("pattern", UNSUPPORTED[:3])
@pytest.mark.parametrize("action", ["urgency", "spam"])
def test_the_settings_page_refuses_it_next_to_the_field_and_saves_nothing(cast, pattern, action):
    before = db_state()
    response = logged_in(cast.supervisor).post(
        PRIORITY_URL, {"action": action, "pattern": pattern, "is_regex": "on", "label": "x", "weight": "10"}
    )
    assert response.status_code == 400
    form = response.context[f"{action}_form"]
    assert list(form.errors) == ["pattern"]
    assert "does not run" in form.errors["pattern"][0]
    assert "does not run" in response.content.decode()
    assert db_state() == before


@pytest.mark.parametrize(("model", "extra"), [("urgencyterm", {"weight": "10"}), ("spampattern", {})])
def test_the_admin_refuses_it(cast, model, extra):
    before = db_state()
    response = logged_in(cast.admin).post(
        f"/admin/brands/{model}/add/",
        {"brand": cast.brand_a.pk, "pattern": r"(?<!no )refund", "is_regex": "on", "label": "x", **extra},
    )
    assert response.status_code == 200
    assert "does not run" in str(response.context["adminform"].form.errors["pattern"])
    assert db_state() == before


@pytest.mark.parametrize("key", ["urgency_terms", "spam_patterns"])
def test_load_config_refuses_it_with_the_path(cast, key):
    before = db_state()
    with pytest.raises(ConfigError) as error:
        apply_config({"brands": [{"slug": "acme", key: [{"pattern": r"(\w)\1{3}", "label": "x", "regex": True}]}]})
    [problem] = error.value.problems
    assert problem.startswith(f"brands[0].{key}[0].pattern: This regular expression uses a feature")
    assert db_state() == before


def test_a_brand_has_a_bounded_number_of_rules_and_regex_budget(cast, monkeypatch):
    monkeypatch.setattr(patterns, "MAX_RULES", 3)
    for i in range(3):
        UrgencyTerm.objects.create(brand=cast.brand_a, pattern=f"term {i}", label="x", weight=5)
    fourth = UrgencyTerm(brand=cast.brand_a, pattern="term 3", label="x", weight=5)
    with pytest.raises(ValidationError) as error:
        fourth.full_clean()
    assert error.value.messages == ["A brand has at most 3 urgency terms: remove one first."]
    UrgencyTerm(brand=cast.brand_b, pattern="term 3", label="x", weight=5).full_clean()  # per brand

    heavy = r"(.*a){150}"
    cost = patterns.compile_regex(heavy).programsize
    monkeypatch.setattr(patterns, "MAX_REGEX_BUDGET", cost * 2 + 10)
    SpamPattern.objects.create(brand=cast.brand_a, pattern=heavy, is_regex=True, label="x")
    SpamPattern(brand=cast.brand_a, pattern=heavy + "b", is_regex=True, label="x").full_clean()  # fits
    SpamPattern.objects.create(brand=cast.brand_a, pattern=heavy + "b", is_regex=True, label="x")
    with pytest.raises(ValidationError) as error:
        SpamPattern(brand=cast.brand_a, pattern=heavy + "c", is_regex=True, label="x").full_clean()
    assert "too complex together" in error.value.message_dict["pattern"][0]


# --- ingest ------------------------------------------------------------------------------------------------------


def test_a_hostile_urgency_term_costs_linear_time_and_still_matches(cast):
    UrgencyTerm.objects.create(brand=cast.brand_a, pattern=r"(a+)+$", is_regex=True, label="hostile", weight=10)
    started = time.perf_counter()
    tickets = [ingest_one(cast.brand_a, text, author_id=f"u-{i}") for i, text in enumerate(HOSTILE_TEXTS)]
    assert time.perf_counter() - started < SECONDS
    assert [urgency_codes(t) for t in tickets] == [[], [], []]  # "!" at the end: no match, and no stall
    assert urgency_codes(ingest_one(cast.brand_a, "a" * 40, author_id="u-9")) == ["urgency_term"]


def test_another_brands_ingest_never_runs_a_brands_patterns(cast):
    for pattern in CATASTROPHIC:
        UrgencyTerm.objects.create(brand=cast.brand_a, pattern=pattern, is_regex=True, label="hostile", weight=10)
        SpamPattern.objects.create(brand=cast.brand_a, pattern=pattern, is_regex=True, label="hostile")
    UrgencyTerm.objects.create(brand=cast.brand_b, pattern="kartu hilang", label="card", weight=25)

    rules_b = rules_for(cast.brand_b.pk)
    patterns_b = {t.pattern for t, _ in rules_b.urgency_terms.compiled + rules_b.spam_terms.compiled}
    assert patterns_b.isdisjoint(CATASTROPHIC)

    items = [make_normalized(cast.brand_a, author_id=f"a-{i}", text=t) for i, t in enumerate(HOSTILE_TEXTS)]
    items.append(make_normalized(cast.brand_b, author_id="b-1", text="Kartu hilang, tolong blokir"))
    started = time.perf_counter()
    results = ingest.ingest_mentions(items=items)
    assert time.perf_counter() - started < SECONDS
    ticket_b = Ticket.objects.get(pk=results[-1].ticket_id)
    assert ticket_b.brand == cast.brand_b
    assert urgency_codes(ticket_b) == ["urgency_term"]
    assert ticket_b.status == "new"


def test_a_brands_rules_are_compiled_once_and_recompiled_when_they_change(cast):
    UrgencyTerm.objects.create(brand=cast.brand_a, pattern=r"kartu\s+hilang", is_regex=True, label="c", weight=5)
    first = rules_for(cast.brand_a.pk).urgency_terms
    assert rules_for(cast.brand_a.pk).urgency_terms is first  # the same compiled set: nothing compiled again
    UrgencyTerm.objects.create(brand=cast.brand_a, pattern="blokir", label="c", weight=5)
    changed = rules_for(cast.brand_a.pk).urgency_terms
    assert changed is not first
    assert [t.pattern for t, _ in changed.compiled][-2:] == [r"kartu\s+hilang", "blokir"]


def test_a_stored_pattern_re2_cannot_run_is_skipped_logged_and_shown(cast, caplog):
    """Rows saved before RE2 (or written to the database directly) never stop ingest."""
    UrgencyTerm.objects.create(brand=cast.brand_a, pattern=r"(\w)\1{3}", is_regex=True, label="legacy", weight=30)
    UrgencyTerm.objects.create(brand=cast.brand_a, pattern="kartu hilang", label="card", weight=25)
    SpamPattern.objects.create(brand=cast.brand_a, pattern=r"(?<!no )promo", is_regex=True, label="legacy")
    with caplog.at_level(logging.WARNING, logger="tickets.services.priority"):
        ticket = ingest_one(cast.brand_a, "aaaa kartu hilang promo")
    assert urgency_codes(ticket) == ["urgency_term"]
    assert [f["params"].get("label") for f in ticket.priority_factors["factors"] if f["code"] == "urgency_term"] == [
        "card"
    ]
    assert ticket.status == "new"  # the spam pattern was skipped, not matched
    skipped = sorted(r.getMessage().split(" (")[0] for r in caplog.records)
    assert skipped == ["pattern '(?<!no )promo'", "pattern '(\\\\w)\\\\1{3}'"]

    body = logged_in(cast.supervisor).get(PRIORITY_URL).content.decode()
    assert body.count("Skipped when matching: This regular expression uses a feature") == 2


# --- plain terms: listening rules and flagged terms ---------------------------------------------------------------


@pytest.mark.parametrize("term", CATASTROPHIC[:4])
def test_listening_keywords_are_text_not_patterns(cast, term):
    rule = ListeningRule.objects.create(brand=cast.brand_a, name="r", keywords=term)
    started = time.perf_counter()
    for text in HOSTILE_TEXTS:
        assert not listening.matches(rule, platform="x", text=text)
    assert time.perf_counter() - started < SECONDS
    assert listening.matches(rule, platform="x", text=f"lihat {term} ini")
    assert isinstance(patterns.compile_literal(term, not_after="@#"), re2._Regexp)


@pytest.mark.parametrize("term", CATASTROPHIC[:4])
def test_flagged_terms_are_text_not_patterns(term):
    started = time.perf_counter()
    for text in HOSTILE_TEXTS:
        assert flagged_terms_in(text, [term, "refund"]) == []
    assert time.perf_counter() - started < SECONDS
    assert flagged_terms_in(f"we will {term} and Refund you", [term, "refund"]) == [term, "refund"]


def test_a_flagged_term_cannot_hide_past_the_matching_limit():
    assert flagged_terms_in("ok " * 5000 + "refund", ["refund"]) == ["refund"]


def test_too_many_or_too_long_plain_terms_are_refused_everywhere(cast):
    many = ", ".join(f"kata{i}" for i in range(patterns.MAX_TERMS + 1))
    long_term = "x" * (patterns.MAX_TERM_CHARS + 1)
    before = db_state()

    rule = ListeningRule(brand=cast.brand_a, name="r", keywords=many, hashtags=long_term)
    with pytest.raises(ValidationError) as error:
        rule.full_clean()
    assert error.value.message_dict == {
        "keywords": [f"At most {patterns.MAX_TERMS} terms."],
        "hashtags": [f"“{'x' * 20}…” is too long: a term has at most {patterns.MAX_TERM_CHARS} characters."],
    }

    response = logged_in(cast.supervisor).post(
        REVIEW_URL, {"review_flagged_terms": "on", "flagged_terms": many, "sample_percent": "0"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["flagged_terms"] == [f"At most {patterns.MAX_TERMS} terms."]

    with pytest.raises(ConfigError) as config_error:
        apply_config(
            {
                "brands": [
                    {
                        "slug": "acme",
                        "listening_rules": [{"name": "r", "keywords": [long_term]}],
                        "review": {"flagged_terms": many.split(", ")},
                    }
                ]
            }
        )
    assert config_error.value.problems == [
        f"brands[0].listening_rules[0].keywords: “{'x' * 20}…” is too long: a term has at most 100 characters.",
        f"brands[0].review.flagged_terms: At most {patterns.MAX_TERMS} terms.",
    ]
    assert db_state() == before
    assert not ReviewPolicy.objects.exists()
