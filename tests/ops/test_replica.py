"""Reports read from the replica alias when one is configured; everything else, and every write, from the primary.
The ``replica`` alias mirrors the test database (``TEST = {"MIRROR": "default"}``), so its reads see the committed
rows of a ``transaction=True`` test through a connection of its own."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from smrc.db import REPLICA, ReplicaRouter, read_alias, replica_reads
from tests.factories import make_ticket
from tickets.models import Ticket
from tickets.reports.queries import ReportRange, build_report

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


def report_of(cast):
    today = timezone.localdate()
    rng = ReportRange(first=today - timedelta(days=6), last=today, tz=ZoneInfo("Asia/Jakarta"))
    return build_report([cast.brand_a.pk], rng, now=timezone.now())


def test_the_report_reads_from_the_replica_when_one_is_configured(cast, settings):
    settings.SMRC_READ_REPLICA = True
    make_ticket(cast.brand_a, author_id="u-1")
    make_ticket(cast.brand_a, author_id="u-2")
    with CaptureQueriesContext(connections["default"]) as primary, CaptureQueriesContext(connections[REPLICA]) as rep:
        report = report_of(cast)
    assert report.tickets == 2
    assert len(rep) >= 4
    assert len(primary) == 0


def test_without_a_replica_the_report_reads_the_primary(cast, settings):
    assert settings.SMRC_READ_REPLICA is False
    make_ticket(cast.brand_a)
    with CaptureQueriesContext(connections["default"]) as primary, CaptureQueriesContext(connections[REPLICA]) as rep:
        report = report_of(cast)
    assert report.tickets == 1
    assert len(rep) == 0
    assert len(primary) >= 4


def test_the_report_page_reads_access_from_the_primary_and_figures_from_the_replica(client, cast, settings):
    settings.SMRC_READ_REPLICA = True
    make_ticket(cast.brand_a)
    client.force_login(cast.manager)
    with CaptureQueriesContext(connections["default"]) as primary, CaptureQueriesContext(connections[REPLICA]) as rep:
        today = timezone.localdate()
        response = client.get(f"/reports/{cast.brand_a.slug}/?start={today - timedelta(days=6)}&end={today}")
    assert response.status_code == 200
    assert any("brands_membership" in q["sql"] for q in primary.captured_queries)
    assert not any("brands_membership" in q["sql"] for q in rep.captured_queries)
    assert any("tickets_ticket" in q["sql"] for q in rep.captured_queries)


def test_the_router(settings):
    router = ReplicaRouter()
    settings.SMRC_READ_REPLICA = True
    assert router.db_for_read(Ticket) == "default"
    with replica_reads():
        assert router.db_for_read(Ticket) == REPLICA == read_alias(Ticket)
        assert router.db_for_write(Ticket) == "default"
    assert read_alias() == "default"
    settings.SMRC_READ_REPLICA = False
    with replica_reads():
        assert router.db_for_read(Ticket) == "default"
    assert router.allow_migrate("default", "tickets") is True
    assert router.allow_migrate(REPLICA, "tickets") is False
