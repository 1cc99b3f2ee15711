"""Bounced customers: replies that send the customer somewhere else instead of serving them here.

A good response-center operator serves in the channel the customer chose and "is willing to be bothered": a
reply that says "please call our call center", "come to the nearest branch" or "that is not our department"
bounces the customer and counts against the brand, even when it is polite. This module finds such sentences
in a reply, in Indonesian and English, and says why each one is a bounce, so the composer can warn while the
operator types and the review gate can hold the reply for a supervisor.

Moving the conversation to private messages is not a bounce: asking for an account number or an address
belongs in a DM, and the operator still serves there. The defaults therefore never match "DM", "pesan
pribadi", "direct message" or "inbox"; a brand's own extra phrases are plain terms matched as whole words.

Every pattern runs on RE2 (linear time, as in patterns.py), over at most ``MATCH_CHARS`` characters.
"""

from dataclasses import dataclass

import re2
from django.utils.translation import gettext_lazy as _

from .patterns import MATCH_CHARS, PatternError, compile_literal

#: why a sentence is a bounce, by kind; shown to the operator and the supervisor
REASONS = {
    "call_center": _("Sends the customer to the call center or a hotline instead of answering here."),
    "visit": _("Sends the customer to an office, branch or store instead of solving it here."),
    "not_ours": _("Tells the customer it is not our job; find the answer or the owner yourself."),
    "elsewhere": _("Sends the customer to another channel (e-mail, website, another account)."),
    "brand_term": _("Contains a phrase the brand marked as bouncing the customer."),
}

_W = r"[\s,.:;!\-]*"  # any run of spaces and light punctuation between words
_CALL = r"(?:hubungi|menghubungi|kontak|mengontak|telepon|telpon|telp|tlp|menelepon|call|phone|ring|contact|reach)"
_CALL_TARGET = (
    r"(?:call\s*cent(?:er|re)|callcent(?:er|re)|contact\s*cent(?:er|re)|hotline|hot\s*line|customer\s*(?:service|care)"
    r"|cs\b|layanan\s+pelanggan|pusat\s+layanan|nomor\s+(?:layanan|pengaduan|bebas\s+pulsa)|toll[\s-]*free"
    r"|(?:our|the)\s+(?:support|service)\s+(?:line|number|team)|\d{3,6}\b)"
)
_VISIT = r"(?:datang|kunjungi|mengunjungi|berkunjung|mampir|ke\s+langsung|visit|come\s+to|go\s+to|drop\s+by|walk\s+in)"
_PLACE = (
    r"(?:kantor|gerai|cabang|outlet|toko|store|grapari|service\s*cent(?:er|re)|pusat\s+servis|kc\b|kcp\b"
    r"|office|branch|shop|counter|loket)"
)

#: (kind, RE2 pattern): Indonesian and English, case-insensitive
DEFAULT_PATTERNS: tuple[tuple[str, str], ...] = (
    ("call_center", rf"\b{_CALL}{_W}(?:ke{_W}|kami{_W}di{_W}|us{_W}(?:at|on|via){_W}|our{_W}|the{_W})?{_CALL_TARGET}"),
    ("call_center", r"\b(?:call|hubungi|telepon)\s+(?:us|kami)\s+(?:at|di)\s+\+?\d"),
    (
        "visit",
        rf"\b{_VISIT}{_W}(?:ke{_W})?(?:the{_W}|our{_W}|your{_W}|a{_W})?(?:nearest{_W})?{_PLACE}"
        rf"(?:\s+{_PLACE})?(?:\s+terdekat\b)?",
    ),
    ("visit", rf"\b{_PLACE}{_W}terdekat\b"),
    (
        "not_ours",
        r"\b(?:bukan|di\s*luar)\s+(?:wewenang|kewenangan|ranah|tanggung\s*jawab|urusan|bagian|domain)\s+(?:kami|kita)\b",
    ),
    ("not_ours", r"\bkami\s+tidak\s+(?:berwenang|menangani|bisa\s+menangani|dapat\s+menangani)\b"),
    (
        "not_ours",
        r"\b(?:not|isn'?t|is\s+not)\s+(?:our|within\s+our)\s+(?:responsibility|department|authority|remit|scope|area)\b",
    ),
    ("not_ours", r"\b(?:outside|beyond)\s+(?:our|the\s+team'?s)\s+(?:scope|authority|responsibility|remit)\b"),
    ("not_ours", r"\bwe\s+(?:can'?t|cannot|do\s+not|don'?t)\s+(?:handle|deal\s+with)\s+(?:this|that|it)\s+here\b"),
    (
        "elsewhere",
        r"\b(?:(?:kirim(?:kan)?|send)\s+(?:an?\s+)?)?(?:email|e-mail|surel)\s+(?:ke|kepada|us\s+at|to)\s+[\w.+-]+@[\w-]+\.[\w.]+",
    ),
    (
        "elsewhere",
        r"\b(?:isi|mengisi|fill\s+(?:in|out))\s+(?:formulir|form|the\s+form)\s+(?:di|on|at)\s+(?:website|situs|web)\b",
    ),
)


@dataclass(frozen=True)
class Bounce:
    """One bouncing phrase in a reply: its kind, the text as written and where it starts."""

    kind: str
    text: str
    start: int

    @property
    def reason(self) -> str:
        return str(REASONS[self.kind])


def _options() -> re2.Options:
    options = re2.Options()
    options.case_sensitive = False
    options.log_errors = False
    return options


_COMPILED = tuple((kind, re2.compile(source, _options())) for kind, source in DEFAULT_PATTERNS)


def find_bounces(text: str, *, brand_terms: list[str] = (), use_defaults: bool = True) -> list[Bounce]:
    """The bouncing phrases in ``text``, in the order they appear, none inside another.

    ``brand_terms`` are the brand's own phrases (plain terms, whole words); ``use_defaults`` switches the
    built-in Indonesian and English patterns. A term that does not compile is skipped (it was refused on
    save; see :func:`brands.services.patterns.terms_error`)."""
    head = (text or "")[:MATCH_CHARS]
    found: dict[int, Bounce] = {}
    if use_defaults:
        for kind, pattern in _COMPILED:
            for match in pattern.finditer(head):
                found.setdefault(match.start(), Bounce(kind, match.group(0).strip(), match.start()))
    for term in brand_terms:
        try:
            match = compile_literal(term).search(head)
        except PatternError:
            continue
        if match is not None:
            found.setdefault(match.start(1), Bounce("brand_term", match.group(1), match.start(1)))
    kept: list[Bounce] = []
    for start in sorted(found):  # a phrase inside one already found ("… kantor cabang terdekat") is the same bounce
        if kept and start < kept[-1].start + len(kept[-1].text):
            continue
        kept.append(found[start])
    return kept
