"""Boundaries: every form and API field that takes a number or text refuses hostile values — past 2^63,
negative, non-ASCII digits, huge strings, NUL bytes, deeply nested JSON — with the field named, and writes
nothing. Never a 500.

The fields are found by walking the project's forms (every ``BaseForm`` subclass in ``brands`` and ``tickets``)
and the API's input serializers (``tickets.api.serializers.*In``, ``tickets.api.serializers_more.*In``), so a new
field is covered without touching this file:
first a structural check (every whole number and every text has a bound), then Hypothesis properties on each
form and serializer, then the same values sent over HTTP to every page and endpoint that takes them.
"""

import importlib
import json
from dataclasses import dataclass, field
from io import StringIO
from typing import Any
from zoneinfo import ZoneInfo

import django_filters
import pytest
from django import forms
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.core.validators import MaxValueValidator
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework import serializers

from brands.models import Brand, ReviewPolicy
from brands.services import webhooks
from brands.services.config import ConfigError, apply_config
from brands.services.csat import update_csat_settings
from brands.services.qa import default_criteria
from brands.services.sla import current_settings
from smrc.bounds import ID_MAX
from tests.factories import make_snippet, make_ticket
from tests.helpers import KeyedAPIClient, db_state, keyed
from tickets.api import qa as qa_api
from tickets.api import serializers as api
from tickets.api import serializers_more as api_more
from tickets.api import settings_more as api_settings
from tickets.api.filters import TicketFilterSet
from tickets.forms.settings import SlaSettingsForm
from tickets.models import CsatSurvey, Reply, WebhookDelivery
from tickets.services import csat, replies, workflow

FORM_MODULES = [
    "tickets.forms.composer",
    "tickets.forms.csat",
    "tickets.forms.keyed",
    "tickets.forms.knowledge",
    "tickets.forms.priority",
    "tickets.forms.profile",
    "tickets.forms.qa",
    "tickets.forms.queue",
    "tickets.forms.reports",
    "tickets.forms.review",
    "tickets.forms.settings",
    "tickets.forms.team",
    "tickets.forms.ticket",
    "tickets.forms.workspace",
    "tickets.forms.webhooks",
    "brands.admin",
]
#: what a form needs to be built without a request
FORM_KWARGS = {
    "ApiKeyForm": {"user": None},
    "SnippetForm": {"brand": None},
    "RangeForm": {"tz": ZoneInfo("Asia/Jakarta")},
    "GradeForm": {"criteria": default_criteria(Brand(languages="en"))},
}
#: text fields bounded elsewhere than by ``max_length``, with where
TEXT_BOUNDED_ELSEWHERE = {
    ("ReviewPolicyForm", "flagged_terms"): "ReviewPolicy.clean: at most 200 terms of 100 characters",
    ("ReviewPolicyForm", "bounce_terms"): "ReviewPolicy.clean: at most 200 terms of 100 characters",
    ("ChannelAccountForm", "access_token"): "admin only; the request body limit",
    ("ImportForm", "file"): "ImportForm.clean_file: 2 MB",
}

HUGE = [2**31, 2**63, 2**63 + 1, 10**30, -(2**63) - 1]
BAD_NUMBERS = ["²", "９" * 25, "1e400", "0x10", "1\x00", "NaN", "9" * 25, "-" + "9" * 25]
SETTINGS = settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


HTTP_SETTINGS = settings(SETTINGS, max_examples=4)


def _subclasses(cls) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *_subclasses(sub)]
    return found


def project_forms() -> list[type]:
    for name in FORM_MODULES:
        importlib.import_module(name)
    classes = {c for c in _subclasses(forms.BaseForm) if c.__module__.split(".")[0] in ("tickets", "brands")}
    return sorted((c for c in classes if not c.__name__.startswith("_")), key=lambda c: c.__name__)


def input_serializers() -> list[type]:
    """The API's input serializers: by convention their names end in ``In``."""
    return sorted(
        (
            c
            for name, c in {**vars(api), **vars(api_more), **vars(api_settings)}.items()
            if isinstance(c, type) and issubclass(c, serializers.Serializer) and name.endswith("In")
        ),
        key=lambda c: c.__name__,
    )


def form_fields(form_class) -> dict[str, forms.Field]:
    return dict(form_class(**FORM_KWARGS.get(form_class.__name__, {})).fields)


def model_field(form_class, name):
    model = getattr(getattr(form_class, "_meta", None), "model", None)
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except Exception:  # a form field that is not a model field
        return None


def serializer_fields(serializer_class, prefix: str = "") -> dict[str, serializers.Field]:
    found = {}
    for name, f in serializer_class().fields.items():
        if isinstance(f, serializers.Serializer):
            found |= serializer_fields(type(f), f"{prefix}{name}.")
        else:
            found[f"{prefix}{name}"] = f
            if isinstance(f, serializers.ListField):
                found[f"{prefix}{name}[]"] = f.child
    return found


# --- 1. structure: every number and every text has a bound ------------------------------------------------------


def _unbounded_form_fields() -> list[str]:
    problems = []
    for form_class in project_forms():
        for name, f in form_fields(form_class).items():
            where = f"{form_class.__name__}.{name}"
            if isinstance(f, forms.IntegerField):
                modelled = model_field(form_class, name)
                explicit = modelled is not None and (
                    modelled.choices or any(isinstance(v, MaxValueValidator) for v in modelled._validators)
                )
                if f.max_value is None and not explicit:
                    problems.append(f"{where}: whole number without a maximum")
            elif isinstance(f, forms.CharField) and not isinstance(f, forms.ChoiceField):
                if f.max_length is None and (form_class.__name__, name) not in TEXT_BOUNDED_ELSEWHERE:
                    problems.append(f"{where}: text without max_length")
    return problems


