"""The normalized records every channel adapter produces and every ingest path takes."""

import re
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


# --- inbound: what adapters produce before an item is routed to a brand ---------------------------------------


@dataclass(frozen=True)
class InboundItem:
    """One customer item as a platform sent it, normalized but not yet routed to a brand.

    ``account_id`` is the platform id of our account the item arrived for (page, IG account, X user, YouTube
    channel), empty when it came from a search or an import. ``own`` marks our own posts echoed back.
    """

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
    account_id: str = ""
    own: bool = False
    edited: bool = False
    raw: dict[str, Any] = field(default_factory=dict)

    def for_brand(self, brand_id: int, channel_account_id: int | None = None) -> NormalizedMention:
        return NormalizedMention(
            brand_id=brand_id,
            platform=self.platform,
            platform_id=self.platform_id,
            author=self.author,
            text=self.text,
            posted_at=self.posted_at,
            kind=self.kind,
            language=self.language,
            url=self.url,
            conversation_id=self.conversation_id,
            parent_id=self.parent_id,
            channel_account_id=channel_account_id,
            raw=self.raw,
        )


#: what an :class:`InboundAction` may do to an item we already hold
ACTIONS = ("delete", "hide", "unhide", "reaction")


@dataclass(frozen=True)
class InboundAction:
    """Something that happened to an item rather than a new item: a deletion, a hide, a reaction."""

    action: str
    platform: str
    platform_id: str
    account_id: str = ""
    at: datetime | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class Parsed:
    """A webhook delivery or a poll page, taken apart. ``account_ids``: the accounts it was addressed to."""

    items: list[InboundItem] = field(default_factory=list)
    actions: list[InboundAction] = field(default_factory=list)
    account_ids: set[str] = field(default_factory=set)
    skipped: list[str] = field(default_factory=list)  # one reason per part left out (unknown event types…)


class PayloadError(ValueError):
    """A delivery or file whose shape the adapter cannot read. Kept with this message for admins."""


class CredentialsError(ChannelError):
    """The platform refused our credentials (expired or revoked token): the account needs attention."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason, permanent=True)


#: a platform account id in a webhook body (X user, Facebook page, Instagram account): digits, at most the 64
#: characters ``ChannelAccount.external_id`` holds
ACCOUNT_ID = re.compile(r"[0-9]{1,64}")


def account_id(value: Any, where: str) -> str:
    """``value`` (a string of digits, or a whole number) as the id of the account a webhook part is for.

    Anything else is a :class:`PayloadError` naming ``where``: a delivery is never attributed by guessing.
    """
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        value = str(value)
    if not isinstance(value, str) or not ACCOUNT_ID.fullmatch(value):
        raise PayloadError(f"{where} is not an account id")
    return value
