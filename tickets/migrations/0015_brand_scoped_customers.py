"""Customer profiles belong to the brand that received them (docs/decisions.md, 33).

An author used by several brands (tickets or mentions of each) is split into one row per brand: the row keeps
its id for the lowest brand id, the other brands get a copy (same profile, same first-seen time) and their
tickets and mentions point to it. Authors no ticket or mention uses belong to no brand and are removed.
Profile links are no longer stored (``Author.profile_url`` is built from platform and handle), and stored
mention links whose scheme is not http(s) are cleared, the old value kept in the mention's raw data.

Reverse: brands' copies of one platform user are merged back into the row with the lowest id (the profile of
that row wins); cleared links stay cleared (a link refused as unsafe is not put back).
"""

from collections import defaultdict

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Case, Exists, IntegerField, OuterRef, Value, When

CHUNK = 500
#: the key under which ingest records what it dropped on a mention's raw data (tickets.channels.base)
DROPPED_KEY = "smrc_dropped"


def _settle(schema_editor):
    """Fire the deferred foreign-key checks now, so the ALTER TABLE that follows may run in this transaction."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        schema_editor.execute("SET CONSTRAINTS ALL DEFERRED")


def _repoint(model, brand_id: int, mapping: dict[int, int]) -> None:
    """``model`` rows of ``brand_id`` that point to an old author id of ``mapping`` point to its new id."""
    olds = sorted(mapping)
    for start in range(0, len(olds), CHUNK):
        chunk = olds[start : start + CHUNK]
        new_id = Case(*(When(author_id=o, then=Value(mapping[o])) for o in chunk), output_field=IntegerField())
        model.objects.filter(brand_id=brand_id, author_id__in=chunk).update(author_id=new_id)


def split_authors(apps, schema_editor):
    Author = apps.get_model("tickets", "Author")
    Ticket = apps.get_model("tickets", "Ticket")
    Mention = apps.get_model("tickets", "Mention")
    brands_of: dict[int, set[int]] = defaultdict(set)
    for model in (Ticket, Mention):
        for author_id, brand_id in model.objects.order_by().values_list("author_id", "brand_id").distinct():
            brands_of[author_id].add(brand_id)
    Author.objects.filter(
        ~Exists(Ticket.objects.filter(author_id=OuterRef("pk"))),
        ~Exists(Mention.objects.filter(author_id=OuterRef("pk"))),
    ).delete()

    keep: dict[int, list[int]] = defaultdict(list)  # brand → authors that stay (same id)
    extra: list[tuple[int, int]] = []  # (author, brand) pairs that need a copy
    for author_id, brand_ids in brands_of.items():
        first, *others = sorted(brand_ids)
        keep[first].append(author_id)
        extra.extend((author_id, b) for b in others)
    for brand_id, author_ids in keep.items():
        for start in range(0, len(author_ids), CHUNK):
            Author.objects.filter(pk__in=author_ids[start : start + CHUNK]).update(brand_id=brand_id)

    for start in range(0, len(extra), CHUNK):
        pairs = extra[start : start + CHUNK]
        originals = Author.objects.in_bulk({author_id for author_id, _brand in pairs})
        copies = []
        for author_id, brand_id in pairs:
            copy = originals[author_id]
            copies.append(
                Author(
                    brand_id=brand_id,
                    platform=copy.platform,
                    platform_user_id=copy.platform_user_id,
                    handle=copy.handle,
                    name=copy.name,
                    followers_count=copy.followers_count,
                    following_count=copy.following_count,
                    verified_type=copy.verified_type,
                    profile_url=copy.profile_url,
                )
            )
        Author.objects.bulk_create(copies)
        made = {
            (a.brand_id, a.platform, a.platform_user_id): a
            for a in Author.objects.filter(
                brand_id__in={b for _a, b in pairs},
                platform_user_id__in={originals[a].platform_user_id for a, _b in pairs},
            )
        }
        by_brand: dict[int, dict[int, int]] = defaultdict(dict)
        stamped = []
        for author_id, brand_id in pairs:
            original = originals[author_id]
            new = made[(brand_id, original.platform, original.platform_user_id)]
            new.created_at, new.updated_at = original.created_at, original.updated_at  # first seen stays
            stamped.append(new)
            by_brand[brand_id][author_id] = new.pk
        Author.objects.bulk_update(stamped, ["created_at", "updated_at"])
        for brand_id, mapping in by_brand.items():
            _repoint(Ticket, brand_id, mapping)
            _repoint(Mention, brand_id, mapping)
    _settle(schema_editor)


def merge_authors(apps, schema_editor):
    Author = apps.get_model("tickets", "Author")
    Ticket = apps.get_model("tickets", "Ticket")
    Mention = apps.get_model("tickets", "Mention")
    kept: dict[tuple[str, str], int] = {}
    moved: dict[int, dict[int, int]] = defaultdict(dict)  # brand → {copy id: kept id}
    for pk, brand_id, platform, user_id in Author.objects.order_by("pk").values_list(
        "pk", "brand_id", "platform", "platform_user_id"
    ):
        key = (platform, user_id)
        if key in kept:
            moved[brand_id][pk] = kept[key]
        else:
            kept[key] = pk
    for brand_id, mapping in moved.items():
        _repoint(Ticket, brand_id, mapping)
        _repoint(Mention, brand_id, mapping)
        copies = sorted(mapping)
        for start in range(0, len(copies), CHUNK):
            Author.objects.filter(pk__in=copies[start : start + CHUNK]).delete()
    _settle(schema_editor)


def clear_unsafe_links(apps, schema_editor):
    """Mention links that are not http(s) (``javascript:``, ``data:`` …) are cleared; the value and the reason
    stay in the mention's raw data for admins. Other oddities are refused at display (``Mention.link``)."""
    Mention = apps.get_model("tickets", "Mention")
    unsafe = (
        Mention.objects.exclude(url="")
        .exclude(url__istartswith="http://")
        .exclude(url__istartswith="https://")
        .only("pk", "url", "raw")
    )
    for mention in unsafe.iterator(chunk_size=CHUNK):
        raw = mention.raw if isinstance(mention.raw, dict) else {"value": mention.raw}
        dropped = [*raw.get(DROPPED_KEY, []), {"field": "url", "reason": "not an http(s) link", "value": mention.url}]
        Mention.objects.filter(pk=mention.pk).update(url="", raw={**raw, DROPPED_KEY: dropped})


