"""Brand settings for supervisors: SLA targets, business hours, holidays and warnings."""

from dataclasses import asdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from brands.access import brands_for, get_brand_for_user
from brands.services.sla_settings import current_settings, update_sla_settings

from .. import events
from ..forms.settings import SlaSettingsForm


@login_required
def settings_index(request):
    brands = list(brands_for(request.user, perm="brand:configure"))
    if len(brands) == 1:
        return redirect("tickets:sla_settings", slug=brands[0].slug)
    return render(request, "tickets/settings_index.html", {"brands": brands})


def _jsonable(settings) -> dict:
    data = asdict(settings)
    data["hours"] = {str(d): [f"{a:%H:%M}-{b:%H:%M}" for a, b in p] for d, p in settings.hours.items()}
    data["holidays"] = {d.isoformat(): n for d, n in settings.holidays.items()}
    data["targets"] = {str(p): list(m) for p, m in settings.targets.items()}
    return data


@login_required
def sla_settings(request, slug: str):
    brand = get_brand_for_user(request.user, slug, perm="brand:configure")
    if request.method == "POST":
        form = SlaSettingsForm(request.POST)
        if form.is_valid():
            after = form.to_settings()
            with transaction.atomic():
                before = update_sla_settings(brand=brand, settings=after)  # None: already so (a repeat)
                if before is not None:
                    events.settings_changed(
                        brand,
                        actor=request.user,
                        kind="settings.sla_changed",
                        before=_jsonable(before),
                        after=_jsonable(after),
                    )
            messages.success(request, _("Settings saved. New deadlines follow them from now on."))
            return redirect("tickets:sla_settings", slug=brand.slug)
        status = 400
    else:
        form = SlaSettingsForm(initial=SlaSettingsForm.initial_from(current_settings(brand)))
        status = 200
    return render(request, "tickets/sla_settings.html", {"brand": brand, "form": form}, status=status)
