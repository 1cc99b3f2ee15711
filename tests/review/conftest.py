import pytest

from brands.models import ReviewPolicy, Role
from tests.factories import make_member, make_ticket, make_user
from tickets.services import workflow


@pytest.fixture
def supervisor2(cast):
    user = make_user("sup_a2")
    make_member(user, cast.brand_a, Role.SUPERVISOR)
    return user


@pytest.fixture
def review_all(cast):
    return ReviewPolicy.objects.create(brand=cast.brand_a, review_all=True)


@pytest.fixture
def ticket(cast):
    ticket = make_ticket(cast.brand_a, platform_id="tw-1", text="Paket saya belum sampai")
    return workflow.claim_ticket(ticket=ticket, user=cast.operator)
