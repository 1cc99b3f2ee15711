"""A hand-computed week of brand A (Asia/Jakarta, UTC+7; Mon–Fri 09:00–17:00; Indonesian public holidays, so
Thursday 1 May 2025 is closed; default SLA targets for priority normal: first and next response 60 business
minutes, resolution 1,440 business minutes). The report covers Monday 28 April to Sunday 4 May 2025 and is
computed "now" = Tuesday 6 May 2025 12:00 local. Every ticket is made through the services with explicit
times; the expected figures are worked out in the comments and in ``EXPECTED``.

T1 (x, op_a, first mention negative): posted Mon 28 Apr 09:50, received 10:00, claimed 10:10, reply submitted
   10:20 and published 10:30 → first response 30 min calendar = 30 min business (1,800 s), customer 40 min
   (2,400 s); due 11:00 → met. Pending 10:30–16:00 (19,800 s, all business), resolved 16:00: resolution
   business 6 h − 5 h 30 = 1,800 s; calendar 21,600 − 19,800 = 1,800 s → met. Split 600 / 600 / 0 / 600.
T2 (facebook, sup_a, weekend): posted Fri 2 May 16:00, received 16:30, claimed Mon 5 May 09:10, published
   09:20 → business 30 min (Fri) + 20 min (Mon) = 3,000 s, due Mon 09:30 → met; calendar 64 h 50 m =
   233,400 s; customer 235,200 s. Split 232,800 / 600 / 0 / 0. The customer writes again Mon 10:00 (next
   response due 11:00); our reply is published 11:30 → one next response of 5,400 s (calendar and business),
   late → breached. Pending 09:20–10:00 (2,400 s) and again since 11:30; not resolved.
T3 (x, op_a, positive, holiday): posted = received Wed 30 Apr 16:00, claimed Fri 2 May 09:05, published 09:30
   → business Wed 16:00–17:00 + Fri 09:00–09:30 = 5,400 s (Thu 1 May closed), due Wed 17:00 → breached;
   calendar 41 h 30 m = 149,400 s = customer. Pending 09:30–10:30 (3,600 s), resolved Fri 10:30: business
   9,000 − 3,600 = 5,400 s; calendar 153,000 − 3,600 = 149,400 s; due pushed to 24 h + 1 h business → met.
   Split 147,900 (41 h 05 m) / 1,500 / 0 / 0.
T4 (instagram, nobody, time-zone boundary in): received Sun 4 May 23:30 local (16:30 UTC), the last day of the
   range → in. Unanswered and new: first response due Mon 5 May 10:00 < now → breached (overdue); resolution
   due Wed 7 May 17:00 > now → not measured.
Out: T5 received Mon 5 May 00:30 local (Sun 17:30 UTC, the same UTC day as T4); T6 ignored on Tue 29 Apr;
   T7 of brand B on Tue 29 Apr.
Tags: T1 refund and vip, T2 vip, T3 refund, T4 none (T5, T6 and T7, all out, are tagged refund). By tag, a
   ticket counts in each of its tags: refund = T1 + T3 (first response business 1,800 and 5,400 s → p50 1,800;
   first response met 1, breached 1 → 50 %; resolution met 2 → 100 %); vip = T1 + T2 (1,800 and 3,000 → p50
   1,800; met 2 → 100 %; resolution: T1 met, T2 not resolved and not yet due → 100 %); no tag = T4 (no first
   response → no p50; breached 1 → 0 %; resolution not measured → —).
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from brands.services.sla.business_hours import forget_calendar, set_business_hours
from tests.factories import make_normalized, make_ticket
from tickets.models import Mention, Ticket, TicketStatus
from tickets.reports.queries import ReportRange
from tickets.services import delivery, ingest, replies, tags, workflow

WIB = ZoneInfo("Asia/Jakarta")
FIRST, LAST = date(2025, 4, 28), date(2025, 5, 4)
NOW = datetime(2025, 5, 6, 12, 0, tzinfo=WIB)


def at(day: int, month: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, month, day, hour, minute, tzinfo=WIB)


def answer(ticket: Ticket, user, *, submitted: datetime, published: datetime) -> None:
    reply = replies.send_reply(ticket=ticket, user=user, body="Baik Kak, kami bantu cek ya.", now=submitted)
    delivery.deliver_reply(reply_id=reply.pk, now=published)


@dataclass
class World:
    rng: ReportRange
    now: datetime
    t1: Ticket
    t2: Ticket
    t3: Ticket
    t4: Ticket
    t5: Ticket
    t6: Ticket
    t7: Ticket


def build_world(cast) -> World:
    brand = cast.brand_a
    brand.round_the_clock = False
    brand.save(update_fields=["round_the_clock"])
    set_business_hours(brand=brand, periods={day: [(time(9), time(17))] for day in range(5)})
    forget_calendar(brand.pk)

    t1 = make_ticket(brand, platform_id="t1", author_id="a1", handle="ani", platform="x",
                     posted_at=at(28, 4, 9, 50), now=at(28, 4, 10))  # fmt: skip
    Mention.objects.filter(ticket=t1).update(sentiment="negative")
    workflow.claim_ticket(ticket=t1, user=cast.operator, now=at(28, 4, 10, 10))
    answer(t1, cast.operator, submitted=at(28, 4, 10, 20), published=at(28, 4, 10, 30))
    workflow.resolve_ticket(ticket=Ticket.objects.get(pk=t1.pk), user=cast.operator, now=at(28, 4, 16))

    t3 = make_ticket(brand, platform_id="t3", author_id="a3", handle="citra", platform="x",
                     posted_at=at(30, 4, 16), now=at(30, 4, 16))  # fmt: skip
    Mention.objects.filter(ticket=t3).update(sentiment="positive")
    workflow.claim_ticket(ticket=t3, user=cast.operator, now=at(2, 5, 9, 5))
    answer(t3, cast.operator, submitted=at(2, 5, 9, 30), published=at(2, 5, 9, 30))
    workflow.resolve_ticket(ticket=Ticket.objects.get(pk=t3.pk), user=cast.operator, now=at(2, 5, 10, 30))

    t2 = make_ticket(brand, platform_id="t2", author_id="a2", handle="budi", platform="facebook",
                     conversation_id="conv-t2", posted_at=at(2, 5, 16), now=at(2, 5, 16, 30))  # fmt: skip
    workflow.claim_ticket(ticket=t2, user=cast.supervisor, now=at(5, 5, 9, 10))
    answer(t2, cast.supervisor, submitted=at(5, 5, 9, 20), published=at(5, 5, 9, 20))
    ingest.ingest_mentions(
        items=[
            make_normalized(
                brand,
                platform_id="t2-b",
                author_id="a2",
                handle="budi",
                platform="facebook",
                conversation_id="conv-t2",
                posted_at=at(5, 5, 9, 59),
            )
        ],  # fmt: skip
        now=at(5, 5, 10),
    )
    answer(Ticket.objects.get(pk=t2.pk), cast.supervisor, submitted=at(5, 5, 11, 25), published=at(5, 5, 11, 30))

    t4 = make_ticket(brand, platform_id="t4", author_id="a4", handle="dewi", platform="instagram",
                     posted_at=at(4, 5, 23, 29), now=at(4, 5, 23, 30))  # fmt: skip
    # sentiment of the first mentions is set here, whatever a classifier at ingest said: T2 and T4 unknown
    Mention.objects.filter(ticket__in=[t2, t4]).update(sentiment="")
    t5 = make_ticket(brand, platform_id="t5", author_id="a5", handle="eko", platform="x",
                     posted_at=at(5, 5, 0, 30), now=at(5, 5, 0, 30))  # fmt: skip
    t6 = make_ticket(brand, platform_id="t6", author_id="a6", handle="spam", platform="x",
                     posted_at=at(29, 4, 11), now=at(29, 4, 11))  # fmt: skip
    Ticket.objects.filter(pk=t6.pk).update(status=TicketStatus.IGNORED)
    t7 = make_ticket(cast.brand_b, platform_id="t7", author_id="a7", handle="globex_customer", platform="x",
                     posted_at=at(29, 4, 11), now=at(29, 4, 11))  # fmt: skip
    assert t4.received_at.astimezone(UTC).date() == t5.received_at.astimezone(UTC).date()
    # tags: T1 refund + vip, T2 vip, T3 refund, T4 none; the tickets out of the report carry refund too
    for t, names in ((t1, ["refund", "vip"]), (t2, ["vip"]), (t3, ["refund"]), (t5, ["refund"]), (t6, ["refund"])):
        tags.set_ticket_tags(ticket=t, user=cast.operator, names=names)
    tags.set_ticket_tags(ticket=t7, user=cast.operator_b, names=["refund"])
    return World(
        ReportRange(FIRST, LAST, WIB), NOW, *(Ticket.objects.get(pk=t.pk) for t in (t1, t2, t3, t4, t5, t6, t7))
    )


@pytest.fixture
def world(cast) -> World:
    return build_world(cast)


HOUR = 3600
assert timedelta(hours=1).total_seconds() == HOUR
RANGE_QUERY = "?start=2025-04-28&end=2025-05-04"
