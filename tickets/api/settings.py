"""A brand's settings through the API: read as one document or area by area, changed area by area (PATCH: the
fields sent, over the values as they are) through the settings pages' own forms and services, so the validation
and the audit record (``source`` ``api``) are the pages'.

Reading needs ``settings:history`` (supervisors and managers, and read-only keys: who reads the brand's settings
history already reads every value in it); changing an area needs what its page needs: ``brand:configure`` for the
SLA, review and survey settings (supervisors), ``goals:edit`` for the goals (managers too). A brand out of scope
404, in scope without the capability 403, nothing changed. Webhooks are read here by who manages them
(``webhooks:manage``; their secrets: only whether set); they are changed in ``settings_more.py``. Areas: ``sla``,
``review``, ``csat``, ``goals``, ``webhooks``; the document also holds ``priority``, ``bounces`` and ``qa``, read
here as their endpoints in ``settings_more.py`` answer them (one reading of each, :class:`PriorityArea`,
:class:`BouncesArea`, :class:`QaArea`)."""

from decimal import Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiResponse
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from brands.access import get_brand_for_user, has_perm, require
from brands.services import csat as csat_settings
from brands.services import goals, review_policy, webhooks
from brands.services import priority as priority_rules
from brands.services import qa as rubric
from brands.services.sla import current_settings, update_sla_settings

from ..forms.csat import CsatSettingsForm
from ..forms.qa import criteria_initial
from ..forms.review import ReviewPolicyForm
from ..forms.settings import GoalsForm, SlaSettingsForm
from ..selectors.review import review_policy_for
from ..services.priority import DEFAULT_URGENCY_TERMS
from .schema import operation
from .serializers_more import (
    BouncesIn,
    CsatSettingsIn,
    GoalsIn,
    PriorityOut,
    QaOut,
    ReviewSettingsIn,
    SettingsOut,
    SlaSettingsIn,
    WebhookOut,
)

TAGS = ["settings"]
READ = "settings:history"
SOURCE = "api"


def _refused(form) -> ValidationError:
    errors = {name: [str(m) for m in messages] for name, messages in form.errors.items()}
    if "__all__" in errors:
        errors["detail"] = " ".join(errors.pop("__all__"))
    return ValidationError(errors)


def _plain(value):
    if isinstance(value, Decimal):
        return float(value)
    return value


class Area:
    """One settings page: its capability to change, its values as its form holds them, and its save."""

    key = ""
    perm = "brand:configure"
    body = None

    def read(self, brand) -> dict:
        raise NotImplementedError

    def save(self, request, brand, values: dict) -> None:
        raise NotImplementedError


class SlaArea(Area):
    key, body = "sla", SlaSettingsIn

    def read(self, brand) -> dict:
        return SlaSettingsForm.initial_from(current_settings(brand))

    def save(self, request, brand, values):
        form = SlaSettingsForm({**self.read(brand), **values})
        if not form.is_valid():
            raise _refused(form)
        update_sla_settings(brand=brand, settings=form.to_settings(), user=request.user, source=SOURCE)


class ReviewArea(Area):
    key, body = "review", ReviewSettingsIn

    def read(self, brand) -> dict:
        form = ReviewPolicyForm(instance=review_policy_for(brand))
        return {name: form.initial.get(name) for name in review_policy.POLICY_FIELDS}

    def save(self, request, brand, values):
        data = {k: ("" if v is None else v) for k, v in {**self.read(brand), **values}.items()}
        form = ReviewPolicyForm(data, instance=review_policy_for(brand))
        if not form.is_valid():
            raise _refused(form)
        try:
            review_policy.update_review_policy(brand=brand, values=form.cleaned_data, user=request.user, source=SOURCE)
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}) from exc


class CsatArea(Area):
    key, body = "csat", CsatSettingsIn

    def read(self, brand) -> dict:
        form = CsatSettingsForm(instance=csat_settings.settings_or_default(brand))
        return {name: form.initial.get(name) for name in csat_settings.SETTINGS_FIELDS}

    def save(self, request, brand, values):
        data = {k: ("" if v is None else v) for k, v in {**self.read(brand), **values}.items()}
        form = CsatSettingsForm(data, instance=csat_settings.settings_or_default(brand))
        if not form.is_valid():
            raise _refused(form)
        try:
            csat_settings.update_csat_settings(brand=brand, values=form.cleaned_data, user=request.user, source=SOURCE)
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}) from exc


class GoalsArea(Area):
    key, body, perm = "goals", GoalsIn, "goals:edit"

    def read(self, brand) -> dict:
        shown = GoalsForm.initial_from(goals.goals_for(brand))
        return {m.key: float(shown[m.key]) if m.key in shown else None for m in goals.GOAL_METRICS}

    def save(self, request, brand, values):
        data = {k: ("" if v is None else v) for k, v in {**self.read(brand), **values}.items()}
        form = GoalsForm(data)
        if not form.is_valid():
            raise _refused(form)
        try:
            goals.set_goals(brand=brand, targets=form.targets(), user=request.user, source=SOURCE)
        except DjangoValidationError as exc:
            raise ValidationError({"detail": exc.messages}) from exc


class PriorityArea(Area):
    """Routing, and the brand's urgency terms, spam patterns and blocked authors (``settings_more.py`` changes
    them: routing by PATCH, a rule by POST or DELETE). Three queries."""

    key = "priority"

    def read(self, brand) -> dict:
        return PriorityOut(
            {
                "routing_mode": brand.routing_mode,
                "operator_capacity": brand.operator_capacity,
                "idle_owner_minutes": brand.idle_owner_minutes,
                "default_urgency_terms": list(DEFAULT_URGENCY_TERMS),
                "urgency_terms": priority_rules.with_problems(brand.urgency_terms.all()),
                "spam_patterns": priority_rules.with_problems(brand.spam_patterns.all()),
                "blocked_authors": list(brand.blocked_authors.all()),
            }
        ).data


