"""A brand's outbound webhooks (docs/api.md, "Webhooks"): its subscriptions, each with its delivery log, for
holders of ``webhooks:manage`` (supervisors). A secret is shown once, in the answer that created or rotated it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from brands.access import get_brand_for_user
from brands.services import webhooks

from ..forms.webhooks import ResendForm, WebhookForm
from ..services import hooks

PERM = "webhooks:manage"


def _errors(form, exc: ValidationError) -> None:
    for message in exc.messages:
        form.add_error(None, message)


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def webhook_list(request, slug: str):
    """The brand's subscriptions and the form adding one; a new one's secret is shown in the answer, once."""
    brand = get_brand_for_user(request.user, slug, perm=PERM)
    created, status = None, 200
    form = WebhookForm()
    if request.method == "POST":
        form = WebhookForm(request.POST)
        if form.is_valid():
            try:
                created = webhooks.create(brand=brand, user=request.user, **form.cleaned_data)
            except ValidationError as exc:
                _errors(form, exc)
            else:
                form = WebhookForm()
        status = 200 if created else 400
    context = {"brand": brand, "form": form, "subscriptions": list(webhooks.subscriptions_of(brand)), "new": created}
    return render(request, "tickets/webhook_list.html", context, status=status)


ACTIONS = ("update", "rotate", "pause", "resume", "delete", "again")


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def webhook_detail(request, slug: str, pk: int):
    """One subscription: its settings, its secret rotated, paused or resumed, deleted; its delivery log with
    "send again"."""
    brand = get_brand_for_user(request.user, slug, perm=PERM)
    try:
        sub = webhooks.get_subscription(brand, pk)
    except ObjectDoesNotExist:
        raise Http404 from None
    form, resend, rotated, status = WebhookForm(initial=WebhookForm.initial_from(sub)), ResendForm(), None, 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in ACTIONS:
            status = 400
        elif action == "update":
            form = WebhookForm(request.POST)
            if form.is_valid():
                try:
                    webhooks.update(sub=sub, user=request.user, **form.cleaned_data)
                except ValidationError as exc:
                    _errors(form, exc)
                else:
                    messages.success(request, _("Webhook saved."))
                    return redirect("tickets:webhook", slug=brand.slug, pk=sub.pk)
            status = 400
        elif action == "rotate":
            sub = rotated = webhooks.rotate_secret(sub=sub, user=request.user)
        elif action in ("pause", "resume"):
            if action == "pause":
                webhooks.set_active(sub=sub, active=False, user=request.user)
                messages.success(request, _("Webhook paused: events are no longer sent to it."))
            else:
                hooks.resume(sub=sub, user=request.user)
                messages.success(request, _("Webhook resumed: what waited is sent now."))
            return redirect("tickets:webhook", slug=brand.slug, pk=sub.pk)
        elif action == "delete":
            webhooks.delete(sub=sub, user=request.user)
            messages.success(request, _("Webhook deleted."))
            return redirect("tickets:webhooks", slug=brand.slug)
        else:
            resend = ResendForm(request.POST)
            if resend.is_valid():
                try:
                    original = hooks.get_delivery(sub, resend.cleaned_data["delivery"])
                except ObjectDoesNotExist:
                    raise Http404 from None
                try:
                    hooks.send_again(delivery=original)
                except ValidationError as exc:
                    messages.error(request, " ".join(exc.messages))
                else:
                    messages.success(request, _("Sent again: the new delivery is at the top of the log."))
                return redirect("tickets:webhook", slug=brand.slug, pk=sub.pk)
            status = 400
    context = {
        "brand": brand,
        "sub": sub,
        "form": form,
        "resend_form": resend,
        "rotated": rotated,
        "deliveries": hooks.deliveries_of(sub),
    }
    return render(request, "tickets/webhook_detail.html", context, status=status)
