"""``/metrics`` for Prometheus (docs/operations.md, "Metrics").

Two sources, one page:

- the web processes' own metrics from django-prometheus (request latency by view and method, responses by
  status, exceptions). Under gunicorn they are kept in ``PROMETHEUS_MULTIPROC_DIR`` and summed over every worker
  by the ``MultiProcessCollector`` at scrape time (``smrc/gunicorn.conf.py`` wipes the folder at start and hands
  back a stopped worker's live gauges);
- the domain, read at scrape time from the tables the work already writes (:class:`DomainCollector`): the
  delivery backlog and its age, mentions ingested, replies published, failed and deferred, SLA warnings and
  breaches in a recent window, the active queue and the replies waiting by brand, the Celery queues' lengths and
  the workers' heartbeats. A few indexed queries, computed at most once per ``SMRC_METRICS_CACHE_SECONDS`` per
  process, whatever the number of scrapers.

Access: a bearer token (``SMRC_METRICS_TOKEN``) or a client address in ``SMRC_METRICS_ALLOWED_IPS``; else 403.
"""

import hmac
import ipaddress
import os
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, IntegerField, Min, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily

from .clientip import client_ip

#: event kinds counted in the window, by the metric that shows them
MENTION_KINDS = ("ticket.created", "mention.added")
PUBLISH_KINDS = {"reply.sent": "sent", "reply.failed": "failed", "reply.deferred": "deferred"}
SLA_KINDS = {"sla.warning": "warning", "sla.breach": "breach"}


def _active_count(model, status: str):
    tickets = model.objects.filter(brand=OuterRef("pk"), status=status).order_by().values("brand")
    return Coalesce(Subquery(tickets.annotate(n=Count("*")).values("n")), 0, output_field=IntegerField())


def _allowed(request) -> bool:
    token = settings.SMRC_METRICS_TOKEN
    given = request.META.get("HTTP_AUTHORIZATION", "")
    if token and given.startswith("Bearer ") and hmac.compare_digest(given[7:].encode(), token.encode()):
        return True
    if settings.SMRC_METRICS_ALLOWED_IPS:
        address = ipaddress.ip_address(client_ip(request))
        for allowed in settings.SMRC_METRICS_ALLOWED_IPS:
            if address in ipaddress.ip_network(allowed, strict=False):
                return True
    return False


