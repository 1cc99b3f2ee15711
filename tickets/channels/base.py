"""The normalized records every channel adapter produces and every ingest path takes."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class NormalizedAuthor:
    platform_user_id: str
    handle: str = ""
    name: str = ""
    followers_count: int | None = None
    following_count: int | None = None
    verified_type: str = ""
    profile_url: str = ""


@dataclass(frozen=True)
class NormalizedMention:
    """One inbound item, platform-neutral, already routed to a brand (and maybe a channel account)."""

    brand_id: int
    platform: str
    platform_id: str
    author: NormalizedAuthor
    text: str
    posted_at: datetime
    kind: str = "post"
    language: str = ""
    url: str = ""
    conversation_id: str = ""
    parent_id: str = ""
    channel_account_id: int | None = None
    raw: dict[str, Any] = field(default_factory=dict)


class ChannelError(Exception):
    """A platform call failed. ``permanent`` errors are not retried; the reason is shown to people."""

    def __init__(self, reason: str, *, permanent: bool, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.retry_after = retry_after
