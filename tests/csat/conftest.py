import pytest
from django.utils import timezone

from brands.models import ChannelAccount
from brands.services import csat as csat_settings
from tests.factories import make_channel, make_ticket
from tickets.services import workflow

TOKEN = "tok-csat-SECRET"


@pytest.fixture
def surveyed(cast):
    """Brand A asks for ratings on Facebook and Instagram (private messages only, the default)."""
    return csat_settings.update_csat_settings(
        brand=cast.brand_a, values={"enabled": True, "platforms": "facebook,instagram,x", "expiry_days": 7}
    )


def dm_ticket(cast, fake=None, *, platform="facebook", language="", kind="dm", item="m_1", author="psid-1", now=None):
    """A claimed ticket from a customer's private message on ``platform`` through brand A's account."""
    account = ChannelAccount.objects.filter(platform=platform, external_id=f"page-{platform}").first() or make_channel(
        cast.brand_a, platform=platform, external_id=f"page-{platform}", access_token=TOKEN, handle="acme"
    )
    if fake is not None:
        fake.page_id, fake.page_handle = account.external_id, "acme"
    ticket = make_ticket(
        cast.brand_a,
        platform=platform,
        platform_id=item,
        kind=kind,
        author_id=author,
        channel_account_id=account.pk,
        conversation_id=f"dm:{account.external_id}:{author}" if kind == "dm" else item,
        language=language,
        now=now,
    )
    return workflow.claim_ticket(ticket=ticket, user=cast.operator, now=now or timezone.now())


@pytest.fixture
def resolve(django_capture_on_commit_callbacks):
    """Resolve as the page does, running what waits for the commit (the survey's task, eager)."""

    def run(ticket, user, **kw):
        with django_capture_on_commit_callbacks(execute=True):
            return workflow.resolve_ticket(ticket=ticket, user=user, **kw)

    return run


@pytest.fixture
def browser():
    from django.test import Client

    def client_for(user) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return client_for
