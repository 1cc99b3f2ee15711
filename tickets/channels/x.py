"""X (Twitter), in and out: Account Activity (v1.1 tweets) and X Activity (v2 posts) webhooks, polling of the
mentions timeline and v2 recent search, and publishing replies.

Facts used (the saved payloads in tests/fixtures/payloads/x): ids are strings; v2 text is HTML-escaped; long
posts carry ``note_tweet.text``; an edited post keeps the id of its first version in
``edit_history_tweet_ids[0]``, which is our stable key; ``lang`` ``in`` is Indonesian. Webhooks are signed with
``x-twitter-webhooks-signature`` (``sha256=`` + base64 HMAC-SHA256 of the raw body, key: the app's consumer
secret).

Media customers post are read from v2 ``includes.media`` and v1.1 ``extended_entities.media`` (docs/media.md).

Publishing: ``POST /2/tweets`` with ``reply.in_reply_to_tweet_id`` (user-context token); an image is uploaded first
(``POST /2/media/upload``) and named in ``media.media_ids``. X takes no idempotency
key. Two things keep a reply from appearing twice: before any second try the delivery service calls
:func:`find_published`, which reads the account's own posts newer than the customer's post
(``GET /2/users/:id/tweets?since_id=…``) for a reply to it with our text; and X itself refuses the same text
twice from one account (403 "duplicate content"), which ends the reply as failed instead of double-posting.
"""

import base64
import hashlib
import hmac
import html
import re
from datetime import UTC, datetime
from typing import Any

from django.conf import settings

from brands.services.customer_data import clean_handle
from smrc.jsonlimits import keepable

from . import publishing
from .base import (
    ChannelError,
    InboundAction,
    InboundItem,
    MediaRef,
    NormalizedAuthor,
    Parsed,
    PayloadError,
    account_id,
    is_ascii_number,
    media_ref,
)
from .http import get_json
from .media import X_IMAGE, ImageRule

PLATFORM = "x"
SIGNATURE_HEADER = "HTTP_X_TWITTER_WEBHOOKS_SIGNATURE"
API = "https://api.x.com/2"
TWEET_FIELDS = (
    "attachments,author_id,conversation_id,created_at,edit_history_tweet_ids,in_reply_to_user_id,lang,note_tweet,"
    "referenced_tweets"
)
USER_FIELDS = "public_metrics,verified,verified_type,username,name"
MEDIA_FIELDS = "media_key,type,url,variants,duration_ms,alt_text"
LANGUAGES = {"in": "id", "und": "", "qme": "", "zxx": ""}


#: the shape of the tokens X sends in a CRC challenge: base64 or URL-safe base64 or a UUID, bounded. None of these
#: characters can start a JSON object, so a CRC answer is never the signature of a body we would accept.
CRC_TOKEN = re.compile(r"[A-Za-z0-9+/=_-]{1,128}")


def _digest(secret: str, message: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), message, hashlib.sha256).digest()).decode()


def is_crc_token(token: str) -> bool:
    return CRC_TOKEN.fullmatch(token) is not None


def crc_response(crc_token: str, secret: str) -> dict[str, str]:
    """The answer to X's CRC challenge (GET ?crc_token=…), for a token of X's shape only (else ValueError): the
    HMAC of anything else could be replayed as the signature of a forged delivery."""
    if not is_crc_token(crc_token):
        raise ValueError("not a CRC token")
    return {"response_token": "sha256=" + _digest(secret, crc_token.encode())}


def verify(body: bytes, signature: str, secrets: list[str]) -> bool:
    """Whether ``signature`` is the HMAC of the raw ``body`` under one of ``secrets`` (constant time)."""
    if not signature.startswith("sha256="):
        return False
    given = signature.encode()
    return any(hmac.compare_digest(given, ("sha256=" + _digest(s, body)).encode()) for s in secrets if s)


def addressed_accounts(payload: dict) -> set[tuple[str, str]]:
    """Every (platform, account id) a webhook body is for, wherever it names one: ``for_user_id`` for the
    Account Activity events beside it, each X Activity event's own ``filter.user_id`` (one body may carry both).

    A part that names no account is a :class:`PayloadError`, as is ``data`` that is not an X Activity event (a
    saved search response is no webhook): a delivery is only ever ingested for accounts that signed it.
    """
    ids = set()
    if "for_user_id" in payload or any(str(key).endswith("_events") for key in payload):
        ids.add(account_id(payload.get("for_user_id"), "for_user_id"))
    if "data" in payload:
        data = payload["data"]
        for event in data if isinstance(data, list) else [data]:
            if not isinstance(event, dict) or "event_type" not in event:
                raise PayloadError("data that is not an X Activity event")
            where = event.get("filter")
            ids.add(account_id(where.get("user_id") if isinstance(where, dict) else None, "filter.user_id"))
    if not ids:
        raise PayloadError("no account named (no for_user_id, no X Activity event)")
    return {(PLATFORM, i) for i in ids}


