"""Brands' and users' text as patterns, on a linear-time engine (RE2; docs/decisions.md #34).

Urgency terms, spam patterns, listening rules and review policy flagged terms all become patterns here. A
plain term is matched as whole words, case-insensitively; a regular expression as written, case-insensitively.
RE2 runs every pattern in time linear in the text, so no pattern can stall ingest the way ``(a+)+$`` did with
Python's backtracking ``re``. RE2 refuses what it cannot run that way (backreferences such as ``\\1``,
lookahead and lookbehind), and :func:`pattern_error` turns that into a reason shown on save.

The work one mention costs is bounded: at most :data:`MATCH_CHARS` characters of text, at most
:data:`MAX_RULES` rules of a kind per brand, each regular expression compiled to at most
:data:`MAX_REGEX_PROGRAM` RE2 instructions and at most :data:`MAX_REGEX_BUDGET` for all of a brand's regular
expressions of one kind (RE2's worst case is text length × program size).
"""

import re
from functools import lru_cache

import re2
from django.utils.translation import gettext as _

#: the text looked at: a 100,000-character post is matched up to here
MATCH_CHARS = 5000
#: most rules of one kind (urgency terms, spam patterns) a brand may have
MAX_RULES = 200
#: longest pattern (the models' ``max_length``)
MAX_PATTERN_CHARS = 200
#: RE2 program size of one regular expression, and of all of a brand's regular expressions of one kind
MAX_REGEX_PROGRAM = 2000
MAX_REGEX_BUDGET = 10_000
#: RE2's memory for one pattern (program and matching cache); a pattern needing more does not compile
RE2_MAX_MEM = 1 << 20
#: terms of a listening rule field or of a review policy, and the longest term
MAX_TERMS = 200
MAX_TERM_CHARS = 100

Regexp = re2._Regexp


class PatternError(ValueError):
    """Why a pattern cannot be used; the message is shown next to the field."""


def _options(*, capture: bool) -> re2.Options:
    options = re2.Options()
    options.case_sensitive = False
    options.log_errors = False
    options.max_mem = RE2_MAX_MEM
    options.never_capture = not capture
    return options


#: blocks of punctuation, symbols and emoji above U+0800 that end a word
_NOT_WORD_BLOCKS = (
    (0x2000, 0x206F),  # general punctuation: spaces, dashes, curly quotes
    (0x20A0, 0x2BFF),  # currency, letterlike, arrows, maths, technical, dingbats, shapes, symbols
    (0x2E00, 0x2E7F),  # supplemental punctuation
    (0x3000, 0x3003),  # ideographic space and punctuation
    (0x3008, 0x3020),
    (0xFE00, 0xFE0F),  # variation selectors (emoji presentation)
    (0xFE10, 0xFE1F),
    (0xFE30, 0xFE6F),
    (0xFEFF, 0xFEFF),
    (0xFF00, 0xFF0F),  # full-width punctuation
    (0xFF1A, 0xFF20),
    (0x1F000, 0x1FAFF),  # emoji and pictographs
    (0xE0000, 0xE007F),  # tags (flag sequences)
)


@lru_cache(maxsize=8)
def _boundary(also_word: str = "") -> str:
    r"""An RE2 class of the characters that end a word as Python's ``\W`` has them, ``also_word`` excepted.

    RE2's ``\w`` and ``\b`` are ASCII-only, and ``\p{L}`` makes each term's program about ten times larger.
    Instead: Python's own ``\W`` for every character below U+0800 (Latin, Greek, Cyrillic, Arabic, Hebrew…)
    and the blocks of punctuation, symbols and emoji above it; other characters count as letters."""
    ranges: list[tuple[int, int]] = []
    for cp in range(0x800):
        if re.match(r"\w", chr(cp)) or chr(cp) in also_word:
            continue
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1] = (ranges[-1][0], cp)
        else:
            ranges.append((cp, cp))
    ranges += _NOT_WORD_BLOCKS
    # case-sensitive: folded, the Kelvin sign (U+212A) would make the class match "k"
    return "(?-i:[" + "".join(rf"\x{{{a:x}}}-\x{{{b:x}}}" for a, b in ranges) + "])"


#: white space as ``str.split`` has it (RE2's ``\s`` is ASCII-only)
_SPACE = "(?-i:[" + "".join(rf"\x{{{cp:x}}}" for cp in range(0x3001) if chr(cp).isspace()) + "]+)"


def _phrase(text: str) -> str:
    """The words of ``text``, escaped, joined by any run of white space."""
    return _SPACE.join(re2.escape(word) for word in text.split())


@lru_cache(maxsize=8192)
def compile_literal(term: str, *, not_after: str = "") -> Regexp:
    """A plain term as whole words: not preceded by a letter, digit, ``_`` or any of ``not_after``, not
    followed by a letter, digit or ``_``; any run of white space between its words. Group 1 is the term as
    found. Raises :class:`PatternError`."""
    if not term.split():
        raise PatternError(_("A pattern cannot be empty."))
    source = rf"(?:^|{_boundary(not_after)})({_phrase(term)})(?:$|{_boundary()})"
    return _compile(source, capture=True)


