"""/metrics: only for a bearer token from the environment or an allowed client address; request latency by view
(summed over processes in multiprocess mode, as under gunicorn); the domain figures read at scrape time with a
bounded number of queries, kept for SMRC_METRICS_CACHE_SECONDS."""

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from prometheus_client import CollectorRegistry, multiprocess
from prometheus_client.parser import text_string_to_metric_families

from smrc.metrics import DOMAIN
from tests.factories import make_brand, make_ticket
from tickets import events
from tickets.models import InboundDelivery
from tickets.services import replies, workflow

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
TOKEN = "metrics-token-5d1f0c"
#: read from Redis (only with REDIS_URL): asserted in their own test
REDIS_FIGURES = ("smrc_celery_queue_length", "smrc_worker_heartbeat_age_seconds")


@pytest.fixture(autouse=True)
def _fresh_figures():
    DOMAIN.clear()
    yield
    DOMAIN.clear()


def samples(response) -> dict:
    """{(name, ((label, value), ...)): value} of a scrape."""
    found = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def scrape(client, **extra):
    return client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}", **extra)


@pytest.fixture
def token(settings):
    settings.SMRC_METRICS_TOKEN = TOKEN
    settings.SMRC_METRICS_ALLOWED_IPS = []
    settings.SMRC_METRICS_CACHE_SECONDS = 0


# --- who may read them --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_without_a_token_or_an_allow_list_nobody_reads_the_metrics(client, settings):
    assert (settings.SMRC_METRICS_TOKEN, settings.SMRC_METRICS_ALLOWED_IPS) == ("", [])
    response = client.get("/metrics")
    assert response.status_code == 403
    assert response.json() == {"detail": "Not allowed."}
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer ")
    assert response.status_code == 403
    assert DOMAIN._families == []  # nothing was computed for a refused scrape


@pytest.mark.django_db
@pytest.mark.parametrize(
    "header",
    [None, "Bearer wrong-token", f"Token {TOKEN}", f"bearer {TOKEN}", f"Bearer {TOKEN}x", f"Bearer  {TOKEN}"],
)
def test_a_wrong_or_missing_token_is_refused(client, token, header):
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    response = client.get("/metrics", **extra)
    assert response.status_code == 403
    assert b"smrc_" not in response.content


@pytest.mark.django_db
def test_the_right_token_reads_them(client, token):
    response = scrape(client)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    assert ("smrc_deliveries_pending", ()) in samples(response)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("remote", "forwarded", "status"),
    [
        ("10.1.2.3", None, 200),
        ("192.168.1.1", None, 403),
        ("::1", None, 403),
        # behind a proxy the client's own address counts, not the proxy's
        ("10.0.0.1", "203.0.113.9", 403),
        ("192.168.1.1", "10.9.9.9", 200),
    ],
)
def test_the_allow_list_goes_by_client_address(client, settings, remote, forwarded, status):
    settings.SMRC_METRICS_ALLOWED_IPS = ["10.0.0.0/8"]
    extra = {"REMOTE_ADDR": remote}
    if forwarded:
        settings.SMRC_CLIENT_IP_HEADER = "X-Real-IP"
        extra["HTTP_X_REAL_IP"] = forwarded
    assert client.get("/metrics", **extra).status_code == status


def test_a_bad_allow_list_stops_the_start():
    env = {**os.environ, "SMRC_METRICS_ALLOWED_IPS": "10.0.0.0/8,not-a-network"}
    env["DJANGO_SETTINGS_MODULE"] = "smrc.settings"
    done = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 1
    assert "SMRC_METRICS_ALLOWED_IPS: 'not-a-network' is not an address or network" in done.stderr


# --- what they say ----------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_request_latency_is_counted_by_view(client, token):
    key = ("django_http_requests_latency_seconds_by_view_method_count", (("method", "GET"), ("view", "healthz")))
    before = samples(scrape(client)).get(key, 0.0)
    client.get("/healthz/")
    client.get("/healthz/")
    assert samples(scrape(client))[key] == before + 2


def test_multiprocess_mode_sums_every_process(tmp_path):
    """As under gunicorn: each process writes its own file in PROMETHEUS_MULTIPROC_DIR; a scrape sums them."""
    script = (
        "import sys, django; django.setup()\n"
        "from django.test import Client\n"
        "client = Client()\n"
        "for _ in range(int(sys.argv[1])): assert client.get('/healthz').status_code == 200\n"
    )
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")},
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "smrc.settings",
        "ALLOWED_HOSTS": "testserver",
    }
    for count in (3, 4):
        subprocess.run([sys.executable, "-c", script, str(count)], env=env, check=True, capture_output=True)
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=str(tmp_path))
    value = registry.get_sample_value(
        "django_http_requests_latency_seconds_by_view_method_count", {"method": "GET", "view": "smrc.health.healthz"}
    )
    assert value == 7.0
    assert len(list(tmp_path.glob("histogram_*.db"))) == 2


