"""The platform adapter interface, and the normalized records every adapter produces and every ingest path takes.

One module per platform holds everything SMRC knows about it: ``x.py``, ``meta.py`` (Facebook and Instagram,
one Graph API), ``youtube.py``; :mod:`.registry` maps each platform to its module (``registry.PLATFORMS``).
Adding a platform is one such module and one registry line. A platform module provides:

Inbound (every platform)
    ``parse(payload, *, fetch=None) -> Parsed``: a webhook body, a poll page or a saved API response (or a
    list of them) as :class:`InboundItem` and :class:`InboundAction` records, not yet matched to a brand; an
    unreadable shape is a :class:`PayloadError`. ``fetch(account_id, path, params) -> dict | None`` reads the
    platform's API for what a payload only names (Instagram mentions); ``None`` (an import) skips such parts.

Webhooks (platforms that push: X, Meta)
    ``SIGNATURE_HEADER``: the ``request.META`` key of the signature; ``verify(body, signature, secrets) ->
    bool`` over the raw bytes, in constant time; ``addressed_accounts(payload) -> {(platform, account id)}``,
    every account a body is for, or :class:`PayloadError` when a part names none (a delivery is only ever
    ingested for accounts that signed it); optionally ``fetcher(accounts, client) -> fetch`` for ``parse``, which
    may read only with the tokens of ``accounts`` (external id → ``ChannelAccount``, those that signed).
    The endpoint itself (``/webhooks/<family>/``) is in ``tickets/webhooks.py`` and its family in
    ``services/inbound.FAMILIES``.

Polling (platforms without webhooks for what we need: X, YouTube)
    ``poll(account, cursor, client, *, rules=(), max_pages=5) -> (Parsed, cursor)``: new items since
    ``cursor`` (a dict the module owns, stored on the account after the items are). Having ``poll`` is what
    makes a platform polled (``registry.polled_platforms()``).

Publishing (every platform; :mod:`.publishing` holds the shared rules, docs/publishing.md)
    ``publish(reply) -> platform id`` and ``find_published(reply) -> platform id | None``, which looks for a
    reply an earlier try may have published (raising ``publishing.CannotLookUp`` where the platform offers no
    way to look). Refusals are :class:`ChannelError` (``permanent``, ``retry_after``), refused tokens
    :class:`CredentialsError`, answers that leave the outcome unknown ``publishing.Ambiguous``.

``console.py`` is a delivery channel only (records a reply instead of publishing it); ``imports.py`` reads
generic JSON and CSV exports of any listening tool; ``http.py`` is the GET every poll and fetch uses.
"""

import logging
import math
import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from brands.services.customer_data import MAX_COUNT, bounded_count, clean_handle, platform_link

logger = logging.getLogger("smrc.inbound")

#: the key of a mention's raw data under which :func:`screened` records what it dropped, and why
DROPPED_KEY = "smrc_dropped"


@dataclass(frozen=True)
class NormalizedAuthor:
    platform_user_id: str
    handle: str = ""
    name: str = ""
    followers_count: int | None = None
    following_count: int | None = None
    verified_type: str = ""


@dataclass(frozen=True)
class MediaRef:
    """An image or video a customer sent, as the platform describes it (docs/media.md): ``kind`` image, video or
    other; ``url`` the platform's copy (a CDN link that expires, fetched by ``tickets.services.media``, never shown);
    ``media_id`` the platform's id of it; ``content_type`` as the platform names it (a hint only: the stored type is
    read from the bytes); ``alt_text`` the description the author gave, if any."""

    kind: str
    url: str
    media_id: str = ""
    content_type: str = ""
    alt_text: str = ""


#: the most media kept per message (Messenger sends up to ten attachments, X four photos)
MAX_MEDIA_PER_ITEM = 10


def media_ref(kind: Any, url: Any, media_id: Any = "", content_type: Any = "", alt_text: Any = "") -> MediaRef | None:
    """A :class:`MediaRef` from a payload's values, or None when there is no usable link (not a string, not
    https, over-long). Everything is bounded to what the model stores."""
    if not isinstance(url, str) or not url.startswith("https://") or len(url) > 2000:
        return None
    kind = kind if kind in ("image", "video") else "other"
    return MediaRef(
        kind=kind,
        url=url,
        media_id=str(media_id or "")[:128] if isinstance(media_id, str | int) else "",
        content_type=content_type[:100] if isinstance(content_type, str) else "",
        alt_text=alt_text[:1000] if isinstance(alt_text, str) else "",
    )


@dataclass(frozen=True)
class NormalizedMention:
    """One inbound item, platform-neutral, already matched to a brand (and maybe a channel account)."""

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
    media: tuple[MediaRef, ...] = ()


