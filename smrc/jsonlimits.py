"""JSON (and YAML) with limits on size and depth (docs/decisions.md #29).

Python's ``json`` recurses once per level: a body of 100,000 ``[`` raised ``RecursionError`` (a 500) and
code that walks the result recursively can fail the same way deeper in. Every document from outside is read
with :func:`loads_bounded` (or checked with :func:`check_bounded` when a library parsed it), which refuses it
with :class:`JSONLimitError` before anything uses it.
"""

import json
from typing import Any


class JSONLimitError(ValueError):
    """A document over a limit, or not JSON at all. ``code``: ``too_large``, ``too_deep`` or ``invalid``;
    ``limit``: the limit passed (bytes or levels), ``detail``: the parser's message for ``invalid``."""

    def __init__(self, code: str, *, limit: int = 0, detail: str = "") -> None:
        messages = {
            "too_large": f"the document is over the limit of {limit} bytes",
            "too_deep": f"the document is nested deeper than {limit} levels",
            "invalid": f"not valid JSON: {detail}",
        }
        super().__init__(messages[code])
        self.code, self.limit, self.detail = code, limit, detail


def loads_bounded(body: bytes | str, *, max_depth: int, max_bytes: int) -> Any:
    """Parse ``body`` (UTF-8 bytes or text) as JSON, refusing one over ``max_bytes`` bytes or nested deeper than
    ``max_depth`` arrays and objects. Raises :class:`JSONLimitError`."""
    size = len(body) if isinstance(body, bytes) else len(body.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise JSONLimitError("too_large", limit=max_bytes)
    try:
        data = json.loads(body)
    except RecursionError:
        raise JSONLimitError("too_deep", limit=max_depth) from None
    except ValueError as exc:  # JSONDecodeError, undecodable bytes, a number of over 4,300 digits
        raise JSONLimitError("invalid", detail=str(exc)) from None
    check_bounded(data, max_depth=max_depth)
    return data


def depth(value: Any, *, limit: int | None = None) -> int:
    """How deeply arrays and objects nest in ``value`` (a scalar: 0), without recursion; stops counting once
    past ``limit``. Shared containers (YAML aliases) are visited once per reference path, so a caller bounds
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
    """Raise :class:`JSONLimitError` when ``value`` nests deeper than ``max_depth``."""
    if depth(value, limit=max_depth) > max_depth:
        raise JSONLimitError("too_deep", limit=max_depth)


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
