"""Helpers shared by the tests: a snapshot of everything a denied call must leave untouched; submissions sent
with an idempotency key, as the pages and a well-behaved API client send them."""

import base64
import hashlib
import hmac
import json
import uuid

from django.contrib.auth import get_user_model
from django.test import Client, override_settings
from rest_framework.test import APIClient

from brands.models import (
    BlockedAuthor,
    Brand,
    BrandHoliday,
    BusinessPeriod,
    ChannelAccount,
    ConfigChange,
    ListeningRule,
    Membership,
    Product,
    QaCriterion,
    QaSettings,
    ReviewPolicy,
    SlaPolicy,
    Snippet,
    SnippetVersion,
    SpamPattern,
    UrgencyTerm,
    WebhookSubscription,
)
from tickets.models import (
    Author,
    DeliveryAttempt,
    Event,
    InboundDelivery,
    LinkedIdentity,
    Mention,
    MentionMedia,
    MentionRevision,
    Note,
    Notification,
    Reply,
    ReplyAttachment,
    ReplyRevision,
    ReviewDecision,
    Scorecard,
    ScorecardLine,
    Submission,
    Tag,
    Ticket,
    TicketTag,
    WebhookDelivery,
)


def log_in(page, username: str, password: str | None = None) -> None:
    """Log ``username`` in through the login page in a Playwright ``page``; they land on the queue."""
    import re

    from playwright.sync_api import expect

    from tests.factories import PASSWORD

    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login/\?next="))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password or PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/queue/$"))
    # The queue's address shows as soon as its document commits, before its scripts run: wait for them (htmx boosts
    # the links, app.js binds the shortcuts), or the test's next click or key can land on an inert page.
    page.wait_for_load_state("load")


def db_state() -> dict:
    """Every row a request could write, as plain values, so ``before == after`` proves nothing changed."""
    return {
        "brands": list(Brand.objects.order_by("pk").values()),
        "channels": list(ChannelAccount.objects.order_by("pk").values()),
        "memberships": list(Membership.objects.order_by("pk").values()),
        "users": list(
            get_user_model()
            .objects.order_by("pk")
            .values("pk", "username", "is_active", "is_staff", "is_superuser", "email", "password")
        ),
        "user_permissions": list(
            get_user_model().user_permissions.through.objects.order_by("pk").values("user_id", "permission_id")
        ),
        "authors": list(Author.objects.order_by("pk").values()),
        "tickets": list(Ticket.objects.order_by("pk").values()),
        "tags": list(Tag.objects.order_by("pk").values()),
        "ticket_tags": list(TicketTag.objects.order_by("pk").values()),
        "mentions": list(Mention.objects.order_by("pk").values()),
        "replies": list(Reply.objects.order_by("pk").values()),
        "revisions": list(ReplyRevision.objects.order_by("pk").values()),
        "review_decisions": list(ReviewDecision.objects.order_by("pk").values()),
        "review_policies": list(ReviewPolicy.objects.order_by("pk").values()),
        "attempts": list(DeliveryAttempt.objects.order_by("pk").values()),
        "notes": list(Note.objects.order_by("pk").values()),
        "submissions": list(Submission.objects.order_by("pk").values()),
        "events": list(Event.objects.order_by("pk").values()),
        "notifications": list(Notification.objects.order_by("pk").values()),
        "business_periods": list(BusinessPeriod.objects.order_by("pk").values()),
        "brand_holidays": list(BrandHoliday.objects.order_by("pk").values()),
        "sla_policies": list(SlaPolicy.objects.order_by("pk").values()),
        "listening_rules": list(ListeningRule.objects.order_by("pk").values()),
        "inbound_deliveries": list(InboundDelivery.objects.order_by("pk").values()),
        "mention_revisions": list(MentionRevision.objects.order_by("pk").values()),
        "products": list(Product.objects.order_by("pk").values()),
        "snippets": list(Snippet.objects.order_by("pk").values()),
        "snippet_versions": list(SnippetVersion.objects.order_by("pk").values()),
        "urgency_terms": list(UrgencyTerm.objects.order_by("pk").values()),
        "spam_patterns": list(SpamPattern.objects.order_by("pk").values()),
        "blocked_authors": list(BlockedAuthor.objects.order_by("pk").values()),
        "config_changes": list(ConfigChange.objects.order_by("pk").values()),
        "linked_identities": list(LinkedIdentity.objects.order_by("pk").values()),
        "webhooks": list(WebhookSubscription.objects.order_by("pk").values()),
        "webhook_deliveries": list(WebhookDelivery.objects.order_by("pk").values()),
        "qa_criteria": list(QaCriterion.objects.order_by("pk").values()),
        "qa_settings": list(QaSettings.objects.order_by("pk").values()),
        "scorecards": list(Scorecard.objects.order_by("pk").values()),
        "scorecard_lines": list(ScorecardLine.objects.order_by("pk").values()),
        "mention_media": list(MentionMedia.objects.order_by("pk").values()),
        "reply_attachments": list(ReplyAttachment.objects.order_by("pk").values()),
        # brands.Presence is left out on purpose: signing in and every page view may record it (once a minute)
    }


