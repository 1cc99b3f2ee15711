"""Rebuild the indexes behind the queue's search (docs/search.md): after a bulk load that bypassed the triggers,
a restore, or to reclaim a bloated GIN index; on PostgreSQL it also fills every ticket's ``search_document`` from
its mentions (migration ``0027_perf_search_document``). Safe to run while the site is up."""

from importlib import import_module

from django.core.management.base import BaseCommand
from django.db import connection

#: every ticket's search document from its mentions (the statement migration 0027_perf_search_document runs)
FILL_DOCUMENTS = import_module("tickets.migrations.0027_perf_search_document").FILL
PG_INDEXES = ("mention_text_search_idx", "author_name_trgm_idx", "author_handle_trgm_idx")


class Command(BaseCommand):
    help = "Rebuild the search indexes: REINDEX CONCURRENTLY on PostgreSQL, the FTS5 table on SQLite."

    def handle(self, *args, **options):
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(FILL_DOCUMENTS)
                self.stdout.write(f"filled search_document ({cursor.rowcount} tickets changed)")
                for name in PG_INDEXES:
                    cursor.execute(f"REINDEX INDEX CONCURRENTLY {name}")
                    self.stdout.write(f"reindexed {name}")
            elif connection.vendor == "sqlite":
                cursor.execute("INSERT INTO tickets_mention_fts(tickets_mention_fts) VALUES ('rebuild')")
                cursor.execute("SELECT count(*) FROM tickets_mention_fts")
                self.stdout.write(f"rebuilt tickets_mention_fts ({cursor.fetchone()[0]} mentions)")
            else:
                self.stdout.write("no search index on this database")
