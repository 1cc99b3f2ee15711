"""Meta (Facebook and Instagram share the Graph API), in and out: Facebook Page feed, Messenger and Instagram
webhooks (one endpoint, one signature scheme), and publishing replies. Meta is not polled.

``X-Hub-Signature-256`` is ``sha256=`` + lowercase hex HMAC-SHA256 of the **raw** body (Meta escapes
non-ASCII as ``\\uXXXX`` and ``/`` as ``\\/`` before signing), key: the app secret. One delivery may carry many
entries, each with many ``changes`` (feed, Instagram) or ``messaging`` events (Messenger, timestamps in
milliseconds). The page's own comments come back with ``from.id`` equal to the page id, Messenger echoes with
``is_echo``: both are ours, never new tickets. Instagram ``mentions`` carry only ids: the text is fetched.

Publishing, through the Graph API (page or Instagram user token):

- Facebook comment or visitor post: ``POST /{comment-or-post-id}/comments`` (``message``). A reply to a reply
  goes to the top comment of the thread, as Facebook shows nested replies.
- Messenger: ``POST /me/messages`` with ``messaging_type: RESPONSE``, only inside the 24-hour window that the
  customer's last message opened; outside it the reply fails with that reason (nothing is sent).
- Instagram comment: ``POST /{ig-comment-id}/replies`` (``message``), on the top comment of the thread.

An image with a reply (docs/media.md): a Facebook comment sends it as ``source`` with the message; Messenger uploads
it (``/me/message_attachments``) and sends it by id as a message of its own before the text, its message id saved
at once so a retry never sends it twice; Instagram comments take text only (:func:`reply_image_rule`). Attachments
customers send are read as media (:class:`~.base.MediaRef`), never put into the text.

The Graph API takes no idempotency key. Comment replies can be looked up (:func:`find_published` reads the
thread's comments for one from our page with our text); Messenger messages cannot (``CannotLookUp``): a
Messenger reply whose outcome is unknown fails for a person to check the conversation before retrying.
"""

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

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
from .media import DM_IMAGE, FACEBOOK_COMMENT_IMAGE, ImageRule

SIGNATURE_HEADER = "HTTP_X_HUB_SIGNATURE_256"
GRAPH = "https://graph.facebook.com/v25.0"
POST_ITEMS = {"status", "post", "photo", "video", "share"}
#: visitor posts whose ``link`` is the photo or video itself (a media copy, not a link the visitor shared)
MEDIA_POSTS = {"photo": "image", "video": "video"}
#: webhook ``object`` → the platform of the accounts its entries are for
OBJECTS = {"page": "facebook", "instagram": "instagram"}
MESSENGER_WINDOW = timedelta(hours=24)


def verify(body: bytes, signature: str, secrets: list[str]) -> bool:
    if not signature.startswith("sha256="):
        return False
    given = signature.lower().encode()
    return any(
        hmac.compare_digest(given, ("sha256=" + hmac.new(s.encode(), body, hashlib.sha256).hexdigest()).encode())
        for s in secrets
        if s
    )


def addressed_accounts(payload: dict) -> set[tuple[str, str]]:
    """Every (platform, account id) a webhook body is for: ``object`` names the platform (``page``: Facebook,
    ``instagram``) and each ``entry[].id`` the page or Instagram account.

    Meta never puts an event for one account inside another's entry, so a Messenger event whose own side
    (``recipient.id``, or ``sender.id`` for an echo) is not its entry's account is a :class:`PayloadError`, as
    are another ``object``, an entry without an id and an empty ``entry``.
    """
    kind = payload.get("object")
    platform = OBJECTS.get(kind) if isinstance(kind, str) else None
    if platform is None:
        raise PayloadError("object is neither page nor instagram")
    entries = payload.get("entry")
    if not isinstance(entries, list) or not entries:
        raise PayloadError("no entry list")
    ids = set()
    for entry in entries:
        if not isinstance(entry, dict):
            raise PayloadError("an entry that is not an object")
        account = account_id(entry.get("id"), "entry.id")
        events = entry.get("messaging") or []
        if not isinstance(events, list) or not all(isinstance(e, dict) for e in events):
            raise PayloadError(f"entry {account}: messaging is not a list of events")
        for event in events:
            other = _other_account(event, account)
            if other:
                raise PayloadError(f"entry {account} carries a message for account {other}")
        ids.add((platform, account))
    return ids


