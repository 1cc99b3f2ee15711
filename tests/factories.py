"""Plain ``make_*`` builders for tests. Each makes exactly what it says and returns it."""

from datetime import datetime
from itertools import count

from django.contrib.auth import get_user_model
from django.utils import timezone

from brands.models import Brand, ChannelAccount, Membership, Product, Snippet
from brands.services import knowledge
from tickets.channels.base import NormalizedAuthor, NormalizedMention
from tickets.models import Ticket
from tickets.services import ingest

_seq = count(1)
PASSWORD = "test-pass-1234"


def make_user(username: str, *, superuser: bool = False, **extra):
    User = get_user_model()
    if superuser:
        return User.objects.create_superuser(username=username, password=PASSWORD, email=f"{username}@example.com")
    return User.objects.create_user(username=username, password=PASSWORD, email=f"{username}@example.com", **extra)


def make_brand(slug: str, *, name: str | None = None, **extra) -> Brand:
    return Brand.objects.create(slug=slug, name=name or slug.replace("-", " ").title(), **extra)


def make_member(user, brand: Brand, role: str) -> Membership:
    return Membership.objects.create(user=user, brand=brand, role=role)


def make_channel(brand: Brand, *, platform: str = "x", external_id: str | None = None, **extra) -> ChannelAccount:
    n = next(_seq)
    return ChannelAccount.objects.create(
        brand=brand,
        platform=platform,
        external_id=external_id or f"acct-{n}",
        name=extra.pop("name", f"{brand.slug} {platform}"),
        **extra,
    )


def make_normalized(
    brand: Brand,
    *,
    platform: str = "x",
    platform_id: str | None = None,
    author_id: str = "u-1",
    handle: str = "budi",
    text: str = "Halo, paket saya belum sampai",
    posted_at: datetime | None = None,
    **extra,
) -> NormalizedMention:
    return NormalizedMention(
        brand_id=brand.pk,
        platform=platform,
        platform_id=platform_id or f"p-{next(_seq)}",
        author=NormalizedAuthor(platform_user_id=author_id, handle=handle, name=handle.title()),
        text=text,
        posted_at=posted_at or timezone.now(),
        **extra,
    )


def make_ticket(brand: Brand, **kwargs) -> Ticket:
    """A ticket made the real way: through ingest of one mention."""
    now = kwargs.pop("now", None)
    result = ingest.ingest_mentions(items=[make_normalized(brand, **kwargs)], now=now)[0]
    return Ticket.objects.get(pk=result.ticket_id)


def make_product(brand: Brand, name: str = "Kuota Max", **extra) -> Product:
    return Product.objects.create(brand=brand, name=name, **extra)


def make_snippet(
    brand: Brand, *, title: str = "Greeting", body: str = "Halo {customer_name}!", user=None, **extra
) -> Snippet:
    """A snippet made the real way (validated, version 1). Published unless ``status`` says otherwise."""
    extra.setdefault("status", "published")
    data = knowledge.SnippetData(title=title, body=body, **extra)
    snippet, _change = knowledge.create_snippet(brand=brand, user=user, data=data)
    return snippet