def screened(item: NormalizedMention) -> NormalizedMention:
    """``item`` as it may be stored: the link through the URL gate and on the item's own platform, the handle
    checked against the platform's handle rules, the counts bounded (``brands.services.customer_data``). What
    does not pass is dropped and
    recorded on the mention's raw data under :data:`DROPPED_KEY` (field, reason, value) and in the log; the rest
    of the item is kept. Every ingest path calls this (``ingest.ingest_mentions``); the API refuses the same
    values with a 400 before they get here."""
    dropped = []

    def note(name: str, reason: str, value: Any) -> None:
        huge = isinstance(value, int) and value.bit_length() > 256  # str() of a huge int may raise
        shown = f"an integer of {value.bit_length()} bits" if huge else str(value)[:200]
        dropped.append({"field": name, "reason": reason, "value": shown})

    url, reason = platform_link(item.platform, item.url)
    if reason:
        note("url", reason, item.url)
    author = item.author
    handle, reason = clean_handle(item.platform, author.handle)
    if reason:
        note("author.handle", reason, author.handle)
    counts = {}
    for name in ("followers_count", "following_count"):
        value = getattr(author, name)
        counts[name] = bounded_count(value)
        if counts[name] is None and value is not None:
            note(f"author.{name}", f"not a whole number from 0 to {MAX_COUNT}", value)
    cleaned = replace(
        author,
        handle=handle,
        name=str(author.name or "")[:200],
        verified_type=str(author.verified_type or "")[:20],
        **counts,
    )
    raw = item.raw if isinstance(item.raw, dict) else {"value": item.raw}
    if DROPPED_KEY in raw:  # only we record drops: a payload cannot bring its own
        raw = {k: v for k, v in raw.items() if k != DROPPED_KEY}
    if dropped:
        logger.warning(
            "brand %s, %s:%s: dropped %s",
            item.brand_id,
            item.platform,
            item.platform_id,
            "; ".join(f"{d['field']} ({d['reason']})" for d in dropped),
        )
        raw = {**raw, DROPPED_KEY: dropped}
    if url == item.url and cleaned == author and raw is item.raw:
        return item
    return replace(item, url=url, author=cleaned, raw=raw)


#: the longest wait a platform may announce (a rate-limit reset, a regain time, a quota): a day
MAX_RETRY_AFTER = 24 * 3600
_ASCII_DIGITS = re.compile(r"[0-9]+")


def is_ascii_number(value: Any) -> bool:
    """Whether ``value`` is a string of ASCII digits. ``str.isdigit()`` also says yes to "²" and "١٢٣", which
    ``int()`` refuses or reads as another number than the platform meant."""
    return isinstance(value, str) and bool(_ASCII_DIGITS.fullmatch(value))


class ChannelError(Exception):
    """A platform call failed. ``permanent`` errors are not retried; the reason is shown to people.

    ``retry_after``, the wait a platform announced, is kept finite and within 0 … :data:`MAX_RETRY_AFTER` seconds
    (an impossible one, NaN, is no announcement), so no clock arithmetic on it can overflow."""

    def __init__(self, reason: str, *, permanent: bool, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        if retry_after is not None:
            retry_after = None if math.isnan(retry_after) else min(max(float(retry_after), 0.0), MAX_RETRY_AFTER)
        self.retry_after = retry_after


# --- inbound: what adapters produce before an item is matched to a brand --------------------------------------


@dataclass(frozen=True)
class InboundItem:
    """One customer item as a platform sent it, normalized but not yet matched to a brand.

    ``account_id`` is the platform id of our account the item arrived for (page, IG account, X user, YouTube
    channel), empty when it came from a search or an import. ``own`` marks our own posts echoed back.
    ``mentioned_handles`` and ``mentioned_ids``: the accounts the platform marks as mentioned in the text (its
    entities: X ``entities.mentions``, Facebook ``message_tags``), handles without "@"; with the handles the text
    starts with (:func:`addressed_handles`) they route an item that no account of ours received to the brands
    of the accounts it addresses (``services.inbound``, docs/channels.md "Addressed by handle").
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
    mentioned_handles: tuple[str, ...] = ()
    mentioned_ids: tuple[str, ...] = ()
    media: tuple[MediaRef, ...] = ()

    def addressed(self) -> tuple[frozenset[str], frozenset[str]]:
        """(handles, account ids) the item addresses: the handles it starts with and those its platform marks
        as mentioned, lower-cased without "@", and the ids of mentioned accounts."""
        handles = {h.lower() for h in addressed_handles(self.platform, self.text)}
        handles |= {h.lower().lstrip("@") for h in self.mentioned_handles if isinstance(h, str) and h.strip("@")}
        return frozenset(handles), frozenset(str(i) for i in self.mentioned_ids if i not in (None, ""))

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
            media=self.media[:MAX_MEDIA_PER_ITEM],
        )


_LEADING = re.compile(r"\s*@([^\s@:,;!?]+)[:,;!?]?")
#: the most leading handles read (a reply on X names everyone in the thread; more is a list, not an address)
MAX_LEADING_HANDLES = 20


def addressed_handles(platform: str, text: str) -> list[str]:
    """The handles ``text`` starts with ("@acme @acme_care halo…" → ["acme", "acme_care"]), without "@", each a
    valid handle of ``platform`` (``customer_data.clean_handle``); reading stops at the first other word."""
    found, position = [], 0
    text = text or ""
    while len(found) < MAX_LEADING_HANDLES:
        match = _LEADING.match(text, position)
        if match is None:
            break
        handle, _reason = clean_handle(platform, match.group(1).rstrip("."))
        if not handle:
            break
        found.append(handle)
        position = match.end()
    return found


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
