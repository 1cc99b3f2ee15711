"""Edge 5 of issue 15: `Get next` says the rule it follows, and explains it. The rule is the queue's order:
the earliest deadline first (a ticket already overdue before a new one whose deadline is still ahead, whatever
their priorities, since a priority sets how soon its deadline falls), then the oldest."""

from datetime import timedelta

from django.utils import timezone

from brands.models import Priority
from tests.factories import make_ticket
from tickets.models import Ticket
from tickets.services import assignment


def test_an_overdue_normal_ticket_comes_before_a_new_urgent_one(cast):
    now = timezone.now()
    overdue = make_ticket(
        cast.brand_a, platform_id="old", author_id="a1", text="masih belum", now=now - timedelta(days=4)
    )
    urgent = make_ticket(cast.brand_a, platform_id="new", author_id="a2", text="tolong", now=now)
    Ticket.objects.filter(pk=overdue.pk).update(priority=Priority.NORMAL)
    Ticket.objects.filter(pk=urgent.pk).update(priority=Priority.URGENT, due_at=now + timedelta(minutes=15))
    assert assignment.take_next(user=cast.operator, now=now).pk == overdue.pk
    assert assignment.take_next(user=cast.operator, now=now).pk == urgent.pk


def test_the_words_say_that_rule_and_explain_it(cast, browser):
    for language, words in (
        ("en", ["earliest deadline first", "then the oldest", "Urgent tickets get the shortest deadlines"]),
        ("id", ["tenggat paling awal lebih dulu", "lalu yang paling lama", "Tiket mendesak mendapat tenggat"]),
    ):
        page = browser(cast.operator).get("/queue/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert "most urgent" not in page
        assert "paling mendesak" not in page
        for w in words:
            assert w in page, (language, w)