def _other_account(event: dict, page: str) -> str:
    """The account a Messenger event names as ours when that is not ``page`` (else ""): the recipient of a
    message to us, the sender of an echo of one of ours."""
    message = event.get("message") or event.get("message_edit")
    echo = isinstance(message, dict) and bool(message.get("is_echo"))
    side = event.get("sender" if echo else "recipient")
    ours = side.get("id") if isinstance(side, dict) else None
    return str(ours) if ours not in (None, "") and str(ours) != page else ""


def _seconds(value: Any, fallback: Any = None) -> datetime:
    for v in (value, fallback):
        if (isinstance(v, int | float) and not isinstance(v, bool)) or is_ascii_number(v):
            number = float(v)
            return datetime.fromtimestamp(number / 1000 if number > 1e11 else number, UTC)
        if isinstance(v, str) and v:
            try:
                return datetime.fromisoformat(v.replace("+0000", "+00:00").replace("Z", "+00:00"))
            except ValueError:
                continue
    return datetime.now(UTC)


def parse(payload: Any, *, fetch=None) -> Parsed:
    """A webhook body (``object`` page or instagram) or a list of them.

    ``fetch(account_id, path, params) -> dict`` reads the Graph API for Instagram mentions; without it (an
    import) such mentions are skipped with a reason.
    """
    parsed = Parsed()
    for doc in payload if isinstance(payload, list) else [payload]:
        if not isinstance(doc, dict) or not isinstance(doc.get("entry"), list):
            raise PayloadError("not a Meta webhook body (no entry list)")
        instagram = doc.get("object") == "instagram"
        for entry in doc["entry"]:
            if not isinstance(entry, dict) or not entry.get("id"):
                raise PayloadError("an entry without an id")
            account = str(entry["id"])
            parsed.account_ids.add(account)
            for change in entry.get("changes") or []:
                field, value = change.get("field"), change.get("value") or {}
                if instagram and field in ("comments", "live_comments"):
                    _ig_comment(value, account, entry, parsed)
                elif instagram and field == "mentions":
                    _ig_mention(value, account, entry, parsed, fetch)
                elif not instagram and field in ("feed", "mention"):
                    _feed(value, account, entry, parsed)
                else:
                    parsed.skipped.append(f"field {field}")
            for event in entry.get("messaging") or []:
                _messaging(event, account, parsed)
    return parsed


def _tagged(value: dict) -> tuple[str, ...]:
    """The ids of the pages and people a Facebook post or comment tags (``message_tags``: a list, or a dict of
    lists keyed by offset as older Graph versions send it)."""
    tags = value.get("message_tags")
    if isinstance(tags, dict):
        tags = [t for group in tags.values() if isinstance(group, list) for t in group]
    found = [str(t["id"]) for t in tags or [] if isinstance(t, dict) and is_ascii_number(str(t.get("id") or ""))]
    return tuple(dict.fromkeys(found))


