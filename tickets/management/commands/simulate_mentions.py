"""``manage.py simulate_mentions --rate N --duration S [--brand SLUG]``: a live stream of mentions.

Each second one batch of ``N`` mentions goes through :func:`ingest_mentions`, the path of the ingest API: about
a third continue a conversation that is still active (the customer writes again), the rest open new ones.
"""

import random
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from brands.models import Brand, ChannelAccount
from tickets.channels.base import NormalizedAuthor
from tickets.models import ACTIVE_STATUSES, Mention
from tickets.services.ingest import ingest_mentions

from . import _demo_data as data
from ._demo_mentions import MentionMaker, Thread

FOLLOW_UP_SHARE = 0.35


class Command(BaseCommand):
    help = "Feed a live stream of realistic mentions through the ingest path (N per second for S seconds)."

    def add_arguments(self, parser):
        parser.add_argument("--rate", type=int, default=1, help="mentions per second (default 1)")
        parser.add_argument("--duration", type=int, default=60, help="seconds to run (default 60)")
        parser.add_argument("--brand", help="only this brand (slug); default: every brand")
        parser.add_argument("--seed", type=int, help="random seed (default: a new stream each run)")

    def handle(self, *args, **options):
        rate, duration = options["rate"], options["duration"]
        if rate < 1 or duration < 1:
            raise CommandError("--rate and --duration must be at least 1")
        brands = Brand.objects.order_by("pk")
        if options["brand"]:
            brands = brands.filter(slug=options["brand"])
        brands = list(brands)
        if not brands:
            raise CommandError(
                f"No brand {options['brand']!r}." if options["brand"] else "No brands: run manage.py seed_demo first."
            )
        rng = random.Random(options["seed"])
        # Brands outside the demo get the telco texts: any brand can watch the stream.
        demos = {demo.slug: demo for demo in data.BRANDS}
        makers = [
            MentionMaker(
                rng=rng,
                demo=demos.get(brand.slug, data.TELKORA),
                brand_id=brand.pk,
                channels=dict(ChannelAccount.objects.filter(brand=brand).values_list("platform", "pk")),
            )
            for brand in brands
        ]
        totals = {"mentions": 0, "tickets": 0, "follow_ups": 0}
        started = time.monotonic()
        for second in range(duration):
            items, follow_ups = self._batch(rng, makers, rate)
            results = ingest_mentions(items=items)
            created = sum(result.status == "created" for result in results)
            new_tickets = sum(result.ticket_created for result in results)
            totals["mentions"] += created
            totals["tickets"] += new_tickets
            totals["follow_ups"] += follow_ups
            self.stdout.write(
                f"{timezone.localtime():%H:%M:%S}  {created} mentions: {new_tickets} new tickets, "
                f"{follow_ups} follow-ups"
            )
            if second < duration - 1:
                time.sleep(max(0.0, started + second + 1 - time.monotonic()))
        self.stdout.write(
            self.style.SUCCESS(
                f"Done: {totals['mentions']} mentions in {time.monotonic() - started:.1f} s, "
                f"{totals['tickets']} new tickets, {totals['follow_ups']} follow-ups."
            )
        )

    def _batch(self, rng: random.Random, makers: list[MentionMaker], rate: int):
        """``rate`` mentions: follow-ups to recent active conversations, and new conversations."""
        now = timezone.now()
        recent = self._recent_threads(makers)
        items, follow_ups, used = [], 0, set()
        for _ in range(rate):
            maker = rng.choice(makers)
            candidates = [thread for thread in recent.get(maker.brand_id, []) if thread.conversation_id not in used]
            if candidates and rng.random() < FOLLOW_UP_SHARE:
                thread = rng.choice(candidates)
                used.add(thread.conversation_id)  # one follow-up per conversation per batch keeps parents known
                items.append(maker.follow_up(thread, posted_at=now))
                follow_ups += 1
            else:
                author = rng.randrange(len(data.AUTHORS))
                mention, _priority = maker.opener(posted_at=now, author_index=author, is_dm=rng.random() < 0.1)
                items.append(mention)
        return items, follow_ups

    def _recent_threads(self, makers: list[MentionMaker]) -> dict[int, list[Thread]]:
        """The latest customer message of up to 30 active conversations per brand (one query)."""
        rows = (
            Mention.objects.filter(brand_id__in=[m.brand_id for m in makers], ticket__status__in=ACTIVE_STATUSES)
            .exclude(conversation_id="")
            .select_related("author")
            .order_by("-received_at", "-pk")[: 30 * len(makers)]
        )
        threads: dict[int, list[Thread]] = {}
        seen = set()
        for mention in rows:
            key = (mention.brand_id, mention.platform, mention.conversation_id)
            if key in seen:
                continue
            seen.add(key)
            author = mention.author
            threads.setdefault(mention.brand_id, []).append(
                Thread(
                    platform=mention.platform,
                    author=NormalizedAuthor(
                        platform_user_id=author.platform_user_id,
                        handle=author.handle,
                        name=author.name,
                        followers_count=author.followers_count,
                        following_count=author.following_count,
                        verified_type=author.verified_type,
                    ),
                    conversation_id=mention.conversation_id,
                    last_platform_id=mention.platform_id,
                    language=mention.language,
                    is_dm=mention.kind == Mention.Kind.DM,
                )
            )
        return threads
