"""Shared helpers for the channel tests: fixture payloads (tests/fixtures/payloads, ``_comment`` stripped),
signing as the platforms do, and the accounts the payloads are addressed to."""

import base64
import hashlib
import hmac
import json
from pathlib import Path

import pytest

from tests.factories import make_channel

PAYLOADS = Path(__file__).resolve().parent.parent / "fixtures" / "payloads"
X_SECRET = json.loads((PAYLOADS / "x" / "x_webhook_signature_vectors.json").read_text())["consumer_secret"]
META_SECRET = json.loads((PAYLOADS / "meta" / "meta_webhook_signature_vectors.json").read_text())["app_secret"]
X_ACCOUNT = "1587000000000000001"  # @TelkoraCare
PAGE = "104523987654321"  # Nusa Bank
IG_ACCOUNT = "17841400123456789"  # kopisenja.id
YT_CHANNEL = "UCk0pISenjaBrandCh4nne01"


def payload(name: str):
    folder = {"x_": "x", "fb": "meta", "ig": "meta", "me": "meta", "yt": "youtube"}[name[:2]]
    return json.loads((PAYLOADS / folder / name).read_text())


def raw(data) -> bytes:
    """Compact JSON as platforms send it (Meta escapes non-ASCII; fine for X too)."""
    return json.dumps(data, separators=(",", ":")).encode()


def x_signature(body: bytes, secret: str = X_SECRET) -> str:
    return "sha256=" + base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def meta_signature(body: bytes, secret: str = META_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def post_x(client, data, *, signature: str | None = None, body: bytes | None = None):
    body = body if body is not None else raw(data)
    headers = {"HTTP_X_TWITTER_WEBHOOKS_SIGNATURE": signature if signature is not None else x_signature(body)}
    return client.post("/webhooks/x/", data=body, content_type="application/json", **headers)


def post_meta(client, data, *, signature: str | None = None, body: bytes | None = None):
    body = body if body is not None else raw(data)
    headers = {"HTTP_X_HUB_SIGNATURE_256": signature if signature is not None else meta_signature(body)}
    return client.post("/webhooks/meta/", data=body, content_type="application/json", **headers)


@pytest.fixture
def accounts(cast):
    """brand A owns the X account, the Facebook page and the IG account; brand B the YouTube channel."""
    return {
        "x": make_channel(
            cast.brand_a, platform="x", external_id=X_ACCOUNT, handle="TelkoraCare", webhook_secret=X_SECRET
        ),
        "facebook": make_channel(
            cast.brand_a, platform="facebook", external_id=PAGE, name="Nusa Bank", webhook_secret=META_SECRET
        ),
        "instagram": make_channel(
            cast.brand_a,
            platform="instagram",
            external_id=IG_ACCOUNT,
            webhook_secret=META_SECRET,
            access_token="ig-token",
        ),
        "youtube": make_channel(cast.brand_b, platform="youtube", external_id=YT_CHANNEL, access_token="yt-token"),
    }