def _xaa_events(payload: dict) -> list[dict]:
    data = payload.get("data")
    if isinstance(data, dict) and "event_type" in data:
        return [data]
    if isinstance(data, list):
        return [d for d in data if isinstance(d, dict) and "event_type" in d]
    return []


def _language(code: str | None) -> str:
    code = (code or "").strip()
    return LANGUAGES.get(code, code)[:12]


def _v2_author(user: dict[str, Any], author_id: str) -> NormalizedAuthor:
    metrics = user.get("public_metrics") or {}
    handle = user.get("username", "")
    return NormalizedAuthor(
        platform_user_id=author_id,
        handle=handle,
        name=user.get("name", ""),
        followers_count=metrics.get("followers_count"),
        following_count=metrics.get("following_count"),
        verified_type=user.get("verified_type") or ("blue" if user.get("verified") else ""),
    )


def _status_url(handle: str, post_id: Any) -> str:
    """The post's link, built by us: ``/i/status/`` (works for any post) unless the handle is a valid X handle."""
    handle = handle if clean_handle(PLATFORM, handle)[0] == handle else ""
    return f"https://x.com/{handle or 'i'}/status/{post_id}"


def _iso(value: str | None) -> datetime:
    if not value:
        return datetime.now(UTC)
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _mentioned(*entity_sets: Any, handle_key: str, id_key: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(handles, ids) of the accounts the entities mark as mentioned (v2 ``mentions``: ``username``/``id``;
    v1.1 ``user_mentions``: ``screen_name``/``id_str``)."""
    handles, ids = [], []
    for entities in entity_sets:
        for mention in entities if isinstance(entities, list) else []:
            if not isinstance(mention, dict):
                continue
            if isinstance(mention.get(handle_key), str) and mention[handle_key]:
                handles.append(mention[handle_key])
            if is_ascii_number(str(mention.get(id_key) or "")):
                ids.append(str(mention[id_key]))
    return tuple(dict.fromkeys(handles)), tuple(dict.fromkeys(ids))


def _entities(doc: Any, key: str) -> Any:
    entities = doc.get("entities") if isinstance(doc, dict) else None
    return entities.get(key) if isinstance(entities, dict) else None


def best_mp4(variants: Any, duration_ms: Any, cap: int) -> str:
    """The URL of the best MP4 of a video whose estimated size (bit rate × duration) fits ``cap``: the highest
    bit rate that fits (all fit when the duration is unknown), else the lowest; "" when there is no MP4 (HLS
    playlists are never fetched)."""
    mp4 = []
    for v in variants if isinstance(variants, list) else []:
        if isinstance(v, dict) and v.get("content_type") == "video/mp4" and isinstance(v.get("url"), str):
            rate = v.get("bit_rate", v.get("bitrate"))
            mp4.append((rate if isinstance(rate, int) and not isinstance(rate, bool) else 0, v["url"]))
    if not mp4:
        return ""
    seconds = duration_ms / 1000 if isinstance(duration_ms, int | float) and not isinstance(duration_ms, bool) else 0
    fitting = [(rate, url) for rate, url in mp4 if not seconds or rate * seconds / 8 <= cap]
    return max(fitting)[1] if fitting else min(mp4)[1]


def _one_media(kind: Any, photo: Any, variants: Any, duration_ms: Any, media_id: Any, alt: Any) -> MediaRef | None:
    if kind == "photo":
        return media_ref("image", photo, media_id, "", alt)
    if kind in ("video", "animated_gif"):
        url = best_mp4(variants, duration_ms, settings.SMRC_MEDIA_MAX_VIDEO_BYTES)
        return media_ref("video", url, media_id, "video/mp4", alt)
    return None


def v2_media(post: dict[str, Any], media: dict[str, dict]) -> tuple[MediaRef, ...]:
    """A v2 post's photos and videos: ``attachments.media_keys`` joined with ``includes.media`` (``url`` of a
    photo, ``variants`` of a video or GIF, ``alt_text``)."""
    keys = (post.get("attachments") or {}).get("media_keys") if isinstance(post.get("attachments"), dict) else None
    found = []
    for key in keys if isinstance(keys, list) else []:
        m = media.get(str(key))
        if m:
            found.append(
                _one_media(m.get("type"), m.get("url"), m.get("variants"), m.get("duration_ms"), key, m.get("alt_text"))
            )
    return tuple(ref for ref in found if ref)


def v11_media(tweet: dict[str, Any]) -> tuple[MediaRef, ...]:
    """A v1.1 tweet's photos and videos: ``extended_entities.media`` (of ``extended_tweet`` when truncated)."""
    found = []
    for doc in (tweet.get("extended_tweet"), tweet):
        entities = doc.get("extended_entities") if isinstance(doc, dict) else None
        items = entities.get("media") if isinstance(entities, dict) else None
        for m in items if isinstance(items, list) else []:
            if isinstance(m, dict):
                video = m.get("video_info") if isinstance(m.get("video_info"), dict) else {}
                found.append(
                    _one_media(
                        m.get("type"),
                        m.get("media_url_https"),
                        video.get("variants"),
                        video.get("duration_millis"),
                        m.get("id_str") or "",
                        m.get("ext_alt_text"),
                    )
                )
        if found:
            break
    return tuple(ref for ref in found if ref)


