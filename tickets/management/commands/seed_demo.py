"""``manage.py seed_demo [--if-empty]``: two brands, the demo users and a few hundred lively tickets.

Everything goes through the services: mentions through :func:`ingest_mentions` (the API's path), then claims,
priorities, replies (delivered by the console channel), notes and resolutions through the workflow and reply
services, each at a time in the past days so the queue and the clocks look like a working day. Seeded random:
two runs on empty databases give the same demo.
"""

import logging
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from brands.models import Brand, ChannelAccount, Membership, Priority, Role, SlaPolicy
from brands.services import qa as qa_rubric
from brands.services.config import apply_config
from tickets.models import Reply, ReplyStatus
from tickets.selectors.ticket import get_ticket_for_user, tickets_for
from tickets.services import delivery, qa, replies, workflow
from tickets.services.ingest import ingest_mentions

from . import _demo_data as data
from ._demo_mentions import MentionMaker, Thread, advance, thread_of

#: products and snippets of the demo telco (configuration as code, docs/knowledge.md)
DEMO_KNOWLEDGE = {
    "brands": [
        {
            "slug": "telkora",
            "products": [
                {"name": "Kuota Max", "category": "Paket data", "specifications": {"quota": "50 GB", "days": "30"}},
                {"name": "Fiber Rumah", "category": "Internet rumah", "specifications": {"speed": "100 Mbps"}},
            ],
            "snippets": [
                {
                    "title": "Maaf, kami cek dulu",
                    "shortcut": "cek",
                    "tags": ["umum"],
                    "body": (
                        "Halo Kak {customer_name}, mohon maaf atas kendalanya. "
                        "Kami cek sekarang ya. Salam, {operator_name}"
                    ),
                },
                {
                    "title": "Pulsa terpotong",
                    "shortcut": "pulsa",
                    "tags": ["refund", "pulsa"],
                    "body": (
                        "Mohon maaf {customer_name}, pulsa yang terpotong kami kembalikan dalam 1x24 jam ({ticket})."
                    ),
                },
                {
                    "title": "Kuota Max",
                    "shortcut": "kuota",
                    "product": "Kuota Max",
                    "tone": "casual",
                    "tags": ["paket", "kuota"],
                    "body": "Hai {customer_name}! {product.name} isinya {product.quota} untuk {product.days} hari ya.",
                },
                {
                    "title": "Sinyal lemah",
                    "shortcut": "sinyal",
                    "tags": ["sinyal", "jaringan"],
                    "body": (
                        "Mohon maaf atas gangguan sinyal di area Kakak. Boleh DM lokasi lengkapnya? {operator_name}"
                    ),
                },
                {
                    "title": "Slow internet (EN)",
                    "shortcut": "slow-en",
                    "language": "en",
                    "tags": ["network"],
                    "body": (
                        "Sorry for the slow connection, {customer_name}. Could you DM us your location? {operator_name}"
                    ),
                },
            ],
        }
    ]
}

PASSWORD = "smrc-demo"  # noqa: S105 (the documented demo password)

#: username → (brand slug or None, role); admin is a superuser instead of a member
USERS = {
    "admin": (None, None),
    "supervisor": ("telkora", Role.SUPERVISOR),
    "operator": ("telkora", Role.OPERATOR),
    "manager": ("telkora", Role.MANAGER),
    "operator2": ("nusa-bank", Role.OPERATOR),
}

#: brand slug → priority → (first response, next response, resolution) in minutes
SLA = {
    "telkora": {4: (15, 15, 240), 3: (30, 30, 480), 2: (60, 60, 1440), 1: (240, 240, 4320)},
    "nusa-bank": {4: (10, 10, 180), 3: (30, 30, 480), 2: (60, 120, 1440), 1: (240, 240, 4320)},
}


@dataclass
class Conversation:
    """One customer conversation of the demo and the ticket it became."""

    brand: Brand
    maker: MentionMaker
    thread: Thread | None = None
    ticket_id: int | None = None


@dataclass(order=True)
class Step:
    at: datetime
    seq: int
    run: Callable[[datetime], None] = field(compare=False)


def _login_lines() -> list[str]:
    return [
        f"Demo logins (password {PASSWORD}):",
        "  admin       superuser: every brand, the admin site at /admin/",
        "  supervisor  Telkora, supervisor",
        "  operator    Telkora, operator",
        "  manager     Telkora, brand manager (read-only)",
        "  operator2   Nusa Bank, operator",
    ]


