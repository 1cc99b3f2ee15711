"""Text normalisation and feature extraction shared by training and inference.

The training data (IndoNLU SmSA) is lower-cased, tokenised (punctuation split off by spaces) and has its slang
already spelled out ("gak" -> "tidak", "yg" -> "yang"). Real social-media text is not, so every text, at
training and at inference alike, goes through :func:`normalise` first: lower-case, URLs and @handles dropped,
hashtags kept as words, letters repeated three or more times squeezed ("bagusss" -> "bagus"), common slang
spelled out, a few unambiguous emoji mapped to words, punctuation split off.
"""

from __future__ import annotations

import re
import unicodedata

MAX_CHARS = 5000

# Informal Indonesian spellings -> the forms SmSA uses. Only unambiguous ones.
SLANG = {
    "gak": "tidak",
    "ga": "tidak",
    "gk": "tidak",
    "ngga": "tidak",
    "nggak": "tidak",
    "nggk": "tidak",
    "engga": "tidak",
    "enggak": "tidak",
    "kagak": "tidak",
    "tdk": "tidak",
    "tak": "tidak",
    "g": "tidak",
    "bgt": "banget",
    "bngt": "banget",
    "bangettt": "banget",
    "yg": "yang",
    "dgn": "dengan",
    "dg": "dengan",
    "sdh": "sudah",
    "udh": "sudah",
    "udah": "sudah",
    "dah": "sudah",
    "blm": "belum",
    "blum": "belum",
    "lg": "lagi",
    "jg": "juga",
    "aja": "saja",
    "sy": "saya",
    "aku": "saya",
    "gw": "saya",
    "gue": "saya",
    "krn": "karena",
    "karna": "karena",
    "utk": "untuk",
    "tp": "tapi",
    "tpi": "tapi",
    "bgs": "bagus",
    "bgus": "bagus",
    "mantab": "mantap",
    "mantul": "mantap",
    "trims": "terima kasih",
    "makasih": "terima kasih",
    "mksh": "terima kasih",
    "makasi": "terima kasih",
    "thx": "thanks",
    "tks": "terima kasih",
    "dr": "dari",
    "sm": "sama",
    "bs": "bisa",
    "bisa2": "bisa-bisa",
    "org": "orang",
    "klo": "kalau",
    "kalo": "kalau",
    "gimana": "bagaimana",
    "gmn": "bagaimana",
    "knp": "kenapa",
    "emg": "memang",
    "emang": "memang",
    "lbh": "lebih",
    "bkn": "bukan",
    "hrs": "harus",
    "msh": "masih",
    "pake": "pakai",
    "cepet": "cepat",
    "lemot": "lambat",
    "ancur": "hancur",
    "bener": "benar",
    "bnr": "benar",
    "dpt": "dapat",
    "sampe": "sampai",
    "smp": "sampai",
    "kmrn": "kemarin",
    "skrg": "sekarang",
    "skg": "sekarang",
    "gimana2": "bagaimana",
    "u": "you",
    "ur": "your",
    "pls": "please",
    "plz": "please",
    "dont": "don't",
    "cant": "can't",
    "wont": "won't",
    "isnt": "isn't",
    "didnt": "didn't",
    "doesnt": "doesn't",
}

# A few emoji whose sentiment is clear, mapped to words the training data knows (Indonesian and English).
POSITIVE_EMOJI = "😀😃😄😁😊☺🙂😍🥰😘😻❤💕💖💗💙💚💛💜🧡👍👏🙏🎉✨💯🤩😎👌"
NEGATIVE_EMOJI = "😠😡🤬😤😞😒😔😟😢😭😩😫💔👎🤮🤢😖😣😑🙄😕☹🙁😰😱"
_EMOJI = {**dict.fromkeys(POSITIVE_EMOJI, " bagus good "), **dict.fromkeys(NEGATIVE_EMOJI, " kecewa bad ")}
_EMOJI_RE = re.compile("|".join(map(re.escape, _EMOJI)))

_URL_RE = re.compile(r"(?:https?://|www\.)\S+|\b\S+\.(?:com|co\.id|id|net|org|ly)/\S*")
_HANDLE_RE = re.compile(r"@\w+")
_REPEAT_RE = re.compile(r"(\w)\1{2,}")
_PUNCT_RE = re.compile(r"([^\w\s'-])")
_WORD_RE = re.compile(r"[^\W_][\w'-]*|[!?]")
_HAS_WORD_RE = re.compile(r"[^\W\d_]")


def normalise(text: str) -> str:
    """Map free social-media text to the lower-cased, tokenised style of the training data."""
    text = unicodedata.normalize("NFKC", text[:MAX_CHARS]).lower()
    text = _URL_RE.sub(" ", text)
    text = _HANDLE_RE.sub(" ", text)
    text = text.replace("#", " ")
    if not has_words(text):
        return ""
    text = _EMOJI_RE.sub(lambda m: _EMOJI[m.group(0)], text)
    text = _REPEAT_RE.sub(r"\1", text)
    text = _PUNCT_RE.sub(r" \1 ", text)
    return " ".join([SLANG.get(token, token) for token in text.split()])


def has_words(normalised: str) -> bool:
    """True when there is at least one letter to judge (empty, digits-only and symbol-only text are neutral)."""
    return _HAS_WORD_RE.search(normalised) is not None


def words_of(normalised: str) -> list[str]:
    return _WORD_RE.findall(normalised)


