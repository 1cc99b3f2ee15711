"""``python manage.py sentiment``: one text per line on standard input, one label per line on standard output.

Labels are ``positive``, ``neutral`` or ``negative``, in input order; an empty line gets a label too
(``neutral``) so that line counts match. Lines are classified in batches.
"""

import sys

from django.core.management.base import BaseCommand

from tickets.sentiment import classify


class Command(BaseCommand):
    help = "Classify the sentiment of texts read from standard input, one per line."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=2000)

    def handle(self, *args, batch_size=2000, **options):
        batch: list[str] = []
        for line in sys.stdin:
            batch.append(line.rstrip("\r\n"))
            if len(batch) >= batch_size:
                self._emit(batch)
                batch = []
        if batch:
            self._emit(batch)

    def _emit(self, batch: list[str]) -> None:
        self.stdout.write("\n".join(classify(batch)))
        self.stdout.flush()
