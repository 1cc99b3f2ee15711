"""The queue's search at a million tickets (docs/search.md, docs/performance.md#search): a ticket-level search
document on PostgreSQL.

The text search used to read every mention of the user's brands matching the words — all of history — and hash
their tickets, to keep the few that are in the active queue: its cost grew with history (10 ms at 100,000
tickets, ten times that at a million for a common word). ``tickets_ticket.search_document`` holds the union of the
lexemes of the ticket's mentions (both languages' stemming, stripped of positions), so the search tests the
ticket row it is already reading: its cost follows the tickets the queue looks at, not the size of history.

- ``search_document`` is a database-only column (not a model field: SQLite keeps its FTS5 table, and no Django
  code reads or writes it); NULL for a ticket without mentions.
- the trigger ``tickets_mention_search_document`` keeps it: a new mention's lexemes are appended; an edited,
  moved or deleted mention recomputes the ticket's document from its mentions (``tickets_search_document``).
- two partial indexes over the active tickets, ``ticket_active_search_idx`` (GIN, the documents) and
  ``ticket_active_author_idx`` (their customers), let the search's parts be read from indexes and OR-ed as
  bitmaps;
- existing tickets are filled here (``manage.py reindex_search`` fills them again after a load that bypassed the
  triggers).

PostgreSQL only; nothing on SQLite.
"""

from django.db import migrations

#: one mention's lexemes: both languages' stemming, as mention_text_search_idx indexes it, without positions
VECTOR = "strip(to_tsvector('indonesian'::regconfig, {text}) || to_tsvector('english'::regconfig, {text}))"

FORWARDS = [
    "ALTER TABLE tickets_ticket ADD COLUMN IF NOT EXISTS search_document tsvector",
    # a union of stripped vectors (no built-in aggregate concatenates tsvectors)
    "CREATE OR REPLACE AGGREGATE tickets_tsvector_union(tsvector) (SFUNC = tsvector_concat, STYPE = tsvector)",
    f"""CREATE OR REPLACE FUNCTION tickets_search_document(ticket bigint) RETURNS tsvector
        LANGUAGE sql STABLE AS $$
            SELECT tickets_tsvector_union({VECTOR.format(text="text")}) FROM tickets_mention WHERE ticket_id = ticket
        $$""",
    f"""CREATE OR REPLACE FUNCTION tickets_mention_search_document() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                UPDATE tickets_ticket
                   SET search_document = coalesce(search_document, ''::tsvector) || {VECTOR.format(text="NEW.text")}
                 WHERE id = NEW.ticket_id;
            ELSIF TG_OP = 'UPDATE' THEN
                UPDATE tickets_ticket SET search_document = tickets_search_document(id)
                 WHERE id IN (OLD.ticket_id, NEW.ticket_id);
            ELSE
                UPDATE tickets_ticket SET search_document = tickets_search_document(id) WHERE id = OLD.ticket_id;
            END IF;
            RETURN NULL;
        END
        $$""",
    "DROP TRIGGER IF EXISTS tickets_mention_search_document ON tickets_mention",
    """CREATE TRIGGER tickets_mention_search_document
        AFTER INSERT OR DELETE OR UPDATE OF text, ticket_id ON tickets_mention
        FOR EACH ROW EXECUTE FUNCTION tickets_mention_search_document()""",
]
#: every ticket's document from its mentions, in one pass (also ``manage.py reindex_search``)
FILL = f"""UPDATE tickets_ticket t SET search_document = d.document
    FROM (SELECT ticket_id, tickets_tsvector_union({VECTOR.format(text="text")}) AS document
          FROM tickets_mention GROUP BY ticket_id) d
    WHERE t.id = d.ticket_id AND t.search_document IS DISTINCT FROM d.document"""
#: the active queue's search read from indexes, OR-ed as bitmaps (tickets/selectors/search.py): the documents and
#: the authors of the active tickets only (a few percent of the table), built after the documents are filled
ACTIVE = "status IN ('new', 'open', 'pending')"
INDEXES = [
    f"CREATE INDEX IF NOT EXISTS ticket_active_search_idx ON tickets_ticket USING gin (search_document) WHERE {ACTIVE}",
    f"CREATE INDEX IF NOT EXISTS ticket_active_author_idx ON tickets_ticket (author_id) WHERE {ACTIVE}",
]
BACKWARDS = [
    "DROP INDEX IF EXISTS ticket_active_search_idx",
    "DROP INDEX IF EXISTS ticket_active_author_idx",
    "DROP TRIGGER IF EXISTS tickets_mention_search_document ON tickets_mention",
    "DROP FUNCTION IF EXISTS tickets_mention_search_document()",
    "DROP FUNCTION IF EXISTS tickets_search_document(bigint)",
    "DROP AGGREGATE IF EXISTS tickets_tsvector_union(tsvector)",
    "ALTER TABLE tickets_ticket DROP COLUMN IF EXISTS search_document",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for statement in FORWARDS:
            cursor.execute(statement)
        cursor.execute(FILL)
        for statement in INDEXES:
            cursor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for statement in BACKWARDS:
            cursor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0026_hooks_webhooks")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
