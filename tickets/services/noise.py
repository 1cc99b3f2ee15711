"""Spam and noise: which new tickets go straight to ``ignored``, and why (docs/priority.md).

Pure checks; ``ingest`` supplies the brand's rules and the flood count and writes the result.
"""

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .priority import MATCH_CHARS, Term, TermSet, as_term_set, term_set

#: reason code → label (events, the ticket page and the counts in reports use the code)
REASONS = {
    "blocked_author": _("blocked author"),
    "gambling": _("gambling promotion"),
    "spam_pattern": _("spam pattern"),
    "link_only": _("link only"),
    "flood": _("flood of the same text"),
}

#: gambling promotions that flood Indonesian brand accounts
GAMBLING_TERMS: tuple[Term, ...] = (
    Term(r"slot\s*gacor", "gambling", 0, is_regex=True),
    Term(r"\bmax\s*win\b", "gambling", 0, is_regex=True),
    Term(r"\bjudi\s*(online|onlen|bola)\b", "gambling", 0, is_regex=True),
    Term(r"\bdepo(sit)?\s*\d+\s*(rb|ribu|k)\b", "gambling", 0, is_regex=True),
    Term(r"\bsitus\s*(slot|judi|togel|gacor)\b", "gambling", 0, is_regex=True),
    Term(r"\btogel\b", "gambling", 0, is_regex=True),
    Term(r"\brtp\s*live\b", "gambling", 0, is_regex=True),
    Term(r"\bscatter\s*hitam\b", "gambling", 0, is_regex=True),
)
_GAMBLING = term_set(GAMBLING_TERMS)

FLOOD_MINUTES = 10
#: within FLOOD_MINUTES, the n-th identical text is a flood (and every later one): from one author, or from anyone
#: (a copy-paste campaign; set high because customers of an outage do write alike, though rarely verbatim)
FLOOD_SAME_AUTHOR = 3
FLOOD_ANY_AUTHOR = 20
FLOOD_MIN_CHARS = 20  # "halo min", "cek dm" are not floods: many people write them

_URL = re.compile(r"(https?://|www\.)\S+", re.IGNORECASE)
_HANDLE_OR_TAG = re.compile(r"[@#]\w+")
_FILLER = re.compile(r"[\W_]+")


def fingerprint(text: str) -> str:
    """Hash of the text with case, spacing and links flattened; empty for texts too short to call a flood."""
    flat = " ".join(_URL.sub("<url>", (text or "")[:MATCH_CHARS].lower()).split())
    if len(flat) < FLOOD_MIN_CHARS:
        return ""
    return hashlib.blake2b(flat.encode(), digest_size=8).hexdigest()


def is_link_only(text: str) -> bool:
    """A link with nothing else but handles, hashtags, punctuation or emoji."""
    head = (text or "")[:MATCH_CHARS]
    if not _URL.search(head):
        return False
    rest = _FILLER.sub("", _HANDLE_OR_TAG.sub("", _URL.sub("", head)))
    return not any(ch.isalpha() or ch.isdigit() for ch in rest)


@dataclass(frozen=True)
class Verdict:
    reason: str
    detail: str = ""

    def as_data(self) -> dict[str, str]:
        return {"reason": self.reason, "detail": self.detail}


def check(
    *,
    text: str,
    handle: str,
    blocked_handles: frozenset[str],
    spam_terms: TermSet | Iterable[Term] = (),
    same_text_recently: int = 0,
    same_text_same_author: int = 0,
) -> Verdict | None:
    """Why a new ticket opened by this mention is noise, or None. ``same_text_recently`` counts the brand's
    mentions with the same :func:`fingerprint` in the last ``FLOOD_MINUTES`` (``same_text_same_author``: of
    this author), this one excluded."""
    if handle and handle.lstrip("@").lower() in blocked_handles:
        return Verdict("blocked_author", handle.lstrip("@"))
    head = (text or "")[:MATCH_CHARS]
    if gambling := _GAMBLING.first(head):
        return Verdict("gambling", gambling[1][:60])
    if spam := as_term_set(spam_terms).first(head):
        return Verdict("spam_pattern", spam[0].label)
    if is_link_only(head):
        return Verdict("link_only")
    if same_text_same_author + 1 >= FLOOD_SAME_AUTHOR or same_text_recently + 1 >= FLOOD_ANY_AUTHOR:
        return Verdict("flood", str(same_text_recently + 1))
    return None