def _feed(value: dict, page: str, entry: dict, parsed: Parsed) -> None:
    item, verb = value.get("item"), value.get("verb")
    sender = value.get("from") or {"id": value.get("sender_id", ""), "name": value.get("sender_name", "")}
    at = _seconds(value.get("created_time"), entry.get("time"))
    target = str(value.get("comment_id") or value.get("post_id") or "")
    if item in ("reaction", "like"):
        data = {"reaction": value.get("reaction_type", "like"), "by": str(sender.get("id", "")), "verb": verb}
        parsed.actions.append(InboundAction("reaction", "facebook", target, page, at, data))
        return
    if verb in ("remove", "hide", "unhide"):
        action = {"remove": "delete"}.get(verb, verb)
        parsed.actions.append(InboundAction(action, "facebook", target, page, at, {"item": item}))
        return
    if verb not in ("add", "edited") or item not in {"comment", *POST_ITEMS}:
        parsed.skipped.append(f"feed {item} {verb}")
        return
    text = value.get("message") or ""
    if value.get("link") and item not in ("comment", *MEDIA_POSTS):
        text = f"{text}\n{value['link']}".strip()  # a shared link is part of what the visitor posted
    post_id = str(value.get("post_id") or "")
    if item == "comment":
        parent = str(value.get("parent_id") or post_id)
        is_reply = parent != post_id
        platform_id, kind = str(value.get("comment_id") or ""), "reply" if is_reply else "comment"
        conversation = parent if is_reply else platform_id
        parent = parent if is_reply else ""
        url = (value.get("post") or {}).get("permalink_url", "")
    else:
        platform_id, kind, conversation, parent = post_id, "post", post_id, ""
        url = value.get("permalink_url") or (value.get("post") or {}).get("permalink_url", "")
    if not platform_id:
        raise PayloadError("a feed change without comment_id or post_id")
    sender_id = str(sender.get("id") or "")
    parsed.items.append(
        InboundItem(
            platform="facebook",
            platform_id=platform_id,
            author=NormalizedAuthor(platform_user_id=sender_id or "unknown", name=sender.get("name", "")),
            text=text,
            posted_at=at,
            kind=kind,
            url=url,  # over-long links are refused whole by the URL gate, never cut
            conversation_id=conversation,
            parent_id=parent,
            account_id=page,
            own=sender_id == page,
            edited=verb == "edited",
            raw=value,
            mentioned_ids=_tagged(value),
            media=_feed_media(value),
        )
    )


def _feed_media(value: dict) -> tuple[MediaRef, ...]:
    """The photo or video of a Facebook comment or visitor post: ``photo`` / ``video`` (CDN links) on a comment,
    ``link`` on a visitor's photo or video post, or an ``attachment`` object as the Graph API gives it
    (``media.image.src``, ``media.source`` for a video)."""
    found = [media_ref("image", value.get("photo")), media_ref("video", value.get("video"))]
    if value.get("item") in MEDIA_POSTS:
        found.append(media_ref(MEDIA_POSTS[value["item"]], value.get("link"), value.get(f"{value['item']}_id", "")))
    attachment = value.get("attachment")
    if isinstance(attachment, dict):
        media = attachment.get("media") if isinstance(attachment.get("media"), dict) else {}
        image = media.get("image") if isinstance(media.get("image"), dict) else {}
        target = attachment.get("target") if isinstance(attachment.get("target"), dict) else {}
        if "video" in str(attachment.get("type") or "") and media.get("source"):
            found.append(media_ref("video", media.get("source"), target.get("id", "")))
        else:
            found.append(media_ref("image", image.get("src"), target.get("id", "")))
    return tuple(dict.fromkeys(ref for ref in found if ref))


#: Messenger / Instagram attachment types → our kinds (audio, file, location, template, share… are "other")
MESSAGING_KINDS = {"image": "image", "video": "video", "animated_image": "image", "sticker": "image"}


def _message_media(message: dict) -> tuple[MediaRef, ...]:
    found = []
    for attachment in message.get("attachments") or []:
        if not isinstance(attachment, dict) or not isinstance(attachment.get("payload"), dict):
            continue
        payload = attachment["payload"]
        kind = MESSAGING_KINDS.get(str(attachment.get("type") or ""), "other")
        ref = media_ref(kind, payload.get("url"), payload.get("attachment_id") or payload.get("sticker_id") or "")
        if ref:
            found.append(ref)
    return tuple(found)


def _messaging(event: dict, page: str, parsed: Parsed) -> None:
    other = _other_account(event, page)
    if other:
        parsed.skipped.append(f"messaging event in entry {page} for account {other}")
        return
    message = event.get("message") or event.get("message_edit")
    if not isinstance(message, dict) or not message.get("mid"):
        parsed.skipped.append("messaging event without a message")
        return
    at = _seconds(event.get("timestamp"))
    if message.get("is_deleted"):
        parsed.actions.append(InboundAction("delete", "facebook", message["mid"], page, at))
        return
    sender = str((event.get("sender") or {}).get("id") or "")
    recipient = str((event.get("recipient") or {}).get("id") or "")
    echo = bool(message.get("is_echo")) or sender == page
    customer = recipient if echo else sender
    text = message.get("text") or ""
    reply_to = (message.get("reply_to") or {}).get("mid", "")
    parsed.items.append(
        InboundItem(
            platform="facebook",
            platform_id=message["mid"],
            author=NormalizedAuthor(platform_user_id=sender or "unknown"),
            text=text,
            posted_at=at,
            kind="dm",
            conversation_id=f"dm:{page}:{customer}",
            parent_id=reply_to,
            account_id=page,
            own=echo,
            edited="message_edit" in event,
            raw=event,
            media=_message_media(message),
        )
    )


