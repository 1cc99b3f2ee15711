"""The committed sentiment model reproduces the figures recorded when it was trained (``data/figures.json``), on
the valid splits and the question set committed beside it, so no shared data folder is needed."""

import json

import pytest

from tickets.sentiment import classify
from tickets.sentiment.corpus import FIXTURE, load_committed_valid, load_questions
from tickets.sentiment.evaluate import macro_f1

FIGURES = json.loads((FIXTURE / "figures.json").read_text(encoding="utf-8"))
VALID = load_committed_valid()


@pytest.mark.parametrize(("source", "size"), [("smsa", 1260), ("nusax-id", 100), ("nusax-en", 100)])
def test_valid_split_macro_f1_matches_the_recorded_figure(source, size):
    split = VALID[source]
    recorded = FIGURES["valid"][source]
    assert len(split) == recorded["n"] == size
    assert round(macro_f1(split.labels, classify(split.texts)), 4) == recorded["macro_f1"]


def test_question_set_matches_the_recorded_figure():
    questions = load_questions()
    recorded = FIGURES["questions"]["questions"]
    assert len(questions) == recorded["n"] == 65
    assert round(macro_f1(questions.labels, classify(questions.texts)), 4) == recorded["macro_f1"]


def test_recorded_figures_meet_the_floors_the_model_card_states():
    """A retrained model that falls below these (the card's figures, rounded down) needs a new card."""
    assert FIGURES["holdout"]["smsa"]["macro_f1"] >= 0.86
    assert FIGURES["valid"]["smsa"]["macro_f1"] >= 0.85
    assert FIGURES["valid"]["nusax-id"]["macro_f1"] >= 0.88
    assert FIGURES["valid"]["nusax-en"]["macro_f1"] >= 0.78
    assert FIGURES["questions"]["questions"]["macro_f1"] >= 0.9
    assert FIGURES["throughput"]["per_cpu_second"] >= 2000


def test_plain_questions_are_no_longer_negative():
    """44 of the 45 plain questions come out neutral (the old model called 21 of them negative); the one left is a
    known failure kind: "plan" leans negative in the English training sentences (docs/sentiment.md)."""
    questions = load_questions()
    plain = [t for t, label in zip(questions.texts, questions.labels, strict=True) if label == "neutral"]
    labels = classify(plain)
    assert len(plain) == 45
    assert [t for t, label in zip(plain, labels, strict=True) if label != "neutral"] == [
        "Does the premium plan include roaming?"
    ]
