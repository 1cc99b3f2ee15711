"""Build realistic :class:`NormalizedMention` records for the demo commands, from ``_demo_data``.

Platform ids follow the platforms' shapes (X snowflakes, Facebook ``post_comment`` ids, Instagram numeric ids,
YouTube ``Ugz…`` thread ids), threads carry conversation and parent ids, and DMs carry a thread id, so the
mentions take exactly the path real ones do through :func:`tickets.services.ingest.ingest_mentions`.
"""

import random
import string
from dataclasses import dataclass, replace
from datetime import datetime

from tickets.channels.base import NormalizedAuthor, NormalizedMention

from . import _demo_data as data

PLATFORMS = ["x", "facebook", "instagram", "youtube"]
PLATFORM_WEIGHTS = [45, 25, 20, 10]
DM_PLATFORMS = ["facebook", "instagram"]
ID_CHARS = string.ascii_letters + string.digits + "-_"


@dataclass(frozen=True)
class Thread:
    """What a follow-up needs to know about the conversation it continues."""

    platform: str
    author: NormalizedAuthor
    conversation_id: str
    last_platform_id: str
    language: str
    is_dm: bool


def thread_of(mention: NormalizedMention) -> Thread:
    return Thread(
        platform=mention.platform,
        author=mention.author,
        conversation_id=mention.conversation_id,
        last_platform_id=mention.platform_id,
        language=mention.language,
        is_dm=mention.kind == "dm",
    )


def author_for(platform: str, index: int) -> NormalizedAuthor:
    """The demo person ``index`` as seen on ``platform`` (same person, one account per platform)."""
    handle, name = data.AUTHORS[index % len(data.AUTHORS)]
    n = index + 1
    user_id = {
        "x": f"142345678901{n:07d}",
        "facebook": f"5{n:015d}",
        "instagram": f"1784{n:013d}",
        "youtube": f"UC{handle.replace('.', '')[:10]:_<10}{n:012d}",
    }[platform]
    # each platform's handle rules: no dots and at most 15 characters on X; Facebook sends no handle
    handle = {"x": handle.replace(".", "_")[:15], "facebook": ""}.get(platform, handle)
    # A few accounts are large; most are ordinary customers (follower counts are one signal, never the only one).
    followers = [312, 1284, 87, 45120, 903, 15, 2210, 640, 158000, 77][index % 10] + index * 13
    return NormalizedAuthor(
        platform_user_id=user_id,
        handle=handle,
        name=name,
        followers_count=followers,
        following_count=300 + index * 7,
        verified_type="blue" if index % 17 == 3 else "",
    )