def _ig_comment(value: dict, account: str, entry: dict, parsed: Parsed) -> None:
    if not value.get("id"):
        raise PayloadError("an Instagram comment without an id")
    sender = value.get("from") or {}
    parent = str(value.get("parent_id") or "")
    media = value.get("media") or {}
    sender_id = str(sender.get("id") or "")
    parsed.items.append(
        InboundItem(
            platform="instagram",
            platform_id=str(value["id"]),
            author=NormalizedAuthor(
                platform_user_id=sender_id or "unknown",
                handle=sender.get("username", ""),
            ),
            text=value.get("text") or "",
            posted_at=_seconds(value.get("timestamp"), entry.get("time")),
            kind="reply" if parent else "comment",
            conversation_id=parent or str(value["id"]),
            parent_id=parent,
            account_id=account,
            own=sender_id == account,
            raw={**value, "media_id": media.get("id", "")},
        )
    )


def _ig_mention(value: dict, account: str, entry: dict, parsed: Parsed, fetch) -> None:
    comment_id, media_id = value.get("comment_id"), value.get("media_id")
    if fetch is None:
        parsed.skipped.append(f"Instagram mention {comment_id or media_id}: text not fetched (no API access)")
        return
    if comment_id:
        fields = f"mentioned_comment.comment_id({comment_id}){{id,text,timestamp,username,media{{id,permalink}}}}"
    else:
        fields = f"mentioned_media.media_id({media_id}){{id,caption,timestamp,username,permalink}}"
    answer = fetch(account, account, {"fields": fields})
    if answer is None:
        parsed.skipped.append(f"Instagram mention {comment_id or media_id}: not fetched for account {account}")
        return
    if comment_id:
        data = answer.get("mentioned_comment") or {}
        platform_id, kind = str(comment_id), "comment"
        text, url = data.get("text", ""), (data.get("media") or {}).get("permalink", "")
    else:
        data = answer.get("mentioned_media") or {}
        platform_id, kind = str(media_id), "post"
        text, url = data.get("caption", ""), data.get("permalink", "")
    username = data.get("username", "")
    parsed.items.append(
        InboundItem(
            platform="instagram",
            platform_id=platform_id,
            author=NormalizedAuthor(platform_user_id=f"ig:{username}" if username else "unknown", handle=username),
            text=text,
            posted_at=_seconds(data.get("timestamp"), entry.get("time")),
            kind=kind,
            url=url,  # over-long links are refused whole by the URL gate, never cut
            conversation_id=platform_id,
            account_id=account,
            raw={"webhook": value, "fetched": data},
        )
    )


def fetcher(accounts: dict, client):
    """A ``fetch`` for :func:`parse`: reads ``GET /{path}`` with the access token of the addressed account, when
    it is one of ``accounts`` (external id → account: those that signed the delivery); None for any other, with
    no call made, so a body can never spend the token of an account that did not sign it."""

    def fetch(account_id: str, path: str, params: dict) -> dict | None:
        account = accounts.get(account_id)
        if account is None:
            return None
        return get_json(client, f"{GRAPH}/{path}", params=params, token=account.access_token) or {}

    return fetch


# --- publishing -----------------------------------------------------------------------------------------------


def _target_id(mention) -> str:
    return mention.parent_id or mention.platform_id if mention.kind == "reply" else mention.platform_id


