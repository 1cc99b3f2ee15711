"""Imports: mentions exported from any listening tool, as generic JSON or CSV.

JSON: a list of records (or ``{"mentions": [...]}``) in the shape of the ingest API (``platform``,
``platform_id``, ``author`` {``id``, ``handle``, ``name``, ``followers_count``}, ``text``, ``posted_at``, and
optionally ``brand``, ``kind``, ``language``, ``url``, ``conversation_id``, ``parent_id``).
CSV: a header row with ``platform, platform_id, author_id, author_handle, author_name, text, posted_at`` and
optionally ``brand, kind, language, url, conversation_id, parent_id, followers_count``.
Records that cannot be read are skipped with their reason; the rest are items matched to brands like search results.
"""

import csv
import io
from datetime import UTC, datetime
from typing import Any

from brands.models import Platform

from .base import InboundItem, NormalizedAuthor, Parsed, PayloadError

KINDS = {"post", "comment", "reply", "dm"}


def _time(value: Any) -> datetime:
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value / 1000 if value > 1e11 else value, UTC)
    text = str(value or "").strip()
    if not text:
        raise ValueError("posted_at is missing")
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def record(data: dict, where: str) -> tuple[InboundItem, str]:
    """One record → (item, brand slug or ""). Raises ValueError with the reason."""
    platform = str(data.get("platform") or "").lower()
    if platform not in Platform.values:
        raise ValueError(f"{where}: unknown platform {platform!r}")
    platform_id = str(data.get("platform_id") or data.get("id") or "").strip()
    if not platform_id:
        raise ValueError(f"{where}: platform_id is missing")
    author = data.get("author") if isinstance(data.get("author"), dict) else {}
    author_id = str(author.get("id") or data.get("author_id") or "").strip()
    handle = str(author.get("handle") or data.get("author_handle") or "").lstrip("@")
    if not author_id and not handle:
        raise ValueError(f"{where}: the author is missing")
    followers = author.get("followers_count", data.get("followers_count"))
    kind = str(data.get("kind") or "post")
    if kind not in KINDS:
        raise ValueError(f"{where}: unknown kind {kind!r}")
    try:
        posted = _time(data.get("posted_at"))
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from None
    item = InboundItem(
        platform=platform,
        platform_id=platform_id,  # ids are never cut: an id too long is skipped at brand matching
        author=NormalizedAuthor(
            platform_user_id=author_id or f"handle:{handle}",
            handle=handle[:120],
            name=str(author.get("name") or data.get("author_name") or "")[:200],
            followers_count=None if followers in (None, "") else followers,  # bounded at ingest, like the URL
        ),
        text=str(data.get("text") or ""),
        posted_at=posted,
        kind=kind,
        language=str(data.get("language") or "")[:12],
        url=str(data.get("url") or ""),  # the URL gate refuses what is too long at ingest
        conversation_id=str(data.get("conversation_id") or ""),
        parent_id=str(data.get("parent_id") or ""),
        raw={k: v for k, v in data.items() if k != "brand"},
    )
    return item, str(data.get("brand") or "")


def parse_json(payload: Any) -> tuple[Parsed, list[str]]:
    """Items and, per item, the brand slug it names (or "")."""
    if isinstance(payload, dict) and isinstance(payload.get("mentions"), list):
        payload = payload["mentions"]
    if not isinstance(payload, list):
        raise PayloadError('expected a JSON list of mentions, or {"mentions": [...]}')
    parsed, brands = Parsed(), []
    for index, data in enumerate(payload):
        try:
            if not isinstance(data, dict):
                raise ValueError(f"record {index + 1}: not an object")
            item, brand = record(data, f"record {index + 1}")
        except ValueError as exc:
            parsed.skipped.append(str(exc))
            continue
        parsed.items.append(item)
        brands.append(brand)
    return parsed, brands


def parse_csv(text: str) -> tuple[Parsed, list[str]]:
    reader = csv.DictReader(io.StringIO(text))
    missing = {"platform", "platform_id", "text", "posted_at"} - set(reader.fieldnames or [])
    if missing:
        raise PayloadError(f"the CSV header lacks {', '.join(sorted(missing))}")
    parsed, brands = Parsed(), []
    for line, row in enumerate(reader, start=2):
        try:
            item, brand = record({k: v for k, v in row.items() if k}, f"line {line}")
        except ValueError as exc:
            parsed.skipped.append(str(exc))
            continue
        parsed.items.append(item)
        brands.append(brand)
    return parsed, brands
