"""The authors of an ingest batch, created or updated in a fixed number of queries.

An author row belongs to one brand: the key is (brand, platform, platform user id), so what one brand's ingest
learns about a person never changes another brand's profile of them (docs/architecture.md, "Authors")."""

from collections import defaultdict
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from ...channels.base import NormalizedAuthor, NormalizedMention
from ...models import Author

AUTHOR_FIELDS = ("handle", "name", "followers_count", "following_count", "verified_type")
#: (brand id, platform, platform user id)
AuthorKey = tuple[int, str, str]
#: what an item's assessment reads of its author: followers, following, verified type
AuthorView = tuple[int | None, int | None, str]


def _author_fields(data: NormalizedAuthor) -> dict:
    return {name: getattr(data, name) for name in AUTHOR_FIELDS}


def _author_key(item: NormalizedMention) -> AuthorKey:
    return (item.brand_id, item.platform, item.author.platform_user_id)


def _key_of(author: Author) -> AuthorKey:
    return (author.brand_id, author.platform, author.platform_user_id)


@dataclass
class _Authors:
    by_key: dict[AuthorKey, Author]
    #: per item, the author as that item saw it (later items of the batch may update it)
    views: list[AuthorView]
    #: authors this batch created: they have no tickets, mentions or history yet
    created: set[int]


def _upsert_author(items: list[NormalizedMention]) -> _Authors:
    """The authors of ``items``, created or updated: one read, one ``INSERT … ON CONFLICT DO NOTHING`` for the
    new ones (and one more read if another transaction stored some of them meanwhile), one ``UPDATE`` for those
    that changed. A platform omitting a field (None or "") keeps what we knew; later items win, as they would
    one at a time."""
    stored = _read_authors({_author_key(item) for item in items})
    by_key, views, changed = _merge_authors(list(enumerate(items)), stored)
    new = [author for author in by_key.values() if author.pk is None]
    created: set[int] = set()
    if new:
        ids = _insert_authors(new)
        for author in new:
            author.pk = ids.get(_key_of(author))
            if author.pk is not None:
                created.add(author.pk)
        lost = {_key_of(a) for a in new if a.pk is None}
        if lost:  # stored by another batch of the brand since our read: merge into its row
            stored.update(_read_authors(lost))
            again = [(i, item) for i, item in enumerate(items) if _author_key(item) in lost]
            more, more_views, more_changed = _merge_authors(again, stored)
            by_key.update(more)
            views.update(more_views)
            changed.update(more_changed)
    if changed:
        stamp = timezone.now()
        for key in changed:
            by_key[key].updated_at = stamp
        names = sorted(set().union(*changed.values()))
        Author.objects.bulk_update([by_key[key] for key in sorted(changed)], [*names, "updated_at"])
    return _Authors(by_key, [views[i] for i in range(len(items))], created)


def _read_authors(keys: set[AuthorKey]) -> dict[AuthorKey, Author]:
    wanted: dict[tuple[int, str], set[str]] = defaultdict(set)
    for brand_id, platform, user_id in keys:
        wanted[(brand_id, platform)].add(user_id)
    condition = Q()
    for (brand_id, platform), user_ids in wanted.items():
        condition |= Q(brand_id=brand_id, platform=platform, platform_user_id__in=user_ids)
    return {_key_of(a): a for a in Author.objects.filter(condition)}


def _merge_authors(
    items: list[tuple[int, NormalizedMention]], stored: dict[AuthorKey, Author]
) -> tuple[dict[AuthorKey, Author], dict[int, AuthorView], dict[AuthorKey, set[str]]]:
    by_key: dict[AuthorKey, Author] = {}
    views: dict[int, AuthorView] = {}
    changed: dict[AuthorKey, set[str]] = {}
    for index, item in items:
        key = _author_key(item)
        fields = _author_fields(item.author)
        author = by_key.get(key) or stored.get(key)
        if author is None:
            author = Author(
                brand_id=item.brand_id, platform=item.platform, platform_user_id=item.author.platform_user_id, **fields
            )
        elif diff := [n for n, value in fields.items() if value not in (None, "") and getattr(author, n) != value]:
            for name in diff:
                setattr(author, name, fields[name])
            if author.pk is not None:
                changed.setdefault(key, set()).update(diff)
        by_key[key] = author
        views[index] = (author.followers_count, author.following_count, author.verified_type)
    return by_key, views, changed


def _insert_authors(authors: list[Author]) -> dict[AuthorKey, int]:
    """Insert ``authors``, skipping any another transaction stored meanwhile; (brand, platform, user id) → id of
    the rows inserted. In key order, so two batches inserting the same new authors never deadlock."""
    opts = Author._meta
    names = ("brand", "platform", "platform_user_id", *AUTHOR_FIELDS, "created_at")
    fields = [opts.get_field(name) for name in names]
    fields.append(opts.get_field("updated_at"))
    quote = connection.ops.quote_name
    stamp = timezone.now()
    ids: dict[AuthorKey, int] = {}
    ordered = sorted(authors, key=_key_of)
    for start in range(0, len(ordered), 1000):
        chunk = ordered[start : start + 1000]
        params = []
        for author in chunk:
            author.created_at = author.updated_at = stamp
            params.extend(f.get_db_prep_save(getattr(author, f.attname), connection) for f in fields)
        row = "(" + ", ".join(["%s"] * len(fields)) + ")"
        sql = (
            f"INSERT INTO {quote(opts.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
            f"VALUES {', '.join([row] * len(chunk))} "
            f"ON CONFLICT ({quote('brand_id')}, {quote('platform')}, {quote('platform_user_id')}) DO NOTHING "
            f"RETURNING {quote('id')}, {quote('brand_id')}, {quote('platform')}, {quote('platform_user_id')}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            ids.update({(brand_id, platform, user_id): pk for pk, brand_id, platform, user_id in cursor.fetchall()})
    return ids
