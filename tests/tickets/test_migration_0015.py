"""Migration 0015 keeps today's data: an author several brands used becomes one profile per brand, each brand's
tickets and mentions point to its own, unused authors go, unsafe stored links are cleared with a note; and back."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("tickets", "0014_idempotency_keys")]
AFTER = [("tickets", "0015_brand_scoped_customers")]
T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.migrate(target)
    return MigrationExecutor(connection).loader.project_state(target).apps


@pytest.fixture
def at_0014(transactional_db):
    apps = _migrate(BEFORE)
    yield apps
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def _ticket(apps, brand, author, n):
    Ticket, Mention = apps.get_model("tickets", "Ticket"), apps.get_model("tickets", "Mention")
    ticket = Ticket.objects.create(
        brand=brand, platform="x", author=author, conversation_key=f"x:c-{n}", posted_at=T0, received_at=T0
    )
    Mention.objects.create(
        brand=brand, ticket=ticket, author=author, platform="x", platform_id=f"m-{n}", posted_at=T0, received_at=T0
    )
    return ticket


def test_shared_authors_are_split_per_brand_and_merged_back(at_0014):
    apps = at_0014
    Brand, Author = apps.get_model("brands", "Brand"), apps.get_model("tickets", "Author")
    Mention = apps.get_model("tickets", "Mention")
    a, b, c = (Brand.objects.create(slug=s, name=s) for s in ("a", "b", "c"))
    shared = Author.objects.create(
        platform="x", platform_user_id="u-1", handle="budi", name="Budi", followers_count=120, profile_url=""
    )
    only_b = Author.objects.create(platform="x", platform_user_id="u-2", handle="sari", name="Sari")
    Author.objects.create(platform="x", platform_user_id="u-3", handle="nobody")  # no ticket, no mention
    Author.objects.filter(pk=shared.pk).update(created_at=T0)
    ta = _ticket(apps, a, shared, 1)
    tb = _ticket(apps, b, only_b, 2)
    # u-1 also writes on brand b's ticket (a thread) and has a ticket with brand c
    Mention.objects.create(
        brand=b, ticket=tb, author=shared, platform="x", platform_id="m-3", posted_at=T0, received_at=T0
    )
    tc = _ticket(apps, c, shared, 4)
    Mention.objects.filter(platform_id="m-1").update(url="javascript:alert(1)", raw={"id": "m-1"})
    Mention.objects.filter(platform_id="m-2").update(url="https://x.com/sari/status/2")

    apps = _migrate(AFTER)
    Author, Ticket, Mention = (apps.get_model("tickets", n) for n in ("Author", "Ticket", "Mention"))
    rows = {
        (r.brand.slug, r.platform_user_id): (r.handle, r.name, r.followers_count, r.created_at)
        for r in Author.objects.select_related("brand")
    }
    assert rows == {
        ("a", "u-1"): ("budi", "Budi", 120, T0),
        ("b", "u-1"): ("budi", "Budi", 120, T0),
        ("c", "u-1"): ("budi", "Budi", 120, T0),
        ("b", "u-2"): ("sari", "Sari", None, rows[("b", "u-2")][3]),
    }
    assert Author.objects.get(brand__slug="a").pk == shared.pk  # the lowest brand keeps the row
    for ticket in Ticket.objects.select_related("author"):
        assert ticket.author.brand_id == ticket.brand_id
    for mention in Mention.objects.select_related("author"):
        assert mention.author.brand_id == mention.brand_id
    assert Ticket.objects.get(pk=tc.pk).author.brand.slug == "c"
    assert Mention.objects.get(platform_id="m-3").author.platform_user_id == "u-1"
    m1 = Mention.objects.get(platform_id="m-1")
    assert (m1.url, m1.raw) == (
        "",
        {
            "id": "m-1",
            "smrc_dropped": [{"field": "url", "reason": "not an http(s) link", "value": "javascript:alert(1)"}],
        },
    )
    assert Mention.objects.get(platform_id="m-2").url == "https://x.com/sari/status/2"

    apps = _migrate(BEFORE)
    Author, Ticket, Mention = (apps.get_model("tickets", n) for n in ("Author", "Ticket", "Mention"))
    assert sorted(Author.objects.values_list("pk", "platform_user_id")) == [(shared.pk, "u-1"), (only_b.pk, "u-2")]
    assert sorted(Ticket.objects.values_list("pk", "author_id")) == [
        (ta.pk, shared.pk),
        (tb.pk, only_b.pk),
        (tc.pk, shared.pk),
    ]
    assert Mention.objects.get(platform_id="m-3").author_id == shared.pk
    assert Mention.objects.get(platform_id="m-1").url == ""
