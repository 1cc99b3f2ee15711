"""``manage.py load_config FILE``: create or update users, brands, memberships, channels and SLA settings
from a YAML or JSON file. Idempotent; a file with any error changes nothing."""

import json
from pathlib import Path

import yaml
from django.core.management.base import BaseCommand, CommandError

from brands.services.config import ConfigError, apply_config


class Command(BaseCommand):
    help = "Create or update users, brands, memberships, channel accounts and SLA settings from a YAML/JSON file."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)

    def handle(self, *args, path: Path, **options):
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}") from exc
        try:
            data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
        except (json.JSONDecodeError, yaml.YAMLError) as exc:
            kind = "JSON" if path.suffix.lower() == ".json" else "YAML"
            raise CommandError(f"{path} is not valid {kind}: {exc}") from exc
        try:
            summary = apply_config(data)
        except ConfigError as exc:
            raise CommandError("nothing was changed:\n  " + "\n  ".join(exc.problems)) from exc
        parts = [f"{n} {kind} created" for kind, n in sorted(summary.created.items())]
        parts += [f"{n} {kind} updated" for kind, n in sorted(summary.updated.items())]
        self.stdout.write(self.style.SUCCESS(", ".join(parts) if parts else "nothing to change"))
