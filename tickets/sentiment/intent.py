"""Intent of a mention beside its sentiment: ``question``, ``complaint``, ``request``, ``praise`` or ``other``.

Rules over Indonesian and English cues, in this order (docs/intent.md holds the labelling guide they follow and
docs/sentiment.md their figures on the published set ``tickets/sentiment/data/intents.tsv``):

1. **complaint**: the text reports something wrong: a negative word (the question rule's ``NEGATIVE_CUES`` and
   pairs, or a word the sentiment model weighs as negative, see ``text.has_negative_cue``), or the sentiment is
   negative and the text is not a question;
2. **request**: it asks the brand to do something: ``tolong``, ``mohon``, ``minta``, ``please``, ``can you``…;
3. **question**: it asks for information: "?" or a question word first (``text.is_question``), or an
   information cue (``info``, ``kasih tahu``);
4. **praise**: thanks or a compliment: a praise word, or positive sentiment with a positive word;
5. **other**: anything else (a greeting, news shared, a promotion, an emoji).

A complaint phrased as a question ("kenapa paket saya belum sampai?") is a complaint; a plain question ("kapan
promo berakhir?") is a question and never counts as negative in priority (``services.priority``). Numpy-free and
fast: a few microseconds per text, on the ingest path beside ``classify``.
"""

from __future__ import annotations

from tickets.sentiment.model import get_model
from tickets.sentiment.text import has_negative_cue, is_question, normalise, words_of

INTENTS = ("question", "complaint", "request", "praise", "other")

#: single words that ask the brand to act (normalised spellings: ``tlg`` and ``mhn`` are spelled out below)
REQUEST_WORDS = frozenset(
    """
    tolong tlg mohon mhn minta bantu bantuin dibantu bantuannya please pls plz pliss kindly
    tolongin cekin dicek dicekin cek check follow-up followup hubungi dihubungi contact
    proses diproses prosesin kirimkan kirimin gantikan tukarkan batalkan cancel refund reschedule ubah ganti
    aktifkan nonaktifkan unblock resend
    """.split()
)
#: pairs of words that ask the brand to act
REQUEST_PAIRS = frozenset(
    {
        ("can", "you"),
        ("could", "you"),
        ("would", "you"),
        ("can", "u"),
        ("bisa", "tolong"),
        ("bisa", "dibantu"),
        ("bisa", "bantu"),
        ("bisa", "dicek"),
        ("bisa", "cek"),
        ("saya", "mau"),
        ("saya", "ingin"),
        ("i", "need"),
        ("i", "want"),
        ("i", "would"),
        ("i'd", "like"),
        ("need", "help"),
        ("help", "me"),
        ("let", "me"),
        ("mau", "tanya"),  # "mau tanya" opens a question: see INFO_PAIRS, which wins
        ("cek", "dm"),
        ("check", "dm"),
        ("check", "your"),
    }
)
#: pairs that open a question for information, even when phrased as a request ("can you tell me …")
INFO_PAIRS = frozenset(
    {
        ("mau", "tanya"),
        ("ingin", "tanya"),
        ("numpang", "tanya"),
        ("boleh", "tanya"),
        ("kasih", "tahu"),
        ("kasih", "info"),
        ("minta", "info"),
        ("info", "dong"),
        ("tell", "me"),
        ("let", "me"),  # "let me know …"
        ("any", "info"),
        ("is", "there"),
        ("are", "there"),
        ("do", "you"),
    }
)
INFO_WORDS = frozenset("tanya nanya info informasi wondering".split())
#: words of thanks and compliment
PRAISE_WORDS = frozenset(
    """
    terima-kasih thanks thank thx ty mantap keren hebat puas top recommended rekomen rekomendasi sukses
    terbaik juara salut bangga suka love loved awesome amazing excellent great best helpful membantu ramah
    memuaskan cepat sigap tanggap responsif mantul keren
    """.split()
)


def _pairs(words: list[str]) -> set[tuple[str, str]]:
    return set(zip(words, words[1:], strict=False))


def intent_of(text: str, sentiment: str = "") -> str:
    """The intent of ``text`` given its ``sentiment`` label (from ``classify`` or ``refine``)."""
    normalised = normalise(text or "")
    words = [w for w in words_of(normalised.replace("terima kasih", "terima-kasih")) if w not in ("!",)]
    if not [w for w in words if w != "?"]:
        return "other"
    question = is_question(normalised)
    if has_negative_cue(normalised, get_model().negative_words) or (sentiment == "negative" and not question):
        return "complaint"
    pairs = _pairs(words)
    info = bool(pairs & INFO_PAIRS) or (question and any(w in INFO_WORDS for w in words))
    if not info and (any(w in REQUEST_WORDS for w in words) or pairs & REQUEST_PAIRS):
        return "request"
    if question or info:
        return "question"
    if any(w in PRAISE_WORDS for w in words) or sentiment == "positive":
        return "praise"
    return "other"


def classify_intents(texts: list[str], sentiments: list[str]) -> list[str]:
    """:func:`intent_of` for each text with its sentiment, in order."""
    return [intent_of(t, s) for t, s in zip(texts, sentiments, strict=True)]
