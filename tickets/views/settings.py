"""Brand settings for supervisors: SLA targets, business hours, holidays and warnings; and the brand's settings
history (its configuration audit trail) for supervisors and managers."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from brands.access import brands_for, get_brand_for_user
from brands.models import ConfigArea, ConfigSource
from brands.services import goals
from brands.services.audit import history_for
from brands.services.sla import current_settings, update_sla_settings
from smrc.bounds import parse_int

from ..forms.settings import GoalsForm, SlaSettingsForm


@login_required
def settings_index(request):
    """Every brand with a settings page the user may open, and the links to those pages only. No redirect to a
    single brand's SLA page: from here a one-brand supervisor also reaches the channel accounts."""
    seen = {}
    for perm in ("brand:configure", "goals:edit", "settings:history"):
        for brand in brands_for(request.user, perm=perm).order_by("name"):
            seen.setdefault(brand.pk, brand)
    brands = sorted(seen.values(), key=lambda b: b.name)
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


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def goal_settings(request, slug: str):
    """The brand's goals, set by its managers and supervisors; the report shows every figure against them. A save
    answers the page again (200) with what changed, so a manager's one write stays on one page."""
    brand = get_brand_for_user(request.user, slug, perm="goals:edit")
    saved = False
    if request.method == "POST":
        form = GoalsForm(request.POST)
        if form.is_valid():
            goals.set_goals(brand=brand, targets=form.targets(), user=request.user)  # with its record
            saved = True
            form = GoalsForm(initial=GoalsForm.initial_from(goals.goals_for(brand)))
        status = 200 if saved else 400
    else:
        form = GoalsForm(initial=GoalsForm.initial_from(goals.goals_for(brand)))
        status = 200
    context = {"brand": brand, "form": form, "saved": saved}
    return render(request, "tickets/goal_settings.html", context, status=status)


HISTORY_PAGE_SIZE = 50
#: the longest value shown in the history; longer ones (a snippet's body) end in "…"
HISTORY_VALUE_CHARS = 160
#: the objects and verbs of ``ConfigChange.kind`` (``snippet.archived``) in words
HISTORY_OBJECTS = {
    "brand": gettext_lazy("Brand"),
    "sla_settings": gettext_lazy("SLA settings"),
    "sla_policy": gettext_lazy("SLA targets"),
    "review_policy": gettext_lazy("Review policy"),
    "assignment": gettext_lazy("Assignment"),
    "operator_profile": gettext_lazy("Operator profile"),
    "urgency_term": gettext_lazy("Urgency term"),
    "spam_pattern": gettext_lazy("Spam pattern"),
    "blocked_author": gettext_lazy("Blocked author"),
    "snippet": gettext_lazy("Snippet"),
    "product": gettext_lazy("Product"),
    "channel_account": gettext_lazy("Channel account"),
    "listening_rule": gettext_lazy("Listening rule"),
    "goals": gettext_lazy("Goals"),
    "api_key": gettext_lazy("API key"),
    "csat_settings": gettext_lazy("Survey settings"),
    "qa_rubric": gettext_lazy("QA rubric"),
}
HISTORY_VERBS = {
    "created": gettext_lazy("created"),
    "updated": gettext_lazy("changed"),
    "deleted": gettext_lazy("deleted"),
    "published": gettext_lazy("published"),
    "archived": gettext_lazy("archived"),
    "restored": gettext_lazy("restored"),
    "revoked": gettext_lazy("revoked"),
}


def _shown(value) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= HISTORY_VALUE_CHARS else text[: HISTORY_VALUE_CHARS - 1] + "…"


def _diff(change) -> list[dict]:
    """Each changed value: its name, and what it was and became (``None``: absent on that side)."""
    rows = []
    for key in dict.fromkeys([*change.before, *change.after]):
        rows.append(
            {
                "key": key,
                "before": _shown(change.before[key]) if key in change.before else None,
                "after": _shown(change.after[key]) if key in change.after else None,
            }
        )
    return rows


@login_required
@require_safe
def settings_history(request, slug: str):
    """The brand's configuration changes, newest first: who (or which source), when, what and before → after."""
    brand = get_brand_for_user(request.user, slug, perm="settings:history")
    page = Paginator(history_for(brand), HISTORY_PAGE_SIZE).get_page(parse_int(request.GET.get("page", 1)) or 1)
    areas, sources = dict(ConfigArea.choices), dict(ConfigSource.choices)
    rows = []
    for change in page:
        thing, _sep, verb = change.kind.partition(".")
        rows.append(
            {
                "change": change,
                "area": areas.get(change.area, change.area),
                "source": sources.get(change.source, change.source),
                "what": HISTORY_OBJECTS.get(thing, thing),
                "verb": HISTORY_VERBS.get(verb, verb),
                "diff": _diff(change),
            }
        )
    return render(request, "tickets/settings_history.html", {"brand": brand, "page": page, "rows": rows})