def _media_of(includes: dict | None) -> dict[str, dict]:
    items = (includes or {}).get("media") if isinstance(includes, dict) else None
    return {str(m["media_key"]): m for m in items or [] if isinstance(m, dict) and m.get("media_key")}


def v2_post(
    post: dict[str, Any], users: dict[str, dict], account_id: str = "", media: dict[str, dict] | None = None
) -> InboundItem:
    """A v2 Post (search, mentions timeline, X Activity payload) as an :class:`InboundItem`."""
    if not post.get("id"):
        raise PayloadError("a post without an id")
    history = post.get("edit_history_tweet_ids") or post.get("edit_history_post_ids") or [post["id"]]
    note = post.get("note_tweet") or post.get("note_post") or {}
    refs = post.get("referenced_tweets") or post.get("referenced_posts") or []
    parent = next((str(r["id"]) for r in refs if r.get("type") == "replied_to" and r.get("id")), "")
    parent = parent or str(post.get("in_reply_to_tweet_id") or "")
    author_id = str(post.get("author_id") or "")
    author = _v2_author(users.get(author_id, {}), author_id)
    handles, ids = _mentioned(
        _entities(post, "mentions"), _entities(note, "mentions"), handle_key="username", id_key="id"
    )
    return InboundItem(
        platform=PLATFORM,
        platform_id=str(history[0]),
        author=author,
        text=html.unescape(note.get("text") or post.get("text") or ""),
        posted_at=_iso(post.get("created_at")),
        kind="reply" if parent else "post",
        language=_language(post.get("lang")),
        url=_status_url(author.handle, post["id"]),
        conversation_id=str(post.get("conversation_id") or ""),
        parent_id=parent,
        account_id=account_id,
        edited=len(history) > 1,
        raw=post,
        mentioned_handles=handles,
        mentioned_ids=ids,
        media=v2_media(post, media or {}),
    )


def v11_tweet(tweet: dict[str, Any], account_id: str = "") -> InboundItem:
    """A v1.1 Tweet (Account Activity webhooks): ``id_str``, ``extended_tweet.full_text``, ``user{…}``."""
    tweet_id = tweet.get("id_str") or (str(tweet["id"]) if tweet.get("id") else "")
    if not tweet_id:
        raise PayloadError("a tweet without id_str")
    user = tweet.get("user") or {}
    handle = user.get("screen_name", "")
    text = (tweet.get("extended_tweet") or {}).get("full_text") or tweet.get("full_text") or tweet.get("text") or ""
    parent = tweet.get("in_reply_to_status_id_str") or ""
    if is_ascii_number(str(tweet.get("timestamp_ms") or "")):
        posted = datetime.fromtimestamp(int(tweet["timestamp_ms"]) / 1000, UTC)
    elif tweet.get("created_at"):
        posted = datetime.strptime(tweet["created_at"], "%a %b %d %H:%M:%S %z %Y")
    else:
        posted = datetime.now(UTC)
    handles, ids = _mentioned(
        _entities(tweet, "user_mentions"),
        _entities(tweet.get("extended_tweet"), "user_mentions"),
        handle_key="screen_name",
        id_key="id_str",
    )
    return InboundItem(
        platform=PLATFORM,
        platform_id=tweet_id,
        author=NormalizedAuthor(
            platform_user_id=str(user.get("id_str") or user.get("id") or ""),
            handle=handle,
            name=user.get("name", ""),
            followers_count=user.get("followers_count"),
            following_count=user.get("friends_count"),
            verified_type="blue" if user.get("verified") else "",
        ),
        text=html.unescape(text),
        posted_at=posted,
        kind="reply" if parent else "post",
        language=_language(tweet.get("lang")),
        url=_status_url(handle, tweet_id),
        parent_id=str(parent),
        account_id=account_id,
        raw=tweet,
        mentioned_handles=handles,
        mentioned_ids=ids,
        media=v11_media(tweet),
    )


