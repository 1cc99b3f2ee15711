"""The queue: the user's tickets, filtered and searched, with counts per filter and saved views; a small poll
announces new work ("3 new — show") instead of reshuffling the rows under the reader's eyes."""

from datetime import UTC, datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from brands.access import brand_ids_for, brands_for
from brands.models import Priority

from ..context_processors import landing_url_name
from ..forms.queue import BrowserAlertsForm, QueueFilterForm, QueueNewsForm, SaveViewForm
from ..models import ACTIVE_STATUSES, TicketStatus
from ..selectors.queue import QUEUE_SORTS, queue_counts_for, queue_for, queue_news_for
from ..selectors.views import browser_alerts_for, get_view_for_user, saved_views_for, view_filters, view_rows_for
from ..services import views as view_service
from . import workspace


def _sort_labels() -> dict[str, str]:
    return {
        "due": _("Due first"),
        "newest": _("Newest first"),
        "oldest": _("Oldest first"),
        "priority": _("Highest priority first"),
    }


def _millis(when: datetime) -> int:
    return int(when.timestamp() * 1000)


@login_required
def queue(request):
    form = QueueFilterForm(request.GET)
    filters = form.filters()
    page = form.page_number()
    size = settings.SMRC_QUEUE_PAGE_SIZE
    now = timezone.now()
    rows = list(queue_for(request.user, filters)[(page - 1) * size : page * size + 1])
    has_next = len(rows) > size
    brands = list(brands_for(request.user).only("pk", "name", "slug"))
    counts = queue_counts_for(request.user, filters)
    brand_names = {b.pk: b.name for b in brands}
    sorts = _sort_labels()
    filter_labels = [
        label
        for label in (
            brand_names.get(filters.brand) if filters.brand else None,
            TicketStatus(filters.status).label if filters.status != "active" else None,
            Priority(filters.priority).label if filters.priority else None,
            _("Mine") if filters.mine else None,
            _("Unassigned") if filters.unassigned else None,
            f"“{filters.q}”" if filters.q else None,
            sorts[filters.sort] if filters.sort != "due" else None,
        )
        if label
    ]
    views = view_rows_for(request.user, saved_views_for(request.user), QueueFilterForm)
    current_query = filters.as_query()
    team_ids = brand_ids_for(request.user, "view:team")
    context = {
        "tickets": rows[:size],
        "filters": filters,
        "page": page,
        "has_next": has_next,
        "brands": brands,
        "show_brand": len(brands) > 1,
        "counts": counts,
        # the other facets count active tickets only: beside a closed or resolved list they would mislead
        "facet_counts": filters.status == "active" or filters.status in ACTIVE_STATUSES,
        "statuses": [(s.value, s.label, counts.statuses.get(s.value, 0)) for s in ACTIVE_STATUSES],
        "other_statuses": [(s.value, s.label) for s in TicketStatus if s not in ACTIVE_STATUSES],
        "priorities": [(p.value, p.label, counts.priorities.get(p.value, 0)) for p in reversed(Priority)],
        "sorts": [(key, sorts[key]) for key in QUEUE_SORTS],
        "filter_labels": filter_labels,
        # an out-of-range or unknown filter falls back to the default, and the page says so with the field's name
        "ignored_filters": sorted(form.errors.items()),
        "refresh_seconds": settings.SMRC_QUEUE_REFRESH_SECONDS,
        # `Get next` for whoever works a brand (roles are cached on the user: no query)
        "can_take": brand_ids_for(request.user, "ticket:work") != [],
        "now": now,
        **workspace.queue_context(request, brands),
        "since": _millis(now),
        "views": views,
        "personal_views": [v for v in views if v.view.brand_id is None],
        "team_views": [v for v in views if v.view.brand_id is not None],
        "current_view": next((v.view.pk for v in views if v.query == current_query), None),
        "current_query": current_query,
        "team_brands": [b for b in brands if team_ids is None or b.pk in team_ids],
        "browser_alerts": browser_alerts_for(request.user),
        "news_query": urlencode(current_query),
    }
    if request.htmx and request.htmx.target == "queue-body":
        return render(request, "tickets/_queue_body.html", context)
    return render(request, "tickets/queue.html", context)


@login_required
def queue_news(request):
    """The count of tickets the queue would now show that arrived after the page was drawn, and the ones to
    announce (assigned to the user, urgent): a small answer polled every few seconds."""
    news_form = QueueNewsForm(request.GET)
    if not news_form.is_valid():
        return render(request, "tickets/_queue_news.html", {"news_form": news_form}, status=400)
    filters = QueueFilterForm(request.GET).filters()
    since = datetime.fromtimestamp(news_form.cleaned_data["since"] / 1000, tz=UTC)
    news = queue_news_for(request.user, filters, since)
    query = filters.as_query()
    return render(
        request,
        "tickets/_queue_news.html",
        {
            "news": news,
            "news_form": news_form,
            "since": news_form.cleaned_data["since"],
            "show_url": reverse("tickets:queue") + (f"?{urlencode(query)}" if query else ""),
            "news_query": urlencode(query),
            "refresh_seconds": settings.SMRC_QUEUE_REFRESH_SECONDS,
        },
    )


@login_required
@require_POST
def save_view(request):
    form = SaveViewForm(request.POST)
    filters = QueueFilterForm(request.POST).filters()
    if form.is_valid():
        try:
            view = view_service.save_view(
                user=request.user,
                name=form.cleaned_data["name"],
                filters=filters,
                team_brand_id=form.cleaned_data["team"],
            )
        except view_service.ViewError as error:
            form.add_error("name", str(error))
        else:
            messages.success(request, _("View “%(name)s” saved.") % {"name": view.name})
            query = view_filters(view, QueueFilterForm).as_query()  # a team view shows its own brand
            return HttpResponseRedirect(reverse("tickets:queue") + (f"?{urlencode(query)}" if query else ""))
    team_ids = brand_ids_for(request.user, "view:team")
    context = {
        "form": form,
        "current_query": filters.as_query(),
        "team_brands": [b for b in brands_for(request.user) if team_ids is None or b.pk in team_ids],
    }
    return render(request, "tickets/save_view.html", context, status=400)


@login_required
@require_POST
def delete_view(request, pk: int):
    view = get_view_for_user(request.user, pk)  # one's own or a team view of one's brands, else 404
    view_service.delete_view(user=request.user, view=view)
    messages.success(request, _("View “%(name)s” removed.") % {"name": view.name})
    return redirect("tickets:queue")


@login_required
@require_POST
def browser_alerts(request):
    form = BrowserAlertsForm(request.POST)
    enabled = bool(form.is_valid() and form.cleaned_data["enabled"])
    view_service.set_browser_alerts(user=request.user, enabled=enabled)
    if enabled:
        messages.success(request, _("Browser notifications are on for tickets assigned to you and urgent ones."))
    else:
        messages.success(request, _("Browser notifications are off."))
    return redirect("tickets:queue")


def home(request):
    """``/``: brand managers land on the reports, everyone else on the queue (anonymous: the queue asks to log in).
    Every method gets the same redirect; nothing is read but the user's roles."""
    return redirect(landing_url_name(request.user) if request.user.is_authenticated else "tickets:queue")