class DomainCollector:
    """Figures about the work, read from the database (and Redis) when scraped, kept ``ttl`` seconds."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._families: list = []
        self._at = 0.0

    def collect(self):
        ttl = settings.SMRC_METRICS_CACHE_SECONDS
        with self._lock:
            if not self._families or time.monotonic() - self._at >= ttl:
                started = time.perf_counter()
                families = self.compute()
                cost = GaugeMetricFamily(
                    "smrc_metrics_compute_seconds", "Time the last computation of the domain figures took."
                )
                cost.add_metric([], time.perf_counter() - started)
                self._families = [*families, cost]
                self._at = time.monotonic()
            return list(self._families)

    def clear(self) -> None:
        with self._lock:
            self._families, self._at = [], 0.0

    def compute(self) -> list:
        from brands.models import Brand
        from tickets.models import ACTIVE_STATUSES, Event, InboundDelivery, Reply, ReplyStatus, Ticket

        from .health import heartbeat_ages

        now = timezone.now()
        window = settings.SMRC_METRICS_WINDOW_SECONDS
        # one row per brand with its active tickets by status: a range of the (brand, status) index each, so the
        # cost follows the size of the queue, not of the ticket history
        brands = list(
            Brand.objects.order_by("pk").values(
                "pk", "slug", **{f"n_{status}": _active_count(Ticket, status) for status in ACTIVE_STATUSES}
            )
        )
        slugs = {brand["pk"]: brand["slug"] for brand in brands}
        families = []

        pending = InboundDelivery.objects.filter(state=InboundDelivery.State.PENDING).aggregate(
            n=Count("pk"), oldest=Min("received_at")
        )
        backlog = GaugeMetricFamily("smrc_deliveries_pending", "Webhook deliveries stored and not processed yet.")
        backlog.add_metric([], pending["n"])
        oldest = GaugeMetricFamily(
            "smrc_deliveries_oldest_pending_seconds", "Age of the oldest webhook delivery not processed yet (0: none)."
        )
        oldest.add_metric([], (now - pending["oldest"]).total_seconds() if pending["oldest"] else 0.0)
        failed = GaugeMetricFamily("smrc_deliveries_failed", "Webhook deliveries that failed for good (admin retries).")
        failed.add_metric([], InboundDelivery.objects.filter(state=InboundDelivery.State.FAILED).count())
        families += [backlog, oldest, failed]

        recent = (
            Event.objects.filter(
                created_at__gte=now - timedelta(seconds=window),
                kind__in=[*MENTION_KINDS, *PUBLISH_KINDS, *SLA_KINDS],
            )
            .values_list("brand_id", "kind")
            .annotate(n=Count("pk"))
            .order_by()
        )
        mentions = GaugeMetricFamily(
            "smrc_mentions_ingested_recent",
            f"Mentions stored in the last smrc_metrics_window_seconds ({window} s), by brand.",
            labels=["brand"],
        )
        tickets = GaugeMetricFamily(
            "smrc_tickets_created_recent", "Tickets opened by new mentions in the window, by brand.", labels=["brand"]
        )
        published = GaugeMetricFamily(
            "smrc_replies_published_recent",
            "Publishing outcomes in the window, by brand: sent, failed, deferred (retried later).",
            labels=["brand", "outcome"],
        )
        sla = GaugeMetricFamily(
            "smrc_sla_notices_recent", "SLA warnings and breaches in the window, by brand.", labels=["brand", "kind"]
        )
        per_brand_mentions: dict[str, int] = {}
        for brand_id, kind, n in recent:
            brand = slugs.get(brand_id, str(brand_id))
            if kind in MENTION_KINDS:
                per_brand_mentions[brand] = per_brand_mentions.get(brand, 0) + n
                if kind == "ticket.created":
                    tickets.add_metric([brand], n)
            elif kind in PUBLISH_KINDS:
                published.add_metric([brand, PUBLISH_KINDS[kind]], n)
            else:
                sla.add_metric([brand, SLA_KINDS[kind]], n)
        for brand, n in sorted(per_brand_mentions.items()):
            mentions.add_metric([brand], n)
        span = GaugeMetricFamily("smrc_metrics_window_seconds", "The window of the *_recent figures.")
        span.add_metric([], window)
        families += [mentions, tickets, published, sla, span]

        queue = GaugeMetricFamily(
            "smrc_queue_tickets", "Active tickets (the queue), by brand and status.", labels=["brand", "status"]
        )
        for brand in brands:
            for status in ACTIVE_STATUSES:
                queue.add_metric([brand["slug"], status], brand[f"n_{status}"])
        waiting = GaugeMetricFamily(
            "smrc_replies_waiting",
            "Replies in review or being published, by brand (the approved ones waiting to be published are "
            'smrc_celery_queue_length{queue="publishing"}).',
            labels=["brand", "status"],
        )
        rows = (
            Reply.objects.filter(Q(status=ReplyStatus.IN_REVIEW) | Q(status=ReplyStatus.SENDING))  # partial indexes
            .values_list("brand_id", "status")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for brand_id, status, n in rows:
            waiting.add_metric([slugs.get(brand_id, str(brand_id)), status], n)
        families += [queue, waiting]

        if settings.REDIS_URL:
            families += self._celery()
            beats = GaugeMetricFamily(
                "smrc_worker_heartbeat_age_seconds",
                "Seconds since a worker of each queue last ran its heartbeat (absent: never).",
                labels=["queue"],
            )
            for name, age in heartbeat_ages().items():
                if age is not None:
                    beats.add_metric([name], age)
            families.append(beats)
        return families

    def _celery(self) -> list:
        """Messages waiting in each Celery queue (kombu's Redis transport: one list per queue and priority)."""
        from .celery import app

        lengths = GaugeMetricFamily("smrc_celery_queue_length", "Tasks waiting in each Celery queue.", labels=["queue"])
        with app.connection_for_read() as conn:
            client = conn.default_channel.client
            for queue in settings.SMRC_TASK_QUEUES:
                keys = [queue, *(f"{queue}\x06\x16{p}" for p in (3, 6, 9))]
                lengths.add_metric([queue], sum(client.llen(key) for key in keys))
        return [lengths]


DOMAIN = DomainCollector()


def _process_registry():
    """The web processes' metrics: summed over every gunicorn worker in multiprocess mode, else this process's."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return REGISTRY


@never_cache
@require_GET
def metrics(request):
    if not _allowed(request):
        return JsonResponse({"detail": "Not allowed."}, status=403)
    domain = CollectorRegistry(auto_describe=False)
    domain.register(DOMAIN)
    body = generate_latest(_process_registry()) + generate_latest(domain)
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
