"""A leaked platform secret: what someone holding brand B's webhook secret can do, what they cannot, and that a
rotation ends it (docs/security.md, "A leaked platform secret").

They can write what that account's platform could send about that account only: new mentions, edits (the
earlier text kept as a revision), deletions and hides of brand B's items. They cannot touch brand A (its
accounts have their own secret), read anything (a webhook answers only "received"), publish (replies need the
access token, a separate credential), nor change what brand A knows about a customer. After the secret is
rotated in SMRC, the old one signs nothing, not even a delivery stored before the rotation. The secret itself
is never shown, stored with a delivery or logged.
"""

import json
import logging

import pytest
from django.test import Client

from tests.channels.conftest import meta_signature, raw, x_signature
from tests.factories import make_channel, make_ticket
from tests.helpers import db_state
from tickets.models import InboundDelivery, Mention, MentionRevision
from tickets.services import inbound

pytestmark = pytest.mark.django_db

LEAKED, OTHER, FALLBACK = "brand-b-secret-1f2e", "brand-a-secret-9c8d", "app-fallback-secret-77"
X_A, X_B, X_C = "1587000000000000001", "1587000000000000002", "1587000000000000003"


@pytest.fixture
def accounts(cast, settings):
    """Brand A's and brand B's X accounts with secrets of their own; a third account of brand A that uses the
    environment's app secret (no secret of its own)."""
    settings.X_CONSUMER_SECRET = FALLBACK
    make_channel(cast.brand_a, platform="x", external_id=X_A, webhook_secret=OTHER)
    make_channel(cast.brand_b, platform="x", external_id=X_B, webhook_secret=LEAKED)
    make_channel(cast.brand_a, platform="x", external_id=X_C)
    return cast


def tweet(tweet_id: str, text: str, user: str = "42") -> dict:
    return {
        "id_str": tweet_id,
        "text": text,
        "timestamp_ms": "1741000000000",
        "user": {"id_str": user, "screen_name": "budi", "name": "Budi", "followers_count": 2_000_000_000},
    }


def forge(account: str, *tweets: dict, secret: str = LEAKED):
    body = raw({"for_user_id": account, "tweet_create_events": list(tweets)})
    return Client().post(
        "/webhooks/x/",
        data=body,
        content_type="application/json",
        HTTP_X_TWITTER_WEBHOOKS_SIGNATURE=x_signature(body, secret),
    )


def test_a_leaked_secret_writes_only_into_its_own_brands_account(accounts):
    """Brand B's secret forges brand B's mentions (and their edits, kept as revisions), nothing of brand A."""
    ticket_a = make_ticket(accounts.brand_a, platform="x", platform_id="900", text="paket belum sampai")
    before = db_state()
    for account in (X_A, X_C):
        assert forge(account, tweet("900", "forged edit")).status_code == 403
        assert forge(account, tweet("901", "forged new")).status_code == 403
    assert db_state() == before
    assert forge(X_B, tweet("950", "forged for b")).status_code == 200
    assert forge(X_B, tweet("950", "forged edit for b")).status_code == 200
    forged = Mention.objects.get(brand=accounts.brand_b)
    assert (forged.text, forged.is_edited) == ("forged edit for b", True)
    assert list(MentionRevision.objects.filter(mention=forged).values_list("text", flat=True)) == ["forged for b"]
    assert Mention.objects.get(ticket=ticket_a).text == "paket belum sampai"
    assert forged.author.followers_count == 2_000_000_000  # within the column: brand B's own profile, not A's
    assert forged.author.brand_id == accounts.brand_b.pk


def test_the_leaked_fallback_app_secret_signs_only_accounts_without_a_secret_of_their_own(accounts):
    assert forge(X_A, tweet("970", "x"), secret=FALLBACK).status_code == 403
    assert forge(X_B, tweet("971", "x"), secret=FALLBACK).status_code == 403
    assert forge(X_C, tweet("972", "x"), secret=FALLBACK).status_code == 200
    assert list(Mention.objects.values_list("platform_id", flat=True)) == ["972"]


def test_after_rotation_the_old_secret_signs_nothing_not_even_what_was_stored_before(accounts, monkeypatch):
    monkeypatch.setattr(inbound, "enqueue", lambda delivery_id: True)  # stored, not processed yet
    assert forge(X_B, tweet("980", "stored before the rotation")).status_code == 200
    stored = InboundDelivery.objects.get()
    accounts.brand_b.channels.filter(external_id=X_B).update(webhook_secret="rotated-secret-3b4a")
    before = db_state()
    assert forge(X_B, tweet("981", "after the rotation")).status_code == 403
    assert db_state() == before
    assert inbound.process_delivery(stored.pk) == InboundDelivery.State.FAILED
    assert not Mention.objects.exists()
    assert forge(X_B, tweet("982", "the new secret"), secret="rotated-secret-3b4a").status_code == 200


def test_the_secret_is_never_shown_stored_with_a_delivery_or_logged(accounts, caplog, client):
    with caplog.at_level(logging.DEBUG):
        forge(X_A, tweet("990", "refused"))
        forge(X_B, tweet("991", "kept"))
    assert all(LEAKED not in r.getMessage() and OTHER not in r.getMessage() for r in caplog.records)
    stored = InboundDelivery.objects.get()
    assert LEAKED not in json.dumps(stored.headers) + stored.body + stored.error
    client.force_login(accounts.admin)
    account = accounts.brand_b.channels.get(external_id=X_B)
    for page in ("/settings/channels/", f"/admin/brands/channelaccount/{account.pk}/change/"):
        html = client.get(page).content.decode()
        assert LEAKED not in html, page
        assert OTHER not in html, page


def test_a_meta_verify_token_is_only_an_echo_of_a_number(accounts, client):
    """Meta's verify token, leaked, answers the handshake and nothing else: it signs no delivery."""
    page = make_channel(accounts.brand_b, platform="facebook", external_id="104523987654322", webhook_secret=LEAKED)
    query = {"hub.mode": "subscribe", "hub.verify_token": page.verify_token}
    assert client.get("/webhooks/meta/", {**query, "hub.challenge": "1158201444"}).content == b"1158201444"
    assert client.get("/webhooks/meta/", {**query, "hub.challenge": '{"object":"page"}'}).status_code == 403
    body = raw({"object": "page", "entry": [{"id": page.external_id, "changes": []}]})
    forged = client.post(
        "/webhooks/meta/",
        data=body,
        content_type="application/json",
        HTTP_X_HUB_SIGNATURE_256=meta_signature(body, page.verify_token),
    )
    assert forged.status_code == 403