def test_every_form_field_has_a_bound():
    assert len(project_forms()) >= 20
    assert _unbounded_form_fields() == []


def test_every_api_input_field_has_a_bound():
    problems = []
    for serializer_class in input_serializers():
        for name, f in serializer_fields(serializer_class).items():
            where = f"{serializer_class.__name__}.{name}"
            if isinstance(f, serializers.IntegerField) and (f.max_value is None or f.min_value is None):
                problems.append(f"{where}: whole number without bounds")
            if isinstance(f, serializers.CharField) and f.max_length is None:
                problems.append(f"{where}: text without max_length")
            if isinstance(f, serializers.ListField) and f.max_length is None and f.child is not None:
                problems.append(f"{where}: list without max_length")
    assert len(input_serializers()) >= 7
    assert problems == []


def test_the_api_parses_json_with_the_bounded_parser():
    from django.conf import settings as django_settings

    assert django_settings.REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"] == ["smrc.parsers.BoundedJSONParser"]


# --- 2. properties of each form and serializer ------------------------------------------------------------------


def hostile_for(f) -> st.SearchStrategy:
    """Values a field must refuse (for a field that takes anything, such as a boolean: nothing to refuse)."""
    if isinstance(f, forms.IntegerField | serializers.IntegerField):
        high = f.max_value if f.max_value is not None else ID_MAX
        low = f.min_value if f.min_value is not None else -ID_MAX
        return st.one_of(
            st.integers(min_value=high + 1, max_value=2**80),
            st.integers(min_value=-(2**80), max_value=low - 1),
            st.sampled_from(HUGE).filter(lambda n: not low <= n <= high),
            st.sampled_from(BAD_NUMBERS),
        ).map(str)
    if isinstance(f, forms.ModelChoiceField):  # an id of no row: huge, negative, not a number
        return st.sampled_from([*map(str, HUGE), *BAD_NUMBERS])
    if isinstance(f, forms.ChoiceField | serializers.ChoiceField):
        keys = f.choices.keys() if isinstance(f.choices, dict) else [k for k, _v in f.choices]
        choices = {str(k) for k in keys}
        return st.one_of(st.just("\x00"), st.text(min_size=1, max_size=30)).filter(lambda v: v not in choices)
    if isinstance(f, forms.CharField | serializers.CharField) and f.max_length is not None:
        return st.one_of(
            st.integers(min_value=1, max_value=200).map(lambda n: "x" * (f.max_length + n)),
            st.text(min_size=0, max_size=20).map(lambda t: f"a{t}\x00{t}"),
        )
    if isinstance(f, forms.DateField | forms.DateTimeField | serializers.DateTimeField):
        return st.sampled_from(["99999-12-31", "2026-13-45", "\x00", "9" * 40, "2026-01-01T25:61"])
    return st.nothing()


def _refusable(fields: dict) -> list[tuple[str, Any]]:
    return [(n, f) for n, f in fields.items() if not hostile_for(f).is_empty]


FORM_CASES = [
    pytest.param(form_class, name, id=f"{form_class.__name__}.{name}")
    for form_class in project_forms()
    for name, _f in _refusable(form_fields(form_class))
]


@pytest.mark.django_db
@pytest.mark.parametrize(("form_class", "name"), FORM_CASES)
@SETTINGS
@given(data=st.data())
def test_a_form_refuses_a_hostile_value_in_the_field_named(form_class, name, data):
    f = form_fields(form_class)[name]
    value = data.draw(hostile_for(f))
    form = form_class({name: value}, **FORM_KWARGS.get(form_class.__name__, {}))
    assert not form.is_valid()
    assert name in form.errors


SERIALIZER_CASES = [
    pytest.param(serializer_class, name, id=f"{serializer_class.__name__}.{name}")
    for serializer_class in input_serializers()
    for name, _f in _refusable(serializer_fields(serializer_class))
]


def _nest(name: str, value: Any) -> dict:
    """``"author.handle"`` → ``{"author": {"handle": value}}``; ``"snippets[]"`` → ``{"snippets": [value]}``."""
    if name.endswith("[]"):
        return {name[:-2]: [value]}
    head, _dot, rest = name.partition(".")
    return {head: _nest(rest, value)} if rest else {head: value}


@pytest.mark.parametrize(("serializer_class", "name"), SERIALIZER_CASES)
@SETTINGS
@given(data=st.data())
def test_a_serializer_refuses_a_hostile_value_in_the_field_named(serializer_class, name, data):
    f = serializer_fields(serializer_class)[name]
    value = data.draw(hostile_for(f))
    serializer = serializer_class(data=_nest(name, value))
    assert not serializer.is_valid()
    errors = serializer.errors
    for part in name.replace("[]", "").split("."):
        assert part in errors, (name, serializer.errors)
        errors = errors[part]


# --- 3. over HTTP: every page and endpoint that takes them -------------------------------------------------------


