"""More of a brand's settings through the API (issue 17), in the style of ``settings.py`` and through the same
page forms and services, so validation, the brand's row lock and the audit record (``source`` ``api``) are the
pages':

- ``priority/``: routing (GET, PATCH: ``RoutingForm``), and the urgency terms, spam patterns and blocked authors
  (``POST`` a new one through the page's add forms, ``DELETE`` one): RE2 and the pattern budget apply as on the page.
- ``bounces/``: the review policy's bounce phrases (GET, PATCH through ``ReviewPolicyForm``).
- ``qa/``: the QA rubric and weekly share (GET, PATCH through ``QaSettingsForm`` and the criteria formset).
- ``webhooks/``: create (``POST``), one subscription (GET, PATCH name/URL/events/active, DELETE), its secret
  rotated (shown once, as on the page), its delivery log (cursor pages) and "send again" of one delivery.

Reading priority, bounces and QA needs ``settings:history`` (decision 73); changing them ``brand:configure``
(supervisors: a manager or read-only key 403, nothing changed). Webhooks are ``webhooks:manage`` for reads and
writes (decision 62). A brand out of scope, or a subscription, rule or delivery of another brand, 404."""

import copy

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from brands.access import get_brand_for_user, require
from brands.services import assignment as assignment_settings
from brands.services import priority as priority_rules
from brands.services import qa as rubric
from brands.services import webhooks
from smrc.bounds import ApiIdField, ApiIntegerField

from ..forms.priority import RoutingForm, add_rule_form
from ..forms.qa import CriteriaFormSet, QaSettingsForm
from ..forms.webhooks import WebhookForm
from ..services import hooks
from .schema import operation
from .serializers_more import (
    BlockedAuthorOut,
    BouncesIn,
    CheckedCursorPagination,
    CriterionIn,
    PatternRuleOut,
    PriorityOut,
    QaOut,
    UrgencyTermOut,
    WebhookOut,
    cursor_page,
)
from .settings import READ, SOURCE, BouncesArea, PriorityArea, QaArea, ReviewArea, WebhookSettingsView, _refused

TAGS = ["settings"]
CONFIGURE = "brand:configure"
HOOKS = "webhooks:manage"


def _service_refused(exc: DjangoValidationError) -> ValidationError:
    if hasattr(exc, "error_dict"):
        return ValidationError({k: [str(m) for m in v] for k, v in exc.message_dict.items()})
    return ValidationError({"detail": " ".join(exc.messages)})


def _writable(request, slug: str, perm: str = CONFIGURE):
    """The brand, for a caller who reads its settings (404 otherwise) and may change this area (403 otherwise)."""
    brand = get_brand_for_user(request.user, slug, perm=READ)
    require(request.user, brand.pk, perm)
    return brand


def _body(serializer_class, request, *, partial: bool = False) -> dict:
    body = serializer_class(data=request.data, partial=partial)
    body.is_valid(raise_exception=True)
    return dict(body.validated_data)


# --- serializers ----------------------------------------------------------------------------------------------


class RoutingIn(serializers.Serializer):
    """The routing part of the priority page: ``claim``, ``round_robin`` or ``load``; tickets per operator;
    minutes before an idle owner's ticket goes back to the queue (0: never)."""

    routing_mode = serializers.CharField(max_length=12, required=False)
    operator_capacity = ApiIntegerField(max_value=32767, required=False)
    idle_owner_minutes = ApiIntegerField(required=False)


class UrgencyTermIn(serializers.Serializer):
    pattern = serializers.CharField(max_length=200)
    is_regex = serializers.BooleanField(required=False, default=False)
    label = serializers.CharField(max_length=40)
    weight = ApiIntegerField(max_value=32767, required=False, default=20)


class SpamPatternIn(serializers.Serializer):
    pattern = serializers.CharField(max_length=200)
    is_regex = serializers.BooleanField(required=False, default=False)
    label = serializers.CharField(max_length=40)


class BlockedAuthorIn(serializers.Serializer):
    platform = serializers.CharField(max_length=20, help_text="x, facebook, instagram or youtube")
    handle = serializers.CharField(max_length=120, help_text="Without the @.")
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class QaIn(serializers.Serializer):
    """The QA page: the weekly share (%) and the rubric in order. Criteria not sent stay as they are, after
    those sent (a criterion is retired with ``is_active`` false, never deleted: old scorecards name it)."""

    sample_percent = ApiIntegerField(max_value=100, required=False)
    criteria = CriterionIn(many=True, required=False, max_length=20)


