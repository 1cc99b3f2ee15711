"""Serializers of the knowledge, reports, channel accounts and settings endpoints of the API v1 (docs/api.md):
what each reads (``…In``: types and bounds, before the page's own form validates the values) and what it answers
(``…Out``). Secrets are never answered: only whether each is set."""

from datetime import UTC, datetime

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination

from brands.models import SnippetLanguage, SnippetStatus, SnippetTone
from smrc.bounds import ApiIdField, ApiIntegerField

from ..forms.knowledge import TEXT_MAX_LENGTH
from ..services.replies import REPLY_MAX_LENGTH

# --- knowledge ------------------------------------------------------------------------------------------------


class SnippetIn(serializers.Serializer):
    """A new snippet (``title`` and ``body`` required), or the fields to change (PATCH: only those sent)."""

    title = serializers.CharField(max_length=160)
    body = serializers.CharField(max_length=REPLY_MAX_LENGTH)
    language = serializers.ChoiceField(choices=SnippetLanguage.choices, required=False)
    tone = serializers.ChoiceField(choices=SnippetTone.choices, required=False)
    tags = serializers.CharField(max_length=300, required=False, allow_blank=True)
    product = ApiIdField(required=False, allow_null=True)
    shortcut = serializers.CharField(max_length=40, required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=SnippetStatus.choices, required=False)
    expires_at = serializers.DateTimeField(required=False, allow_null=True)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)


class SnippetOut(serializers.Serializer):
    id = serializers.IntegerField()
    brand = serializers.CharField(source="brand.slug")
    title = serializers.CharField()
    body = serializers.CharField()
    language = serializers.CharField()
    tone = serializers.CharField()
    tags = serializers.CharField()
    product = serializers.IntegerField(source="product_id", allow_null=True)
    shortcut = serializers.CharField()
    status = serializers.CharField()
    expires_at = serializers.DateTimeField(allow_null=True)
    version = serializers.IntegerField()
    used_as_is = serializers.IntegerField()
    used_edited = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class SnippetVersionOut(serializers.Serializer):
    number = serializers.IntegerField()
    title = serializers.CharField()
    body = serializers.CharField()
    language = serializers.CharField()
    tone = serializers.CharField()
    tags = serializers.CharField()
    product = serializers.CharField(source="product_name")
    shortcut = serializers.CharField()
    status = serializers.CharField()
    expires_at = serializers.DateTimeField(allow_null=True)
    author = serializers.SerializerMethodField()
    note = serializers.CharField()
    created_at = serializers.DateTimeField()

    def get_author(self, version) -> str | None:
        return version.author.get_username() if version.author else None


class RestoreIn(serializers.Serializer):
    number = ApiIntegerField(min_value=1)


class ProductIn(serializers.Serializer):
    """A new product (``name`` required), or the fields to change (PATCH). ``specifications`` maps a field name
    (lower-case letters, digits, ``_``) to its text."""

    name = serializers.CharField(max_length=120)
    category = serializers.CharField(max_length=80, required=False, allow_blank=True)
    specifications = serializers.DictField(
        child=serializers.CharField(max_length=1000, allow_blank=True), required=False
    )
    faq = serializers.CharField(max_length=TEXT_MAX_LENGTH, required=False, allow_blank=True)
    competitor_notes = serializers.CharField(max_length=TEXT_MAX_LENGTH, required=False, allow_blank=True)

    def validate_specifications(self, value):
        if len(value) > 100:
            raise serializers.ValidationError(_("At most 100 fields."))
        if any(len(key) > 40 for key in value):
            raise serializers.ValidationError(_("A field name has at most 40 characters."))
        return value


class ProductOut(serializers.Serializer):
    id = serializers.IntegerField()
    brand = serializers.CharField(source="brand.slug")
    name = serializers.CharField()
    category = serializers.CharField()
    specifications = serializers.DictField(child=serializers.CharField())
    faq = serializers.CharField()
    competitor_notes = serializers.CharField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


