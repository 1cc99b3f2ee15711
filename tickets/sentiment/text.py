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


def word_features(words: list[str], word_ngrams: int = 2) -> list[str]:
    """Word n-grams, prefixed ``w:`` ("!" and "?" count as words)."""
    out = ["w:" + w for w in words]
    for n in range(2, word_ngrams + 1):
        out.extend("w:" + " ".join(words[i : i + n]) for i in range(len(words) - n + 1))
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


def features(normalised: str, word_ngrams: int = 2, char_min: int = 2, char_max: int = 5) -> list[str]:
    """All features of a normalised text: word n-grams and character n-grams within word boundaries."""
    words = words_of(normalised)
    out = word_features(words, word_ngrams)
    for w in words:
        out.extend(char_features(w, char_min, char_max))
    return out