class WebhookIn(serializers.Serializer):
    name = serializers.CharField(max_length=80)
    url = serializers.CharField(max_length=2000, help_text="https on a public address.")
    events = serializers.ListField(child=serializers.CharField(max_length=40), max_length=20, allow_empty=False)


class WebhookPatchIn(WebhookIn):
    is_active = serializers.BooleanField(
        required=False, help_text="false pauses; true resumes (also after an automatic pause) and sends what waited."
    )


class WebhookSecretOut(WebhookOut):
    secret = serializers.CharField(help_text="Shown in this answer only: keep it now.")


class ResendIn(serializers.Serializer):
    delivery = ApiIdField()


class DeliveryOut(serializers.Serializer):
    id = serializers.IntegerField()
    event_id = serializers.UUIDField()
    kind = serializers.CharField()
    status = serializers.CharField()
    attempts = serializers.IntegerField()
    next_attempt_at = serializers.DateTimeField(allow_null=True)
    response_status = serializers.IntegerField(allow_null=True)
    response_excerpt = serializers.CharField()
    duration_ms = serializers.IntegerField(allow_null=True)
    resent_from = serializers.IntegerField(source="resent_from_id", allow_null=True)
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)


DeliveryPageOut = cursor_page("DeliveryPageOut", DeliveryOut)


# --- priority -------------------------------------------------------------------------------------------------


def _priority(brand) -> dict:
    return PriorityArea().read(brand)


class PrioritySettingsView(APIView):
    """``GET``: routing and the brand's urgency terms, spam patterns and blocked authors; ``PATCH``: routing."""

    @operation(
        "settings_priority_retrieve",
        ok={200: PriorityOut},
        errors=(403, 404),
        summary="Priority and routing",
        tags=TAGS,
    )
    def get(self, request, slug: str):
        brand = get_brand_for_user(request.user, slug, perm=READ)
        return Response(_priority(brand))

    @operation(
        "settings_priority_update",
        ok={200: PriorityOut},
        errors=(403, 404),
        body=RoutingIn,
        summary="Change: routing",
        tags=TAGS,
    )
    def patch(self, request, slug: str):
        brand = _writable(request, slug)
        sent = _body(RoutingIn, request, partial=True)
        current = {name: getattr(brand, name) for name in RoutingForm._meta.fields}
        form = RoutingForm({**current, **sent}, instance=copy.copy(brand))  # a form writes into its instance
        if not form.is_valid():
            raise _refused(form)
        assignment_settings.update_assignment(brand=brand, **form.cleaned_data, user=request.user, source=SOURCE)
        brand.refresh_from_db()
        return Response(_priority(brand))


def _rule_views(kind: str, body, out, summary: str):
    """``POST …/priority/<kind>/`` adds one (the page's add form, then the service), ``DELETE
    …/priority/<kind>/<id>/`` removes one."""

    class Add(APIView):
        @operation(
            f"settings_priority_{kind}_create",
            ok={201: out},
            errors=(403, 404),
            body=body,
            summary=f"Add: {summary}",
            tags=TAGS,
        )
        def post(self, request, slug: str):
            brand = _writable(request, slug)
            sent = _body(body, request)
            form = add_rule_form(kind, sent, brand=brand)
            if not form.is_valid():
                raise _refused(form)
            try:
                rule = priority_rules.add_rule(
                    brand=brand, kind=kind, user=request.user, source=SOURCE, **form.cleaned_data
                )
            except DjangoValidationError as exc:
                raise _service_refused(exc) from exc
            if hasattr(rule, "pattern"):
                (rule,) = priority_rules.with_problems([rule])
            return Response(out(rule).data, status=201)

    class Remove(APIView):
        @operation(
            f"settings_priority_{kind}_destroy",
            ok={204: None},
            errors=(403, 404),
            summary=f"Remove: {summary}",
            tags=TAGS,
        )
        def delete(self, request, slug: str, pk: int):
            brand = _writable(request, slug)
            if not priority_rules.delete_rule(brand=brand, kind=kind, pk=pk, user=request.user, source=SOURCE):
                raise Http404
            return Response(status=204)

    Add.__name__, Remove.__name__ = f"{kind.title()}RuleAddView", f"{kind.title()}RuleRemoveView"
    return Add, Remove


