"""JSON from outside, parsed within bounds: a size and a nesting depth checked before the parser runs.

Python's parser recurses once per level, so a body of 100,000 ``[`` would end in ``RecursionError`` (a 500).
:func:`loads_bounded` measures the depth first, in linear time, and refuses what is too deep, too big, not
UTF-8 or not JSON with a :class:`JSONLimitError` (a ``ValueError``) whose message can be shown to the sender.
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
    """The body was refused before or while parsing; the message says why."""


class JSONTooLarge(JSONLimitError):
    pass


class JSONTooDeep(JSONLimitError):
    pass


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


def loads_bounded(body: bytes | str, *, max_depth: int, max_bytes: int) -> Any:
    """``json.loads(body)`` for a body of at most ``max_bytes`` bytes (UTF-8) nested at most ``max_depth`` deep.

    Raises :class:`JSONTooLarge`, :class:`JSONTooDeep` or :class:`JSONLimitError` (not UTF-8, not JSON, a number
    with more digits than Python converts); never ``RecursionError``.
    """
    size = len(body) if isinstance(body, bytes) else len(body.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise JSONTooLarge(f"The body is over the limit of {max_bytes} bytes.")
    if isinstance(body, bytes):
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise JSONLimitError("The body is not UTF-8.") from None
    else:
        text = body
    depth = json_depth(text, stop_after=max_depth)
    if depth is None:
        raise JSONLimitError("The body is not JSON: its brackets do not pair up.")
    if depth > max_depth:
        raise JSONTooDeep(f"The body is nested deeper than {max_depth} levels.")
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise JSONLimitError(f"The body is not JSON: {str(exc)[:200]}") from None
