"""One delivery per body hash (a separate migration: PostgreSQL builds the index after the backfill committed)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0012_inbounddelivery_body_sha256"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="inbounddelivery",
            constraint=models.UniqueConstraint(
                condition=models.Q(("body_sha256", ""), _negated=True),
                fields=("body_sha256",),
                name="delivery_unique_body",
            ),
        ),
    ]