UrgencyAddView, UrgencyRemoveView = _rule_views("urgency", UrgencyTermIn, UrgencyTermOut, "an urgency term")
SpamAddView, SpamRemoveView = _rule_views("spam", SpamPatternIn, PatternRuleOut, "a spam pattern")
BlockedAddView, BlockedRemoveView = _rule_views("blocked", BlockedAuthorIn, BlockedAuthorOut, "a blocked author")


# --- bounce phrases -------------------------------------------------------------------------------------------


class BouncesSettingsView(APIView):
    """The bounce phrases of the review policy, through the review page's form and service."""

    @operation("settings_bounces_retrieve", ok={200: BouncesIn}, errors=(403, 404), summary="Bounce phrases", tags=TAGS)
    def get(self, request, slug: str):
        brand = get_brand_for_user(request.user, slug, perm=READ)
        return Response(BouncesArea().read(brand))

    @operation(
        "settings_bounces_update",
        ok={200: BouncesIn},
        errors=(403, 404),
        body=BouncesIn,
        summary="Change: bounce phrases",
        tags=TAGS,
    )
    def patch(self, request, slug: str):
        brand = _writable(request, slug)
        sent = _body(BouncesIn, request, partial=True)
        area = ReviewArea()
        area.save(request, brand, sent)
        return Response(BouncesArea().read(brand))


# --- QA rubric ------------------------------------------------------------------------------------------------


def _qa(brand) -> dict:
    return QaArea().read(brand)


class QaSettingsView(APIView):
    """The rubric and weekly share, through the QA page's forms and ``brands.services.qa.save_rubric``."""

    @operation("settings_qa_retrieve", ok={200: QaOut}, errors=(403, 404), summary="QA rubric", tags=TAGS)
    def get(self, request, slug: str):
        brand = get_brand_for_user(request.user, slug, perm=READ)
        return Response(_qa(brand))

    @operation(
        "settings_qa_update", ok={200: QaOut}, errors=(403, 404), body=QaIn, summary="Change: QA rubric", tags=TAGS
    )
    def patch(self, request, slug: str):
        brand = _writable(request, slug)
        sent = _body(QaIn, request, partial=True)
        current = _qa(brand)
        share = sent.get("sample_percent", current["sample_percent"])
        criteria = sent["criteria"] if "criteria" in sent else current["criteria"]
        form = QaSettingsForm({"sample_percent": share})
        data = {"c-TOTAL_FORMS": str(len(criteria)), "c-INITIAL_FORMS": "0"}
        for i, c in enumerate(criteria):
            data.update({f"c-{i}-{k}": v for k, v in c.items() if k != "is_active" and v is not None})
            if c.get("is_active", True):
                data[f"c-{i}-is_active"] = "on"
        rows = CriteriaFormSet(data, prefix="c")
        if not form.is_valid():
            raise _refused(form)
        if not rows.is_valid():
            errors = {
                f"criteria[{i}].{name}": [str(m) for m in messages]
                for i, row_errors in enumerate(rows.errors)
                for name, messages in row_errors.items()
            }
            if rows.non_form_errors():
                errors["detail"] = " ".join(str(m) for m in rows.non_form_errors())
            raise ValidationError(errors)
        try:
            rubric.save_rubric(
                brand=brand,
                sample_percent=form.cleaned_data["sample_percent"],
                rows=rows.rows(),
                user=request.user,
                source=SOURCE,
            )
        except DjangoValidationError as exc:
            raise _service_refused(exc) from exc
        return Response(_qa(brand))


# --- webhooks -------------------------------------------------------------------------------------------------


def _hooks_brand(request, slug: str):
    return get_brand_for_user(request.user, slug, perm=HOOKS)


def _subscription(brand, pk: int):
    try:
        return webhooks.get_subscription(brand, pk)
    except ObjectDoesNotExist:
        raise Http404 from None


def _with_secret(sub) -> dict:
    return {**WebhookOut(sub).data, "secret": sub.secret}


def _webhook_form(values: dict) -> WebhookForm:
    form = WebhookForm(values)
    if not form.is_valid():
        raise _refused(form)
    return form


class WebhookListView(WebhookSettingsView):
    """``GET …/webhooks/``: the subscriptions (``settings.py``); ``POST``: a new one, sending at once, its secret
    in this answer only."""

    @operation(
        "settings_webhooks_create",
        ok={201: WebhookSecretOut},
        errors=(403, 404),
        body=WebhookIn,
        summary="Add an outbound webhook",
        tags=TAGS,
    )
    def post(self, request, slug: str):
        brand = _hooks_brand(request, slug)
        form = _webhook_form(_body(WebhookIn, request))
        try:
            sub = webhooks.create(brand=brand, user=request.user, source=SOURCE, **form.cleaned_data)
        except DjangoValidationError as exc:
            raise _service_refused(exc) from exc
        return Response(_with_secret(sub), status=201)


