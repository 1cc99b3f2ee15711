"""The indexes behind the queue's search (tickets/selectors/search.py, docs/search.md), kept up to date by the
database on every write.

PostgreSQL: pg_trgm (kept when migrating back); an ``indonesian`` text search configuration if the server has none (PostgreSQL 13+ ships a
Snowball ``indonesian``; an older or stripped build gets a copy of ``simple``: no stemming, no stopwords); a GIN
expression index over both languages' stemming of ``Mention.text``; GIN trigram indexes on ``Author.name`` and
``Author.handle``. The indexes are built ``CONCURRENTLY`` (this migration is not atomic), so a large table stays
writable while they build.

SQLite: an FTS5 table over ``Mention.text`` (external content, ``rowid`` = the mention's id) with the three
triggers that keep it in step, filled from the existing rows.
"""

from django.db import migrations

PG_INDEXES = {
    "mention_text_search_idx": (
        "tickets_mention USING gin "
        "((to_tsvector('indonesian'::regconfig, text) || to_tsvector('english'::regconfig, text)))"
    ),
    "author_name_trgm_idx": "tickets_author USING gin (name gin_trgm_ops)",
    "author_handle_trgm_idx": "tickets_author USING gin (handle gin_trgm_ops)",
}

SQLITE_FTS = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS tickets_mention_fts USING fts5("
    "text, content='tickets_mention', content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER IF NOT EXISTS tickets_mention_fts_ai AFTER INSERT ON tickets_mention BEGIN "
    "INSERT INTO tickets_mention_fts(rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER IF NOT EXISTS tickets_mention_fts_ad AFTER DELETE ON tickets_mention BEGIN "
    "INSERT INTO tickets_mention_fts(tickets_mention_fts, rowid, text) VALUES ('delete', old.id, old.text); END",
    "CREATE TRIGGER IF NOT EXISTS tickets_mention_fts_au AFTER UPDATE OF text ON tickets_mention BEGIN "
    "INSERT INTO tickets_mention_fts(tickets_mention_fts, rowid, text) VALUES ('delete', old.id, old.text); "
    "INSERT INTO tickets_mention_fts(rowid, text) VALUES (new.id, new.text); END",
    "INSERT INTO tickets_mention_fts(tickets_mention_fts) VALUES ('rebuild')",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS tickets_mention_fts_ai",
    "DROP TRIGGER IF EXISTS tickets_mention_fts_ad",
    "DROP TRIGGER IF EXISTS tickets_mention_fts_au",
    "DROP TABLE IF EXISTS tickets_mention_fts",
]


def ensure_indonesian(cursor) -> None:
    cursor.execute("SELECT 1 FROM pg_ts_config WHERE cfgname = 'indonesian'")
    if cursor.fetchone() is None:
        cursor.execute("CREATE TEXT SEARCH CONFIGURATION indonesian (COPY = simple)")


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    with schema_editor.connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            ensure_indonesian(cursor)
            for name, target in PG_INDEXES.items():
                cursor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {target}")
        elif vendor == "sqlite":
            for statement in SQLITE_FTS:
                cursor.execute(statement)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    with schema_editor.connection.cursor() as cursor:
        if vendor == "postgresql":
            for name in PG_INDEXES:
                cursor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
        elif vendor == "sqlite":
            for statement in SQLITE_DROP:
                cursor.execute(statement)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("tickets", "0022_shift_team_view")]

    # pg_trgm is created here rather than by django.contrib.postgres' TrigramExtension, whose reverse queries
    # pg_extension on any database (SQLite too); going back keeps the extension (other things may use it)
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
