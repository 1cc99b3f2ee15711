"""Server-side request forgery through an outbound webhook's address and a customer media link.

The address is checked (https, public addresses only) when it is saved and again before each delivery; a host
whose DNS answer changes between that check and the connection (DNS rebinding: a short TTL, first a public
address, then 127.0.0.1 or the cloud's metadata address) must not be reached. So the connection is made to the
very address that was checked, never to the name resolved a second time. The tests record every address a
connection was asked for at the socket boundary and refuse it there: nothing leaves the machine."""

import pytest
import urllib3.util.connection
from django.utils import timezone

from brands.services import webhooks
from tests.conftest import fake_resolve
from tickets.channels import media as channel_media
from tickets.models import WebhookDelivery
from tickets.services import hooks

pytestmark = pytest.mark.django_db

PUBLIC = "93.184.215.14"
#: the real transport (an autouse fixture of tests/conftest.py puts an offline one in its place in every test)
REAL_TRANSPORT = channel_media.transport


@pytest.fixture
def sockets(monkeypatch):
    """Every (host, port) a connection was opened to; each is refused (no network)."""
    seen: list[tuple[str, int]] = []

    def refuse(address, *args, **kwargs):
        seen.append(address)
        raise ConnectionRefusedError("no network in the tests")

    monkeypatch.setattr(urllib3.util.connection, "create_connection", refuse)
    return seen


@pytest.fixture
def rebinding(monkeypatch):
    """DNS as a rebinding attacker runs it: the first answer for ``rebind.example.com`` is public, every later
    one 127.0.0.1; the operating system's resolver (what a plain HTTP client calls when it connects) says
    127.0.0.1 as well."""
    answers = {"n": 0}

    def resolve(host):
        if host != "rebind.example.com":
            return fake_resolve(host)
        answers["n"] += 1
        return [PUBLIC] if answers["n"] == 1 else ["127.0.0.1"]

    monkeypatch.setattr(webhooks, "resolve", resolve)
    return answers


def _delivery(sub) -> WebhookDelivery:
    return WebhookDelivery.objects.create(
        subscription=sub, brand_id=sub.brand_id, kind="ticket.resolved", body="{}", next_attempt_at=timezone.now()
    )


def test_a_webhook_is_sent_to_the_address_that_was_checked_never_to_the_name_resolved_again(cast, sockets):
    """The check resolves the name to a public address; the connection must go to that address (a second
    lookup by the HTTP client could answer 127.0.0.1)."""
    sub = webhooks.create(brand=cast.brand_a, name="CRM", url="https://hooks.example.com:8443/x", events=["sla.breach"])
    delivery = _delivery(sub)
    assert hooks.deliver(delivery.pk) == "pending"
    assert sockets == [(PUBLIC, 8443)]
    delivery.refresh_from_db()
    assert delivery.response_status is None


def test_a_webhook_host_that_rebinds_to_loopback_after_the_check_is_not_called(cast, sockets, rebinding):
    sub = webhooks.create(brand=cast.brand_a, name="CRM", url="https://rebind.example.com/x", events=["sla.breach"])
    assert rebinding["n"] == 1  # checked once when saved: public
    delivery = _delivery(sub)
    hooks.deliver(delivery.pk)
    # whatever the next answers are, no connection ever goes to a name (resolved again) or a private address
    assert all(host == PUBLIC for host, _port in sockets), sockets
    delivery.refresh_from_db()
    assert delivery.response_status is None
    assert delivery.status == "pending"


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "169.254.169.254",
        "10.0.0.1",
        "100.64.0.1",
        "0.0.0.0",
        "::1",
        "::ffff:127.0.0.1",
        "64:ff9b::7f00:1",
        "64:ff9b:1::a00:1",
        "2002:7f00:1::1",
        "2001::1",
        "fd00::1",
        "fe80::1",
        "ff02::1",
        "224.0.0.1",
        "255.255.255.255",
    ],
)
def test_every_inside_address_is_refused_for_a_webhook_and_a_media_copy(cast, sockets, monkeypatch, address):
    monkeypatch.setattr(webhooks, "resolve", lambda host: [PUBLIC] if host == "check.example.com" else [address])
    with pytest.raises(webhooks.ValidationError):
        webhooks.check_url("https://inside.example.com/x")
    with pytest.raises(channel_media.MediaError):
        channel_media.check_source("x", "https://pbs.twimg.com/media/a.jpg")
    # one public and one inside address: refused too (the client may pick either)
    monkeypatch.setattr(webhooks, "resolve", lambda host: [PUBLIC, address])
    with pytest.raises(webhooks.ValidationError):
        webhooks.check_url("https://inside.example.com/x")
    assert sockets == []


def test_a_media_copy_is_fetched_from_the_address_that_was_checked(cast, sockets, monkeypatch):
    monkeypatch.setattr(channel_media, "transport", REAL_TRANSPORT)
    with pytest.raises(channel_media.MediaError):
        channel_media.fetch("x", "https://pbs.twimg.com/media/a.jpg", max_bytes=1000)
    assert sockets == [(PUBLIC, 443)]


@pytest.mark.parametrize("answer", [b"ok\x00\x00", b"\xff\xfe\x00x", "\ud83d".encode("utf-8", "surrogatepass")])
def test_a_receivers_answer_with_bytes_no_database_keeps_is_logged_readable(cast, answer):
    """The receiver's first characters go into the delivery log: a NUL there (PostgreSQL refuses it in text)
    failed the log's write, left the delivery held until its lease ran out and sent it again and again."""
    import responses

    sub = webhooks.create(brand=cast.brand_a, name="CRM", url="https://hooks.example.com/x", events=["sla.breach"])
    delivery = _delivery(sub)
    with responses.RequestsMock() as receiver:
        receiver.post("https://hooks.example.com/x", status=200, body=answer)
        assert hooks.deliver(delivery.pk) == "delivered"
    delivery.refresh_from_db()
    assert delivery.status == "delivered"
    assert "\x00" not in delivery.response_excerpt
    assert delivery.response_excerpt.startswith(("ok", "\ufffd"))