def event_kinds(ticket) -> list[str]:
    return list(ticket.events.order_by("created_at", "pk").values_list("kind", flat=True))


def keyed(data: dict | None = None, *, key: str | None = None) -> dict:
    """Form data as the page sends it: with its idempotency key (``{% submission_key %}``), a fresh one unless
    ``key`` is given (a repeat of the same submission)."""
    return {**(data or {}), "idempotency_key": key or str(uuid.uuid4())}


class KeyedAPIClient(APIClient):
    """An API client that sends a fresh ``Idempotency-Key`` with every POST, as a well-behaved client does for each
    new submission; ``HTTP_IDEMPOTENCY_KEY=...`` sends a given one (or ``""``: none)."""

    def post(self, path, data=None, format=None, content_type=None, follow=False, **extra):
        extra.setdefault("HTTP_IDEMPOTENCY_KEY", str(uuid.uuid4()))
        if not extra["HTTP_IDEMPOTENCY_KEY"]:
            del extra["HTTP_IDEMPOTENCY_KEY"]
        return super().post(path, data, format=format, content_type=content_type, follow=follow, **extra)


def api_as(user, *, json: bool = False) -> KeyedAPIClient:
    """An API client signed in as ``user`` (``json``: dicts are sent as JSON unless a format is given)."""
    client = KeyedAPIClient()
    if json:
        client.default_format = "json"
    client.force_authenticate(user)
    return client


def api_with_token(token: str, *, json: bool = False) -> KeyedAPIClient:
    """An API client sending ``Authorization: Bearer <token>`` (an API key)."""
    client = KeyedAPIClient()
    if json:
        client.default_format = "json"
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


WEBHOOK_APP_SECRET = "test-app-secret"


def deliver_signed(family: str, payload: dict) -> InboundDelivery:
    """Post ``payload`` to the ``x`` or ``meta`` webhook as the platform would, signed with the app secret that
    every channel account without a secret of its own falls back to; tasks are eager, so it is processed too."""
    body = json.dumps(payload).encode()
    digest = hmac.new(WEBHOOK_APP_SECRET.encode(), body, hashlib.sha256)
    if family == "x":
        headers = {"HTTP_X_TWITTER_WEBHOOKS_SIGNATURE": "sha256=" + base64.b64encode(digest.digest()).decode()}
    else:
        headers = {"HTTP_X_HUB_SIGNATURE_256": "sha256=" + digest.hexdigest()}
    with override_settings(X_CONSUMER_SECRET=WEBHOOK_APP_SECRET, META_APP_SECRET=WEBHOOK_APP_SECRET):
        response = Client().post(f"/webhooks/{family}/", data=body, content_type="application/json", **headers)
    assert response.status_code == 200, response.content
    return InboundDelivery.objects.latest("pk")


def pdf_text(body: bytes) -> str:
    """The text an fpdf2 PDF draws, one line per text string, in drawing order: each content stream's ``Tj``
    strings decoded through their font's ToUnicode map (embedded TrueType fonts draw glyph ids, not letters).
    Enough for the PDFs this project writes; no PDF reader is a dependency."""
    import re
    import zlib

    objects = {int(n): c for n, c in re.findall(rb"(?m)^(\d+) 0 obj\s*(.*?)endobj", body, re.S)}

    def stream(content: bytes) -> bytes:
        match = re.search(rb"stream\r?\n(.*?)\r?\nendstream", content, re.S)
        if not match:
            return b""
        try:
            return zlib.decompress(match.group(1))
        except zlib.error:
            return match.group(1)

    maps: dict[bytes, dict[int, str]] = {}
    for name, ref in re.findall(rb"/(F\d+) (\d+) 0 R", body):
        to_unicode = re.search(rb"/ToUnicode (\d+) 0 R", objects.get(int(ref), b""))
        if to_unicode:
            cmap = stream(objects[int(to_unicode.group(1))])
            pairs = re.findall(
                rb"<([0-9A-Fa-f]{4})>\s*<([0-9A-Fa-f]+)>",
                b"".join(re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.S)),
            )
            maps[name] = {int(a, 16): bytes.fromhex(b.decode()).decode("utf-16-be") for a, b in pairs}

    def unescape(raw: bytes) -> bytes:
        simple = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}

        def one(m):
            s = m.group(1)
            return bytes([int(s, 8) & 0xFF]) if s[:1].isdigit() else simple.get(s, s)

        return re.sub(rb"\\([0-7]{1,3}|.)", one, raw, flags=re.S)

    lines: list[str] = []
    for content in objects.values():
        drawn = stream(content)
        if b" Tj" not in drawn:
            continue
        font: bytes | None = None
        for m in re.finditer(rb"/(F\d+) [\d.]+ Tf|\(((?:\\.|[^\\)])*)\) Tj", drawn, re.S):
            if m.group(1):
                font = m.group(1)
                continue
            raw = unescape(m.group(2))
            codes = maps.get(font)
            if codes is None:
                lines.append(raw.decode("latin-1"))
            else:
                lines.append(
                    "".join(codes.get(int.from_bytes(raw[i : i + 2], "big"), "\ufffd") for i in range(0, len(raw), 2))
                )
    return "\n".join(lines)