class MentionMaker:
    """Makes openers and follow-ups for one brand. Deterministic for a given ``rng``."""

    def __init__(self, *, rng: random.Random, demo: data.BrandDemo, brand_id: int, channels: dict[str, int]):
        self.rng = rng
        self.demo = demo
        self.brand_id = brand_id
        self.channels = channels

    # -- ids ---------------------------------------------------------------------------------------------------

    def _digits(self, n: int) -> str:
        return str(self.rng.randint(10 ** (n - 1), 10**n - 1))

    def _token(self, n: int) -> str:
        return "".join(self.rng.choice(ID_CHARS) for _ in range(n))

    def _new_ids(self, platform: str, *, is_dm: bool) -> tuple[str, str, str]:
        """(platform id, conversation id, url) of a mention opening a new conversation."""
        page = self.demo.channels.get(platform, ("0", "", ""))[0]
        if is_dm:
            thread = f"t_{self._digits(16)}" if platform == "facebook" else f"aWdfdGhyZWFk{self._token(16)}"
            return f"m_{self._token(40)}", thread, ""
        if platform == "x":
            tweet = self._digits(19)
            return tweet, tweet, f"https://x.com/i/web/status/{tweet}"
        if platform == "facebook":
            post = f"{page}_{self._digits(16)}"
            comment = f"{post.split('_')[1]}_{self._digits(16)}"
            return comment, post, f"https://www.facebook.com/{post}?comment_id={comment.split('_')[1]}"
        if platform == "instagram":
            media = f"179{self._digits(14)}"
            return f"178{self._digits(14)}", media, f"https://www.instagram.com/p/{self._token(11)}/"
        video = self._token(11)
        return f"Ugz{self._token(21)}4AaABAg", video, f"https://www.youtube.com/watch?v={video}"

    def _reply_id(self, thread: Thread) -> tuple[str, str]:
        if thread.is_dm:
            return f"m_{self._token(40)}", ""
        if thread.platform == "x":
            tweet = self._digits(19)
            return tweet, f"https://x.com/i/web/status/{tweet}"
        if thread.platform == "facebook":
            comment = f"{thread.conversation_id.split('_')[-1]}_{self._digits(16)}"
            return comment, f"https://www.facebook.com/{thread.conversation_id}?comment_id={comment.split('_')[1]}"
        if thread.platform == "instagram":
            return f"178{self._digits(14)}", ""
        root = thread.last_platform_id.split(".")[0]
        return f"{root}.{self._token(22)}", f"https://www.youtube.com/watch?v={thread.conversation_id}"

    # -- text --------------------------------------------------------------------------------------------------

    def fill(self, text: str) -> str:
        return text.format(
            city=self.rng.choice(data.CITIES),
            hours=self.rng.randint(2, 9),
            days=self.rng.randint(2, 5),
            amount=f"{self.rng.choice([25, 50, 75, 120, 150, 250, 500, 1250, 4750]) * 1000:,}".replace(",", "."),
            ref=self._digits(7),
        )

    # -- mentions ----------------------------------------------------------------------------------------------

    def opener(
        self, *, posted_at: datetime, author_index: int, is_dm: bool = False, platform: str | None = None
    ) -> tuple[NormalizedMention, int]:
        """A mention opening a conversation, and the priority its text calls for."""
        if is_dm:
            platform = platform or self.rng.choice(DM_PLATFORMS)
            language, priority, text = self.rng.choice(self.demo.dms)
        else:
            platform = platform or self.rng.choices(PLATFORMS, weights=PLATFORM_WEIGHTS)[0]
            language, priority, text = self.rng.choice(self.demo.openers)
        text = self.fill(text)
        if platform == "x" and not is_dm:
            text = f"@{self.demo.handle} {text}"
        platform_id, conversation_id, url = self._new_ids(platform, is_dm=is_dm)
        kind = "dm" if is_dm else ("post" if platform == "x" else "comment")
        mention = NormalizedMention(
            brand_id=self.brand_id,
            platform=platform,
            platform_id=platform_id,
            author=author_for(platform, author_index),
            text=text,
            posted_at=posted_at,
            kind=kind,
            language=language,
            url=url,
            conversation_id=conversation_id,
            channel_account_id=self.channels.get(platform),
            raw={"source": "demo"},
        )
        return mention, priority

    def follow_up(self, thread: Thread, *, posted_at: datetime, text: str | None = None) -> NormalizedMention:
        """The customer writes again in the same conversation (a reply to their last message)."""
        language = thread.language if thread.language in data.FOLLOW_UPS else "id"
        text = self.fill(text or self.rng.choice(data.FOLLOW_UPS[language]))
        if thread.platform == "x" and not thread.is_dm:
            text = f"@{self.demo.handle} {text}"
        platform_id, url = self._reply_id(thread)
        return NormalizedMention(
            brand_id=self.brand_id,
            platform=thread.platform,
            platform_id=platform_id,
            author=thread.author,
            text=text,
            posted_at=posted_at,
            kind="dm" if thread.is_dm else "reply",
            language=language,
            url=url,
            conversation_id=thread.conversation_id,
            parent_id="" if thread.is_dm else thread.last_platform_id,
            channel_account_id=self.channels.get(thread.platform),
            raw={"source": "demo"},
        )

    def thanks(self, thread: Thread, *, posted_at: datetime) -> NormalizedMention:
        language = thread.language if thread.language in data.THANKS else "id"
        return self.follow_up(thread, posted_at=posted_at, text=self.rng.choice(data.THANKS[language]))


def advance(thread: Thread, mention: NormalizedMention) -> Thread:
    return replace(thread, last_platform_id=mention.platform_id)
