"""Brand settings for supervisors: SLA targets, business hours, holidays and warnings."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from brands.access import brands_for, get_brand_for_user
from brands.services.sla import current_settings, update_sla_settings

from ..forms_settings import SlaSettingsForm


@login_required
def settings_index(request):
    brands = list(brands_for(request.user, perm="brand:configure"))
    if len(brands) == 1:
        return redirect("tickets:sla_settings", slug=brands[0].slug)
    return render(request, "tickets/settings_index.html", {"brands": brands})


@login_required
def sla_settings(request, slug: str):
    brand = get_brand_for_user(request.user, slug, perm="brand:configure")
    if request.method == "POST":
        form = SlaSettingsForm(request.POST)
        if form.is_valid():
            update_sla_settings(brand=brand, settings=form.to_settings(), user=request.user)  # with its record
            messages.success(request, _("Settings saved. New deadlines follow them from now on."))
            return redirect("tickets:sla_settings", slug=brand.slug)
        status = 400
    else:
        form = SlaSettingsForm(initial=SlaSettingsForm.initial_from(current_settings(brand)))
        status = 200
    return render(request, "tickets/sla_settings.html", {"brand": brand, "form": form}, status=status)