@dataclass
class Endpoint:
    """A page or endpoint and the form or serializer whose fields it reads; ``valid`` gives a request that would
    pass, each example replaces one field. ``fallback``: a GET whose invalid filters fall back to defaults."""

    name: str
    method: str
    url: str
    user: str
    reads: type
    valid: dict = field(default_factory=dict)
    is_api: bool = False
    fallback: bool = False
    #: a one-field action answers with a redirect and this message instead of a form
    message: str = ""
    #: an API serializer read as the rows of a list: sent as ``{nest: [row], **around}``
    nest: str = ""
    around: dict = field(default_factory=dict)


def _sla_valid(brand) -> dict:
    initial = SlaSettingsForm.initial_from(current_settings(brand))
    return {k: ("on" if v is True else v) for k, v in initial.items() if v is not False}


#: a bulk action's row: brand A's ticket, unowned
ROW = {"id": "{ticket}", "expected_assignee": None}

ENDPOINTS = [
    Endpoint("reply", "post", "/tickets/{ticket}/reply/", "operator", "ReplyForm", {"body": "Halo"}),
    Endpoint("note", "post", "/tickets/{ticket}/note/", "operator", "NoteForm", {"body": "catatan"}),
    Endpoint("tags", "post", "/tickets/{ticket}/tags/", "operator", "TagsForm", {"tags": "a"}),
    Endpoint(
        "priority",
        "post",
        "/tickets/{ticket}/priority/",
        "supervisor",
        "PriorityForm",
        {"priority": "3"},
        message="Choose a priority.",
    ),
    Endpoint("revise", "post", "/replies/{reply}/revise/", "operator", "ReviseForm", {"body": "baru"}),
    Endpoint("approve", "post", "/review/{reply}/approve/", "supervisor", "ApproveForm", {"revision": "1"}),
    Endpoint(
        "changes",
        "post",
        "/review/{reply}/changes/",
        "supervisor",
        "ChangesForm",
        {"revision": "1", "code": "tone", "note": "x"},
    ),
    Endpoint("sla", "post", "/settings/acme/sla/", "supervisor", "SlaSettingsForm", {"sla": True}),
    Endpoint(
        "routing",
        "post",
        "/settings/acme/priority/",
        "supervisor",
        "RoutingForm",
        {"action": "routing", "routing_mode": "load", "operator_capacity": "5", "idle_owner_minutes": "0"},
    ),
    Endpoint(
        "urgency",
        "post",
        "/settings/acme/priority/",
        "supervisor",
        "UrgencyTermForm",
        {"action": "urgency", "pattern": "x", "label": "x", "weight": "5"},
    ),
    Endpoint(
        "spam",
        "post",
        "/settings/acme/priority/",
        "supervisor",
        "SpamPatternForm",
        {"action": "spam", "pattern": "x", "label": "x"},
    ),
    Endpoint(
        "blocked",
        "post",
        "/settings/acme/priority/",
        "supervisor",
        "BlockedAuthorForm",
        {"action": "blocked", "platform": "x", "handle": "bot"},
    ),
    Endpoint(
        "review-policy", "post", "/settings/acme/review/", "supervisor", "ReviewPolicyForm", {"sample_percent": "0"}
    ),
    Endpoint(
        "snippet",
        "post",
        "/knowledge/acme/snippets/new/",
        "supervisor",
        "SnippetForm",
        {"title": "t", "body": "b", "language": "id", "tone": "formal", "status": "draft"},
    ),
    Endpoint("product", "post", "/knowledge/acme/products/new/", "supervisor", "ProductForm", {"name": "p"}),
    Endpoint("goals", "post", "/settings/acme/goals/", "supervisor", "GoalsForm", {"fr_compliance": "90"}),
    Endpoint(
        "csat-settings",
        "post",
        "/settings/acme/csat/",
        "supervisor",
        "CsatSettingsForm",
        {
            "enabled": "on",
            "platforms": "facebook",
            "default_language": "id",
            "expiry_days": "7",
            "repeat_window_hours": "72",
            "low_rating": "2",
        },
    ),
    Endpoint(
        "qa-grade",
        "post",
        "/qa/replies/{published}/",
        "supervisor",
        "GradeForm",
        {
            **{f"score-{k}": "4" for k in ("tone", "knowledge", "ownership", "language", "etiquette")},
            "coaching": "ok",
        },
    ),
    Endpoint(
        "qa-settings",
        "post",
        "/settings/acme/qa/",
        "supervisor",
        "QaSettingsForm",
        {"sample_percent": "5", "c-TOTAL_FORMS": "0", "c-INITIAL_FORMS": "0"},
    ),
    Endpoint("qa-filter", "get", "/qa/", "supervisor", "QaFilterForm", {"brand": "acme"}, fallback=True),
    # the public rating page: any visitor (a signed-in one changes nothing), the survey's signed token in the path
    Endpoint("csat-rating", "post", "/csat/{csat}/", "outsider", "RatingForm", {"rating": "5", "comment": "ok"}),
    Endpoint(
        "bulk",
        "post",
        "/queue/bulk/",
        "supervisor",
        "BulkForm",
        {"tickets": "{ticket}:{owner}", "action": "priority", "priority": "3", "back": "?mine=1"},
    ),
    Endpoint(
        "assign",
        "post",
        "/tickets/{ticket}/assign/",
        "supervisor",
        "AssignForm",
        {"assignee": "{supervisor}", "expected": "{owner}", "note": "cek"},
    ),
    Endpoint(
        "link-identity",
        "post",
        "/tickets/{ticket}/customer/link/",
        "operator",
        "LinkIdentityForm",
        {"platform": "x", "handle": "nobody"},
    ),
    Endpoint(
        "unlink-identity",
        "post",
        "/tickets/{ticket}/customer/unlink/",
        "operator",
        "UnlinkIdentityForm",
        {"author": "1"},
    ),
    Endpoint(
        "webhook",
        "post",
        "/settings/acme/webhooks/",
        "supervisor",
        "WebhookForm",
        {"name": "CRM", "url": "https://hooks.example.com/crm", "events": ["ticket.created"]},
    ),
    Endpoint(
        "webhook-again",
        "post",
        "/settings/acme/webhooks/{webhook}/",
        "supervisor",
        "ResendForm",
        {"action": "again", "delivery": "{delivery}"},
    ),
    Endpoint("bounce-check", "post", "/tickets/{ticket}/reply/bounces/", "operator", "BounceCheckForm", {"body": "x"}),
    Endpoint(
        "api-key", "post", "/profile/", "operator", "ApiKeyForm", {"name": "CRM", "scope": "read", "brands": "acme"}
    ),
    Endpoint("performance", "get", "/me/performance/", "operator", "PerformanceForm", fallback=True),
    Endpoint("queue", "get", "/queue/", "operator", "QueueFilterForm", fallback=True),
    Endpoint("queue_news", "get", "/queue/news/", "operator", "QueueNewsForm", {"since": "0"}),
    Endpoint("save_view", "post", "/queue/views/", "operator", "SaveViewForm", {"name": "Paket"}),
    Endpoint("browser_alerts", "post", "/queue/alerts/", "operator", "BrowserAlertsForm", {}),
    Endpoint("snippet-list", "get", "/knowledge/acme/", "supervisor", "SnippetSearchForm", fallback=True),
    Endpoint(
        "drill-down",
        "get",
        "/reports/acme/tickets/",
        "supervisor",
        "DrillDownForm",
        {"start": "2026-01-01", "end": "2026-01-31", "metric": "received"},
    ),
    Endpoint(
        "report-range", "get", "/reports/acme/", "supervisor", "RangeForm", {"start": "2026-01-01", "end": "2026-01-31"}
    ),
    Endpoint(
        "report-summary",
        "get",
        "/reports/acme/summary/",
        "supervisor",
        "RangeForm",
        {"start": "2026-01-01", "end": "2026-01-31"},
    ),
    Endpoint("composer-search", "get", "/tickets/{ticket}/snippets/", "operator", "ComposerSearchForm", fallback=True),
    Endpoint(
        "composer-render",
        "get",
        "/tickets/{ticket}/snippets/render/",
        "operator",
        "RenderForm",
        {"snippet": "{snippet}"},
    ),
    Endpoint(
        "api-mentions",
        "post",
        "/api/v1/mentions/",
        "supervisor",
        api.MentionIn,
        {
            "platform": "x",
            "platform_id": "p-1",
            "brand": "acme",
            "author": {"id": "a-1", "handle": "budi"},
            "text": "halo",
            "posted_at": "2026-01-01T00:00:00Z",
        },
        is_api=True,
    ),
    Endpoint("api-tickets", "get", "/api/v1/tickets/", "operator", TicketFilterSet, is_api=True),
    Endpoint(
        "api-assign",
        "post",
        "/api/v1/tickets/{ticket}/assign/",
        "supervisor",
        api.AssignIn,
        {"assignee": "op_a"},
        is_api=True,
    ),
    Endpoint(
        "api-bulk",
        "post",
        "/api/v1/tickets/bulk/",
        "supervisor",
        api.BulkIn,
        {"action": "tag", "tag": "x", "assignee": "op_a", "priority": "high", "tickets": [ROW]},
        is_api=True,
    ),
    Endpoint(
        "api-bulk-row",
        "post",
        "/api/v1/tickets/bulk/",
        "supervisor",
        api.BulkRowIn,
        {"id": "{ticket}", "expected_assignee": None},
        is_api=True,
        nest="tickets",
        around={"action": "resolve"},
    ),
    Endpoint(
        "api-revise", "post", "/api/v1/replies/{reply}/revise/", "operator", api.ReviseIn, {"body": "x"}, is_api=True
    ),
    Endpoint(
        "api-link",
        "post",
        "/api/v1/tickets/{ticket}/customer/link/",
        "operator",
        api.LinkIn,
        {"platform": "x", "handle": "budi"},
        is_api=True,
    ),
    Endpoint("api-unlink", "post", "/api/v1/tickets/{ticket}/customer/unlink/", "operator", api.UnlinkIn, is_api=True),
    Endpoint(
        "api-reply", "post", "/api/v1/tickets/{ticket}/replies/", "operator", api.BodyIn, {"body": "x"}, is_api=True
    ),
    Endpoint("api-note", "post", "/api/v1/tickets/{ticket}/notes/", "operator", api.NoteIn, {"body": "x"}, is_api=True),
    Endpoint(
        "api-views",
        "post",
        "/api/v1/views/",
        "supervisor",
        api.SavedViewIn,
        {"name": "Urgent", "team": "acme", "query": {"priority": "4"}},
        is_api=True,
    ),
    Endpoint(
        "api-snippets", "get", "/api/v1/snippets/", "operator", api.SnippetSearchIn, {"brand": "acme"}, is_api=True
    ),
    Endpoint(
        "api-render",
        "post",
        "/api/v1/tickets/{ticket}/render/",
        "operator",
        api.RenderIn,
        {"snippet": "{snippet}"},
        is_api=True,
    ),
    Endpoint(
        "api-priority",
        "post",
        "/api/v1/tickets/{ticket}/priority/",
        "supervisor",
        api.PriorityIn,
        {"priority": "high"},
        is_api=True,
    ),
    Endpoint(
        "api-tags", "post", "/api/v1/tickets/{ticket}/tags/", "operator", api.TagsIn, {"tags": ["a"]}, is_api=True
    ),
    Endpoint("api-approve", "post", "/api/v1/replies/{reply}/approve/", "supervisor", api.ApproveIn, is_api=True),
    Endpoint(
        "api-changes",
        "post",
        "/api/v1/replies/{reply}/request-changes/",
        "supervisor",
        api.RequestChangesIn,
        {"reason": "tone", "note": "x"},
        is_api=True,
    ),
    # knowledge, reports, channel accounts, settings (apimore)
    Endpoint(
        "api-kb-snippet",
        "post",
        "/api/v1/knowledge/acme/snippets/",
        "supervisor",
        api_more.SnippetIn,
        {"title": "Salam", "body": "Halo"},
        is_api=True,
    ),
    Endpoint(
        "api-kb-restore",
        "post",
        "/api/v1/knowledge/acme/snippets/{snippet}/restore/",
        "supervisor",
        api_more.RestoreIn,
        {"number": 1},
        is_api=True,
    ),
    Endpoint(
        "api-kb-product",
        "post",
        "/api/v1/knowledge/acme/products/",
        "supervisor",
        api_more.ProductIn,
        {"name": "Kuota"},
        is_api=True,
    ),
    Endpoint(
        "api-report",
        "get",
        "/api/v1/reports/acme/",
        "manager",
        api_more.RangeIn,
        {"start": "2025-03-01", "end": "2025-03-31"},
        is_api=True,
    ),
    Endpoint(
        "api-report-tickets",
        "get",
        "/api/v1/reports/acme/tickets/",
        "manager",
        api_more.DrillIn,
        {"start": "2025-03-01", "end": "2025-03-31", "metric": "all"},
        is_api=True,
    ),
    Endpoint("api-sla", "patch", "/api/v1/settings/acme/sla/", "supervisor", api_more.SlaSettingsIn, is_api=True),
    Endpoint(
        "api-review", "patch", "/api/v1/settings/acme/review/", "supervisor", api_more.ReviewSettingsIn, is_api=True
    ),
    Endpoint("api-csat", "patch", "/api/v1/settings/acme/csat/", "supervisor", api_more.CsatSettingsIn, is_api=True),
    Endpoint("api-goals", "patch", "/api/v1/settings/acme/goals/", "manager", api_more.GoalsIn, is_api=True),
    # settings, more areas (apiset)
    Endpoint(
        "api-routing", "patch", "/api/v1/settings/acme/priority/", "supervisor", api_settings.RoutingIn, is_api=True
    ),
    Endpoint(
        "api-urgency",
        "post",
        "/api/v1/settings/acme/priority/urgency/",
        "supervisor",
        api_settings.UrgencyTermIn,
        {"pattern": "darurat", "label": "urgent"},
        is_api=True,
    ),
    Endpoint(
        "api-spam",
        "post",
        "/api/v1/settings/acme/priority/spam/",
        "supervisor",
        api_settings.SpamPatternIn,
        {"pattern": "judi", "label": "judi"},
        is_api=True,
    ),
    Endpoint(
        "api-blocked",
        "post",
        "/api/v1/settings/acme/priority/blocked/",
        "supervisor",
        api_settings.BlockedAuthorIn,
        {"platform": "x", "handle": "bot"},
        is_api=True,
    ),
    Endpoint(
        "api-bounces", "patch", "/api/v1/settings/acme/bounces/", "supervisor", api_settings.BouncesIn, is_api=True
    ),
    Endpoint("api-qa", "patch", "/api/v1/settings/acme/qa/", "supervisor", api_settings.QaIn, is_api=True),
    Endpoint(
        "api-qa-criterion",
        "patch",
        "/api/v1/settings/acme/qa/",
        "supervisor",
        api_settings.CriterionIn,
        {"key": "tone", "name": "Nada", "weight": 30},
        is_api=True,
        nest="criteria",
    ),
    Endpoint(
        "api-webhook-new",
        "post",
        "/api/v1/settings/acme/webhooks/",
        "supervisor",
        api_settings.WebhookIn,
        {"name": "Other", "url": "https://hooks.example.com/y", "events": ["sla.breach"]},
        is_api=True,
    ),
    Endpoint(
        "api-webhook",
        "patch",
        "/api/v1/settings/acme/webhooks/{webhook}/",
        "supervisor",
        api_settings.WebhookPatchIn,
        is_api=True,
    ),
    Endpoint(
        "api-webhook-again",
        "post",
        "/api/v1/settings/acme/webhooks/{webhook}/again/",
        "supervisor",
        api_settings.ResendIn,
        {"delivery": "{delivery}"},
        is_api=True,
    ),
    # QA and media (apiqa): the reply with an image (its multipart form's text fields; the image's bytes in
    # tests/api_v1/test_reply_image_api.py) and grading a reply
    Endpoint(
        "api-reply-image",
        "post",
        "/api/v1/tickets/{ticket}/replies/",
        "operator",
        api.ReplyIn,
        {"body": "x"},
        is_api=True,
    ),
    Endpoint(
        "api-qa-grade",
        "post",
        "/api/v1/qa/replies/{published}/",
        "supervisor",
        qa_api.GradeIn,
        {"scores": {k: {"score": 4} for k in ("tone", "knowledge", "ownership", "language", "etiquette")}},
        is_api=True,
    ),
]


