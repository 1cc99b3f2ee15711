"""Suggestions and search for a ticket, filling from the ticket, usage counting, and what sending refuses."""

import math

import pytest
from django.utils import timezone

from brands.models import Snippet
from brands.services.knowledge import snippet_index
from tests.factories import make_snippet, make_ticket
from tests.helpers import db_state
from tickets.models import Event, Reply
from tickets.services import composer, replies, workflow


def titles(hits):
    return [h.entry.title for h in hits]


def test_suggestions_are_ranked_for_the_ticket(cast, library, claimed_ticket):
    hits = composer.suggestions(ticket=claimed_ticket)
    assert [(h.entry.title, h.reasons) for h in hits] == [
        ("Kuota Max info", ("words", "product", "language")),
        ("Refund pulsa", ("words", "language")),
        ("Sinyal lemah", ("popular",)),
    ]
    assert [h.score for h in hits] == [0.892626, 0.507091, 0.0]


def test_what_worked_before_lifts_a_snippet_above_an_equal_one(cast, library, claimed_ticket):
    twin = make_snippet(cast.brand_a, title="Refund pulsa (2)", body=library["refund_id"].body, tags="refund, pulsa")
    assert titles(composer.suggestions(ticket=claimed_ticket))[:3] == [
        "Kuota Max info",
        "Refund pulsa",
        "Refund pulsa (2)",
    ]
    Snippet.objects.filter(pk=twin.pk).update(used_as_is=3, used_edited=2)  # 3 + 2/2 = 4 uses
    snippet_index.forget()
    hits = composer.suggestions(ticket=claimed_ticket)
    assert [(h.entry.title, h.reasons) for h in hits[:3]] == [
        ("Kuota Max info", ("words", "product", "language")),
        ("Refund pulsa (2)", ("words", "language", "used")),
        ("Refund pulsa", ("words", "language")),
    ]
    assert round(hits[1].score - hits[2].score, 6) == round(0.05 * math.log(5), 6)


def test_an_english_ticket_prefers_english_snippets(cast, library):
    ticket = make_ticket(cast.brand_a, text="My credit was deducted, please refund", language="en")
    assert titles(composer.suggestions(ticket=ticket))[:2] == ["Refund credit", "Refund pulsa"]


def test_search_by_words_prefix_and_shortcut_offers_only_usable_snippets_of_the_brand(cast, library):
    a = cast.brand_a.pk
    assert titles(composer.search(brand_id=a, q="pulsa terpotong")) == ["Refund pulsa"]
    assert titles(composer.search(brand_id=a, q="refu")) == ["Refund credit", "Refund pulsa"]
    assert titles(composer.search(brand_id=a, q="/refund")) == ["Refund credit", "Refund pulsa"]
    assert titles(composer.search(brand_id=a, q="/kuota")) == ["Kuota Max info"]
    assert titles(composer.search(brand_id=a, q="globex")) == []


def test_a_snippet_that_expires_leaves_the_offer_at_once(cast, library):
    later = timezone.now() + timezone.timedelta(hours=1)
    Snippet.objects.filter(pk=library["sinyal"].pk).update(expires_at=later)
    snippet_index.forget()
    assert titles(composer.search(brand_id=cast.brand_a.pk, q="sinyal")) == ["Sinyal lemah"]
    assert composer.search(brand_id=cast.brand_a.pk, q="sinyal", now=later) == []


def test_the_index_follows_edits(cast, library):
    assert titles(composer.search(brand_id=cast.brand_a.pk, q="gangguan")) == ["Sinyal lemah"]
    library["sinyal"].status = "archived"
    library["sinyal"].save()
    assert composer.search(brand_id=cast.brand_a.pk, q="gangguan") == []


