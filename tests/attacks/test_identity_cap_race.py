"""The cap of linked identities per customer holds when two links are made at once (SQLite and PostgreSQL).

Two operators, on the tickets of two identities of the same person, link each a new identity at the same
instant. Each link locks only its own two authors' rows, so without one lock that every link of the brand
takes, both read the group at 9 and both add one: 11 identities. The customer-linked event is slowed so the
first transaction is still open when the second reads the group."""

import pytest

from tests.concurrency.test_races import run_together, slow
from tests.factories import make_ticket
from tickets.models import Event, LinkedIdentity
from tickets.services import customers
from tickets.services.workflow import WorkflowError

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_links_at_once_from_two_identities_of_one_person_keep_the_cap(cast, monkeypatch):
    first = make_ticket(cast.brand_a, author_id="x-0", handle="budi0")
    for n in range(1, 9):
        make_ticket(cast.brand_a, author_id=f"x-{n}", handle=f"budi{n}")
        customers.link(ticket=first, user=cast.operator, platform="x", handle=f"budi{n}")
    second = make_ticket(cast.brand_a, author_id="x-1", handle="budi1")
    assert second.author_id != first.author_id
    make_ticket(cast.brand_a, platform="instagram", author_id="ig-1", handle="new.one")
    make_ticket(cast.brand_a, platform="instagram", author_id="ig-2", handle="new.two")
    person = LinkedIdentity.objects.get(author_id=first.author_id).person
    assert LinkedIdentity.objects.filter(brand=cast.brand_a, person=person).count() == 9
    linked_before = Event.objects.filter(kind="customer.linked").count()
    monkeypatch.setattr(customers.events, "customer_linked", slow(customers.events, "customer_linked"))

    results = run_together(
        lambda: customers.link(ticket=first, user=cast.operator, platform="instagram", handle="new.one"),
        lambda: customers.link(ticket=second, user=cast.supervisor, platform="instagram", handle="new.two"),
    )

    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1, results
    assert isinstance(errors[0], WorkflowError)
    assert str(errors[0]) == "A customer can have at most 10 linked identities."
    assert LinkedIdentity.objects.filter(brand=cast.brand_a).count() == 10
    assert LinkedIdentity.objects.filter(brand=cast.brand_a, person=person).count() == 10
    assert Event.objects.filter(kind="customer.linked").count() == linked_before + 1


def test_the_lock_is_the_brands_own_a_link_in_another_brand_is_not_refused(cast):
    """The cap counts one brand's links: brand B's customer of the same platform id links freely."""
    first = make_ticket(cast.brand_a, author_id="x-0", handle="budi0")
    for n in range(1, 10):
        make_ticket(cast.brand_a, author_id=f"x-{n}", handle=f"budi{n}")
        customers.link(ticket=first, user=cast.operator, platform="x", handle=f"budi{n}")
    other = make_ticket(cast.brand_b, author_id="x-0", handle="budi0")
    make_ticket(cast.brand_b, author_id="x-1", handle="budi1")
    customers.link(ticket=other, user=cast.operator_b, platform="x", handle="budi1")
    assert LinkedIdentity.objects.filter(brand=cast.brand_b).count() == 2
    assert LinkedIdentity.objects.filter(brand=cast.brand_a).count() == 10
