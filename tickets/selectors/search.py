"""Find anything: the queue's search box over customer names and handles, message text, ticket references and tags.

One condition on tickets (:func:`search_condition`), applied by the queue's selector to the user's scoped tickets,
so a search sees exactly what the queue sees (brand B never finds brand A). Each part is served by an index that
the database keeps up to date on every write (docs/search.md):

- **message text** — PostgreSQL: full-text search over ``Mention.text`` with the ``indonesian`` and ``english``
  configurations at once (a query matches if either language's stemming matches), tested on the ticket's own
  ``search_document``, the union of its mentions' lexemes kept by a trigger (:class:`TicketTextMatches`,
  migration ``0027_perf_search_document``); ``mention_text_search_idx`` indexes the same expression per mention.
  SQLite: an FTS5 table over the same column kept by triggers
  (``tickets_mention_fts``; prefix matching of each word).
- **customer name and handle** — PostgreSQL: pg_trgm word similarity (GIN trigram indexes on ``Author.name`` and
  ``Author.handle``), so ``budi`` finds "Budi Santoso" and ``@budi_s`` and a typo still finds its person. SQLite:
  ``LIKE`` over the brand's authors.
- **ticket reference** — ``T-123``, ``#123`` or ``123``: the primary key.
- **tags** — a tag whose name contains the text (``#refund`` or ``refund``).

Both index migrations are in ``tickets/migrations/0023_find_search.py``; ``manage.py reindex_search`` rebuilds
them.
"""

import re

from django.db import connection
from django.db.models import BooleanField, Exists, F, Func, OuterRef, Q, Subquery, Value

from ..models import ACTIVE_STATUSES, Author, Mention, Tag, Ticket, TicketTag

#: the longest search text the queue takes (the form's bound)
SEARCH_MAX_LENGTH = 200
#: at most this many words go to SQLite's FTS5 query (each word is a prefix match)
FTS_MAX_WORDS = 8
#: the largest ticket number a reference may name (a bigint primary key)
MAX_TICKET_ID = 2**63 - 1

_REFERENCE = re.compile(r"^(?:t-?|#)?(\d{1,19})$", re.IGNORECASE)
_WORD = re.compile(r"\w+", re.UNICODE)

#: the PostgreSQL expression that ``mention_text_search_idx`` indexes: both languages' stemming of one text
PG_DOCUMENT = "(to_tsvector('indonesian'::regconfig, {text}) || to_tsvector('english'::regconfig, {text}))"
PG_QUERY = "(websearch_to_tsquery('indonesian'::regconfig, {q}) || websearch_to_tsquery('english'::regconfig, {q}))"


class TextMatches(Func):
    """``Mention.text`` matches the search: full-text on PostgreSQL, the FTS5 table on SQLite."""

    output_field = BooleanField()

    def __init__(self, query: str):
        super().__init__(F("text"), F("id"), Value(query))

    def as_postgresql(self, compiler, connection, **extra):
        text_sql, text_params = compiler.compile(self.source_expressions[0])
        q_sql, q_params = compiler.compile(self.source_expressions[2])
        sql = f"{PG_DOCUMENT.format(text=text_sql)} @@ {PG_QUERY.format(q=q_sql)}"
        return sql, (*text_params, *text_params, *q_params, *q_params)

    def as_sqlite(self, compiler, connection, **extra):
        id_sql, id_params = compiler.compile(self.source_expressions[1])
        q_sql, q_params = compiler.compile(self.source_expressions[2])
        sql = f"{id_sql} IN (SELECT rowid FROM tickets_mention_fts WHERE tickets_mention_fts MATCH {q_sql})"
        return sql, (*id_params, *q_params)

    def as_sql(self, compiler, connection, **extra):  # any other database: a plain containment test
        text_sql, text_params = compiler.compile(self.source_expressions[0])
        q_sql, q_params = compiler.compile(self.source_expressions[2])
        return f"UPPER({text_sql}) LIKE '%%' || UPPER({q_sql}) || '%%'", (*text_params, *q_params)


class TicketTextMatches(Func):
    """PostgreSQL: one of the ticket's mentions matches the search, tested on the ticket row itself.

    ``tickets_ticket.search_document`` (migration ``0027_perf_search_document``, kept by a trigger) holds the
    union of the lexemes of the ticket's mentions without positions. A query of one lexeme (or alternatives of
    single lexemes, as the two languages' queries are) matches the document exactly when one mention matches.
    A query of several words or a phrase is first tested on the document with every word required (a
    necessary condition), then confirmed on the mentions of the tickets that pass (``exact``: one mention must
    hold every word, as before). A query with a negation cannot be tested on a union of mentions: it goes to the
    mentions directly. Either way the cost follows the tickets the queue looks at, not the size of history."""

    output_field = BooleanField()

    def __init__(self, query: str):
        exact = Exists(Mention.objects.filter(ticket_id=OuterRef("pk")).filter(TextMatches(query)))
        super().__init__(F("pk"), Value(query), exact)

    def as_sql(self, compiler, connection, **extra):  # only PostgreSQL builds it (search_condition)
        pk_sql, pk_params = compiler.compile(self.source_expressions[0])
        q_sql, q_params = compiler.compile(self.source_expressions[1])
        exact_sql, exact_params = compiler.compile(self.source_expressions[2])
        document = pk_sql.rsplit(".", 1)[0] + '."search_document"' if "." in pk_sql else '"search_document"'
        query = f"({PG_QUERY.format(q=q_sql)})::text"
        query_params = (*q_params, *q_params)
        sql = (
            f"(CASE WHEN strpos({query}, '!') > 0 THEN {exact_sql}"
            f" ELSE {document} @@ regexp_replace({query}, '<[0-9]*-?>', '&', 'g')::tsquery"
            f" AND ({query} !~ '[&<]' OR {exact_sql}) END)"
        )
        params = (*query_params, *exact_params, *pk_params, *query_params, *query_params, *exact_params)
        return sql, params


