"""What the platform publishers share: one POST with a timeout, errors sorted by what they tell us.

- :class:`~.base.ChannelError` with ``permanent=True``: the platform refused the reply for good (duplicate
  content, reply not allowed, comments disabled…); :class:`~.base.CredentialsError` when it refused our token.
- ``permanent=False`` with ``retry_after``: refused *for now* (429, quota, throttling): nothing was published.
- :class:`Ambiguous`: a timeout, a dropped connection or a 5xx: the platform may have published the reply. The
  delivery service looks it up before trying again (docs/publishing.md).

Tokens go in the ``Authorization`` header, never in the URL, so no access log or error message holds them.
"""

import html
import re
from typing import Any

import requests
from django.conf import settings

from .base import ChannelError
from .http import raise_for, read_json, session


class Ambiguous(ChannelError):
    """The request may have reached the platform and been acted on; we could not read the answer."""

    def __init__(self, reason: str, *, retry_after: float | None = 30.0) -> None:
        super().__init__(reason, permanent=False, retry_after=retry_after)


class CannotLookUp(Exception):
    """The platform offers no way to find out whether a reply was published (Messenger)."""


def _call(method: str, url: str, *, token: str, **kwargs) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    path = url.split("?")[0]
    try:
        return session().request(method, url, headers=headers, timeout=settings.SMRC_HTTP_TIMEOUT, **kwargs)
    except requests.Timeout as exc:
        raise Ambiguous(f"timed out: {path}") from exc
    except requests.ConnectionError as exc:
        raise Ambiguous(f"connection failed: {type(exc).__name__}") from exc
    except requests.RequestException as exc:
        raise ChannelError(f"request failed: {type(exc).__name__}", permanent=False, retry_after=30.0) from exc


def _json(response: requests.Response) -> dict[str, Any]:
    try:
        data = read_json(response.content)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise Ambiguous(f"HTTP {response.status_code} without the JSON we expect")
    return data


def post(
    url: str,
    *,
    token: str,
    json: dict | None = None,
    data: dict | None = None,
    files: dict | None = None,
    classify=None,
) -> dict:
    """POST and return the JSON answer. ``classify(response, body)`` may raise a platform-specific error first
    (X's 403 reasons, YouTube's ``commentsDisabled``); then the common rules of ``http.raise_for`` apply, a 5xx
    being :class:`Ambiguous`. ``files``: multipart parts (an image, :func:`image_part`)."""
    response = _call("POST", url, token=token, json=json, data=data, files=files)
    if response.status_code >= 400:
        try:
            body = read_json(response.content)
        except ValueError:
            body = {}
        if classify is not None:
            classify(response, body if isinstance(body, dict) else {})
        if response.status_code >= 500:
            raise Ambiguous(f"HTTP {response.status_code} from the platform")
        raise_for(response)
    return _json(response)


def get(url: str, *, token: str, params: dict | None = None) -> dict:
    """GET for a lookup. Any failure is a non-permanent :class:`ChannelError`: not knowing is never a reason
    to post again."""
    response = _call("GET", url, token=token, params=params)
    if response.status_code >= 400:
        if response.status_code >= 500:
            raise ChannelError(f"lookup failed: HTTP {response.status_code}", permanent=False, retry_after=60.0)
        raise_for(response)
    return _json(response)


_URL = re.compile(r"https?://\S+")


def same_text(ours: str, theirs: str) -> bool:
    """Is ``theirs`` (as the platform shows it) the text we posted? Ignores HTML escaping (X), whitespace and
    links (X shortens them to t.co)."""

    def norm(text: str) -> str:
        return " ".join(_URL.sub("<url>", html.unescape(text or "")).split())

    return bool(ours) and norm(ours) == norm(theirs)


def image_of(reply):
    """The reply's image (``tickets.models.ReplyAttachment``), or None. A message published like a reply that is not
    one (the CSAT survey, ``tickets.services.csat.SurveyMessage``) has none."""
    attachments = getattr(reply, "attachments", None)
    return attachments.first() if attachments is not None else None


def image_part(attachment) -> tuple[str, bytes, str]:
    """A multipart file part for ``attachment``: (file name, bytes, content type), read from our storage."""
    with attachment.file.open("rb") as f:
        content = f.read()
    extension = attachment.file.name.rsplit(".", 1)[-1]
    return f"image.{extension}", content, attachment.content_type


def target_of(reply) -> tuple[Any, Any]:
    """The mention the reply answers and the ticket's channel account, or a permanent error saying which is
    missing."""
    mention = reply.in_reply_to
    account = reply.ticket.channel_account
    if mention is None:
        raise ChannelError("nothing to reply to: the ticket has no message from the customer", permanent=True)
    if account is None or not account.access_token:
        raise ChannelError("the ticket's channel account has no access token", permanent=True)
    return mention, account