# Words that turn the meaning of the next ones ("tidak bagus", "not helpful"): the two words after one of them
# also give a ``n:`` feature, so "bagus" after a negation is learnt apart from "bagus".
NEGATIONS = frozenset(
    "tidak bukan belum kurang jangan tanpa not no never don't didn't doesn't isn't wasn't can't won't".split()
)
NEGATION_SPAN = 2


def word_features(words: list[str], word_ngrams: int = 2, negation: bool = False) -> list[str]:
    """Word n-grams, prefixed ``w:`` ("!" and "?" count as words); with ``negation``, ``n:`` + each of the
    ``NEGATION_SPAN`` words after a negation (up to punctuation)."""
    out = ["w:" + w for w in words]
    for n in range(2, word_ngrams + 1):
        out.extend("w:" + " ".join(words[i : i + n]) for i in range(len(words) - n + 1))
    if negation:
        left = 0
        for w in words:
            if w in NEGATIONS:
                left = NEGATION_SPAN
            elif w in ("!", "?"):
                left = 0
            elif left:
                out.append("n:" + w)
                left -= 1
    return out


def char_features(word: str, char_min: int = 2, char_max: int = 5) -> list[str]:
    """Character n-grams of one word padded with spaces, prefixed ``c:`` (none for "!" and "?")."""
    if word in ("!", "?"):
        return []
    padded = f" {word} "
    size = len(padded)
    out: list[str] = []
    for n in range(char_min, min(char_max, size) + 1):
        out.extend("c:" + padded[i : i + n] for i in range(size - n + 1))
    return out


def features(
    normalised: str, word_ngrams: int = 2, char_min: int = 2, char_max: int = 5, negation: bool = False
) -> list[str]:
    """All features of a normalised text: word n-grams (and negated words) and character n-grams within words."""
    words = words_of(normalised)
    out = word_features(words, word_ngrams, negation)
    for w in words:
        out.extend(char_features(w, char_min, char_max))
    return out


# Plain questions ("kapan normal lagi min?", "how do I reset my password?") are neutral unless they carry a
# negative word: SmSA has few neutral texts and many complaints phrased as questions, so both models lean to
# "negative" on them. Words are matched on normalised text (slang already spelled out).
QUESTION_WORDS = frozenset(
    "apa apakah apkh kapan bagaimana berapa brp dimana mana kemana siapa bisakah bolehkah adakah kah "
    "how what when where which who whom whose can could is are am do does did will would should may shall".split()
)
NEGATIVE_CUES = frozenset(
    """
    kecewa mengecewakan buruk jelek parah payah lambat lelet lemot rusak error eror gagal hilang tipu penipu penipuan
    bohong kesal kesel marah jengkel benci menyesal nyesel sampah busuk basi kotor mahal ribet susah sulit
    komplain keluhan masalah bermasalah gangguan terganggu down mati putus hancur kacau bodoh tolol anjing
    refund dikembalikan pengembalian terlambat telat lama kapok rugi dirugikan bangkrut bocor dibobol terpotong
    potong hangus tertipu kehilangan macet lag blokir diblokir terblokir sakit kasar tidak-sopan
    bad worst terrible awful horrible disappointed disappointing disappointment angry upset annoyed annoying
    broken scam fraud failed fail fails failing error crash crashed crashing slow late delayed lost missing
    useless rude refund complaint problem issue issues wrong stuck charged overcharged hacked never ridiculous
    unacceptable cancelled canceled down outage hate hated sucks stolen
    """.split()
)
NEGATIVE_BIGRAMS = frozenset(
    {
        ("tidak", "bisa"),
        ("tidak", "jalan"),
        ("tidak", "berfungsi"),
        ("tidak", "sampai"),
        ("tidak", "masuk"),
        ("tidak", "dibalas"),
        ("tidak", "direspon"),
        ("belum", "sampai"),
        ("belum", "datang"),
        ("belum", "masuk"),
        ("belum", "diproses"),
        ("belum", "dikirim"),
        ("belum", "kembali"),
        ("belum", "dibalas"),
        ("belum", "direspon"),
        ("can't", "login"),
        ("cannot", "login"),
        ("not", "working"),
        ("doesn't", "work"),
        ("isn't", "working"),
        ("still", "waiting"),
        ("no", "response"),
        ("no", "reply"),
    }
)
POSITIVE_CUES = frozenset(
    """
    terima kasih makasih bagus mantap keren suka senang puas hebat cepat ramah enak nyaman membantu terbaik
    good great love thanks thank awesome excellent amazing nice best helpful happy
    """.split()
)


def is_question(normalised: str) -> bool:
    words = words_of(normalised)
    if not words:
        return False
    return "?" in words or words[0] in QUESTION_WORDS


def has_negative_cue(normalised: str, negative_words: frozenset[str] = frozenset()) -> bool:
    """A word of ``NEGATIVE_CUES`` or ``negative_words`` (the model's own, see ``model.py``), or a negative pair."""
    words = [w for w in words_of(normalised) if w not in ("!", "?")]
    if any(w in NEGATIVE_CUES or w in negative_words for w in words):
        return True
    return any(pair in NEGATIVE_BIGRAMS for pair in zip(words, words[1:], strict=False))


def has_positive_cue(normalised: str) -> bool:
    return any(w in POSITIVE_CUES for w in words_of(normalised))


def question_rule(normalised: str, label: str, negative_words: frozenset[str] = frozenset()) -> str:
    """A question with no negative word is neutral, unless the model said positive and it has a positive word."""
    if label == "neutral" or not is_question(normalised) or has_negative_cue(normalised, negative_words):
        return label
    if label == "positive" and has_positive_cue(normalised):
        return label
    return "neutral"
