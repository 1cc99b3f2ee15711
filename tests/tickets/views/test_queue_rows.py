"""The queue's rows, pinned: the page writes exactly what the row template wrote before the rows were built in
Python (``{% queue_rows %}``, docs/performance.md), in English and Indonesian, for every kind of row — mine,
someone else's, nobody's, a DM, several messages, each due state, an old and a new one, customer text with
markup — with and without the brand column and the bulk checkbox, and the empty queue."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.template import engines

from brands.models import Priority, Role
from tests.factories import make_member, make_ticket, make_user
from tickets.models import Ticket, TicketStatus

NOW = datetime(2026, 11, 19, 3, 0, 30, tzinfo=UTC)

# The rows as templates/tickets/_queue_body.html wrote them, verbatim, with the <tbody> around them.
OLD_ROWS = (Path(__file__).resolve().parents[2] / "fixtures" / "queue_rows_before.html").read_text().rstrip("\n")


#: what the fixture's rows make the first page show (so the comparison covers each branch of the row)
SHOWN_ON_THE_QUEUE = [
    'class="is-mine"',
    "&lt;b&gt;hi&lt;/b&gt;",
    "O&#x27;Brien &lt;i&gt;&amp;&lt;/i&gt; Co",
    ' <span class="nmsg">3 ',
    " · DM",
    "due due-breached",
    "due due-warning",
    "due due-ok",
    "due due-none",
    '<span class="muted">',
    ">sup_a</span>",
]


def _tbody(html: str) -> str:
    return html[html.index("<tbody>") : html.index("</tbody>") + len("</tbody>")]


def _old_rows(response) -> str:
    keys = ("tickets", "user", "can_bulk", "show_brand", "filters", "filter_labels")
    context = {key: response.context[key] for key in keys}
    return engines["django"].from_string("{% load i18n humanize smrc l10n %}" + OLD_ROWS).render(context)


@pytest.fixture
def rows(cast):
    """Every kind of row in brand A, and one in brand B (for the operator of both brands)."""
    t0 = NOW - timedelta(days=2, hours=3)
    made = {
        name: make_ticket(cast.brand_a, author_id=f"u-{n}", handle=f"cust{n}", text=f"{name} text", now=t0)
        for n, name in enumerate(["mine", "theirs", "nobody", "dm", "many", "undue", "late", "soon", "fresh"])
    }
    made["b"] = make_ticket(cast.brand_b, author_id="u-b", handle="globex", text="brand b text", now=t0)
    update = Ticket.objects.filter
    update(pk=made["mine"].pk).update(assignee=cast.operator, status=TicketStatus.OPEN, priority=Priority.URGENT)
    update(pk=made["theirs"].pk).update(assignee=cast.supervisor, status=TicketStatus.PENDING, priority=Priority.LOW)
    update(pk=made["dm"].pk).update(is_private=True, platform="instagram", subject='He said "<b>hi</b>" & left')
    update(pk=made["many"].pk).update(mention_count=3, platform="facebook", priority=Priority.HIGH)
    update(pk=made["undue"].pk).update(due_at=None, received_at=NOW - timedelta(seconds=20))
    update(pk=made["late"].pk).update(due_at=NOW - timedelta(hours=1, minutes=4), received_at=NOW - timedelta(hours=3))
    update(pk=made["soon"].pk).update(due_at=NOW + timedelta(minutes=9), received_at=NOW - timedelta(minutes=7))
    update(pk=made["fresh"].pk).update(due_at=NOW + timedelta(days=1, hours=2), received_at=NOW)
    made["many"].author.__class__.objects.filter(pk=made["many"].author_id).update(name="O'Brien <i>&</i> Co")
    return made


@pytest.mark.parametrize("language", ["en", "id"])
@pytest.mark.parametrize("who", ["operator", "manager", "both brands"])
def test_the_rows_are_what_the_row_template_wrote(cast, browser, rows, language, who):
    if who == "both brands":
        user = make_user("op_both")
        make_member(user, cast.brand_a, Role.OPERATOR)
        make_member(user, cast.brand_b, Role.OPERATOR)
    else:
        user = getattr(cast, who)
    client = browser(user)
    with time_machine.travel(NOW, tick=False):
        for url in ("/queue/", "/queue/?status=pending", "/queue/?q=nothing-matches", "/queue/?priority=1&mine=1"):
            response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
            assert response.status_code == 200
            assert _tbody(response.content.decode()) == _old_rows(response), url
            if url == "/queue/":
                shown = _tbody(response.content.decode())
                for part in SHOWN_ON_THE_QUEUE:
                    assert (part in shown) == (part != 'class="is-mine"' or who == "operator"), part
                assert ('class="col-pick"' in shown) == (who != "manager")
                assert ('class="col-brand"' in shown) == (who == "both brands")
            partial = client.get(
                url, HTTP_ACCEPT_LANGUAGE=language, headers={"HX-Request": "true", "HX-Target": "queue-body"}
            )
            assert _tbody(partial.content.decode()) == _old_rows(partial), url
    shown = client.get("/queue/", HTTP_ACCEPT_LANGUAGE=language).context["tickets"]
    expected = 10 if who == "both brands" else 9
    assert len(shown) == expected