def cursor_page(name: str, item: type[serializers.Serializer]) -> type[serializers.Serializer]:
    """The answer of a cursor-paginated list of ``item``: the links to the next and previous pages (``null`` at
    either end) and the page's results."""
    return type(
        name,
        (serializers.Serializer,),
        {
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": item(many=True),
        },
    )


class CheckedCursorPagination(CursorPagination):
    """DRF's cursor pages with the cursor's position checked against the ordering's first field before it reaches
    a query: DRF decodes the position as a bare string, so a forged cursor (``p=abc`` on an id, a moment past
    year 9999 once in UTC) was a 500 deep in the database layer. Such a cursor is DRF's own "Invalid cursor"
    (404), as a garbled one already was."""

    def paginate_queryset(self, queryset, request, view=None):
        self._model = queryset.model
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request):
        cursor = super().decode_cursor(request)
        if cursor is not None and cursor.position is not None:
            name = self.ordering[0].lstrip("-")  # set by paginate_queryset before it decodes the cursor
            try:
                field = self._model._meta.pk if name == "pk" else self._model._meta.get_field(name)
                value = field.to_python(cursor.position)
                if isinstance(value, int) and not -(2**63) <= value < 2**63:
                    raise ValueError(value)
                if isinstance(value, datetime):
                    value.astimezone(UTC)
            except (DjangoValidationError, FieldDoesNotExist, ValueError, TypeError, OverflowError):
                raise NotFound(self.invalid_cursor_message) from None
        return cursor


SnippetPageOut = cursor_page("SnippetPageOut", SnippetOut)
ProductPageOut = cursor_page("ProductPageOut", ProductOut)
SnippetVersionPageOut = cursor_page("SnippetVersionPageOut", SnippetVersionOut)


# --- reports --------------------------------------------------------------------------------------------------


class RangeIn(serializers.Serializer):
    """The report's range, as on the report page: ``start`` and ``end``, local dates of the brand, both included
    (at most 366 days; the page's own form validates them)."""

    start = serializers.DateField()
    end = serializers.DateField()


class DrillIn(RangeIn):
    metric = serializers.CharField(max_length=30)
    value = serializers.CharField(max_length=40, required=False, allow_blank=True)


class DistributionOut(serializers.Serializer):
    count = serializers.IntegerField()
    p50 = serializers.IntegerField(allow_null=True)
    p90 = serializers.IntegerField(allow_null=True)
    p95 = serializers.IntegerField(allow_null=True)


class ComplianceOut(serializers.Serializer):
    met = serializers.IntegerField()
    breached = serializers.IntegerField()
    measured = serializers.IntegerField()
    percent = serializers.FloatField(allow_null=True)


