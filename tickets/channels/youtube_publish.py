"""Publishing replies on YouTube: ``comments.insert`` (``POST /comments?part=snippet``) with ``parentId``, the
top-level comment of the thread (YouTube nests one level only). 50 quota units per insert.

YouTube takes no idempotency key; :func:`find_published` reads ``comments.list?parentId=…`` (1 unit) for a reply
by our channel with our text before any second try. ``commentsDisabled`` and ``operationNotSupported`` are
permanent; ``quotaExceeded`` waits for the daily reset (midnight Pacific time).
"""

import re

from django.conf import settings

from . import publishing
from .base import ChannelError

_TAGS = re.compile(r"<[^>]+>")


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
