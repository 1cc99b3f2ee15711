"""In-app notifications: the list, the unread badge (loaded by htmx so pages keep their query count), and
marking them read."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from ..selectors.notifications import notifications_for

PAGE = 100


@login_required
def notification_list(request):
    items = list(
        notifications_for(request.user).select_related("ticket", "brand").order_by("-created_at", "-pk")[:PAGE]
    )
    return render(request, "tickets/notifications.html", {"items": items})


@login_required
def notification_badge(request):
    unread = notifications_for(request.user).filter(read_at__isnull=True).count()
    return render(request, "tickets/_notification_badge.html", {"unread": unread})


@login_required
@require_POST
def notifications_read(request):
    notifications_for(request.user).filter(read_at__isnull=True).update(read_at=timezone.now())
    return redirect("tickets:notifications")
