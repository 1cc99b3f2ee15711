"""The queue: the user's tickets, filtered, with counts per filter; htmx refreshes the rows in place."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from brands.access import brand_ids_for, brands_for
from brands.models import Priority

from ..context_processors import landing_url_name
from ..forms.queue import QueueFilterForm
from ..models import ACTIVE_STATUSES, TicketStatus
from ..selectors.queue import queue_counts_for, queue_for


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
    brand_names = {b.pk: b.name for b in brands}
    filter_labels = [
        label
        for label in (
            brand_names.get(filters.brand) if filters.brand else None,
            TicketStatus(filters.status).label if filters.status != "active" else None,
            Priority(filters.priority).label if filters.priority else None,
            _("Mine") if filters.mine else None,
            _("Unassigned") if filters.unassigned else None,
        )
        if label
    ]
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
        "filter_labels": filter_labels,
        # an out-of-range or unknown filter falls back to the default, and the page says so with the field's name
        "ignored_filters": sorted(form.errors.items()),
        "refresh_seconds": settings.SMRC_QUEUE_REFRESH_SECONDS,
        # `Get next` for whoever works a brand (roles are cached on the user: no query)
        "can_take": brand_ids_for(request.user, "ticket:work") != [],
        "now": timezone.now(),
    }
    if request.htmx and request.htmx.target == "queue-body":
        return render(request, "tickets/_queue_body.html", context)
    return render(request, "tickets/queue.html", context)


def home(request):
    """``/``: brand managers land on the reports, everyone else on the queue (anonymous: the queue asks to log in).
    Every method gets the same redirect; nothing is read but the user's roles."""
    return redirect(landing_url_name(request.user) if request.user.is_authenticated else "tickets:queue")