class Migration(migrations.Migration):
    dependencies = [
        ("brands", "0007_review_policy_and_probation"),
        ("tickets", "0014_idempotency_keys"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="author", name="author_unique_platform_user"),
        migrations.AddField(
            model_name="author",
            name="brand",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="authors",
                to="brands.brand",
                verbose_name="brand",
            ),
        ),
        migrations.RunPython(split_authors, merge_authors, elidable=False),
        migrations.AlterField(
            model_name="author",
            name="brand",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="authors",
                to="brands.brand",
                verbose_name="brand",
            ),
        ),
        migrations.AddConstraint(
            model_name="author",
            constraint=models.UniqueConstraint(
                fields=("brand", "platform", "platform_user_id"), name="author_unique_brand_platform_user"
            ),
        ),
        migrations.RemoveField(model_name="author", name="profile_url"),
        # deleting a brand deletes its authors and its tickets together (PROTECT would refuse that)
        migrations.AlterField(
            model_name="mention",
            name="author",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.RESTRICT,
                related_name="mentions",
                to="tickets.author",
                verbose_name="author",
            ),
        ),
        migrations.AlterField(
            model_name="ticket",
            name="author",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.RESTRICT,
                related_name="tickets",
                to="tickets.author",
                verbose_name="author",
            ),
        ),
        migrations.RunPython(clear_unsafe_links, migrations.RunPython.noop, elidable=False),
    ]
