"""JSON (and YAML) from outside, read within bounds: a size and a nesting depth (docs/decisions.md #35).

Python's parser recurses once per level, so a body of 100,000 ``[`` would end in ``RecursionError`` (a 500), and
code that walks a parsed document recursively can fail the same way deeper in. :func:`loads_bounded` measures the
depth first, in linear time, and refuses what is too deep, too big, not UTF-8 or not JSON with a
:class:`JSONLimitError` (a ``ValueError``); :func:`check_bounded` does the same for a document another library
parsed (YAML), and :func:`stored_raw` keeps a platform payload only when it is within the limits.
"""

import json
import re
from typing import Any

#: a JSON string with its escapes, or what is left of an unterminated one (possessive: never backtracks, so a
#: hostile body of quotes and backslashes is still scanned in linear time)
_STRING = re.compile(r'"(?:[^"\\]++|\\.)*+"?', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]++")
_ONE_KIND = str.maketrans("{}", "[]")


class JSONLimitError(ValueError):
    """A document refused before or while parsing. ``code``: ``too_large``, ``too_deep``, ``not_utf8`` or
    ``invalid``; ``limit``: the limit passed (bytes or levels); ``detail``: what the parser said for ``invalid``.
    ``str()`` is a phrase to put after a file's name; :attr:`sentence` a sentence to answer a sender with."""

    def __init__(self, code: str, *, limit: int = 0, detail: str = "") -> None:
        self.code, self.limit, self.detail = code, limit, detail
        super().__init__(
            {
                "too_large": f"the document is over the limit of {limit} bytes",
                "too_deep": f"the document is nested deeper than {limit} levels",
                "not_utf8": "the document is not UTF-8",
                "invalid": f"the document is not JSON: {detail}",
            }[code]
        )

    @property
    def sentence(self) -> str:
        return {
            "too_large": f"The body is over the limit of {self.limit} bytes.",
            "too_deep": f"The body is nested deeper than {self.limit} levels.",
            "not_utf8": "The body is not UTF-8.",
            "invalid": f"The body is not JSON: {self.detail}.",
        }[self.code]


class JSONTooLarge(JSONLimitError):
    def __init__(self, *, limit: int) -> None:
        super().__init__("too_large", limit=limit)


class JSONTooDeep(JSONLimitError):
    def __init__(self, *, limit: int) -> None:
        super().__init__("too_deep", limit=limit)


def json_depth(text: str, *, stop_after: int) -> int | None:
    """How deep arrays and objects nest in ``text``, counted up to ``stop_after + 1`` at most; None when its
    brackets do not pair up (so it is not JSON).

    Exact for valid JSON. Strings are dropped, then only the brackets are kept, and each pass of ``replace``
    removes the innermost pairs: one level per pass, in linear time.
    """
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text)).translate(_ONE_KIND)
    depth = 0
    while brackets and depth <= stop_after:
        shorter = brackets.replace("[]", "")
        if shorter == brackets:
            return None
        brackets, depth = shorter, depth + 1
    return depth


#: an escape that may stand for a character no database keeps: NUL, or half of a UTF-16 surrogate pair
_SUSPECT_ESCAPE = re.compile(r"\\u(?:[dD][89a-fA-F]|0000)")
#: after parsing, a pair of escapes is one character: any surrogate left in a string is alone
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_UNKEEPABLE = re.compile("[\x00\ud800-\udfff]")


def _strings(value: Any):
    """Every string in a parsed document, keys too (no recursion)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def keepable(text: str) -> str:
    """``text`` with each NUL and lone surrogate read as U+FFFD: what any database and UTF-8 answer keeps (for
    text from outside that is not JSON, such as the first bytes a webhook receiver answered)."""
    return _UNKEEPABLE.sub("\ufffd", text)


def _repaired(value: Any) -> Any:
    """``value`` with every NUL and lone surrogate in its strings (keys too) read as U+FFFD (the depth is
    bounded by the caller, so the recursion is too)."""
    if isinstance(value, str):
        return keepable(value)
    if isinstance(value, dict):
        return {_repaired(k): _repaired(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_repaired(v) for v in value]
    return value


def loads_bounded(body: bytes | str, *, max_depth: int, max_bytes: int, repair_text: bool = False) -> Any:
    """``json.loads(body)`` for a body of at most ``max_bytes`` bytes (UTF-8) nested at most ``max_depth`` deep.

    Raises :class:`JSONTooLarge`, :class:`JSONTooDeep` or :class:`JSONLimitError` (not UTF-8, not JSON, a number
    with more digits than Python converts, a string holding a lone UTF-16 surrogate such as ``"\\ud83d"``, which
    no UTF-8 answer or database can hold); never ``RecursionError``. ``repair_text`` (a platform's delivery, where
    the message must be kept): lone surrogates and NUL characters (which PostgreSQL refuses in text and JSONB)
    are read as U+FFFD instead.
    """
    size = len(body) if isinstance(body, bytes) else len(body.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise JSONTooLarge(limit=max_bytes)
    if isinstance(body, bytes):
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise JSONLimitError("not_utf8", detail="not UTF-8") from None
    else:
        text = body
    depth = json_depth(text, stop_after=max_depth)
    if depth is None:
        raise JSONLimitError("invalid", detail="its brackets do not pair up")
    if depth > max_depth:
        raise JSONTooDeep(limit=max_depth)
    try:
        value = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise JSONLimitError("invalid", detail=str(exc)[:200]) from None
    if not _SUSPECT_ESCAPE.search(text):
        return value
    if repair_text:
        return _repaired(value)
    if any(_LONE_SURROGATE.search(s) for s in _strings(value)):
        raise JSONLimitError("invalid", detail="a string holds a lone UTF-16 surrogate (\\ud800-\\udfff)")
    return value


def depth(value: Any, *, limit: int | None = None) -> int:
    """How deeply arrays and objects nest in a parsed ``value`` (a scalar: 0), without recursion; stops counting
    once past ``limit``. Shared containers (YAML aliases) are visited once per reference path, so a caller bounds
    the document's size first."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list | tuple):
            children = item
        else:
            continue
        deepest = max(deepest, level)
        if limit is not None and deepest > limit:
            return deepest
        stack.extend((child, level + 1) for child in children if isinstance(child, dict | list | tuple))
    return deepest


def check_bounded(value: Any, *, max_depth: int) -> None:
    """Raise :class:`JSONTooDeep` when the parsed ``value`` nests deeper than ``max_depth``."""
    if depth(value, limit=max_depth) > max_depth:
        raise JSONTooDeep(limit=max_depth)


def stored_raw(raw: Any) -> dict:
    """A platform payload as it may be stored (``Mention.raw``): itself when it is a JSON object within
    ``SMRC_JSON_MAX_DEPTH`` and ``SMRC_RAW_MAX_BYTES``, else a note of why it was left out. Nothing reads more
    from ``raw`` than a few known keys, so dropping an oversized one loses no behaviour."""
    from django.conf import settings

    max_depth, max_bytes = settings.SMRC_JSON_MAX_DEPTH, settings.SMRC_RAW_MAX_BYTES
    if not isinstance(raw, dict):
        return {}
    if depth(raw, limit=max_depth) > max_depth:
        return {"omitted": f"the payload is nested deeper than {max_depth} levels"}
    try:
        size = len(json.dumps(raw, ensure_ascii=False, default=str).encode("utf-8", "surrogatepass"))
    except (TypeError, ValueError):
        return {"omitted": "the payload is not JSON"}
    if size > max_bytes:
        return {"omitted": f"the payload is over the limit of {max_bytes} bytes"}
    return raw
