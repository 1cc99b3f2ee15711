"""set_ticket_tags: normalised names, brand tags made on first use, one event with before/after, exact refusals."""

import pytest

from tests.factories import make_ticket
from tests.helpers import db_state
from tickets.models import Event, Tag
from tickets.services import tags
from tickets.services.workflow import WorkflowError

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(cast):
    return make_ticket(cast.brand_a, platform_id="tw-1", text="Paket saya belum sampai")


def names_on(ticket) -> list[str]:
    return list(ticket.tags.order_by("name").values_list("name", flat=True))


def tag_events(ticket) -> list[tuple]:
    events = Event.objects.filter(ticket=ticket, kind="ticket.tags_changed").order_by("pk")
    return [(e.actor.username, e.data) for e in events]


def test_it_sets_normalised_tags_and_records_the_change(cast, ticket):
    tags.set_ticket_tags(ticket=ticket, user=cast.operator, names=[" Refund ", "delivery-late", "refund"])

    assert names_on(ticket) == ["delivery-late", "refund"]
    assert sorted(Tag.objects.filter(brand=cast.brand_a).values_list("name", flat=True)) == ["delivery-late", "refund"]
    assert tag_events(ticket) == [("op_a", {"before": [], "after": ["delivery-late", "refund"]})]


def test_it_replaces_and_removes_tags_and_keeps_the_brand_tags(cast, ticket):
    tags.set_ticket_tags(ticket=ticket, user=cast.operator, names=["refund", "vip"])
    tags.set_ticket_tags(ticket=ticket, user=cast.supervisor, names=["vip", "promo_2025"])
    tags.set_ticket_tags(ticket=ticket, user=cast.operator, names=[])

    assert names_on(ticket) == []
    assert sorted(Tag.objects.filter(brand=cast.brand_a).values_list("name", flat=True)) == [
        "promo_2025",
        "refund",
        "vip",
    ]
    assert tag_events(ticket) == [
        ("op_a", {"before": [], "after": ["refund", "vip"]}),
        ("sup_a", {"before": ["refund", "vip"], "after": ["promo_2025", "vip"]}),
        ("op_a", {"before": ["promo_2025", "vip"], "after": []}),
    ]


def test_the_same_tags_change_nothing(cast, ticket):
    tags.set_ticket_tags(ticket=ticket, user=cast.operator, names=["refund"])
    before = db_state()
    tags.set_ticket_tags(ticket=ticket, user=cast.operator, names=["REFUND"])
    assert db_state() == before


def test_tags_belong_to_the_ticket_brand(cast, ticket):
    other = make_ticket(cast.brand_b, platform_id="tw-2", author_id="u-2", text="Kartu saya terblokir")
    tags.set_ticket_tags(ticket=ticket, user=cast.operator, names=["refund"])
    tags.set_ticket_tags(ticket=ticket, user=cast.operator, names=["refund", "vip"])
    tags.set_ticket_tags(ticket=other, user=cast.operator_b, names=["refund"])

    assert Tag.objects.filter(brand=cast.brand_a, name="refund").count() == 1
    assert [t.brand_id for t in ticket.tags.all()] == [cast.brand_a.pk, cast.brand_a.pk]
    assert [t.brand_id for t in other.tags.all()] == [cast.brand_b.pk]


@pytest.mark.parametrize(
    ("names", "message"),
    [
        (["refund", "  "], "A tag cannot be empty."),
        (["a" * 41], f"The tag “{'a' * 41}” is too long: at most 40 characters."),
        (
            ["late delivery"],
            "The tag “late delivery” may hold only letters, digits, hyphens and underscores, "
            "and starts with a letter or digit.",
        ),
        (
            ["-late"],
            "The tag “-late” may hold only letters, digits, hyphens and underscores, "
            "and starts with a letter or digit.",
        ),
        ([f"t{n}" for n in range(21)], "A ticket can have at most 20 tags."),
    ],
)
def test_it_refuses_bad_names_and_changes_nothing(cast, ticket, names, message):
    tags.set_ticket_tags(ticket=ticket, user=cast.operator, names=["vip"])
    before = db_state()
    with pytest.raises(WorkflowError) as refused:
        tags.set_ticket_tags(ticket=ticket, user=cast.operator, names=names)
    assert str(refused.value) == message
    assert db_state() == before


def test_forty_characters_is_the_limit(cast, ticket):
    tags.set_ticket_tags(ticket=ticket, user=cast.operator, names=["a" * 40])
    assert names_on(ticket) == ["a" * 40]
