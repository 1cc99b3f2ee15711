"""Publishing replies on X: ``POST /2/tweets`` with ``reply.in_reply_to_tweet_id`` (user-context token).

X takes no idempotency key. Two things keep a reply from appearing twice: before any second try the delivery
service calls :func:`find_published`, which reads the account's own posts newer than the customer's post
(``GET /2/users/:id/tweets?since_id=…``) for a reply to it with our text; and X itself refuses the same text
twice from one account (403 "duplicate content"), which ends the reply as failed instead of double-posting.
"""

from django.conf import settings

from . import publishing
from .base import ChannelError


def _classify(response, body: dict) -> None:
    detail = str(body.get("detail") or body.get("title") or "")
    if response.status_code == 403 and "duplicate content" in detail.lower():
        raise ChannelError(f"duplicate content: {detail}", permanent=True)
    if response.status_code == 403 and "reply to this conversation is not allowed" in detail.lower():
        raise ChannelError(f"reply not allowed: {detail}", permanent=True)


def publish(reply) -> str:
    mention, account = publishing.target_of(reply)
    payload = {"text": reply.body, "reply": {"in_reply_to_tweet_id": mention.platform_id}}
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