@pytest.mark.django_db
def test_the_domain_figures(client, token, cast, django_capture_on_commit_callbacks):
    with time_machine.travel(NOW - timedelta(minutes=20), tick=False):
        make_ticket(cast.brand_a, author_id="old")  # outside the 300 s window: queued, not "recent"
    with time_machine.travel(NOW - timedelta(seconds=30), tick=False):
        first = make_ticket(cast.brand_a, author_id="u-1")
        make_ticket(cast.brand_a, author_id="u-2")
        make_ticket(cast.brand_a, author_id="u-1", text="Halo? masih belum")  # threads onto the first
        make_ticket(cast.brand_b, author_id="u-9")
        workflow.claim_ticket(ticket=first, user=cast.operator)
        with django_capture_on_commit_callbacks(execute=True):  # published at once (eager tasks)
            replies.submit_reply(ticket=first, user=cast.operator, body="Mohon DM nomor resinya ya")
        events.save_all(
            [events.sla_notice(first, kind="sla.warning", clock="first_response", due_at=NOW, at=NOW)]
            + [events.sla_notice(first, kind="sla.breach", clock="resolution", due_at=NOW, at=NOW)] * 2
        )
        InboundDelivery.objects.create(platform="x", body="{}", received_at=NOW - timedelta(seconds=42))
        InboundDelivery.objects.create(platform="x", body="{}", received_at=NOW - timedelta(seconds=5))
        InboundDelivery.objects.create(platform="x", body="[]", state="failed", received_at=NOW)
    with time_machine.travel(NOW, tick=False):
        found = samples(scrape(client))
    domain = {
        key: value
        for key, value in found.items()
        if key[0].startswith("smrc_") and key[0] not in ("smrc_metrics_compute_seconds", *REDIS_FIGURES)
    }
    assert domain == {
        ("smrc_deliveries_pending", ()): 2.0,
        ("smrc_deliveries_oldest_pending_seconds", ()): 42.0,
        ("smrc_deliveries_failed", ()): 1.0,
        ("smrc_mentions_ingested_recent", (("brand", "acme"),)): 3.0,
        ("smrc_mentions_ingested_recent", (("brand", "globex"),)): 1.0,
        ("smrc_tickets_created_recent", (("brand", "acme"),)): 2.0,
        ("smrc_tickets_created_recent", (("brand", "globex"),)): 1.0,
        ("smrc_replies_published_recent", (("brand", "acme"), ("outcome", "sent"))): 1.0,
        ("smrc_sla_notices_recent", (("brand", "acme"), ("kind", "warning"))): 1.0,
        ("smrc_sla_notices_recent", (("brand", "acme"), ("kind", "breach"))): 2.0,
        ("smrc_metrics_window_seconds", ()): 300.0,
        # every brand and active status, zeros included
        ("smrc_queue_tickets", (("brand", "acme"), ("status", "new"))): 2.0,
        ("smrc_queue_tickets", (("brand", "acme"), ("status", "open"))): 0.0,
        ("smrc_queue_tickets", (("brand", "acme"), ("status", "pending"))): 1.0,
        ("smrc_queue_tickets", (("brand", "globex"), ("status", "new"))): 1.0,
        ("smrc_queue_tickets", (("brand", "globex"), ("status", "open"))): 0.0,
        ("smrc_queue_tickets", (("brand", "globex"), ("status", "pending"))): 0.0,
    }


@pytest.mark.django_db
@pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored")  # send_task sends: what is measured
def test_the_celery_queue_lengths_come_from_redis(client, token, settings):
    if not settings.REDIS_URL:
        pytest.skip("needs REDIS_URL")
    from smrc.celery import app

    def purge():
        with app.connection_for_write() as conn:
            for queue in settings.SMRC_TASK_QUEUES:
                conn.default_channel.queue_purge(queue)

    purge()
    for _ in range(3):
        app.send_task("tickets.tasks.sla_scan_task")  # sent, not run: routed by name to "periodic"
    app.send_task("tickets.tasks.deliver_reply_task", args=[0])
    try:
        found = samples(scrape(client))
        assert {key[1][0][1]: value for key, value in found.items() if key[0] == "smrc_celery_queue_length"} == {
            "ingest": 0.0,
            "publishing": 1.0,
            "mail": 0.0,
            "periodic": 3.0,
        }
    finally:
        purge()


@pytest.mark.django_db
def test_the_waiting_replies_by_brand(client, token, cast, settings):
    from brands.models import ReviewPolicy

    ReviewPolicy.objects.update_or_create(brand=cast.brand_a, defaults={"review_all": True})
    ticket = make_ticket(cast.brand_a)
    workflow.claim_ticket(ticket=ticket, user=cast.operator)
    replies.submit_reply(ticket=ticket, user=cast.operator, body="Mohon DM nomor resinya ya")
    found = samples(scrape(client))
    assert found[("smrc_replies_waiting", (("brand", "acme"), ("status", "in_review")))] == 1.0


@pytest.mark.django_db
def test_the_figures_cost_the_same_queries_whatever_the_data(token, cast):
    def cost() -> int:
        DOMAIN.clear()
        with CaptureQueriesContext(connection) as queries:
            DOMAIN.collect()
        return len(queries)

    empty = cost()
    for n in range(6):
        make_ticket(cast.brand_a if n % 2 else cast.brand_b, author_id=f"a-{n}")
    make_brand("initech")
    assert cost() == empty == 5  # brands with their queue, pending deliveries, failed ones, recent events, replies


@pytest.mark.django_db
def test_the_figures_are_kept_for_the_cache_time(client, token, settings, cast):
    settings.SMRC_METRICS_CACHE_SECONDS = 3600
    make_ticket(cast.brand_a, author_id="u-1")
    key = ("smrc_queue_tickets", (("brand", "acme"), ("status", "new")))
    assert samples(scrape(client))[key] == 1.0
    make_ticket(cast.brand_a, author_id="u-2")
    with CaptureQueriesContext(connection) as queries:
        assert samples(scrape(client))[key] == 1.0  # the kept figures: no query at all
    assert len(queries) == 0
    DOMAIN.clear()
    assert samples(scrape(client))[key] == 2.0
