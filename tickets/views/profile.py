"""The person's own profile page: their API keys (create, shown once; revoke; when each was last used)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from brands.services import api_keys

from ..forms.profile import ApiKeyForm


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def profile(request):
    """GET: the keys; POST: a new key, whose token this answer shows once (never again: only its digest is
    kept), so it is rendered here rather than after a redirect."""
    created = None
    status = 200
    if request.method == "POST":
        form = ApiKeyForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                created = api_keys.create_key(
                    user=request.user,
                    name=form.cleaned_data["name"],
                    scope=form.cleaned_data["scope"],
                    brand_slugs=form.cleaned_data["brands"],
                )
            except api_keys.KeyRefused:
                form.add_error(None, _("You already hold %(n)d keys: revoke one first.") % {"n": api_keys.MAX_KEYS})
                status = 400
            else:
                form = ApiKeyForm(user=request.user)
        else:
            status = 400
    else:
        form = ApiKeyForm(user=request.user)
    context = {"form": form, "keys": api_keys.keys_of(request.user), "created": created}
    response = render(request, "tickets/profile.html", context, status=status)
    if created:
        response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def revoke_key(request, pk: int):
    try:
        key = api_keys.revoke_key(user=request.user, key_id=pk)
    except api_keys.KeyNotFound as exc:
        raise Http404 from exc
    messages.success(request, _("The key “%(name)s” is revoked.") % {"name": key.name})
    return redirect("tickets:profile")
