"""CSAT: the public rating page a survey links to (no login), and the brand's survey settings page.

The rating page reads its token through ``tickets.services.csat.read_token`` (a forged or unknown token is a 404,
an expired or already answered one a 410, and nothing changes), answers in the survey's language with a switch
(``?lang=id|en``), takes one answer through ``csat_answers.answer`` (race-safe), checks CSRF like every form, and
answers 429 past ``SMRC_CSAT_REQUESTS_PER_MINUTE`` requests a minute from one address (django-ratelimit).
"""

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_ratelimit.core import get_usage

from brands.access import get_brand_for_user
from brands.models import Platform
from brands.services import csat as csat_settings

from ..forms.csat import CsatSettingsForm, RatingForm
from ..services import csat, csat_answers

logger = logging.getLogger(__name__)

LANGUAGES = {"id": "Bahasa Indonesia", "en": "English"}


def _throttled(request) -> bool:
    rate = f"{settings.SMRC_CSAT_REQUESTS_PER_MINUTE}/m"
    try:
        usage = get_usage(request, group="csat.rate", key="ip", rate=rate, method=("GET", "POST"), increment=True)
    except Exception:  # the cache is down: the page signs nothing and writes at most one answer per survey
        logger.warning("could not count CSAT page requests; letting it through", exc_info=True)
        return False
    return bool(usage and usage["should_limit"])


def _language(request, survey) -> str:
    chosen = request.GET.get("lang", "")
    if chosen in LANGUAGES:
        return chosen
    return survey.language if survey is not None and survey.language in LANGUAGES else "id"


def _page(request, template: str, language: str, context: dict, status: int):
    with translation.override(language):
        response = render(
            request,
            template,
            {**context, "language": language, "languages": LANGUAGES, "path": request.path},
            status=status,
        )
    response["Content-Language"] = language
    response["Cache-Control"] = "no-store"
    # the token is in the address: never passed to another site (and "same-origin", not "no-referrer", so the
    # browser still sends the Origin that the CSRF check compares)
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex"
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def rate(request, token: str):
    """The one-question rating page."""
    if _throttled(request):
        response = _page(request, "csat/gone.html", _language(request, None), {"reason": "throttled"}, 429)
        response["Retry-After"] = "60"
        return response
    try:
        survey = csat.read_token(token)
    except csat.TokenError as exc:
        return _page(request, "csat/gone.html", _language(request, exc.survey), {"reason": exc.code}, exc.status)
    language = _language(request, survey)
    if request.method == "POST":
        with translation.override(language):
            form = RatingForm(request.POST)
            valid = form.is_valid()
        if valid:
            try:
                csat_answers.answer(
                    survey=survey, rating=form.cleaned_data["rating"], comment=form.cleaned_data["comment"]
                )
            except csat_answers.AlreadyAnswered:
                return _page(request, "csat/gone.html", language, {"reason": "answered"}, 410)
            return _page(request, "csat/thanks.html", language, {"survey": survey}, 200)
        status = 400
    else:
        form = RatingForm()
        status = 200
    return _page(request, "csat/rate.html", language, {"survey": survey, "form": form}, status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def csat_settings_page(request, slug: str):
    """The brand's survey settings, for its supervisors; every save with its audit record."""
    brand = get_brand_for_user(request.user, slug, perm="brand:configure")
    current = csat_settings.settings_or_default(brand)
    if request.method == "POST":
        form = CsatSettingsForm(request.POST, instance=current)
        if form.is_valid():
            csat_settings.update_csat_settings(brand=brand, values=form.cleaned_data, user=request.user)
            messages.success(request, _("Survey settings saved. They apply to tickets resolved from now on."))
            return redirect("tickets:csat_settings", slug=brand.slug)
        status = 400
    else:
        form = CsatSettingsForm(instance=current)
        status = 200
    rules = [
        {"platform": p, "label": Platform(p).label, "dm": rule.dm, "public": rule.public, "why": rule.why}
        for p, rule in csat_settings.PLATFORM_RULES.items()
    ]
    return render(request, "tickets/csat_settings.html", {"brand": brand, "form": form, "rules": rules}, status=status)