BOUNCE_FIELDS = ("review_bounces", "bounce_defaults", "bounce_terms")


class BouncesArea(Area):
    """The review policy's bounce phrases (changed through the review form in ``settings_more.py``)."""

    key = "bounces"

    def read(self, brand, review: dict | None = None) -> dict:
        """``review``: the review area as already read (the combined document), else read here."""
        values = review if review is not None else ReviewArea().read(brand)
        return BouncesIn({k: values[k] for k in BOUNCE_FIELDS}).data


class QaArea(Area):
    """The QA rubric (every criterion, retired ones too) and the weekly share; two queries."""

    key = "qa"

    def read(self, brand) -> dict:
        return QaOut(
            {
                "sample_percent": rubric.settings_for(brand).sample_percent,
                "criteria": criteria_initial(rubric.criteria_for(brand, active_only=False)),
            }
        ).data


class WebhooksArea(Area):
    key, perm = "webhooks", "webhooks:manage"

    def read(self, brand) -> list:
        return WebhookOut(webhooks.subscriptions_of(brand), many=True).data


AREAS = {
    area.key: area
    for area in (
        SlaArea(),
        ReviewArea(),
        CsatArea(),
        GoalsArea(),
        PriorityArea(),
        BouncesArea(),
        QaArea(),
        WebhooksArea(),
    )
}
WRITABLE = ("sla", "review", "csat", "goals")
#: the areas the caller may change, named in ``can_change``: these four here, the others in ``settings_more.py``
CHANGEABLE = (*WRITABLE, "priority", "bounces", "qa")


def _read_all(request, brand) -> dict:
    """Every area, each as its own endpoint answers it (the bounce phrases from the review area as read); the
    webhooks only for who manages them (decision 62: a manager reads nothing of them)."""
    found = {key: {k: _plain(v) for k, v in AREAS[key].read(brand).items()} for key in WRITABLE}
    found["priority"] = AREAS["priority"].read(brand)
    found["bounces"] = AREAS["bounces"].read(brand, review=found["review"])
    found["qa"] = AREAS["qa"].read(brand)
    if has_perm(request.user, brand.pk, AREAS["webhooks"].perm):
        found["webhooks"] = AREAS["webhooks"].read(brand)
    return found


class SettingsView(APIView):
    """``GET /api/v1/settings/<brand>/``: every area of the brand's settings, and which the caller may change."""

    @operation("settings_retrieve", ok={200: SettingsOut}, errors=(403, 404), summary="A brand's settings", tags=TAGS)
    def get(self, request, slug: str):
        brand = get_brand_for_user(request.user, slug, perm=READ)
        can = [key for key in CHANGEABLE if has_perm(request.user, brand.pk, AREAS[key].perm)]
        return Response({"brand": brand.slug, **_read_all(request, brand), "can_change": can})


class AreaView(APIView):
    """``GET /api/v1/settings/<brand>/<area>/``: the area's values; ``PATCH``: change the fields sent."""

    area: Area

    def get(self, request, slug: str):
        brand = get_brand_for_user(request.user, slug, perm=READ)
        return Response({k: _plain(v) for k, v in self.area.read(brand).items()})

    def patch(self, request, slug: str):
        brand = get_brand_for_user(request.user, slug, perm=READ)
        require(request.user, brand.pk, self.area.perm)
        body = self.area.body(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        sent = {k: v for k, v in request.data.items() if k in body.validated_data}
        self.area.save(request, brand, sent)
        return Response({k: _plain(v) for k, v in self.area.read(brand).items()})


def _area_view(area_key: str, summary: str):
    area = AREAS[area_key]
    out = OpenApiResponse(area.body, description="The area's values after the change.")

    def get(self, request, slug: str):
        return AreaView.get(self, request, slug)

    def patch(self, request, slug: str):
        return AreaView.patch(self, request, slug)

    methods = {
        "area": area,
        "get": operation(
            f"settings_{area_key}_retrieve",
            ok={200: OpenApiResponse(area.body, description="The area's values, as its PATCH reads them.")},
            errors=(403, 404),
            summary=summary,
            tags=TAGS,
        )(get),
        "patch": operation(
            f"settings_{area_key}_update",
            ok={200: out},
            errors=(403, 404),
            body=area.body,
            summary=f"Change: {summary}",
            tags=TAGS,
        )(patch),
    }
    return type(f"{area_key.title()}SettingsView", (AreaView,), methods)


SlaSettingsView = _area_view("sla", "SLA targets, business hours and holidays")
ReviewSettingsView = _area_view("review", "Review policy")
CsatSettingsView = _area_view("csat", "Customer satisfaction survey settings")
GoalsSettingsView = _area_view("goals", "The brand's goals")


class WebhookSettingsView(APIView):
    """``GET /api/v1/settings/<brand>/webhooks/``: the outbound webhooks (secrets: only whether set), for who
    manages them (``webhooks:manage``, as their page: supervisors; a manager 403)."""

    @operation(
        "settings_webhooks_list",
        ok={200: WebhookOut(many=True)},
        errors=(403, 404),
        summary="Outbound webhooks",
        tags=TAGS,
    )
    def get(self, request, slug: str):
        brand = get_brand_for_user(request.user, slug, perm=AREAS["webhooks"].perm)
        return Response(AREAS["webhooks"].read(brand))
