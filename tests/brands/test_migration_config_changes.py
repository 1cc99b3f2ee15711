"""tickets migration 0017 copies the settings and knowledge events of the ticket event log into the brand's
configuration audit trail (who, when, area, before and after), leaves ticket events alone, and back."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("tickets", "0016_conversation_key_holds_the_longest_id"), ("brands", "0009_config_change")]
AFTER = [("tickets", "0017_settings_events_to_config_changes")]
T0 = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)


def _migrate(target):
    MigrationExecutor(connection).migrate(target)
    return MigrationExecutor(connection).loader.project_state(target).apps


@pytest.fixture
def at_0016(transactional_db):
    apps = _migrate(BEFORE)
    yield apps
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_settings_events_are_copied_and_the_copies_go_back(at_0016):
    apps = at_0016
    Brand, Event = apps.get_model("brands", "Brand"), apps.get_model("tickets", "Event")
    User = apps.get_model("auth", "User")
    Snippet, Ticket = apps.get_model("brands", "Snippet"), apps.get_model("tickets", "Ticket")
    Author = apps.get_model("tickets", "Author")
    brand = Brand.objects.create(slug="acme", name="Acme")
    sup = User.objects.create(username="sup_a")
    snippet = Snippet.objects.create(brand=brand, title="Salam", body="Halo", version=2)
    author = Author.objects.create(brand=brand, platform="x", platform_user_id="u1", handle="budi")
    ticket = Ticket.objects.create(
        brand=brand, platform="x", author=author, conversation_key="x:c", posted_at=T0, received_at=T0
    )
    routing = {"routing_mode": {"before": "claim", "after": "load"}}
    Event.objects.create(brand=brand, actor=sup, kind="settings.routing_changed", data=routing, created_at=T0)
    Event.objects.create(
        brand=brand,
        actor=sup,
        kind="snippet.updated",
        data={"snippet": snippet.pk, "version": 2, "changed": {"body": {"before": "Hai", "after": "Halo"}}},
        created_at=T0,
    )
    Event.objects.create(brand=brand, ticket=ticket, actor=sup, kind="ticket.claimed", data={}, created_at=T0)

    apps = _migrate(AFTER)
    ConfigChange = apps.get_model("brands", "ConfigChange")
    rows = list(
        ConfigChange.objects.order_by("pk").values_list(
            "area", "kind", "actor_name", "source", "object_id", "object_repr", "before", "after", "created_at"
        )
    )
    assert rows == [
        ("assignment", "assignment.updated", "sup_a", "page", None, "", {"routing_mode": "claim"},
         {"routing_mode": "load"}, T0),
        ("knowledge", "snippet.updated", "sup_a", "page", snippet.pk, "Salam", {"version": 1, "body": "Hai"},
         {"version": 2, "body": "Halo"}, T0),
    ]  # fmt: skip
    assert apps.get_model("tickets", "Event").objects.count() == 3  # the event log is append-only: kept

    apps = _migrate(BEFORE)
    assert apps.get_model("brands", "ConfigChange").objects.count() == 0
    assert apps.get_model("tickets", "Event").objects.count() == 3