def _reads(endpoint: Endpoint) -> dict:
    if endpoint.is_api and issubclass(endpoint.reads, django_filters.FilterSet):
        return {name: f.field for name, f in endpoint.reads.base_filters.items()}
    if endpoint.is_api:
        return serializer_fields(endpoint.reads)
    form_class = next(c for c in project_forms() if c.__name__ == endpoint.reads)
    return form_fields(form_class)


def test_every_form_and_input_serializer_is_reached_over_http():
    """A new form or serializer must be added to ENDPOINTS (or here, with the reason it has no page)."""
    no_page = {
        "ChannelAccountForm": "admin",
        "MentionAdminForm": "admin: its one field, the link, is walked by tests/security/test_admin_links.py",
        "BusinessPeriodFormSet": "admin",
        "ExportForm": "choices only",
        "ImportForm": "a file",
        "KeyedForm": "a base class: its key is checked through every keyed form (NoteForm, ApproveForm…)",
        "CriterionForm": "a formset row (c-N-…) of the QA settings page: weights and names in tests/qa/test_views.py",
    }
    reached = {e.reads if isinstance(e.reads, str) else e.reads.__name__ for e in ENDPOINTS}
    names = {c.__name__ for c in project_forms()} | {c.__name__ for c in input_serializers()} | {"AuthorIn"}
    assert sorted(names - reached - set(no_page) - {"AuthorIn"}) == []