def _users(includes: dict | None) -> dict[str, dict]:
    return {str(u["id"]): u for u in (includes or {}).get("users", []) if isinstance(u, dict) and u.get("id")}


def parse(payload: Any, *, fetch=None) -> Parsed:
    """A webhook body (Account Activity or X Activity) or a saved v2 response (search, mentions), or a list."""
    parsed = Parsed()
    for doc in payload if isinstance(payload, list) else [payload]:
        if not isinstance(doc, dict):
            raise PayloadError("expected a JSON object")
        _parse_one(doc, parsed)
    return parsed


def _parse_one(doc: dict, parsed: Parsed) -> None:
    account = str(doc.get("for_user_id") or "")
    if account:
        parsed.account_ids.add(account)
    known = False
    for tweet in doc.get("tweet_create_events") or []:
        known = True
        if tweet.get("retweeted_status"):
            parsed.skipped.append(f"retweet {tweet.get('id_str')}")
            continue
        parsed.items.append(v11_tweet(tweet, account))
    for event in doc.get("tweet_delete_events") or []:
        known = True
        status = event.get("status") or {}
        if status.get("id"):
            stamp = event.get("timestamp_ms")
            at = datetime.fromtimestamp(int(stamp) / 1000, UTC) if is_ascii_number(str(stamp or "")) else None
            parsed.actions.append(InboundAction("delete", PLATFORM, str(status["id"]), account, at))
    for event in _xaa_events(doc):
        known = True
        user_id = str((event.get("filter") or {}).get("user_id") or "")
        if user_id:
            parsed.account_ids.add(user_id)
        kind, post = event.get("event_type", ""), event.get("payload") or {}
        if kind.endswith(".delete") and post.get("id"):
            parsed.actions.append(InboundAction("delete", PLATFORM, str(post["id"]), user_id))
        elif kind.startswith("post.") and kind.endswith(".create") and post:
            includes = event.get("includes")
            parsed.items.append(v2_post(post, _users(includes), user_id, _media_of(includes)))
        else:
            parsed.skipped.append(f"event {kind or '?'}")
    if isinstance(doc.get("data"), list) or ("meta" in doc and "data" not in doc):
        known = True
        users, media = _users(doc.get("includes")), _media_of(doc.get("includes"))
        for post in doc.get("data") or []:
            if isinstance(post, dict) and "event_type" not in post:
                parsed.items.append(v2_post(post, users, media=media))
    if not known:
        other = sorted(k for k in doc if k.endswith("_events"))
        if other:
            parsed.skipped.extend(f"{k} (not a mention)" for k in other)
        else:
            raise PayloadError("not an X webhook body or API response (no tweet_create_events, data or meta)")


# --- polling -----------------------------------------------------------------------------------------------


def rule_query(rule) -> str:
    """An X search query for a listening rule: any handle, hashtag or keyword, minus exclusions, in a language."""
    terms = [f"@{h}" for h in rule.handle_list] + [f"#{t}" for t in rule.hashtag_list]
    terms += [f'"{k}"' if " " in k else k for k in rule.keyword_list]
    query = "(" + " OR ".join(terms) + ")" if len(terms) > 1 else (terms[0] if terms else "")
    query += "".join(f' -"{x}"' if " " in x else f" -{x}" for x in rule.exclusion_list)
    if rule.language:
        query += f" lang:{'in' if rule.language == 'id' else rule.language}"
    return (query + " -is:retweet")[:512]


