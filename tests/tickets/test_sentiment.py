"""Sentiment: the committed model, its edge cases and the ``sentiment`` management command (no data needed)."""

import io
import sys
import threading

import pytest
from django.core.management import call_command

from tickets import sentiment
from tickets.sentiment import model as sentiment_model
from tickets.sentiment.text import normalise, question_rule, word_features

LABELS = {"positive", "neutral", "negative"}


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("pelayanan sangat buruk, saya kecewa", "negative"),
        ("terima kasih, sangat membantu!", "positive"),
        ("Makanannya enak banget dan harganya murah", "positive"),
        ("Sinyal lemot parah, sudah 3 hari gak bisa internet. Kecewa!!", "negative"),
        ("This is the worst service ever", "negative"),
        ("I love this app, the staff were so helpful and friendly", "positive"),
        ("The refund never arrived and nobody answers my calls. Terrible.", "negative"),
    ],
)
def test_clear_examples(text, label):
    assert sentiment.classify_one(text) == label


def test_batch_keeps_order_and_length():
    texts = ["pelayanan sangat buruk, saya kecewa", "", "terima kasih, sangat membantu!"]
    assert sentiment.classify(texts) == ["negative", "neutral", "positive"]
    assert sentiment.classify([]) == []


@pytest.mark.parametrize(
    "text", ["", "   ", "\n\t ", "😀😀😀", "👍", "🔥🔥 🙏", "1234 5678", "!!! ???", "@someone", "https://t.co/x"]
)
def test_nothing_to_judge_is_neutral(text):
    assert sentiment.classify_one(text) == "neutral"


@pytest.mark.parametrize(
    "text",
    [
        "bagus " * 20_000,  # 120,000 characters: only the first 5,000 are read
        "x" * 100_000,
        "مرحبا بكم 这是 中文 😀 pelayanan bagus",
        "这是一个测试",
        "шрифт кириллица",
        "\u200b\u200d\ufeff",
        "a\x00b",
        "ＰＥＬＡＹＡＮＡＮ　ＢＵＲＵＫ",
    ],
)
def test_odd_text_classifies_without_error(text):
    assert sentiment.classify_one(text) in LABELS


def test_normalise_maps_social_media_text_to_training_style():
    text = "Pelayanan @Telkomsel GAK bagusss bgt!!! https://t.co/abc #kecewa"
    assert normalise(text) == "pelayanan tidak bagus banget ! ! ! kecewa"


def test_model_file_is_small():
    assert sentiment_model.MODEL_PATH.stat().st_size < 20 * 1024 * 1024


def test_model_loads_once(monkeypatch):
    first = sentiment_model.get_model()
    sentiment.classify_one("ok")

    def fail(*args, **kwargs):
        raise AssertionError("model loaded again")

    monkeypatch.setattr(sentiment_model.SentimentModel, "load", fail)
    assert sentiment_model.get_model() is first
    assert sentiment.classify_one("pelayanan sangat buruk") == "negative"


def test_concurrent_first_use_loads_once(monkeypatch):
    loads = []
    real_load = sentiment_model.SentimentModel.load

    def counting_load(*args, **kwargs):
        loads.append(1)
        return real_load(*args, **kwargs)

    monkeypatch.setattr(sentiment_model, "_model", None)
    monkeypatch.setattr(sentiment_model.SentimentModel, "load", counting_load)
    results = []
    threads = [threading.Thread(target=lambda: results.append(sentiment.classify_one("bagus"))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert loads == [1]
    assert results == ["positive"] * 8


def test_management_command_round_trip(monkeypatch):
    monkeypatch.setattr(
        sys, "stdin", io.StringIO("pelayanan sangat buruk, saya kecewa\n\nterima kasih, sangat membantu!\n")
    )
    out = io.StringIO()
    call_command("sentiment", stdout=out)
    assert out.getvalue().splitlines() == ["negative", "neutral", "positive"]


def test_management_command_batches(monkeypatch):
    lines = ["This is the worst service ever", "terima kasih, sangat membantu!", ""] * 5
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(lines) + "\n"))
    out = io.StringIO()
    call_command("sentiment", batch_size=4, stdout=out)
    assert out.getvalue().splitlines() == ["negative", "positive", "neutral"] * 5


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("kapan normal lagi min?", "neutral"),
        ("How do I reset my password?", "neutral"),
        ("Jam berapa toko buka hari Minggu?", "neutral"),
        ("kenapa sinyal hilang terus dari kemarin?", "negative"),
        ("Why does the app keep crashing?", "negative"),
    ],
)
def test_plain_questions_are_neutral_and_complaining_ones_negative(text, label):
    assert sentiment.classify_one(text) == label


@pytest.mark.parametrize(
    ("normalised", "label", "expected"),
    [
        ("kapan promo mulai ?", "negative", "neutral"),  # a plain question
        ("apakah bisa bayar pakai qris", "negative", "neutral"),  # a question word first, no "?"
        ("kenapa aplikasinya error terus ?", "negative", "negative"),  # a listed negative word
        ("kok paket belum sampai ?", "negative", "negative"),  # a negative pair
        ("kok pelayanan seburuk ini ?", "negative", "negative"),  # the model's own negative word (given below)
        ("terima kasih , kapan buka lagi ?", "positive", "positive"),  # positive word: the model's label stands
        ("kapan buka lagi ?", "positive", "neutral"),
        ("pelayanan lambat", "negative", "negative"),  # not a question
        ("kapan buka ?", "neutral", "neutral"),
    ],
)
def test_question_rule(normalised, label, expected):
    assert question_rule(normalised, label, frozenset({"seburuk"})) == expected


def test_negated_words_get_their_own_features():
    assert word_features(["tidak", "bagus", "sekali", "!", "enak"], 1, negation=True) == [
        "w:tidak",
        "w:bagus",
        "w:sekali",
        "w:!",
        "w:enak",
        "n:bagus",
        "n:sekali",
    ]
    assert word_features(["not", "good", "!", "nice"], 1, negation=True)[-1:] == ["n:good"]
    assert word_features(["tidak", "bagus"], 1) == ["w:tidak", "w:bagus"]


def test_the_model_reads_negative_words_from_its_own_weights():
    model = sentiment_model.get_model()
    assert model.negation is True
    assert {"buruk", "kecewa", "parah"} <= model.negative_words
    assert not {"?", "kapan", "apakah", "how", "bagus", "enak"} & model.negative_words