HTTP_CASES = [
    pytest.param(endpoint, name, id=f"{endpoint.name}.{name}")
    for endpoint in ENDPOINTS
    for name, _f in _refusable(_reads(endpoint))
]


@pytest.fixture
def world(cast):
    """A ticket of brand A, a snippet, and a reply of the operator waiting for review."""
    ReviewPolicy.objects.create(brand=cast.brand_a, review_all=True)
    ticket = workflow.claim_ticket(ticket=make_ticket(cast.brand_a, text="Paket belum sampai"), user=cast.operator)
    reply = replies.submit_reply(ticket=ticket, user=cast.operator, body="Mohon ditunggu", snippet_ids=[])
    snippet = make_snippet(cast.brand_a, status="published")
    update_csat_settings(brand=cast.brand_a, values={"enabled": True, "platforms": "facebook"})
    rated = make_ticket(cast.brand_a, platform="facebook", kind="dm", platform_id="m-boundary")
    rated = workflow.claim_ticket(ticket=rated, user=cast.supervisor)
    workflow.resolve_ticket(ticket=rated, user=cast.supervisor)
    token = csat.make_token(CsatSurvey.objects.get(ticket=rated))
    hook = webhooks.create(brand=cast.brand_a, name="CRM", url="https://hooks.example.com/x", events=["sla.breach"])
    delivery = WebhookDelivery.objects.create(subscription=hook, brand=cast.brand_a, kind="sla.breach", body="{}")
    published = Reply.objects.create(
        brand=cast.brand_a,
        ticket=ticket,
        author=cast.operator,
        body="Terkirim",
        status="sent",
        sent_at=ticket.received_at,
    )
    return {
        "published": published.pk,
        "cast": cast,
        "ticket": ticket.pk,
        "reply": reply.pk,
        "snippet": snippet.pk,
        "csat": token,
        "webhook": hook.pk,
        "delivery": delivery.pk,
        "before": db_state(),
    }


