"""Reads for the reports that are not report queries (``tickets/reports/queries.py``): noise (docs/priority.md)."""

from datetime import datetime

from django.db.models import Count

from ..models import Event


def ignored_counts(*, brand_id: int, start: datetime, end: datetime) -> dict[str, int]:
    """How many tickets of the brand were moved to ``ignored`` in ``[start, end)``, per reason
    (``tickets.services.noise.REASONS``), from the ``ticket.ignored`` events: a ticket restored later still
    counts, as the noise it looked like. For reports; the caller checked ``report:view`` on the brand."""
    rows = (
        Event.objects.filter(brand_id=brand_id, kind="ticket.ignored", created_at__gte=start, created_at__lt=end)
        .values("data__reason")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return dict(sorted((row["data__reason"] or "", row["n"]) for row in rows))