class WebhookDetailView(APIView):
    """One subscription (secret: only whether set); PATCH name, URL, events, active; DELETE."""

    @operation("settings_webhook_retrieve", ok={200: WebhookOut}, errors=(403, 404), summary="A webhook", tags=TAGS)
    def get(self, request, slug: str, pk: int):
        return Response(WebhookOut(_subscription(_hooks_brand(request, slug), pk)).data)

    @operation(
        "settings_webhook_update",
        ok={200: WebhookOut},
        errors=(403, 404),
        body=WebhookPatchIn,
        summary="Change a webhook",
        tags=TAGS,
    )
    def patch(self, request, slug: str, pk: int):
        sub = _subscription(_hooks_brand(request, slug), pk)
        sent = _body(WebhookPatchIn, request, partial=True)
        active = sent.pop("is_active", None)
        if sent:
            form = _webhook_form({**WebhookForm.initial_from(sub), **sent})
            try:
                sub = webhooks.update(sub=sub, user=request.user, source=SOURCE, **form.cleaned_data)
            except DjangoValidationError as exc:
                raise _service_refused(exc) from exc
        if active is True:
            sub = hooks.resume(sub=sub, user=request.user, source=SOURCE)
        elif active is False:
            sub = webhooks.set_active(sub=sub, active=False, user=request.user, source=SOURCE)
        return Response(WebhookOut(sub).data)

    @operation("settings_webhook_destroy", ok={204: None}, errors=(403, 404), summary="Delete a webhook", tags=TAGS)
    def delete(self, request, slug: str, pk: int):
        sub = _subscription(_hooks_brand(request, slug), pk)
        webhooks.delete(sub=sub, user=request.user, source=SOURCE)
        return Response(status=204)


class WebhookRotateView(APIView):
    @operation(
        "settings_webhook_rotate",
        ok={200: WebhookSecretOut},
        errors=(403, 404),
        summary="A new secret for a webhook (in this answer only)",
        tags=TAGS,
    )
    def post(self, request, slug: str, pk: int):
        sub = _subscription(_hooks_brand(request, slug), pk)
        return Response(_with_secret(webhooks.rotate_secret(sub=sub, user=request.user, source=SOURCE)))


class DeliveryPagination(CheckedCursorPagination):
    """Newest first, by id; a cursor stays valid while deliveries are added."""

    ordering = "-pk"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


CURSOR = OpenApiParameter("cursor", OpenApiTypes.STR, description="The `next` or `previous` link's cursor.")
PAGE_SIZE = OpenApiParameter("page_size", OpenApiTypes.INT, description="At most 200; 50 when not given.")


class WebhookDeliveriesView(APIView):
    @operation(
        "settings_webhook_deliveries_list",
        ok={200: DeliveryPageOut},
        errors=(403, 404),
        summary="A webhook's delivery log",
        tags=TAGS,
        parameters=[CURSOR, PAGE_SIZE],
    )
    def get(self, request, slug: str, pk: int):
        sub = _subscription(_hooks_brand(request, slug), pk)
        paginator = DeliveryPagination()
        page = paginator.paginate_queryset(hooks.delivery_log(sub), request, view=self)
        return paginator.get_paginated_response(DeliveryOut(page, many=True).data)


class WebhookResendView(APIView):
    """``POST …/again/``: one new delivery of a delivery's event (the same ``event_id`` and body); a second call
    while the first is recent or waiting answers that one. A paused webhook: 409."""

    @operation(
        "settings_webhook_send_again",
        ok={201: DeliveryOut},
        errors=(403, 404, 409),
        body=ResendIn,
        summary="Send a delivery again",
        tags=TAGS,
    )
    def post(self, request, slug: str, pk: int):
        sub = _subscription(_hooks_brand(request, slug), pk)
        sent = _body(ResendIn, request)
        try:
            original = hooks.get_delivery(sub, sent["delivery"])
        except ObjectDoesNotExist:
            raise Http404 from None
        try:
            again = hooks.send_again(delivery=original)
        except DjangoValidationError as exc:
            return Response({"detail": " ".join(exc.messages)}, status=409)
        return Response(DeliveryOut(again).data, status=201)
