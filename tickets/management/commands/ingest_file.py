"""``manage.py ingest_file --platform {x,facebook,instagram,youtube,json,csv} PATH [--brand SLUG]``

Ingests saved API responses and webhook bodies of a platform (a JSON document or a list of them), or mentions
exported from a listening tool (generic JSON or CSV, see ``tickets.channels.imports``). Items addressed to one
of our channel accounts go to its brand; the others to ``--brand``, to the brand a record names, or to the
brands whose listening rules match. Idempotent: importing the same file again creates nothing new.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from brands.models import Brand
from smrc.jsonlimits import JSONLimitError, loads_bounded
from tickets.channels import imports, registry
from tickets.channels.base import Parsed, PayloadError
from tickets.services import inbound

CHUNK = 200


class Command(BaseCommand):
    help = "Ingest a file of saved platform responses, webhook bodies, or exported mentions (JSON or CSV)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--platform", required=True, choices=["x", "facebook", "instagram", "youtube", "json", "csv"]
        )
        parser.add_argument("path")
        parser.add_argument("--brand", help="the slug of the brand every item is for (else: accounts and rules)")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, platform: str, path: str, brand: str | None, no_progress: bool, **options):
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"no such file: {path}")
        target = None
        if brand:
            target = Brand.objects.filter(slug=brand).first()
            if target is None:
                raise CommandError(f"unknown brand {brand!r}")
        if file.stat().st_size > settings.SMRC_IMPORT_MAX_BYTES:
            raise CommandError(f"{path} is over the limit of {settings.SMRC_IMPORT_MAX_BYTES} bytes")
        text = file.read_text(encoding="utf-8-sig")
        slugs: list[str] | None = None
        try:
            if platform == "csv":
                parsed, slugs = imports.parse_csv(text)
            else:
                data = loads_bounded(
                    text, max_depth=settings.SMRC_JSON_MAX_DEPTH, max_bytes=settings.SMRC_IMPORT_MAX_BYTES
                )
                if platform == "json":
                    parsed, slugs = imports.parse_json(data)
                else:
                    parsed = registry.adapter(platform).parse(data, fetch=None)
        except JSONLimitError as exc:
            raise CommandError(f"{path} is not JSON: {exc}") from None
        except (PayloadError, ValueError, KeyError, TypeError) as exc:
            raise CommandError(f"{path} cannot be read as {platform}: {exc}") from None

        total = inbound.Outcome(skipped=list(parsed.skipped))
        items = parsed.items
        with tqdm(total=len(items), unit="item", disable=no_progress, file=self.stderr._out) as bar:
            for start in range(0, len(items), CHUNK):
                chunk = Parsed(items=items[start : start + CHUNK])
                total.add(
                    inbound.match_brands_and_ingest(
                        chunk, brand=target, brand_slugs=slugs[start : start + CHUNK] if slugs else None
                    )
                )
                bar.update(len(chunk.items))
        if parsed.actions:
            total.add(inbound.match_brands_and_ingest(Parsed(actions=parsed.actions), brand=target))

        self.stdout.write(
            f"created {total.created}, duplicates {total.duplicates}, edited {total.edited}, "
            f"own posts {total.echoes}, actions {total.actions}, skipped {len(total.skipped)} "
            f"(tickets created {total.tickets_created})"
        )
        reasons: dict[str, int] = {}
        for reason in total.skipped:
            key = reason.split(": ", 1)[-1]
            reasons[key] = reasons.get(key, 0) + 1
        for reason, count in sorted(reasons.items(), key=lambda kv: -kv[1]):
            self.stdout.write(f"  skipped {count}: {reason}")
