"""The report reads the first mention's sentiment of a brand's tickets with one range scan of the brand's mentions
received in the range (``reports.queries.first_sentiments``) instead of a probe per ticket: a covering index on
(brand, received, id). The per-ticket index of 0008 is no longer used. PostgreSQL only, built CONCURRENTLY."""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS mention_report_idx"
        " ON tickets_mention (brand_id, received_at, id) INCLUDE (ticket_id, sentiment)"
    )
    schema_editor.execute("DROP INDEX CONCURRENTLY IF EXISTS mention_ticket_first_idx")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS mention_ticket_first_idx"
        " ON tickets_mention (ticket_id, posted_at, id) INCLUDE (sentiment)"
    )
    schema_editor.execute("DROP INDEX CONCURRENTLY IF EXISTS mention_report_idx")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("tickets", "0009_reply_review_and_publishing")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
