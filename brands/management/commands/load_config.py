"""``manage.py load_config FILE``: create or update users, brands, memberships, channels and SLA settings
from a YAML or JSON file. Idempotent; a file with any error changes nothing."""

from pathlib import Path

import yaml
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from brands.services.config import ConfigError, apply_config
from smrc.jsonlimits import JSONLimitError, loads_bounded


class BoundedLoader(yaml.SafeLoader):
    """YAML without anchors and aliases (a few lines of them expand to billions of nodes) and nested at most
    ``SMRC_JSON_MAX_DEPTH`` levels, refused while the document is read, before anything walks it."""

    level = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            raise yaml.composer.ComposerError(
                None, None, "anchors and aliases are not supported", self.peek_event().start_mark
            )
        self.level += 1
        try:
            if self.level > settings.SMRC_JSON_MAX_DEPTH + 1:  # the document itself is a level
                raise yaml.composer.ComposerError(
                    None,
                    None,
                    f"nested deeper than {settings.SMRC_JSON_MAX_DEPTH} levels",
                    self.peek_event().start_mark,
                )
            return super().compose_node(parent, index)
        finally:
            self.level -= 1


def read_document(path: Path) -> object:
    """The parsed file: JSON by its suffix, else YAML, within ``SMRC_CONFIG_MAX_BYTES`` and the depth limit.
    Raises CommandError saying what is wrong."""
    limit = settings.SMRC_CONFIG_MAX_BYTES
    kind = "JSON" if path.suffix.lower() == ".json" else "YAML"
    try:
        if path.stat().st_size > limit:
            raise CommandError(f"{path} is over the limit of {limit} bytes (SMRC_CONFIG_MAX_BYTES)")
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise CommandError(f"{path} is not UTF-8 text: {exc}") from exc
    try:
        if kind == "JSON":
            return loads_bounded(text, max_depth=settings.SMRC_JSON_MAX_DEPTH, max_bytes=limit)
        return yaml.load(text, Loader=BoundedLoader)  # noqa: S506 - a SafeLoader
    except (JSONLimitError, yaml.YAMLError) as exc:
        raise CommandError(f"{path} is not valid {kind}: {exc}") from exc


class Command(BaseCommand):
    help = "Create or update users, brands, memberships, channel accounts and SLA settings from a YAML/JSON file."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--brand", help="the slug of the one brand the file may describe (a brand team's own file)", default=None
        )

    def handle(self, *args, path: Path, brand: str | None, **options):
        data = read_document(path)
        try:
            summary = apply_config(data, only=brand)
        except ConfigError as exc:
            raise CommandError("nothing was changed:\n  " + "\n  ".join(exc.problems)) from exc
        parts = [f"{n} {kind} created" for kind, n in sorted(summary.created.items())]
        parts += [f"{n} {kind} updated" for kind, n in sorted(summary.updated.items())]
        self.stdout.write(self.style.SUCCESS(", ".join(parts) if parts else "nothing to change"))