@lru_cache(maxsize=8192)
def compile_regex(pattern: str) -> Regexp:
    """A brand's regular expression, case-insensitive, without capture groups. Raises :class:`PatternError`
    with the reason: not valid, not runnable in linear time (backreferences, lookaround), too complex, or
    matching empty text."""
    if not pattern.strip():
        raise PatternError(_("A pattern cannot be empty."))
    if len(pattern) > MAX_PATTERN_CHARS:
        raise PatternError(_("A pattern has at most %(n)d characters.") % {"n": MAX_PATTERN_CHARS})
    try:
        compiled = re2.compile(pattern, _options(capture=False))
    except re2.error as exc:
        raise PatternError(_refusal(pattern, _engine_message(exc))) from None
    if compiled.programsize > MAX_REGEX_PROGRAM:
        raise PatternError(_too_complex())
    if compiled.search("") is not None:
        raise PatternError(_("This regular expression matches empty text, so it would match every message."))
    return compiled


def compile_rule(pattern: str, *, is_regex: bool) -> Regexp:
    """A rule's pattern compiled: :func:`compile_regex` or :func:`compile_literal`."""
    return compile_regex(pattern) if is_regex else compile_literal(pattern)


def pattern_error(pattern: str, *, is_regex: bool) -> str | None:
    """Why ``pattern`` cannot be used, or None. Shared by the admin, forms and ``load_config``."""
    if len(pattern) > MAX_PATTERN_CHARS:
        return _("A pattern has at most %(n)d characters.") % {"n": MAX_PATTERN_CHARS}
    try:
        compile_rule(pattern, is_regex=is_regex)
    except PatternError as exc:
        return str(exc)
    return None


def regex_cost(pattern: str, *, is_regex: bool) -> int:
    """The RE2 program size a rule adds to its brand's budget (plain terms: none); 0 for an unusable one."""
    if not is_regex:
        return 0
    try:
        return compile_regex(pattern).programsize
    except PatternError:
        return 0


def budget_error(costs: list[int]) -> str | None:
    """Why a brand's regular expressions of one kind, of these program sizes, are too much together."""
    total = sum(costs)
    if total > MAX_REGEX_BUDGET:
        return _(
            "The brand's regular expressions of this kind are too complex together (%(size)d of at most %(max)d "
            "steps): simplify this one or remove another."
        ) % {"size": total, "max": MAX_REGEX_BUDGET}
    return None


def _too_complex() -> str:
    return _(
        "This regular expression is too complex (at most %(max)d steps once compiled): simplify it, e.g. fewer "
        "or smaller repetitions."
    ) % {"max": MAX_REGEX_PROGRAM}


def _refusal(pattern: str, detail: str) -> str:
    if "too large" in detail:  # valid RE2 (``\pL{100}``, which Python's re does not know), but too big
        return _too_complex()
    try:
        re.compile(pattern)
    except (re.error, OverflowError, RecursionError) as exc:
        return _("Not a valid regular expression: %(error)s") % {"error": exc}
    if "repetition size" in detail:  # RE2 repeats at most 1,000 times
        return _too_complex()
    return _(
        "This regular expression uses a feature the safe engine (RE2) does not run, so that matching stays "
        "linear in time: backreferences such as \\1, lookahead or lookbehind such as (?=…) or (?<!…) (%(error)s)."
    ) % {"error": detail}


def _compile(source: str, *, capture: bool) -> Regexp:
    try:
        return re2.compile(source, _options(capture=capture))
    except re2.error as exc:
        raise PatternError(_engine_message(exc)) from None


def _engine_message(exc: Exception) -> str:
    detail = exc.args[0] if exc.args else ""
    return detail.decode("utf-8", "replace") if isinstance(detail, bytes) else str(detail)


def terms_error(terms: list[str]) -> str | None:
    """Why a list of plain terms (a listening rule's keywords, a review policy's flagged terms) is refused."""
    if len(terms) > MAX_TERMS:
        return _("At most %(n)d terms.") % {"n": MAX_TERMS}
    for term in terms:
        if len(term) > MAX_TERM_CHARS:
            return _("“%(term)s…” is too long: a term has at most %(n)d characters.") % {
                "term": term[:20],
                "n": MAX_TERM_CHARS,
            }
    return None


def has_literal(text: str, terms: list[str], *, not_after: str = "", limit: int = MATCH_CHARS) -> list[str]:
    """The ``terms`` found as whole words in the first ``limit`` characters of ``text``, in their order."""
    head = (text or "")[:limit]
    found = []
    for term in terms:
        try:
            if compile_literal(term, not_after=not_after).search(head) is not None:
                found.append(term)
        except PatternError:
            continue
    return found
