"""The queue: the user's tickets, filtered, with counts per filter; htmx refreshes the rows in place."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from brands.access import brands_for
from brands.models import Priority

from ..forms import QueueFilterForm
from ..models import ACTIVE_STATUSES, TicketStatus
from ..selectors import queue_counts_for, queue_for


@login_required
def queue(request):
    form = QueueFilterForm(request.GET)
    filters = form.filters()
    page = form.page_number()
    size = settings.SMRC_QUEUE_PAGE_SIZE
    rows = list(queue_for(request.user, filters)[(page - 1) * size : page * size + 1])
    has_next = len(rows) > size
    brands = list(brands_for(request.user).only("pk", "name", "slug"))
    counts = queue_counts_for(request.user, brand=filters.brand)
    context = {
        "tickets": rows[:size],
        "filters": filters,
        "page": page,
        "has_next": has_next,
        "brands": brands,
        "show_brand": len(brands) > 1,
        "counts": counts,
        "statuses": [(s.value, s.label, counts.statuses.get(s.value, 0)) for s in ACTIVE_STATUSES],
        "other_statuses": [(s.value, s.label) for s in TicketStatus if s not in ACTIVE_STATUSES],
        "priorities": [(p.value, p.label, counts.priorities.get(p.value, 0)) for p in reversed(Priority)],
        "refresh_seconds": settings.SMRC_QUEUE_REFRESH_SECONDS,
    }
    if request.htmx and request.htmx.target == "queue-body":
        return render(request, "tickets/_queue_body.html", context)
    return render(request, "tickets/queue.html", context)