def test_placeholders_are_filled_from_the_ticket(cast, library, claimed_ticket):
    cast.operator.first_name = "Sari"
    rendered = composer.render(ticket=claimed_ticket, user=cast.operator, snippet=library["kuota"])
    assert rendered.text == "Kuota Max berisi kuota 50 GB untuk 30 hari. Salam, Sari"
    assert rendered.unfilled == []
    values = composer.placeholder_values(ticket=claimed_ticket, user=cast.operator)
    assert values == {
        "customer_name": "Budi",
        "customer_handle": "@budi",
        "operator_name": "Sari",
        "brand": "Acme Telco",
        "ticket": claimed_ticket.reference,
    }


def test_archived_expired_and_foreign_snippets_cannot_be_used(cast, library, claimed_ticket):
    for name in ("expired", "draft", "archived"):
        with pytest.raises(composer.SnippetUnavailable):
            composer.usable_snippet(ticket=claimed_ticket, snippet_id=library[name].pk)
    with pytest.raises(Snippet.DoesNotExist):
        composer.usable_snippet(ticket=claimed_ticket, snippet_id=library["brand_b"].pk)


def test_usage_is_counted_as_is_or_edited(cast, library, claimed_ticket, django_capture_on_commit_callbacks):
    as_is = composer.render(ticket=claimed_ticket, user=cast.operator, snippet=library["refund_id"]).text
    body = f"{as_is}\n\nKuota Max berisi kuota 50 GB, ya kak."
    with django_capture_on_commit_callbacks(execute=True):
        reply = replies.send_reply(
            ticket=claimed_ticket,
            user=cast.operator,
            body=body,
            snippet_ids=[library["refund_id"].pk, library["kuota"].pk, library["brand_b"].pk],
        )
    counts = dict(Snippet.objects.values_list("title").filter(used_as_is__gt=0).values_list("title", "used_as_is"))
    assert counts == {"Refund pulsa": 1}
    assert Snippet.objects.get(pk=library["kuota"].pk).used_edited == 1
    assert Snippet.objects.get(pk=library["brand_b"].pk).used_edited == 0
    event = Event.objects.get(kind="reply.snippets_used")
    assert (event.reply_id, event.data) == (
        reply.pk,
        {"as_is": [library["refund_id"].pk], "edited": [library["kuota"].pk]},
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("Halo {customer_name}", "Fill or remove the placeholder(s) {customer_name} before sending."),
        ("x" * 281, "Too long for X: 281 of 280 characters. Shorten it by 1."),
        ("👋" * 141, "Too long for X: 282 of 280 characters. Shorten it by 2."),
    ],
)
def test_sending_refuses_leftovers_and_over_limit_and_sends_nothing(cast, claimed_ticket, body, message):
    before = db_state()
    with pytest.raises(workflow.WorkflowError) as caught:
        replies.send_reply(ticket=claimed_ticket, user=cast.operator, body=body)
    assert str(caught.value) == message
    assert db_state() == before
    assert Reply.objects.count() == 0


def test_other_platforms_have_their_own_limit(cast):
    ticket = make_ticket(cast.brand_a, platform="instagram", text="halo")
    workflow.claim_ticket(ticket=ticket, user=cast.operator)
    with pytest.raises(workflow.WorkflowError) as caught:
        replies.send_reply(ticket=ticket, user=cast.operator, body="a" * 2201)
    assert str(caught.value) == "Too long for Instagram: 2201 of 2200 characters. Shorten it by 1."
    assert replies.send_reply(ticket=ticket, user=cast.operator, body="a" * 2200).body == "a" * 2200


def test_a_brand_with_ten_snippets_still_suggests_within_the_brand(cast, library):
    for n in range(10):
        make_snippet(cast.brand_b, title=f"B {n}", body="pulsa terpotong kembalikan")
    ticket = make_ticket(cast.brand_a, text="pulsa terpotong")
    assert all(
        h.entry.id in set(Snippet.objects.filter(brand=cast.brand_a).values_list("pk", flat=True))
        for h in composer.suggestions(ticket=ticket)
    )