def _fill(value, world):
    if isinstance(value, str):
        return value.format(
            ticket=world["ticket"],
            reply=world["reply"],
            snippet=world["snippet"],
            csat=world["csat"],
            owner=world["cast"].operator.pk,
            supervisor=world["cast"].supervisor.pk,
            webhook=world["webhook"],
            delivery=world["delivery"],
            published=world["published"],
        )
    if isinstance(value, dict):
        return {k: _fill(v, world) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, world) for v in value]
    return value


def _errors_name(response, endpoint: Endpoint, name: str) -> bool:
    if endpoint.is_api or response["Content-Type"] == "application/json":
        text = json.dumps(response.json())
        return all(f'"{part}"' in text for part in name.replace("[]", "").split("."))
    context = response.context
    if context is None:
        return False
    if any(field_name == name for field_name, _e in context.get("ignored_filters") or []):
        return True
    contexts = list(context) if isinstance(context, list) else [context]
    values = [v for c in contexts for d in c.dicts for v in d.values()]
    # forms kept on the rows of a list (a reply's revise form on the ticket's conversation), two levels down
    for _level in range(2):
        values += [
            v for item in values if isinstance(item, list) for x in item for v in getattr(x, "__dict__", {}).values()
        ]
        values += [v for x in values if hasattr(x, "_state") for v in x.__dict__.values()]
    return any(isinstance(v, forms.BaseForm) and name in v.errors for v in values)


