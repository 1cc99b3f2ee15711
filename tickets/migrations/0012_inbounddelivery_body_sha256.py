"""Deliveries remember the sha256 of their raw body, so the same bytes are stored once (docs/channels.md).

Existing rows get their hash; of several rows with the same bytes (retries and replays stored before) only the
first keeps it, so the unique constraint of the next migration holds.
"""

import hashlib

from django.db import migrations, models


def hash_bodies(apps, schema_editor):
    InboundDelivery = apps.get_model("tickets", "InboundDelivery")
    seen = set()
    changed = []
    for delivery in InboundDelivery.objects.order_by("pk").only("pk", "body").iterator(chunk_size=500):
        digest = hashlib.sha256(delivery.body.encode("utf-8")).hexdigest()
        if digest in seen:
            continue
        seen.add(digest)
        delivery.body_sha256 = digest
        changed.append(delivery)
        if len(changed) >= 500:
            InboundDelivery.objects.bulk_update(changed, ["body_sha256"])
            changed = []
    if changed:
        InboundDelivery.objects.bulk_update(changed, ["body_sha256"])


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0011_ticket_tags"),
    ]

    operations = [
        migrations.AddField(
            model_name="inbounddelivery",
            name="body_sha256",
            field=models.CharField(blank=True, default="", editable=False, max_length=64, verbose_name="body hash"),
        ),
        migrations.RunPython(hash_bodies, migrations.RunPython.noop),
    ]