def _page(client, url: str, params: dict, token: str, account_id: str, max_pages: int) -> tuple[Parsed, str]:
    parsed, newest, pagination = Parsed(), "", None
    for _ in range(max_pages):
        page = {**params, **({"pagination_token": pagination} if pagination else {})}
        data = get_json(client, url, params=page, token=token)
        meta = data.get("meta") or {}
        newest = newest or str(meta.get("newest_id") or "")
        users, media = _users(data.get("includes")), _media_of(data.get("includes"))
        parsed.items.extend(v2_post(post, users, account_id, media) for post in data.get("data") or [])
        pagination = meta.get("next_token")
        if not pagination:
            break
    return parsed, newest


def poll(account, cursor: dict, client, *, rules=(), max_pages: int = 5) -> tuple[Parsed, dict]:
    """New posts since ``cursor``: the account's mentions timeline and a recent search per listening rule.

    The mentions are addressed to the account; search results are matched to brands by the listening rules.
    """
    common = {
        "tweet.fields": TWEET_FIELDS,
        "expansions": "author_id,attachments.media_keys",
        "user.fields": USER_FIELDS,
        "media.fields": MEDIA_FIELDS,
        "max_results": 100,
    }
    cursor = dict(cursor)
    result = Parsed()
    params = {**common, **({"since_id": cursor["mentions"]} if cursor.get("mentions") else {})}
    url = f"{API}/users/{account.external_id}/mentions"
    found, newest = _page(client, url, params, account.access_token, account.external_id, max_pages)
    result.items.extend(found.items)
    cursor["mentions"] = newest or cursor.get("mentions", "")
    for rule in rules:
        query = rule_query(rule)
        if not query.strip() or query.startswith(" -"):
            continue
        key = f"search:{rule.pk}"
        params = {**common, "query": query, **({"since_id": cursor[key]} if cursor.get(key) else {})}
        found, newest = _page(client, f"{API}/tweets/search/recent", params, account.access_token, "", max_pages)
        result.items.extend(found.items)
        cursor[key] = newest or cursor.get(key, "")
    return result, cursor


# --- publishing -----------------------------------------------------------------------------------------------


def _classify(response, body: dict) -> None:
    detail = keepable(str(body.get("detail") or body.get("title") or "")[:300])
    if response.status_code == 403 and "duplicate content" in detail.lower():
        raise ChannelError(f"duplicate content: {detail}", permanent=True)
    if response.status_code == 403 and "reply to this conversation is not allowed" in detail.lower():
        raise ChannelError(f"reply not allowed: {detail}", permanent=True)


def reply_image_rule(platform: str, kind: str) -> ImageRule:
    """X takes one image with any post (docs/channels.md, "Images with a reply")."""
    return X_IMAGE


def _upload(image, account) -> str:
    """Upload the reply's image (``POST /2/media/upload``, ``media_category=tweet_image``): its media id. An
    upload is not a post (nothing appears until a post names it, and it expires unused), so a retry uploads
    again rather than keeping state."""
    data = publishing.post(
        f"{settings.SMRC_X_API_URL}/media/upload",
        token=account.access_token,
        data={"media_category": "tweet_image"},
        files={"media": publishing.image_part(image)},
        classify=_classify,
    )
    media_id = str((data.get("data") or {}).get("id") or "")
    if not media_id:
        raise ChannelError("X answered the upload without a media id", permanent=False, retry_after=30.0)
    return media_id


def publish(reply) -> str:
    mention, account = publishing.target_of(reply)
    payload: dict[str, Any] = {"text": reply.body, "reply": {"in_reply_to_tweet_id": mention.platform_id}}
    image = publishing.image_of(reply)
    if image is not None:
        payload["media"] = {"media_ids": [_upload(image, account)]}
    data = publishing.post(
        f"{settings.SMRC_X_API_URL}/tweets", token=account.access_token, json=payload, classify=_classify
    )
    post_id = str((data.get("data") or {}).get("id") or "")
    if not post_id:
        raise publishing.Ambiguous("X answered without the id of the post")
    return post_id


def find_published(reply) -> str | None:
    """The id of our reply to the customer's post if X shows it among the account's posts since then."""
    mention, account = publishing.target_of(reply)
    params = {
        "since_id": mention.platform_id,
        "max_results": 100,
        "tweet.fields": "referenced_tweets,created_at",
        "exclude": "retweets",
    }
    data = publishing.get(
        f"{settings.SMRC_X_API_URL}/users/{account.external_id}/tweets", token=account.access_token, params=params
    )
    for post in data.get("data") or []:
        replied_to = {r.get("id") for r in post.get("referenced_tweets") or [] if r.get("type") == "replied_to"}
        if mention.platform_id in replied_to and publishing.same_text(reply.body, post.get("text", "")):
            return str(post["id"])
    return None