@pytest.mark.django_db
@pytest.mark.parametrize(("endpoint", "name"), HTTP_CASES)
@HTTP_SETTINGS
@given(data=st.data())
def test_a_hostile_value_is_refused_over_http_with_the_field_named_and_nothing_written(world, endpoint, name, data):
    cast = world["cast"]
    f = _reads(endpoint)[name]
    value = data.draw(hostile_for(f))
    valid = _fill(endpoint.valid, world)
    if endpoint.reads == "SlaSettingsForm":
        valid = _sla_valid(cast.brand_a)
    user = getattr(cast, endpoint.user)
    url = _fill(endpoint.url, world)
    before = world["before"]
    if endpoint.is_api:
        client = KeyedAPIClient()
        client.force_authenticate(user)
        payload = valid | _nest(name, value)
        if endpoint.nest:
            payload = {endpoint.nest: [payload], **endpoint.around}
        if endpoint.method == "get":
            response = client.get(url, payload)
        else:
            body = [payload] if endpoint.reads is api.MentionIn else payload
            response = getattr(client, endpoint.method)(url, body, format="json")
    else:
        client = Client()
        client.force_login(user)
        data = valid | {name: value}
        if endpoint.method == "post" and name != "idempotency_key":
            data = keyed(data)
        response = getattr(client, endpoint.method)(url, data)
    assert response.status_code != 500
    if endpoint.message:
        assert response.status_code == 302
        assert [str(m) for m in get_messages(response.wsgi_request)] == [endpoint.message]
    elif endpoint.fallback:
        assert response.status_code == 200
    else:
        assert response.status_code in (400, 404) if endpoint.is_api else response.status_code in (200, 400)
        assert _errors_name(response, endpoint, name), response.content[:500]
    assert db_state() == before


# --- 4. JSON bodies: size and depth -------------------------------------------------------------------------------