class GroupOut(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    tickets = serializers.IntegerField()
    first_response = DistributionOut()
    fr_compliance = ComplianceOut()
    res_compliance = ComplianceOut()


class DayOut(serializers.Serializer):
    day = serializers.DateField()
    tickets = serializers.IntegerField()


class ChangeReasonOut(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()


class ReviewOut(serializers.Serializer):
    replies_submitted = serializers.IntegerField()
    replies_approved = serializers.IntegerField()
    approval_percent = serializers.FloatField(allow_null=True)
    decisions = serializers.DictField(child=serializers.IntegerField())
    decisions_total = serializers.IntegerField()
    review_approval_percent = serializers.FloatField(allow_null=True)
    change_reasons = ChangeReasonOut(many=True)


class ServingOut(serializers.Serializer):
    resolved = serializers.IntegerField()
    bounced = serializers.IntegerField()
    in_channel = serializers.IntegerField()
    in_channel_percent = serializers.FloatField(allow_null=True)
    owned = serializers.IntegerField()
    handed_off = serializers.IntegerField()
    handoffs = serializers.IntegerField()
    handoffs_per_ticket = serializers.FloatField(allow_null=True)
    ever_resolved = serializers.IntegerField()
    reopened = serializers.IntegerField()
    reopen_percent = serializers.FloatField(allow_null=True)


class CsatFiguresOut(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    sent = serializers.IntegerField()
    rated = serializers.IntegerField()
    satisfied = serializers.IntegerField()
    percent = serializers.FloatField(allow_null=True)
    average = serializers.FloatField(allow_null=True)
    response_percent = serializers.FloatField(allow_null=True)
    ratings = serializers.DictField(child=serializers.IntegerField(), help_text="rating (1 to 5) → how many")


class CsatOut(serializers.Serializer):
    overall = CsatFiguresOut()
    by_operator = CsatFiguresOut(many=True)
    by_platform = CsatFiguresOut(many=True)
    by_priority = CsatFiguresOut(many=True)
    by_brand = CsatFiguresOut(many=True)


class QaGroupOut(serializers.Serializer):
    key = serializers.CharField(help_text="The operator's user id, the criterion's key, or the week's Monday.")
    label = serializers.CharField(help_text="The operator's name, the criterion's name, or the week's Monday.")
    count = serializers.IntegerField(help_text="Scorecards (a criterion: its scores).")
    mean = serializers.FloatField(
        allow_null=True, help_text="Mean QA score in percent (a criterion: mean of its 1–5 scores); null: none."
    )


class QaReportOut(serializers.Serializer):
    """The page's QA section (docs/report-definitions.md "QA"): scorecards of replies published in the range."""

    scorecards = serializers.IntegerField()
    mean = serializers.FloatField(allow_null=True, help_text="Mean of the scorecards' overall scores, in percent.")
    acknowledged = serializers.IntegerField(help_text="Scorecards the operator acknowledged.")
    by_operator = QaGroupOut(many=True)
    by_criterion = QaGroupOut(many=True)
    weeks = QaGroupOut(many=True, help_text="One per ISO week of the range (its Monday), empty weeks included.")


class HeadlineOut(serializers.Serializer):
    metric = serializers.CharField(help_text="The figure's key (brands.services.goals.METRICS).")
    label = serializers.CharField()
    unit = serializers.ChoiceField(choices=["percent", "seconds", "ratio", "count"])
    higher_is_better = serializers.BooleanField()
    value = serializers.FloatField(allow_null=True)
    previous = serializers.FloatField(allow_null=True, help_text="The same figure over the previous period.")
    change = serializers.FloatField(allow_null=True)
    trend = serializers.ChoiceField(choices=["better", "worse", "same", "up", "down"])
    goal = serializers.FloatField(allow_null=True)
    goal_met = serializers.BooleanField(allow_null=True)


class PeriodOut(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    days = serializers.IntegerField()


class ReportOut(serializers.Serializer):
    """Every figure of the report page, over ``period`` (and the headline against ``previous_period``)."""

    brand = serializers.CharField(allow_null=True, help_text="The brand's slug; null for the all-brands report.")
    time_zone = serializers.CharField()
    period = PeriodOut()
    previous_period = PeriodOut()
    headline = HeadlineOut(many=True)
    tickets = serializers.IntegerField()
    per_day = DayOut(many=True)
    heatmap = serializers.ListField(
        child=serializers.ListField(child=serializers.IntegerField()),
        help_text="heatmap[weekday, 0 = Monday][hour 0-23] = tickets received",
    )
    first_response = serializers.DictField(child=DistributionOut(), help_text="business, calendar, customer")
    next_response = serializers.DictField(child=DistributionOut(), help_text="business, calendar")
    resolution = serializers.DictField(child=DistributionOut(), help_text="business, calendar")
    fr_compliance = ComplianceOut()
    nr_compliance = ComplianceOut()
    res_compliance = ComplianceOut()
    split = serializers.DictField(child=DistributionOut(), help_text="queue, handling, review, delivery")
    by_platform = GroupOut(many=True)
    by_priority = GroupOut(many=True)
    by_operator = GroupOut(many=True)
    by_sentiment = GroupOut(many=True)
    by_intent = GroupOut(many=True)
    by_tag = GroupOut(many=True)
    review = ReviewOut()
    serving = ServingOut()
    csat = CsatOut()
    qa = QaReportOut()


# --- channel accounts -----------------------------------------------------------------------------------------


class ChannelStatusOut(serializers.Serializer):
    """An account's delivery status (as the channel accounts page shows it)."""

    id = serializers.IntegerField(source="account.pk")
    status = serializers.CharField(source="account.status")
    status_detail = serializers.CharField(source="account.status_detail")
    last_polled_at = serializers.DateTimeField(source="account.last_polled_at", allow_null=True)
    last_delivery_at = serializers.DateTimeField(source="account.last_delivery_at", allow_null=True)
    pending_deliveries = serializers.IntegerField(source="pending")
    failed_deliveries = serializers.IntegerField(source="failed")
    last_error = serializers.CharField()
    last_error_at = serializers.DateTimeField(allow_null=True)


# --- settings -------------------------------------------------------------------------------------------------


class SlaSettingsIn(serializers.Serializer):
    """The SLA page's fields (PATCH: those to change, the others stay): business hours per weekday (``hours_0``
    Monday … ``hours_6``: ``09:00-17:00, 18:00-20:00``, empty closed), holidays (``2026-12-31 Name`` per line),
    targets in minutes per priority (``target_<1-4>_<first|next|resolution>``)."""

    time_zone = serializers.CharField(max_length=64)
    round_the_clock = serializers.BooleanField()
    holiday_country = serializers.CharField(max_length=2, allow_blank=True)
    observe_collective_leave = serializers.BooleanField()
    sla_warning_minutes = ApiIntegerField(max_value=10_000)
    escalation_raises_priority = serializers.BooleanField()
    holidays = serializers.CharField(max_length=20_000, allow_blank=True)
    locals().update(
        {f"hours_{day}": serializers.CharField(max_length=200, allow_blank=True, required=False) for day in range(7)}
    )
    locals().update(
        {
            f"target_{priority}_{key}": ApiIntegerField(min_value=1, max_value=525_600)
            for priority in range(1, 5)
            for key in ("first", "next", "resolution")
        }
    )


class ReviewSettingsIn(serializers.Serializer):
    """The review policy page's fields (probation is set per operator on the page, not here)."""

    review_all = serializers.BooleanField(required=False)
    review_probation = serializers.BooleanField(required=False)
    sample_percent = ApiIntegerField(max_value=100, required=False)
    review_high_priority = serializers.BooleanField(required=False)
    influence_threshold = ApiIntegerField(max_value=32767, required=False, allow_null=True)
    review_flagged_terms = serializers.BooleanField(required=False)
    flagged_terms = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    review_bounces = serializers.BooleanField(required=False)
    bounce_defaults = serializers.BooleanField(required=False)
    bounce_terms = serializers.CharField(max_length=5000, required=False, allow_blank=True)


class CsatSettingsIn(serializers.Serializer):
    enabled = serializers.BooleanField(required=False)
    platforms = serializers.ListField(
        child=serializers.CharField(max_length=20), max_length=10, required=False, allow_empty=True
    )
    public_replies = serializers.BooleanField(required=False)
    default_language = serializers.CharField(max_length=5, required=False)
    expiry_days = ApiIntegerField(max_value=365, required=False)
    repeat_window_hours = ApiIntegerField(max_value=24 * 365, required=False)
    low_rating = ApiIntegerField(max_value=5, required=False)
    reopen_on_low = serializers.BooleanField(required=False)


class GoalsIn(serializers.Serializer):
    """Goals as on the goals page: percent, minutes (``fr_p50``) or handoffs per ticket; ``null`` clears one."""

    fr_compliance = serializers.DecimalField(
        max_digits=10, decimal_places=2, required=False, allow_null=True, coerce_to_string=False
    )
    nr_compliance = serializers.DecimalField(
        max_digits=10, decimal_places=2, required=False, allow_null=True, coerce_to_string=False
    )
    res_compliance = serializers.DecimalField(
        max_digits=10, decimal_places=2, required=False, allow_null=True, coerce_to_string=False
    )
    fr_p50 = serializers.DecimalField(
        max_digits=10, decimal_places=2, required=False, allow_null=True, coerce_to_string=False
    )
    in_channel = serializers.DecimalField(
        max_digits=10, decimal_places=2, required=False, allow_null=True, coerce_to_string=False
    )
    reopen_rate = serializers.DecimalField(
        max_digits=10, decimal_places=2, required=False, allow_null=True, coerce_to_string=False
    )
    handoffs = serializers.DecimalField(
        max_digits=10, decimal_places=2, required=False, allow_null=True, coerce_to_string=False
    )
    csat = serializers.DecimalField(
        max_digits=10, decimal_places=2, required=False, allow_null=True, coerce_to_string=False
    )


class WebhookOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    url = serializers.CharField()
    events = serializers.ListField(child=serializers.CharField())
    is_active = serializers.BooleanField()
    paused_at = serializers.DateTimeField(allow_null=True)
    pause_reason = serializers.CharField()
    has_secret = serializers.SerializerMethodField()

    def get_has_secret(self, sub) -> bool:
        return bool(sub.secret)


# the priority, bounces and QA areas (their endpoints: settings_more.py; read in the combined document too)


class PatternRuleOut(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    pattern = serializers.CharField()
    is_regex = serializers.BooleanField()
    label = serializers.CharField()
    problem = serializers.CharField(
        allow_null=True, help_text="Why ingest skips it (stored before RE2 refused such patterns), or null."
    )


class UrgencyTermOut(PatternRuleOut):
    weight = serializers.IntegerField()


class BlockedAuthorOut(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    platform = serializers.CharField()
    handle = serializers.CharField()
    note = serializers.CharField()


class DefaultTermOut(serializers.Serializer):
    pattern = serializers.CharField()
    is_regex = serializers.BooleanField()
    label = serializers.CharField()
    weight = serializers.IntegerField()


class PriorityOut(serializers.Serializer):
    routing_mode = serializers.CharField()
    operator_capacity = serializers.IntegerField()
    idle_owner_minutes = serializers.IntegerField()
    default_urgency_terms = DefaultTermOut(many=True, help_text="The built-in urgency terms, always used.")
    urgency_terms = UrgencyTermOut(many=True)
    spam_patterns = PatternRuleOut(many=True)
    blocked_authors = BlockedAuthorOut(many=True)


class BouncesIn(serializers.Serializer):
    """The review policy's bounce phrases: hold replies that send the customer elsewhere; use the built-in
    phrases; the brand's own (comma or line separated, matched as whole words)."""

    review_bounces = serializers.BooleanField(required=False)
    bounce_defaults = serializers.BooleanField(required=False)
    bounce_terms = serializers.CharField(max_length=5000, required=False, allow_blank=True)


class CriterionIn(serializers.Serializer):
    key = serializers.SlugField(max_length=40, required=False, allow_blank=True, help_text="Empty: a new one.")
    name = serializers.CharField(max_length=80)
    description = serializers.CharField(max_length=400, required=False, allow_blank=True, default="")
    weight = ApiIntegerField(min_value=1, max_value=32767)
    is_active = serializers.BooleanField(required=False, default=True)


class QaOut(serializers.Serializer):
    sample_percent = serializers.IntegerField()
    criteria = CriterionIn(many=True)


class SettingsOut(serializers.Serializer):
    """The brand's settings, area by area, in the shape each area's PATCH reads (webhooks: read only here); the
    priority rules, bounce phrases and QA rubric as their own endpoints answer them."""

    brand = serializers.CharField()
    sla = serializers.DictField()
    review = serializers.DictField()
    csat = serializers.DictField()
    goals = serializers.DictField()
    priority = PriorityOut(help_text="As `GET …/priority/` answers it.")
    bounces = BouncesIn(help_text="As `GET …/bounces/` answers it (the review policy's bounce phrases).")
    qa = QaOut(help_text="As `GET …/qa/` answers it: the QA rubric and weekly share.")
    webhooks = WebhookOut(many=True, required=False, help_text="Only for who manages the webhooks (supervisors).")
    can_change = serializers.ListField(child=serializers.CharField(), help_text="The areas the caller may change.")