def _messenger(reply, mention, account) -> str:
    last = reply.ticket.last_customer_at or mention.posted_at
    if last is None or timezone.now() - last > MESSENGER_WINDOW:
        raise ChannelError(
            "outside Messenger's 24-hour window: the customer last wrote more than 24 hours ago; "
            "answer when they write again",
            permanent=True,
        )
    image = publishing.image_of(reply)
    if image is not None and not image.sent_id:
        _messenger_image(image, mention, account)
    payload = {
        "recipient": {"id": mention.author.platform_user_id},
        "messaging_type": "RESPONSE",
        "message": {"text": reply.body},
    }
    data = publishing.post(f"{settings.SMRC_GRAPH_API_URL}/me/messages", token=account.access_token, json=payload)
    message_id = str(data.get("message_id") or "")
    if not message_id:
        raise publishing.Ambiguous("Messenger answered without a message id")
    return message_id


def _messenger_image(image, mention, account) -> None:
    """Send the reply's image as a message of its own before the text (the Send API takes a text or an
    attachment per message): uploaded through the Attachment Upload API, then sent by its id. Its message id is
    saved at once, so a later try of the same reply never sends the image again."""
    upload = publishing.post(
        f"{settings.SMRC_GRAPH_API_URL}/me/message_attachments",
        token=account.access_token,
        data={"message": json.dumps({"attachment": {"type": "image", "payload": {"is_reusable": False}}})},
        files={"filedata": publishing.image_part(image)},
    )
    attachment_id = str(upload.get("attachment_id") or "")
    if not attachment_id:
        raise ChannelError("the upload was answered without an attachment id", permanent=False, retry_after=30.0)
    payload = {
        "recipient": {"id": mention.author.platform_user_id},
        "messaging_type": "RESPONSE",
        "message": {"attachment": {"type": "image", "payload": {"attachment_id": attachment_id}}},
    }
    data = publishing.post(f"{settings.SMRC_GRAPH_API_URL}/me/messages", token=account.access_token, json=payload)
    message_id = str(data.get("message_id") or "")
    if not message_id:
        raise publishing.Ambiguous("Messenger answered the image without a message id")
    image.upload_id, image.sent_id = attachment_id, message_id
    image.save(update_fields=["upload_id", "sent_id"])


def reply_image_rule(platform: str, kind: str) -> ImageRule | None:
    """One image with a Messenger or Instagram direct message or a Facebook comment; Instagram comments take
    text only (docs/channels.md, "Images with a reply")."""
    if kind == "dm":
        return DM_IMAGE
    return FACEBOOK_COMMENT_IMAGE if platform == "facebook" else None


def publish(reply) -> str:
    mention, account = publishing.target_of(reply)
    if mention.kind == "dm":
        return _messenger(reply, mention, account)
    instagram = reply.ticket.platform == "instagram"
    edge = "replies" if instagram else "comments"
    image = publishing.image_of(reply)
    if image is not None and instagram:
        raise ChannelError("Instagram comments take text only: remove the image", permanent=True)
    data = publishing.post(
        f"{settings.SMRC_GRAPH_API_URL}/{_target_id(mention)}/{edge}",
        token=account.access_token,
        data={"message": reply.body},
        files={"source": publishing.image_part(image)} if image is not None else None,
    )
    comment_id = str(data.get("id") or "")
    if not comment_id:
        raise publishing.Ambiguous("the Graph API answered without the id of the comment")
    return comment_id


def find_published(reply) -> str | None:
    mention, account = publishing.target_of(reply)
    if mention.kind == "dm":
        raise publishing.CannotLookUp("Messenger offers no lookup of a page's sent messages by content")
    instagram = reply.ticket.platform == "instagram"
    edge, text_field = ("replies", "text") if instagram else ("comments", "message")
    data = publishing.get(
        f"{settings.SMRC_GRAPH_API_URL}/{_target_id(mention)}/{edge}",
        token=account.access_token,
        params={"fields": f"id,{text_field},from,username", "limit": 100, "order": "reverse_chronological"},
    )
    for item in data.get("data") or []:
        sender = item.get("from") or {}
        ours = str(sender.get("id") or "") == account.external_id or (
            bool(account.handle) and item.get("username") == account.handle.lstrip("@")
        )
        if ours and publishing.same_text(reply.body, item.get(text_field, "")):
            return str(item["id"])
    return None