API_POSTS = [e for e in ENDPOINTS if e.is_api and e.method == "post"]


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", API_POSTS, ids=[e.name for e in API_POSTS])
@pytest.mark.parametrize("levels", [33, 1000, 100_000])
def test_deeply_nested_json_is_a_400_naming_the_limit(world, endpoint, levels):
    client = KeyedAPIClient()
    client.force_authenticate(getattr(world["cast"], endpoint.user))
    before = db_state()
    response = client.post(_fill(endpoint.url, world), "[" * levels + "]" * levels, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": "The body is nested deeper than 32 levels."}
    assert db_state() == before


@pytest.mark.django_db
def test_a_body_over_the_api_limit_is_a_413(world, settings):
    settings.SMRC_API_MAX_BYTES = 1000
    client = KeyedAPIClient()
    client.force_authenticate(world["cast"].operator)
    before = db_state()
    response = client.post(f"/api/v1/tickets/{world['ticket']}/notes/", {"body": "x" * 2000}, format="json")
    assert response.status_code == 413
    assert response.json() == {"detail": "The body is over the limit of 1000 bytes."}
    assert db_state() == before


@pytest.mark.django_db
def test_a_raw_payload_within_the_body_but_too_deep_is_stored_as_a_note(world):
    """Depth 30 passes the body's limit of 32, but a mention's raw sits two levels down."""
    raw: Any = "leaf"
    for _ in range(31):
        raw = {"k": raw}
    client = KeyedAPIClient()
    client.force_authenticate(world["cast"].supervisor)
    item = {
        "platform": "x",
        "platform_id": "deep-1",
        "brand": "acme",
        "author": {"id": "a-9"},
        "text": "halo",
        "posted_at": "2026-01-01T00:00:00Z",
        "raw": raw,
    }
    response = client.post("/api/v1/mentions/", [item], format="json")
    assert response.status_code == 400  # the body: list → item → raw → 31 levels
    item["raw"] = {"big": "x" * (70 * 1024)}
    response = client.post("/api/v1/mentions/", [item], format="json")
    assert response.status_code == 201
    from tickets.models import Mention

    assert Mention.objects.get(platform_id="deep-1").raw == {"omitted": "the payload is over the limit of 65536 bytes"}


# --- 5. the cases reported in issue 11, and the other doors numbers and JSON come in by ------------------------


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_a_twenty_digit_brand_filter_is_ignored_and_named(cast):
    response = logged_in(cast.operator).get("/queue/?brand=" + "9" * 20)
    assert response.status_code == 200
    assert response.context["ignored_filters"] == [
        ("brand", ["Ensure this value is less than or equal to 9223372036854775807."])
    ]
    assert "Filter “brand” ignored" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("snippets", [str(2**63), "1,²", "-4", ",".join(str(n) for n in range(1, 23))])
def test_a_reply_with_snippet_ids_out_of_range_is_refused(world, snippets):
    response = logged_in(world["cast"].operator).post(
        f"/tickets/{world['ticket']}/reply/", keyed({"body": "Halo", "snippets": snippets})
    )
    assert response.status_code == 400
    assert list(response.context["reply_form"].errors) == ["snippets"]
    assert db_state() == world["before"]


@pytest.mark.django_db
def test_sla_targets_of_two_to_the_63_are_refused_by_field(cast):
    data = _sla_valid(cast.brand_a) | {"target_4_first": str(2**63), "sla_warning_minutes": "99999"}
    before = db_state()
    response = logged_in(cast.supervisor).post("/settings/acme/sla/", data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["target_4_first"] == ["Ensure this value is less than or equal to 525600."]
    assert errors["sla_warning_minutes"] == ["Ensure this value is less than or equal to 10080."]
    assert db_state() == before


@pytest.mark.django_db
def test_a_target_the_business_hours_cannot_reach_is_refused(cast):
    data = _sla_valid(cast.brand_a) | {
        "round_the_clock": "",
        **{f"hours_{day}": "" for day in range(7)},
        "hours_0": "09:00-09:05",
        "target_1_first": "100000",
    }
    data.pop("round_the_clock")
    before = db_state()
    response = logged_in(cast.supervisor).post("/settings/acme/sla/", data)
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [
        "A target of 100000 minutes would not end within three years of these business hours and closed days: "
        "shorten it or open more hours."
    ]
    assert db_state() == before


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["²", "٣", "9" * 25, "-1"])
def test_ids_typed_into_query_strings_and_posts_never_500(world, value):
    cast = world["cast"]
    assert logged_in(cast.supervisor).get(f"/review/?r={value}").status_code in (200, 404)
    before = db_state()  # opening the review queue may take the reply for review
    client = logged_in(cast.supervisor)
    assert client.post("/settings/acme/priority/", {"action": "delete-urgency", "pk": value}).status_code == 400
    snippet_url = f"/knowledge/acme/snippets/{world['snippet']}/"
    assert client.get(f"{snippet_url}compare/?a={value}&b={value}").status_code == 200
    assert client.post(f"{snippet_url}restore/", {"number": value}).status_code == 302
    report = "/reports/acme/tickets/?start=2026-01-01&end=2026-01-31&metric=operator&value="
    assert client.get(report + value).status_code in (200, 400)
    assert db_state() == before


@pytest.mark.django_db
def test_a_non_ascii_digit_in_a_raw_payload_does_not_break_ingest(cast):
    client = KeyedAPIClient()
    client.force_authenticate(cast.supervisor)
    item = {
        "platform": "x",
        "platform_id": "sup-1",
        "brand": "acme",
        "author": {"id": "a-1"},
        "text": "halo",
        "posted_at": "2026-01-01T00:00:00Z",
        "raw": {"engagement": "²"},
    }
    assert client.post("/api/v1/mentions/", [item], format="json").status_code == 201


@pytest.mark.django_db
def test_a_csv_cell_of_nested_json_is_a_line_error(cast):
    csv_text = 'name,category,specifications,faq,competitor_notes\nKuota,,"' + "[" * 5000 + "]" * 5000 + '",,\n'
    upload = SimpleUploadedFile("products.csv", csv_text.encode(), content_type="text/csv")
    before = db_state()
    response = logged_in(cast.supervisor).post("/knowledge/acme/import/", {"kind": "products", "file": upload})
    assert response.status_code == 400
    assert response.context["problems"] == ["Line 2: specifications is not a JSON object"]
    assert db_state() == before


# --- load_config: files nested too deep, aliases, out-of-range numbers -------------------------------------------


def _load(tmp_path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(CommandError) as error:
        call_command("load_config", str(path), stdout=StringIO())
    return str(error.value)


@pytest.mark.django_db
def test_load_config_refuses_deep_json_deep_yaml_aliases_and_big_files(cast, tmp_path, settings):
    before = db_state()
    deep = "[" * 100_000 + "]" * 100_000
    assert _load(tmp_path, "c.json", deep).endswith("is not valid JSON: the document is nested deeper than 32 levels")
    assert "nested deeper than 32 levels" in _load(tmp_path, "c.yaml", "a: " + "[" * 5000 + "]" * 5000)
    laughs = "a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n"
    assert "anchors and aliases are not supported" in _load(tmp_path, "l.yaml", laughs)
    settings.SMRC_CONFIG_MAX_BYTES = 100
    assert _load(tmp_path, "big.yaml", "brands: []\n" + "#" * 200).endswith(
        "is over the limit of 100 bytes (SMRC_CONFIG_MAX_BYTES)"
    )
    assert db_state() == before


@pytest.mark.django_db
def test_load_config_refuses_numbers_and_texts_out_of_range_with_their_path(cast):
    before = db_state()
    with pytest.raises(ConfigError) as error:
        apply_config(
            {
                "users": [{"username": "u" * 200}],
                "brands": [
                    {
                        "slug": "acme",
                        "thread_window_hours": 2**63,
                        "routing": {"capacity": 2**31, "idle_owner_minutes": 2**31},
                        "urgency_terms": [{"pattern": "x", "label": "l" * 300}],
                    }
                ],
            }
        )
    assert error.value.problems == [
        "users[0].username: Ensure this value has at most 150 characters (it has 200).",
        "brands[0].thread_window_hours: Ensure this value is less than or equal to 8760.",
        "brands[0].routing.operator_capacity: Ensure this value is less than or equal to 1000.",
        "brands[0].routing.idle_owner_minutes: Ensure this value is less than or equal to 43200.",
        "brands[0].urgency_terms[0].label: Ensure this value has at most 40 characters (it has 300).",
    ]
    sla = {"targets": {"urgent": {"first_response": 2**63}}, "warning_minutes": 2**40}
    with pytest.raises(ConfigError) as error:
        apply_config({"brands": [{"slug": "acme", "sla": sla}]})
    assert error.value.problems == [
        "brands[0].sla.sla_warning_minutes: Warn at most 10080 minutes (a week) before a breach.",
        "brands[0].sla.targets: Urgent: a target is at most 525600 minutes (a year).",
    ]
    assert db_state() == before


@pytest.mark.django_db
def test_ingest_file_refuses_deep_json(cast, tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(CommandError) as error:
        call_command("ingest_file", "--platform", "json", str(path), "--no-progress", stdout=StringIO())
    assert str(error.value).endswith("is not JSON: the document is nested deeper than 32 levels")
