"""The team view and "My performance" (docs/team.md): a notice to the operator a supervisor assigns a ticket to,
and two indexes, built CONCURRENTLY on PostgreSQL so a large tickets table keeps taking writes meanwhile:

- ``ticket_team_idx``: the active tickets by (brand, owner, status, priority, due time), so the team view's
  counts (each operator's load, the queue by SLA state and priority) are read from the index alone;
- ``reply_in_flight_idx``: the few replies in review, approved or on their way, by brand and ticket (which open
  tickets are being answered);
- ``event_actor_kind_idx``: one person's events of a kind over a period (the snippets an operator edits);
- ``reply_bounced_idx``, ``event_reopened_idx``, ``event_customer_reopened_idx``: the few published replies that
  sent the customer elsewhere and the few reopenings, by ticket, so "resolved in channel" and the reopen rate
  (My performance, the report's serving figures) probe small indexes instead of scanning every reply and event."""

from django.db import migrations, models

INDEXES = {
    "ticket": models.Index(
        condition=models.Q(("status__in", ["new", "open", "pending"])),
        fields=["brand", "assignee", "status", "priority", "due_at"],
        name="ticket_team_idx",
    ),
    "reply": models.Index(
        condition=models.Q(("status__in", ["in_review", "approved", "sending"])),
        fields=["brand", "ticket"],
        name="reply_in_flight_idx",
    ),
    "event": models.Index(fields=["actor", "kind", "created_at"], name="event_actor_kind_idx"),
}
#: (model, index) pairs: more than one index per model
MORE = [
    (
        "reply",
        models.Index(
            condition=models.Q(("sends_elsewhere", True), ("sent_at__isnull", False)),
            fields=["ticket"],
            name="reply_bounced_idx",
        ),
    ),
    (
        "event",
        models.Index(condition=models.Q(("kind", "ticket.reopened")), fields=["ticket"], name="event_reopened_idx"),
    ),
    (
        "event",
        models.Index(
            condition=models.Q(("data__status_before__in", ["resolved", "closed"]), ("kind", "mention.added")),
            fields=["ticket"],
            name="event_customer_reopened_idx",
        ),
    ),
]
ALL = [*INDEXES.items(), *MORE]


def create(apps, schema_editor):
    for model_name, index in ALL:
        model = apps.get_model("tickets", model_name)
        if schema_editor.connection.vendor == "postgresql":
            sql = str(index.create_sql(model, schema_editor))
            schema_editor.execute(sql.replace("CREATE INDEX", "CREATE INDEX CONCURRENTLY IF NOT EXISTS", 1))
        else:
            schema_editor.add_index(model, index)


def drop(apps, schema_editor):
    for model_name, index in ALL:
        model = apps.get_model("tickets", model_name)
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f'DROP INDEX CONCURRENTLY IF EXISTS "{index.name}"')
        else:
            schema_editor.remove_index(model, index)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("tickets", "0021_workspace_linked_identities_and_assignment_notice"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddIndex(model_name=name, index=index) for name, index in ALL],
            database_operations=[migrations.RunPython(create, drop, elidable=False)],
        ),
    ]
