"""Serving in channel: resolved in channel, handoffs and reopens, exact over a small hand-made population, with
their drill-downs; another brand's tickets never count; the section on the report page in both languages."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import make_ticket
from tickets.reports import serving
from tickets.reports.queries import ReportRange, population
from tickets.services import delivery, replies, workflow

WIB = ZoneInfo("Asia/Jakarta")
BOUNCING = "Mohon maaf kak, silakan hubungi call center kami di 14045 ya."
SERVING = "Baik kak, sudah kami proses, saldo kembali hari ini."


def answer(ticket, user, body):
    reply = replies.send_reply(ticket=ticket, user=user, body=body)
    delivery.deliver_reply(reply_id=reply.pk)
    return reply


@pytest.fixture
def shift(cast):
    """t1 bounced and resolved; t2 served, resolved, reopened, resolved; t3 passed from operator to supervisor and
    resolved; t4 released and claimed back by the same operator, still open; brand B: one bounced, resolved."""
    op, sup = cast.operator, cast.supervisor
    t = [make_ticket(cast.brand_a, handle=f"c{n}", author_id=f"u{n}", text=f"tolong bantu {n}") for n in range(1, 5)]
    for ticket in t:
        workflow.claim_ticket(ticket=ticket, user=op)
    answer(t[0], op, BOUNCING)
    workflow.resolve_ticket(ticket=t[0], user=op)
    answer(t[1], op, SERVING)
    workflow.resolve_ticket(ticket=t[1], user=op)
    workflow.reopen_ticket(ticket=t[1], user=op)
    workflow.resolve_ticket(ticket=t[1], user=op)
    workflow.release_ticket(ticket=t[2], user=op)
    workflow.claim_ticket(ticket=t[2], user=sup)
    answer(t[2], sup, SERVING)
    workflow.resolve_ticket(ticket=t[2], user=sup)
    workflow.release_ticket(ticket=t[3], user=op)
    workflow.claim_ticket(ticket=t[3], user=op)
    b = make_ticket(cast.brand_b, handle="other", author_id="u9", text="halo")
    workflow.claim_ticket(ticket=b, user=cast.operator_b)
    answer(b, cast.operator_b, BOUNCING)
    workflow.resolve_ticket(ticket=b, user=cast.operator_b)
    return t


def today_range():
    today = timezone.localdate(timezone=WIB)
    return ReportRange(today - timedelta(days=1), today, WIB)


def test_the_figures_are_exact_and_one_brand_only(cast, shift):
    figures = serving.serving([cast.brand_a.pk], today_range())

    assert figures == serving.Serving(
        resolved=3, bounced=1, owned=4, handed_off=1, handoffs=1, ever_resolved=3, reopened=1
    )
    assert (figures.in_channel, figures.in_channel_percent) == (2, 66.7)
    assert figures.handoffs_per_ticket == 0.25
    assert figures.reopen_percent == 33.3


def test_each_figure_drills_down_to_its_tickets(cast, shift):
    tickets = population([cast.brand_a.pk], today_range())
    t1, t2, t3, _t4 = (t.pk for t in shift)

    def ids(metric):
        return sorted(serving.drill(tickets, metric).values_list("pk", flat=True))

    assert ids("bounced") == [t1]
    assert ids("in_channel") == [t2, t3]
    assert ids("handed_off") == [t3]
    assert ids("reopened") == [t2]


def test_a_customer_writing_again_after_resolution_counts_as_a_reopen(cast):
    ticket = make_ticket(cast.brand_a, handle="budi", text="pulsa hilang", platform_id="m1", conversation_id="m1")
    workflow.claim_ticket(ticket=ticket, user=cast.operator)
    workflow.resolve_ticket(ticket=ticket, user=cast.operator)
    make_ticket(cast.brand_a, handle="budi", text="masih hilang", platform_id="m2", conversation_id="m1")

    figures = serving.serving([cast.brand_a.pk], today_range())

    assert (figures.reopened, figures.ever_resolved) == (1, 1)


def test_an_empty_range_has_no_shares():
    figures = serving.Serving()
    assert (figures.in_channel_percent, figures.handoffs_per_ticket, figures.reopen_percent) == (None, None, None)


def dates():
    rng = today_range()
    return f"start={rng.first.isoformat()}&end={rng.last.isoformat()}"


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_report_page_shows_the_section_with_its_links(cast, shift):
    html = client_for(cast.manager).get(f"/reports/{cast.brand_a.slug}/?{dates()}").content.decode()

    assert "Serving in channel" in html
    assert 'metric=in_channel">2</a>' in html
    assert "66.7 %" in html
    assert "1 handoff, 0.25 per ticket" in html
    assert "33.3 %" in html


def test_the_section_is_in_indonesian(cast, shift):
    client = client_for(cast.manager)
    html = client.get(f"/reports/{cast.brand_a.slug}/?{dates()}", HTTP_ACCEPT_LANGUAGE="id").content.decode()

    assert "Dilayani di kanal" in html
    assert "1 pengalihan, 0,25 per tiket" in html


def test_the_drill_down_lists_the_tickets_and_is_scoped(cast, shift):
    t1 = shift[0]
    start = end = timezone.localdate(timezone=WIB).isoformat()
    url = f"/reports/{cast.brand_a.slug}/tickets/?start={start}&end={end}&metric=bounced"

    response = client_for(cast.manager).get(url)
    assert response.status_code == 200
    assert f"/tickets/{t1.pk}/" in response.content.decode()
    assert client_for(cast.outsider).get(url).status_code == 404
    assert client_for(cast.operator_b).get(url).status_code == 404
