"""YouTube, in and out: no webhooks; comment threads are polled with ``commentThreads.list`` (1 quota unit per
page), and replies are published with ``comments.insert``.

``textOriginal`` is the plain text (``textDisplay`` is HTML). An edited comment has ``updatedAt`` after
``publishedAt``. ``quotaExceeded`` (403) is the daily quota: polling waits until midnight Pacific time.

Publishing: ``comments.insert`` (``POST /comments?part=snippet``) with ``parentId``, the top-level comment of
the thread (YouTube nests one level only). 50 quota units per insert. YouTube takes no idempotency key;
:func:`find_published` reads ``comments.list?parentId=…`` (1 unit) for a reply by our channel with our text
before any second try. ``commentsDisabled`` and ``operationNotSupported`` are permanent; ``quotaExceeded``
waits for the daily reset (midnight Pacific time).
"""

import re
from datetime import UTC, datetime
from typing import Any

from django.conf import settings

from . import publishing
from .base import ChannelError, InboundItem, NormalizedAuthor, Parsed, PayloadError
from .http import get_json

PLATFORM = "youtube"
API = "https://www.googleapis.com/youtube/v3"
_TAGS = re.compile(r"<[^>]+>")


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


# --- publishing -----------------------------------------------------------------------------------------------


def _parent(mention) -> str:
    return mention.parent_id or mention.conversation_id or mention.platform_id


def _classify(response, body: dict) -> None:
    error = body.get("error") if isinstance(body.get("error"), dict) else {}
    reasons = [e.get("reason") for e in error.get("errors", []) if isinstance(e, dict)]
    message = _TAGS.sub("", str(error.get("message") or ""))[:300]
    for reason in ("commentsDisabled", "operationNotSupported", "forbidden", "processingFailure"):
        if reason in reasons and response.status_code < 500:
            raise ChannelError(f"{reason}: {message}", permanent=True)


def publish(reply) -> str:
    mention, account = publishing.target_of(reply)
    payload = {"snippet": {"parentId": _parent(mention), "textOriginal": reply.body}}
    data = publishing.post(
        f"{settings.SMRC_YOUTUBE_API_URL}/comments?part=snippet",
        token=account.access_token,
        json=payload,
        classify=_classify,
    )
    comment_id = str(data.get("id") or "")
    if not comment_id:
        raise publishing.Ambiguous("YouTube answered without the id of the comment")
    return comment_id


def find_published(reply) -> str | None:
    mention, account = publishing.target_of(reply)
    data = publishing.get(
        f"{settings.SMRC_YOUTUBE_API_URL}/comments",
        token=account.access_token,
        params={"part": "snippet", "parentId": _parent(mention), "maxResults": 100, "textFormat": "plainText"},
    )
    for item in data.get("items") or []:
        snippet = item.get("snippet") or {}
        author = (snippet.get("authorChannelId") or {}).get("value")
        if author == account.external_id and publishing.same_text(reply.body, snippet.get("textOriginal", "")):
            return str(item["id"])
    return None
