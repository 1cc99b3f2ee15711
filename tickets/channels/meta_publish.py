"""Publishing replies on Facebook and Instagram through the Graph API (page or Instagram user token).

- Facebook comment or visitor post: ``POST /{comment-or-post-id}/comments`` (``message``). A reply to a reply
  goes to the top comment of the thread, as Facebook shows nested replies.
- Messenger: ``POST /me/messages`` with ``messaging_type: RESPONSE``, only inside the 24-hour window that the
  customer's last message opened; outside it the reply fails with that reason (nothing is sent).
- Instagram comment: ``POST /{ig-comment-id}/replies`` (``message``), on the top comment of the thread.

The Graph API takes no idempotency key. Comment replies can be looked up (:func:`find_published` reads the
thread's comments for one from our page with our text); Messenger messages cannot (``CannotLookUp``): a
Messenger reply whose outcome is unknown fails for a person to check the conversation before retrying.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from . import publishing
from .base import ChannelError

MESSENGER_WINDOW = timedelta(hours=24)


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


def publish(reply) -> str:
    mention, account = publishing.target_of(reply)
    if mention.kind == "dm":
        return _messenger(reply, mention, account)
    edge = "replies" if reply.ticket.platform == "instagram" else "comments"
    data = publishing.post(
        f"{settings.SMRC_GRAPH_API_URL}/{_target_id(mention)}/{edge}",
        token=account.access_token,
        data={"message": reply.body},
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