class Command(BaseCommand):
    help = "Create the demo brands, users (password smrc-demo) and a few hundred realistic tickets."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="do nothing if any brand exists")
        parser.add_argument("--mentions", type=int, default=300, help="how many mentions to ingest (default 300)")
        parser.add_argument("--seed", type=int, default=2024, help="random seed (default 2024)")

    def handle(self, *args, **options):
        if options["mentions"] < 1:
            raise CommandError("--mentions must be at least 1")
        if options["if_empty"] and Brand.objects.exists():
            self.stdout.write("Brands exist already: the demo is not seeded.")
            return
        demo_slugs = [demo.slug for demo in data.BRANDS]
        if Brand.objects.filter(slug__in=demo_slugs).exists():
            self.stdout.write(f"The demo brands ({', '.join(demo_slugs)}) exist already: nothing done.")
            self.stdout.write("\n".join(_login_lines()))
            return
        self.rng = random.Random(options["seed"])
        self.now = timezone.now()
        self.stats: Counter[str] = Counter()
        # One log line per reply and per (skipping) delivery task would bury the summary below.
        for name in ("celery.app.trace", "smrc.console"):
            logging.getLogger(name).setLevel(logging.WARNING)
        # One transaction: a half-seeded demo is worse than none. Deliveries queued on commit find their
        # replies already published below (the delivery service publishes at most once) and skip them.
        with transaction.atomic():
            brands = self._brands()
            users = self._users(brands)
            apply_config(DEMO_KNOWLEDGE)
            makers = self._makers(brands)
            steps = self._plan(brands, users, makers, options["mentions"])
            for step in sorted(steps):
                step.run(step.at)
            self._review(brands, users)
            self._qa(brands, users)
        self._report(brands)

    # --- configuration ------------------------------------------------------------------------------------

    def _brands(self) -> dict[str, Brand]:
        brands = {}
        for demo in data.BRANDS:
            brand = Brand.objects.create(slug=demo.slug, name=demo.name, time_zone="Asia/Jakarta", languages="id,en")
            for priority, (first, following, resolution) in SLA[demo.slug].items():
                SlaPolicy.objects.create(
                    brand=brand,
                    priority=priority,
                    first_response_minutes=first,
                    next_response_minutes=following,
                    resolution_minutes=resolution,
                )
            for platform, (external_id, name, handle) in demo.channels.items():
                ChannelAccount.objects.get_or_create(
                    platform=platform,
                    external_id=external_id,
                    defaults={"brand": brand, "name": name, "handle": handle},
                )
            brands[demo.slug] = brand
        return brands

    def _users(self, brands: dict[str, Brand]) -> dict[str, object]:
        User = get_user_model()
        users = {}
        for username, (slug, role) in USERS.items():
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User(username=username, email=f"{username}@example.com", first_name=username.title())
                user.set_password(PASSWORD)
                if slug is None:
                    user.is_superuser = user.is_staff = True
                user.save()
                self.stats["users"] += 1
            else:
                self.stdout.write(f"User {username} exists already: kept as it is.")
            if slug is not None:
                Membership.objects.get_or_create(user=user, brand=brands[slug], defaults={"role": role})
            users[username] = user
        return users

    def _makers(self, brands: dict[str, Brand]) -> dict[str, MentionMaker]:
        makers = {}
        for demo in data.BRANDS:
            brand = brands[demo.slug]
            channels = dict(ChannelAccount.objects.filter(brand=brand).values_list("platform", "pk"))
            makers[demo.slug] = MentionMaker(rng=self.rng, demo=demo, brand_id=brand.pk, channels=channels)
        return makers

    # --- the plan: every mention and action of the demo at its time ---------------------------------------

    def _plan(self, brands, users, makers, budget: int) -> list[Step]:
        rng = self.rng
        steps: list[Step] = []
        seq = iter(range(10**9))

        def at(when: datetime, run: Callable[[datetime], None]) -> None:
            steps.append(Step(min(when, self.now - timedelta(seconds=30)), next(seq), run))

        # Regular customers: a few authors write to a brand again and again.
        pools = {slug: rng.sample(range(len(data.AUTHORS)), k=len(data.AUTHORS) - 6) for slug in brands}
        workers = {
            "telkora": [users["operator"], users["operator"], users["supervisor"]],
            "nusa-bank": [users["operator2"]],
        }
        prioritisers = {"telkora": users["supervisor"], "nusa-bank": users["admin"]}
        while budget > 0:
            slug = rng.choices(list(brands), weights=[55, 45])[0]
            conv = Conversation(brand=brands[slug], maker=makers[slug])
            pool = pools[slug]
            author = rng.choices(pool, weights=[3 if i < 5 else 1 for i in range(len(pool))])[0]
            recency = rng.random()
            hours_ago = rng.uniform(0.05, 1.5) if recency < 0.25 else rng.uniform(1.5, 24) if recency < 0.6 else None
            hours_ago = hours_ago or rng.uniform(24, 120)
            posted = self.now - timedelta(hours=hours_ago)
            is_dm = rng.random() < 0.12
            opener, priority = conv.maker.opener(posted_at=posted, author_index=author, is_dm=is_dm)
            budget -= 1
            received = posted + timedelta(seconds=rng.randint(5, 90))
            at(received, self._ingest(conv, opener))
            if priority != Priority.NORMAL:
                at(received + timedelta(seconds=20), self._priority(conv, prioritisers[slug], priority))

            last = received
            follow_ups = min(budget, rng.choices([0, 1, 2, 3], weights=[55, 25, 12, 8])[0])
            thread = thread_of(opener)
            for _ in range(follow_ups):
                last = min(last + timedelta(minutes=rng.randint(3, 90)), self.now - timedelta(minutes=2))
                mention = conv.maker.follow_up(thread, posted_at=last)
                thread = advance(thread, mention)
                at(last + timedelta(seconds=rng.randint(5, 60)), self._ingest(conv, mention))
                budget -= 1

            age = self.now - last
            worker = rng.choice(workers[slug])
            roll = rng.random()
            if age > timedelta(hours=12):
                outcome = "resolved" if roll < 0.7 else "answered" if roll < 0.85 else "claimed" if roll < 0.9 else ""
            elif age > timedelta(hours=2):
                outcome = "resolved" if roll < 0.3 else "answered" if roll < 0.6 else "claimed" if roll < 0.8 else ""
            else:
                outcome = "answered" if roll < 0.1 else "claimed" if roll < 0.35 else ""
            if not outcome:
                continue
            span = min(age, timedelta(hours=2)) / 4  # the team's work fits between the last mention and now
            claimed = last + span * rng.uniform(0.2, 1)
            at(claimed, self._claim(conv, worker))
            if rng.random() < 0.25:
                at(claimed + timedelta(seconds=40), self._note(conv, worker))
            if outcome == "claimed":
                continue
            replied = claimed + span * rng.uniform(0.2, 1)
            at(replied, self._reply(conv, worker, language=opener.language))
            resolved = replied + span * rng.uniform(0.2, 1)
            if outcome == "resolved":
                at(resolved, self._resolve(conv, worker))
            if budget > 0 and rng.random() < 0.2:
                # The customer comes back: thanks after a resolution, a question while pending. Either reopens.
                back = min(resolved + span * rng.uniform(0.2, 1), self.now - timedelta(minutes=1))
                mention = (conv.maker.thanks if outcome == "resolved" else conv.maker.follow_up)(thread, posted_at=back)
                at(back, self._ingest(conv, mention))
                budget -= 1
        return steps

    # --- steps: each one service call, at the step's time --------------------------------------------------

    def _ingest(self, conv: Conversation, mention) -> Callable[[datetime], None]:
        def run(when: datetime) -> None:
            (result,) = ingest_mentions(items=[mention], now=when)
            self.stats["mentions"] += result.status == "created"
            self.stats["tickets"] += result.ticket_created
            conv.ticket_id = conv.ticket_id or result.ticket_id

        return run

    def _act(self, conv: Conversation, user, action: Callable, stat: str, perm: str = "ticket:work") -> None:
        ticket = get_ticket_for_user(user, conv.ticket_id, perm=perm)
        try:
            action(ticket)
        except workflow.WorkflowError:
            # Two conversations of one author can share a ticket (threading); the second action then finds
            # it claimed or resolved already, as a person would.
            self.stats["skipped"] += 1
        else:
            self.stats[stat] += 1

    def _claim(self, conv: Conversation, user) -> Callable[[datetime], None]:
        def run(when: datetime) -> None:
            self._act(conv, user, lambda t: workflow.claim_ticket(ticket=t, user=user, now=when), "claimed")

        return run

    def _priority(self, conv: Conversation, user, priority: int) -> Callable[[datetime], None]:
        def run(when: datetime) -> None:
            def change(ticket) -> None:
                workflow.change_priority(ticket=ticket, user=user, priority=priority, now=when)

            self._act(conv, user, change, "prioritised", perm="ticket:assign")

        return run

    def _reply(self, conv: Conversation, user, *, language: str) -> Callable[[datetime], None]:
        def send(ticket, when: datetime) -> None:
            texts = conv.maker.demo.replies.get(language) or conv.maker.demo.replies["id"]
            name = ticket.author.name.split(" ")[0] if ticket.author.name else ticket.author.handle
            template = self.rng.choice(texts).replace("{name}", name).replace("{operator}", user.username)
            reply = replies.send_reply(ticket=ticket, user=user, body=conv.maker.fill(template), now=when)
            # Publish at the demo's time; the task queued on commit then finds it sent and skips it.
            delivery.deliver_reply(reply_id=reply.pk, now=when + timedelta(seconds=self.rng.randint(2, 20)))

        def run(when: datetime) -> None:
            self._act(conv, user, lambda t: send(t, when), "answered")

        return run

    def _note(self, conv: Conversation, user) -> Callable[[datetime], None]:
        def run(when: datetime) -> None:
            body = conv.maker.fill(self.rng.choice(conv.maker.demo.notes))
            self._act(conv, user, lambda t: workflow.add_note(ticket=t, user=user, body=body), "notes")

        return run

    def _resolve(self, conv: Conversation, user) -> Callable[[datetime], None]:
        def run(when: datetime) -> None:
            self._act(conv, user, lambda t: workflow.resolve_ticket(ticket=t, user=user, now=when), "resolved")

        return run

    # --- output -------------------------------------------------------------------------------------------

    def _review(self, brands: dict[str, Brand], users: dict[str, object]) -> None:
        """From now on Telkora reviews replies of its operator on probation, high-priority tickets and flagged
        terms; a few of the operator's replies wait in the supervisor's review queue."""
        apply_config(
            {
                "brands": [
                    {
                        "slug": "telkora",
                        "review": {
                            "probation": True,
                            "high_priority": True,
                            "flagged": True,
                            "on_probation": ["operator"],
                        },
                    }
                ]
            }
        )
        operator = users["operator"]
        waiting = (
            tickets_for(operator)
            .filter(brand=brands["telkora"], assignee=operator, status__in=["open", "new"])
            .exclude(replies__status__in=["in_review", "changes_requested", "approved", "sending"])
            .order_by("due_at")[:3]
        )
        drafts = [
            "Halo Kak, mohon maaf atas kendalanya. Kami bantu cek ya, boleh DM nomor pelanggannya?",
            "Hi, sorry for the trouble. We have passed this to our network team and will update you today.",
            "Mohon maaf Kak, untuk kompensasi kuota akan kami proses setelah pengecekan selesai ya.",
        ]
        for ticket, body in zip(waiting, drafts, strict=False):
            replies.submit_reply(ticket=ticket, user=operator, body=body)
            self.stats["in_review"] += 1

    def _qa(self, brands: dict[str, Brand], users: dict[str, object]) -> None:
        """Telkora's QA: the default rubric with a weekly share of 10 %; the supervisor graded the operator's four
        latest published replies, the admin graded the latest one too (calibration), the operator acknowledged
        one scorecard."""
        brand, operator, supervisor = brands["telkora"], users["operator"], users["supervisor"]
        criteria = qa_rubric.ensure_rubric(brand=brand, user=supervisor)
        rows = [qa_rubric.Row(c.key, c.name, c.description, c.weight, c.is_active) for c in criteria]
        qa_rubric.save_rubric(brand=brand, sample_percent=10, rows=rows, user=supervisor)
        published = list(
            Reply.objects.filter(brand=brand, author=operator, status=ReplyStatus.SENT).order_by("-sent_at")[:4]
        )
        keys = [c.key for c in criteria]
        patterns = [(5, 4, 4, 5, 4), (4, 3, 2, 4, 5), (5, 5, 4, 4, 3), (3, 4, 4, 2, 4)]
        comments = {
            2: "Belum menjawab pertanyaan pelanggan; sampaikan langkah berikutnya dan kapan.",
            3: "Cukup, tapi bisa lebih spesifik.",
        }
        cards = []
        for reply, scores in zip(published, patterns, strict=False):
            lines = {k: qa.Line(s, comments.get(s, "")) for k, s in zip(keys, scores, strict=False)}
            coaching = "Bagus! Pertahankan sapaan yang ramah." if min(scores) >= 4 else "Mari bahas bersama di 1:1."
            cards.append(qa.grade(reply=reply, grader=supervisor, grade=qa.Grade(lines=lines, coaching=coaching)))
            self.stats["scorecards"] += 1
        if published:
            lines = {k: qa.Line(s, comments.get(s, "")) for k, s in zip(keys, (4, 4, 3, 5, 4), strict=False)}
            qa.grade(reply=published[0], grader=users["admin"], grade=qa.Grade(lines=lines))
            self.stats["scorecards"] += 1
        if len(cards) > 1:
            qa.acknowledge(scorecard=cards[-1], user=operator)

    def _report(self, brands: dict[str, Brand]) -> None:
        s = self.stats
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {len(brands)} brands, {s['users']} users, {ChannelAccount.objects.count()} channel "
                f"accounts, {s['mentions']} mentions in {s['tickets']} tickets: {s['claimed']} claimed, "
                f"{s['answered']} answered, {s['resolved']} resolved, {s['notes']} internal notes, "
                f"{s['in_review']} replies waiting for review, {s['scorecards']} QA scorecards."
            )
        )
        self.stdout.write("\n".join(_login_lines()))
