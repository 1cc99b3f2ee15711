"""Covering indexes for the SLA report (PostgreSQL only; SQLite has no INCLUDE): the report reads one brand's
tickets of a range, the first mention's sentiment of each and their replies, all from index-only scans.
Built CONCURRENTLY, so this migration is not atomic and never locks the tables against writes."""

from django.db import migrations

TICKET_COLUMNS = (
    "id, status, platform, priority, assignee_id, posted_at, claimed_at, first_submitted_at, first_approved_at, "
    "first_response_at, first_response_due_at, resolved_at, resolution_due_at, next_response_due_at, "
    "paused_seconds, first_response_business_seconds, resolution_business_seconds"
)
INDEXES = [
    ("ticket_report_idx", f"tickets_ticket (brand_id, received_at) INCLUDE ({TICKET_COLUMNS})"),
    ("mention_ticket_first_idx", "tickets_mention (ticket_id, posted_at, id) INCLUDE (sentiment)"),
    (
        "reply_report_idx",
        "tickets_reply (ticket_id) INCLUDE (brand_id, submitted_at, approved_at, sent_at, "
        "next_response_started_at, next_response_due_at, next_response_business_seconds)",
    ),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in INDEXES:
        schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {definition}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _ in INDEXES:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("tickets", "0007_inbound_deliveries_and_mention_revisions")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
