"""The channel accounts page: for admins (every brand) and supervisors (their brands). Secrets are never shown,
only whether they are set; the webhook URL and verify token are shown to paste into the platform's console."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse

from brands.access import brand_ids_for, channel_accounts_for, is_admin

from ..services import inbound

WEBHOOK_ROUTES = {"x": "webhook_x", "facebook": "webhook_meta", "instagram": "webhook_meta"}


@login_required
def channel_accounts(request):
    # Refused only to who configures no brand: a supervisor whose brand has no account yet sees an empty page.
    if not is_admin(request.user) and not brand_ids_for(request.user, "brand:configure"):
        raise PermissionDenied
    accounts = list(channel_accounts_for(request.user, perm="brand:configure").select_related("brand"))
    stats = inbound.delivery_stats([a.pk for a in accounts])
    rows = []
    for account in accounts:
        route = WEBHOOK_ROUTES.get(account.platform)
        rows.append(
            {
                "account": account,
                "webhook_url": request.build_absolute_uri(reverse(route)) if route else "",
                "shows_verify_token": account.platform in ("facebook", "instagram"),
                "has_access_token": bool(account.access_token),
                "has_webhook_secret": bool(account.webhook_secret),
                "polled": account.platform in ("x", "youtube"),
                **stats.get(account.pk, {}),
            }
        )
    context = {"rows": rows, "admin": is_admin(request.user), "unrouted": inbound.unrouted_count(request.user)}
    return render(request, "tickets/channel_accounts.html", context)
