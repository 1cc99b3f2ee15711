"""YouTube: no webhooks; comment threads are polled with ``commentThreads.list`` (1 quota unit per page).

``textOriginal`` is the plain text (``textDisplay`` is HTML). An edited comment has ``updatedAt`` after
``publishedAt``. ``quotaExceeded`` (403) is the daily quota: polling waits until midnight Pacific time.
"""

from datetime import UTC, datetime
from typing import Any

from .base import InboundItem, NormalizedAuthor, Parsed, PayloadError
from .http import get_json

PLATFORM = "youtube"
API = "https://www.googleapis.com/youtube/v3"


def _time(value: str | None) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else datetime.now(UTC)


def comment(resource: dict[str, Any], *, thread_id: str, account_id: str = "") -> InboundItem:
    snippet = resource.get("snippet") or {}
    if not resource.get("id"):
        raise PayloadError("a comment without an id")
    display = snippet.get("authorDisplayName") or ""
    handle = display[1:] if display.startswith("@") else ""  # a display name without @ is not a handle
    author_id = (snippet.get("authorChannelId") or {}).get("value") or f"yt:{handle or 'unknown'}"
    parent = snippet.get("parentId") or ("" if resource["id"] == thread_id else thread_id)
    video = snippet.get("videoId", "")
    return InboundItem(
        platform=PLATFORM,
        platform_id=resource["id"],
        author=NormalizedAuthor(
            platform_user_id=author_id,
            handle=handle,
            name=snippet.get("authorDisplayName", ""),
        ),
        text=snippet.get("textOriginal") or snippet.get("textDisplay") or "",
        posted_at=_time(snippet.get("publishedAt")),
        kind="reply" if parent else "comment",
        url=f"https://www.youtube.com/watch?v={video}&lc={resource['id']}" if video else "",
        conversation_id=thread_id,
        parent_id=parent,
        account_id=account_id or snippet.get("channelId", ""),
        edited=bool(snippet.get("updatedAt")) and snippet.get("updatedAt") != snippet.get("publishedAt"),
        raw=resource,
    )


def parse(payload: Any, *, fetch=None) -> Parsed:
    """A ``commentThreads.list`` (or ``comments.list``) response, or a list of them."""
    parsed = Parsed()
    for doc in payload if isinstance(payload, list) else [payload]:
        if not isinstance(doc, dict) or not isinstance(doc.get("items"), list):
            raise PayloadError("not a YouTube list response (no items)")
        for thread in doc["items"]:
            if thread.get("kind") == "youtube#comment":
                thread_id = (thread.get("snippet") or {}).get("parentId", thread.get("id", ""))
                parsed.items.append(comment(thread, thread_id=thread_id))
                continue
            snippet = thread.get("snippet") or {}
            top = snippet.get("topLevelComment") or {}
            account = snippet.get("channelId", "")
            if account:
                parsed.account_ids.add(account)
            if not top:
                raise PayloadError("a comment thread without topLevelComment")
            parsed.items.append(comment(top, thread_id=thread.get("id", top.get("id", "")), account_id=account))
            for reply in (thread.get("replies") or {}).get("comments") or []:
                parsed.items.append(comment(reply, thread_id=thread.get("id", ""), account_id=account))
    return parsed


def poll(account, cursor: dict, client, *, rules=(), max_pages: int = 5) -> tuple[Parsed, dict]:
    """Comment threads on the channel's videos, newest first, until the ones seen at the last poll."""
    since = cursor.get("since", "")
    result, newest, token = Parsed(), since, None
    for _ in range(max_pages):
        params = {
            "part": "snippet,replies",
            "allThreadsRelatedToChannelId": account.external_id,
            "maxResults": 100,
            "order": "time",
            "textFormat": "plainText",
            **({"pageToken": token} if token else {}),
        }
        data = get_json(client, f"{API}/commentThreads", params=params, token=account.access_token)
        page = parse(data)
        for item in page.items:
            stamp = (item.raw.get("snippet") or {}).get("updatedAt") or item.posted_at.isoformat()
            newest = max(newest, stamp)
        result.items.extend(page.items)
        token = data.get("nextPageToken")
        oldest = min((i.posted_at.isoformat() for i in page.items), default="")
        if not token or (since and oldest and oldest.replace("+00:00", "Z") <= since):
            break
    return result, {**cursor, "since": newest}