class InArray(Func):
    """PostgreSQL: ``column = ANY(ARRAY(subquery))``. Unlike ``column IN (subquery)`` (a sub-plan evaluated per
    row), the array is computed once and the condition is an index condition, so the search's four parts can be
    read from indexes and OR-ed as bitmaps (``ticket_active_search_idx``, ``ticket_active_author_idx``, the
    primary key) instead of filtering every active ticket."""

    output_field = BooleanField()

    def __init__(self, column: str, queryset):
        super().__init__(F(column), Subquery(queryset))

    def as_sql(self, compiler, connection, **extra):
        column_sql, column_params = compiler.compile(self.source_expressions[0])
        sub_sql, sub_params = compiler.compile(self.source_expressions[1])
        if not sub_sql.startswith("("):
            sub_sql = f"({sub_sql})"
        return f"{column_sql} = ANY(ARRAY{sub_sql})", (*column_params, *sub_params)


def fts5_query(text: str) -> str:
    """The words of ``text`` as an FTS5 query: each a quoted prefix match, all required. Nothing the user types
    is FTS5 syntax (quotes, ``NEAR``, ``*``, column filters): only ``\\w`` runs survive."""
    words = _WORD.findall(text)[:FTS_MAX_WORDS]
    return " ".join(f'"{w}"*' for w in words)


def reference_id(text: str) -> int | None:
    """``T-123``, ``t123``, ``#123`` or ``123`` → 123; anything else (or beyond a bigint) → ``None``."""
    match = _REFERENCE.match(text.strip())
    if not match:
        return None
    number = int(match.group(1))
    return number if 0 < number <= MAX_TICKET_ID else None


def search_condition(text: str, brand_ids: list[int] | None, *, active: bool = False) -> Q:
    """A condition on tickets: one of the four parts matches ``text``. ``brand_ids`` (``None``: every brand)
    narrows the inner reads to the caller's brands; the caller still applies its own scope to the tickets.

    ``active``: the caller looks at active tickets only (the queue's default, its counts). On PostgreSQL the
    matching active tickets are then collected first, from the partial indexes alone, as one array
    (``id = ANY(ARRAY(SELECT id … WHERE active AND (document OR author OR tag OR reference)))``): inside, no
    brand condition tempts the planner to AND the parts' bitmaps with a bitmap of every ticket of the brands
    (375,000 rows at a million tickets: 55–70 ms, the whole search's cost otherwise); outside, the array meets
    the caller's scope by primary key."""
    condition = _search_condition(text, brand_ids, active=active)
    if active and condition and connection.vendor == "postgresql":
        matching = Ticket.objects.filter(condition, status__in=ACTIVE_STATUSES).order_by().values("pk")
        return Q(InArray("pk", matching))
    return condition


def _search_condition(text: str, brand_ids: list[int] | None, *, active: bool = False) -> Q:
    text = " ".join(text.split())[:SEARCH_MAX_LENGTH]
    if not text:
        return Q()
    vendor = connection.vendor

    def scoped(qs):
        return qs if brand_ids is None else qs.filter(brand_id__in=brand_ids)

    condition = Q(pk__in=[])
    # message text
    if vendor == "sqlite":
        query = fts5_query(text)
        if query:
            condition |= Q(pk__in=scoped(Mention.objects.filter(TextMatches(query))).values("ticket_id"))
    elif vendor == "postgresql":
        condition |= Q(TicketTextMatches(text))
    else:
        condition |= Q(pk__in=scoped(Mention.objects.filter(TextMatches(text))).values("ticket_id"))
    # customer name and handle
    who = text.lstrip("@").strip()
    if who:
        if vendor == "postgresql":
            people = Q(name__trigram_word_similar=who) | Q(handle__trigram_word_similar=who)
            condition |= Q(InArray("author_id", scoped(Author.objects.filter(people)).values("pk")))
        else:
            people = Q(name__icontains=who) | Q(handle__icontains=who)
            condition |= Q(author_id__in=scoped(Author.objects.filter(people)).values("pk"))
    # tags
    tag = text.lstrip("#").strip().lower()
    if tag and " " not in tag:
        tags = scoped(Tag.objects.filter(name__contains=tag)).values("pk")
        tagged = TicketTag.objects.filter(tag_id__in=tags)
        if active:  # a tag spans history: keep its active tickets (a join on the active ids, not a heap visit each)
            tagged = tagged.filter(ticket_id__in=Ticket.objects.filter(status__in=ACTIVE_STATUSES).values("pk"))
        tagged = tagged.values("ticket_id")
        condition |= Q(InArray("pk", tagged)) if vendor == "postgresql" else Q(pk__in=tagged)
    # the reference
    number = reference_id(text)
    if number is not None:
        condition |= Q(pk=number)
    return condition
