"""Brands (the agency's clients) and their configuration. Imports nothing from ``tickets``."""

import datetime
import secrets
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .services import patterns

# Bounds of the numbers a brand configures (forms, admin, load_config and the API share them through the model):
# past these a time computation overflows or a deadline leaves the calendar's three-year horizon.
MAX_TARGET_MINUTES = 365 * 24 * 60  # an SLA target: a year
MAX_WARNING_MINUTES = 7 * 24 * 60  # warn this long before a breach: a week
MAX_THREAD_WINDOW_HOURS = 365 * 24  # a new mention joins the author's open ticket within a year
MAX_IDLE_OWNER_MINUTES = 30 * 24 * 60  # an idle owner is unassigned after at most thirty days
MAX_OPERATOR_CAPACITY = 1000
MAX_TERM_WEIGHT = 100  # an urgency term's points (the urgency factor is capped at 40 anyway)


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Unknown time zone: %(zone)s"), params={"zone": value}, code="unknown_zone")


class Platform(models.TextChoices):
    X = "x", "X"
    FACEBOOK = "facebook", "Facebook"
    INSTAGRAM = "instagram", "Instagram"
    YOUTUBE = "youtube", "YouTube"


class Priority(models.IntegerChoices):
    """Higher is more urgent, so the queue can sort on the number."""

    LOW = 1, _("Low")
    NORMAL = 2, _("Normal")
    HIGH = 3, _("High")
    URGENT = 4, _("Urgent")


class Brand(models.Model):
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Jakarta", validators=[validate_time_zone])
    languages = models.CharField(
        _("languages"), max_length=40, default="id,en", help_text=_("Comma-separated language codes.")
    )
    round_the_clock = models.BooleanField(
        _("open round the clock"),
        default=True,
        help_text=_("SLA clocks run all the time. Switch off to count only the business hours below."),
    )
    holiday_country = models.CharField(
        _("public holidays of"),
        max_length=2,
        default="ID",
        blank=True,
        help_text=_("Country code whose public holidays close the clocks (ID for Indonesia); empty for none."),
    )
    observe_collective_leave = models.BooleanField(
        _("observe collective leave"),
        default=True,
        help_text=_("Also close on the government's collective-leave days (cuti bersama)."),
    )
    sla_warning_minutes = models.PositiveIntegerField(
        _("warn before a breach (minutes)"),
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_WARNING_MINUTES)],
    )
    escalation_raises_priority = models.BooleanField(
        _("a breach raises the priority"), default=False, help_text=_("Raise a breached ticket by one level.")
    )
    thread_window_hours = models.PositiveIntegerField(
        _("threading window (hours)"),
        default=72,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_THREAD_WINDOW_HOURS)],
        help_text=_("A new mention from the same author joins their open ticket within this window."),
    )
    report_schedule = models.CharField(
        _("report by email"),
        max_length=10,
        choices=[("none", _("Never")), ("weekly", _("Weekly")), ("monthly", _("Monthly"))],
        default="none",
        help_text=_("Mail the SLA report of the last week or month to the brand's managers."),
    )
    #: the first day of the last period whose report was mailed, so each period is sent exactly once
    report_last_period = models.DateField(_("last report period mailed"), null=True, blank=True)
    managers_edit_knowledge = models.BooleanField(
        _("brand managers may edit product knowledge"),
        default=False,
        help_text=_("Let this brand's managers edit its products and snippets, as supervisors do."),
    )
    # Routing (docs/priority.md): how new tickets reach operators.
    routing_mode = models.CharField(
        _("routing"),
        max_length=12,
        choices=[
            ("claim", _("Claim only")),
            ("round_robin", _("Round robin")),
            ("load", _("Load-based")),
        ],
        default="claim",
        help_text=_("Claim only: operators take tickets. The others assign new tickets to an online operator."),
    )
    operator_capacity = models.PositiveSmallIntegerField(
        _("tickets per operator"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_OPERATOR_CAPACITY)],
        help_text=_("Automatic assignment stops giving an operator tickets at this many active ones."),
    )
    idle_owner_minutes = models.PositiveIntegerField(
        _("unassign an idle owner after (minutes)"),
        default=0,
        validators=[MaxValueValidator(MAX_IDLE_OWNER_MINUTES)],
        help_text=_("An open ticket whose owner did nothing on it for this long goes back to the queue; 0: never."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("brand")
        verbose_name_plural = _("brands")

    def __str__(self) -> str:
        return self.name


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class BusinessPeriod(models.Model):
    """One working period of a weekday in the brand's local time. An end of 00:00 means midnight."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="business_periods", verbose_name=_("brand"))
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    starts_at = models.TimeField(_("from"))
    ends_at = models.TimeField(_("until"))

    class Meta:
        ordering = ["brand", "weekday", "starts_at"]
        verbose_name = _("business hours period")
        verbose_name_plural = _("business hours")
        constraints = [
            models.CheckConstraint(condition=models.Q(weekday__gte=0, weekday__lte=6), name="period_weekday_valid"),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")) | models.Q(ends_at=datetime.time(0, 0)),
                name="period_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"


class BrandHoliday(models.Model):
    """A day the brand's clocks stop, besides public holidays: its own closures and extra leave days."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="holidays", verbose_name=_("brand"))
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        ordering = ["brand", "date"]
        verbose_name = _("brand holiday")
        verbose_name_plural = _("brand holidays")
        constraints = [models.UniqueConstraint(fields=["brand", "date"], name="brand_holiday_unique_date")]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"


class Role(models.TextChoices):
    OPERATOR = "operator", _("Operator")
    SUPERVISOR = "supervisor", _("Supervisor")
    MANAGER = "manager", _("Brand manager")


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("brand"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    languages = models.CharField(
        _("languages"),
        max_length=40,
        blank=True,
        help_text=_("Comma-separated language codes this person answers in (id,en); empty: any."),
    )
    skills = models.CharField(
        _("skill tags"), max_length=200, blank=True, help_text=_("Comma-separated, e.g. fraud,legal,billing.")
    )
    #: a member on probation has every reply reviewed where the brand's review policy says so
    on_probation = models.BooleanField(
        _("on probation"), default=False, help_text=_("Replies go to a supervisor where the review policy says so.")
    )
    #: when automatic assignment last gave this member a ticket (round robin takes the longest-waiting)
    last_assigned_at = models.DateTimeField(_("last assigned"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "brand"], name="membership_one_role_per_brand"),
            models.CheckConstraint(
                condition=models.Q(role__in=["operator", "supervisor", "manager"]), name="membership_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.brand} ({self.role})"

    @property
    def language_list(self) -> list[str]:
        return split_tags(self.languages)

    @property
    def skill_list(self) -> list[str]:
        return split_tags(self.skills)


def split_tags(value: str) -> list[str]:
    return [tag for tag in (part.strip().lower() for part in value.split(",")) if tag]


def new_verify_token() -> str:
    return secrets.token_urlsafe(24)


class ChannelAccount(models.Model):
    """A brand's account on a platform. Its secrets never appear in pages, logs or the API."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        NEEDS_ATTENTION = "needs_attention", _("Needs attention")
        DISABLED = "disabled", _("Disabled")

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="channels", verbose_name=_("brand"))
    platform = models.CharField(_("platform"), max_length=20, choices=Platform.choices)
    external_id = models.CharField(
        _("platform account id"), max_length=64, help_text=_("The page, user or channel id on the platform.")
    )
    name = models.CharField(_("name"), max_length=120)
    handle = models.CharField(_("handle"), max_length=120, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    status_detail = models.CharField(_("status detail"), max_length=500, blank=True)
    access_token = models.TextField(_("access token"), blank=True)
    webhook_secret = models.CharField(_("webhook secret"), max_length=200, blank=True)
    verify_token = models.CharField(_("verify token"), max_length=64, default=new_verify_token)
    #: polling state (tickets.services.polling): the platform cursors (X ``since_id`` per timeline or rule,
    #: YouTube's newest timestamp), when the last poll ran and the earliest time the next may (rate limits)
    poll_cursor = models.JSONField(_("poll cursor"), default=dict, blank=True)
    last_polled_at = models.DateTimeField(_("last poll"), null=True, blank=True)
    next_poll_at = models.DateTimeField(_("next poll not before"), null=True, blank=True)
    last_delivery_at = models.DateTimeField(_("last webhook delivery"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["brand__name", "platform", "name"]
        verbose_name = _("channel account")
        verbose_name_plural = _("channel accounts")
        constraints = [
            models.UniqueConstraint(fields=["platform", "external_id"], name="channel_unique_platform_account"),
        ]

    def __str__(self) -> str:
        return f"{self.get_platform_display()} · {self.name}"


TARGET_VALIDATORS = [MinValueValidator(1), MaxValueValidator(MAX_TARGET_MINUTES)]


class SlaPolicy(models.Model):
    """Targets per brand and priority, in minutes. Tickets of a priority without a row use DEFAULT_TARGETS."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="sla_policies", verbose_name=_("brand"))
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices)
    first_response_minutes = models.PositiveIntegerField(_("first response (minutes)"), validators=TARGET_VALIDATORS)
    next_response_minutes = models.PositiveIntegerField(_("next response (minutes)"), validators=TARGET_VALIDATORS)
    resolution_minutes = models.PositiveIntegerField(_("resolution (minutes)"), validators=TARGET_VALIDATORS)

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        constraints = [
            models.UniqueConstraint(fields=["brand", "priority"], name="sla_policy_one_per_priority"),
            models.CheckConstraint(
                condition=models.Q(first_response_minutes__gt=0)
                & models.Q(next_response_minutes__gt=0)
                & models.Q(resolution_minutes__gt=0),
                name="sla_policy_targets_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.brand} · {self.get_priority_display()}"


# --- product knowledge (docs/knowledge.md) ------------------------------------------------------


class Product(models.Model):
    """A product a brand's customers ask about. ``specifications`` maps a field name (``battery``) to its value;
    snippets reach them as ``{product.battery}``."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="products", verbose_name=_("brand"))
    name = models.CharField(_("name"), max_length=120)
    category = models.CharField(_("category"), max_length=80, blank=True)
    specifications = models.JSONField(_("specifications"), default=dict, blank=True)
    faq = models.TextField(_("frequent questions"), blank=True)
    competitor_notes = models.TextField(_("notes on competitors"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["brand", "name"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = [models.UniqueConstraint(fields=["brand", "name"], name="product_unique_name_per_brand")]

    def __str__(self) -> str:
        return self.name


class SnippetLanguage(models.TextChoices):
    INDONESIAN = "id", _("Indonesian")
    ENGLISH = "en", _("English")


class SnippetTone(models.TextChoices):
    FORMAL = "formal", _("Formal")
    CASUAL = "casual", _("Casual")


class SnippetStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class Snippet(models.Model):
    """An approved answer. Operators are offered only published, unexpired snippets of their brand.
    Every change writes a :class:`SnippetVersion` (``brands.services.knowledge``)."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="snippets", verbose_name=_("brand"))
    title = models.CharField(_("title"), max_length=160)
    body = models.TextField(_("body"))
    language = models.CharField(
        _("language"), max_length=2, choices=SnippetLanguage.choices, default=SnippetLanguage.INDONESIAN
    )
    tone = models.CharField(_("tone"), max_length=10, choices=SnippetTone.choices, default=SnippetTone.FORMAL)
    tags = models.CharField(_("tags"), max_length=300, blank=True, help_text=_("Comma-separated."))
    product = models.ForeignKey(
        Product,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="snippets",
        verbose_name=_("product"),
    )
    shortcut = models.CharField(
        _("shortcut"), max_length=40, blank=True, help_text=_("Typed after / in the reply box, e.g. refund-id.")
    )
    status = models.CharField(_("status"), max_length=10, choices=SnippetStatus.choices, default=SnippetStatus.DRAFT)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True, help_text=_("Promotions end."))
    version = models.PositiveIntegerField(_("version"), default=1)
    used_as_is = models.PositiveIntegerField(_("used as is"), default=0)
    used_edited = models.PositiveIntegerField(_("used edited"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["brand", "title", "pk"]
        verbose_name = _("snippet")
        verbose_name_plural = _("snippets")
        indexes = [models.Index(fields=["brand", "status", "updated_at"], name="snippet_brand_status_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["brand", "shortcut"], condition=~models.Q(shortcut=""), name="snippet_unique_shortcut"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["draft", "published", "archived"]), name="snippet_status_valid"
            ),
            models.CheckConstraint(condition=models.Q(language__in=["id", "en"]), name="snippet_language_valid"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def tag_list(self) -> list[str]:
        return [t.strip() for t in self.tags.split(",") if t.strip()]


class SnippetVersion(models.Model):
    """The full content of a snippet after each change, numbered from 1. Never updated or deleted."""

    snippet = models.ForeignKey(Snippet, on_delete=models.CASCADE, related_name="versions", verbose_name=_("snippet"))
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=160)
    body = models.TextField(_("body"))
    language = models.CharField(_("language"), max_length=2)
    tone = models.CharField(_("tone"), max_length=10)
    tags = models.CharField(_("tags"), max_length=300, blank=True)
    product_name = models.CharField(_("product"), max_length=120, blank=True)
    shortcut = models.CharField(_("shortcut"), max_length=40, blank=True)
    status = models.CharField(_("status"), max_length=10)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    note = models.CharField(_("what changed"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["snippet", "-number"]
        verbose_name = _("snippet version")
        verbose_name_plural = _("snippet versions")
        constraints = [models.UniqueConstraint(fields=["snippet", "number"], name="snippet_version_unique_number")]

    def __str__(self) -> str:
        return f"{self.snippet_id} v{self.number}"


# --- priority, noise and presence (docs/priority.md) ----------------------------------------------------------


class PatternRule(models.Model):
    """A word, phrase or regular expression matched case-insensitively against a mention's text."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="+", verbose_name=_("brand"))
    pattern = models.CharField(_("pattern"), max_length=200)
    is_regex = models.BooleanField(
        _("regular expression"), default=False, help_text=_("Otherwise the words are matched as written.")
    )
    label = models.CharField(_("label"), max_length=40, help_text=_("Shown as the reason, e.g. fraud or legal."))

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.label}: {self.pattern}"

    def clean(self) -> None:
        super().clean()
        error = pattern_error(self.pattern, is_regex=self.is_regex)
        if error:
            raise ValidationError({"pattern": error})
        if self.brand_id is None:
            return
        others = type(self).objects.filter(brand_id=self.brand_id).exclude(pk=self.pk)
        if others.count() >= patterns.MAX_RULES:
            raise ValidationError(
                _("A brand has at most %(n)d %(kind)s: remove one first.")
                % {"n": patterns.MAX_RULES, "kind": self._meta.verbose_name_plural}
            )
        if self.is_regex:
            costs = [
                patterns.regex_cost(p, is_regex=True)
                for p in others.filter(is_regex=True).values_list("pattern", flat=True)
            ]
            error = patterns.budget_error([*costs, patterns.regex_cost(self.pattern, is_regex=True)])
            if error:
                raise ValidationError({"pattern": error})


def pattern_error(pattern: str, *, is_regex: bool) -> str | None:
    """Why ``pattern`` cannot be used, or None (``brands.services.patterns``: RE2). Shared by the admin, forms and
    ``load_config``."""
    return patterns.pattern_error(pattern, is_regex=is_regex)


class UrgencyTerm(PatternRule):
    """A brand's own urgency term, added to the built-in ones (``tickets.services.priority.DEFAULT_URGENCY_TERMS``)."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="urgency_terms", verbose_name=_("brand"))
    weight = models.PositiveSmallIntegerField(
        _("points"),
        default=20,
        validators=[MaxValueValidator(MAX_TERM_WEIGHT)],
        help_text=_("Priority points when a message contains it."),
    )

    class Meta:
        ordering = ["brand", "label", "pk"]
        verbose_name = _("urgency term")
        verbose_name_plural = _("urgency terms")
        constraints = [models.UniqueConstraint(fields=["brand", "pattern"], name="urgency_term_unique_pattern")]


class SpamPattern(PatternRule):
    """A brand's own noise pattern, added to the built-in gambling-promotion ones."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="spam_patterns", verbose_name=_("brand"))

    class Meta:
        ordering = ["brand", "label", "pk"]
        verbose_name = _("spam pattern")
        verbose_name_plural = _("spam patterns")
        constraints = [models.UniqueConstraint(fields=["brand", "pattern"], name="spam_pattern_unique_pattern")]


class BlockedAuthor(models.Model):
    """An author whose mentions to this brand are ignored on arrival. ``handle`` without the @."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="blocked_authors", verbose_name=_("brand"))
    platform = models.CharField(_("platform"), max_length=20, choices=Platform.choices)
    handle = models.CharField(_("handle"), max_length=120)
    note = models.CharField(_("why"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["brand", "platform", "handle"]
        verbose_name = _("blocked author")
        verbose_name_plural = _("blocked authors")
        constraints = [
            models.UniqueConstraint(fields=["brand", "platform", "handle"], name="blocked_author_unique_handle")
        ]

    def __str__(self) -> str:
        return f"{self.platform}:@{self.handle}"

    def clean(self) -> None:
        super().clean()
        self.handle = self.handle.strip().lstrip("@")


class Presence(models.Model):
    """When a user was last seen in the app (written at most once a minute by ``brands.middleware``).
    Automatic assignment gives tickets only to operators seen within ``SMRC_ONLINE_MINUTES``."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="presence",
        verbose_name=_("user"),
    )
    last_seen_at = models.DateTimeField(_("last seen"), db_index=True)

    class Meta:
        verbose_name = _("presence")
        verbose_name_plural = _("presences")

    def __str__(self) -> str:
        return f"{self.user_id} seen {self.last_seen_at:%Y-%m-%d %H:%M}"


def _terms(text: str) -> list[str]:
    """Comma- or newline-separated terms, stripped, without empties."""
    return [t.strip() for t in text.replace("\n", ",").split(",") if t.strip()]


class ListeningRule(models.Model):
    """What a brand listens for in searches and imports: any of its handles, hashtags or keywords, none of the
    exclusions, optionally in one language and on some platforms. Matching: ``brands.services.channels.listening``."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="listening_rules", verbose_name=_("brand"))
    name = models.CharField(_("name"), max_length=120)
    platforms = models.CharField(
        _("platforms"), max_length=80, blank=True, help_text=_("Comma-separated; empty for every platform.")
    )
    handles = models.TextField(_("handles"), blank=True, help_text=_("Comma-separated, without @."))
    hashtags = models.TextField(_("hashtags"), blank=True, help_text=_("Comma-separated, without #."))
    keywords = models.TextField(_("keywords"), blank=True, help_text=_("Comma-separated words or phrases."))
    exclusions = models.TextField(
        _("exclusions"), blank=True, help_text=_("Comma-separated words or phrases that rule a mention out.")
    )
    language = models.CharField(_("language"), max_length=12, blank=True, help_text=_("Empty for any language."))
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["brand", "name"]
        verbose_name = _("listening rule")
        verbose_name_plural = _("listening rules")
        constraints = [models.UniqueConstraint(fields=["brand", "name"], name="listening_rule_unique_name")]

    def __str__(self) -> str:
        return f"{self.brand} · {self.name}"

    def clean(self) -> None:
        super().clean()
        errors = {}
        for name in ("handles", "hashtags", "keywords", "exclusions"):
            error = patterns.terms_error(_terms(getattr(self, name)))
            if error:
                errors[name] = error
        if errors:
            raise ValidationError(errors)

    @property
    def platform_list(self) -> list[str]:
        return [p.lower() for p in _terms(self.platforms)]

    @property
    def handle_list(self) -> list[str]:
        return [h.lstrip("@") for h in _terms(self.handles)]

    @property
    def hashtag_list(self) -> list[str]:
        return [h.lstrip("#") for h in _terms(self.hashtags)]

    @property
    def keyword_list(self) -> list[str]:
        return _terms(self.keywords)

    @property
    def exclusion_list(self) -> list[str]:
        return _terms(self.exclusions)


#: words that send a reply to review when the brand's policy reviews flagged terms (compensation promises, legal)
DEFAULT_FLAGGED_TERMS = (
    "ganti rugi, kompensasi, refund, uang kembali, pengacara, somasi, hukum, gugat, lawyer, legal, compensation"
)


class ReviewPolicy(models.Model):
    """When a reply needs a supervisor before it is published (docs/publishing.md). No row: nothing is reviewed."""

    brand = models.OneToOneField(Brand, on_delete=models.CASCADE, related_name="review_policy", verbose_name=_("brand"))
    review_all = models.BooleanField(_("review every reply"), default=False)
    review_probation = models.BooleanField(
        _("review members on probation"),
        default=True,
        help_text=_("Every reply of an operator marked as on probation goes to review."),
    )
    sample_percent = models.PositiveSmallIntegerField(
        _("random sample (%)"),
        default=0,
        validators=[MaxValueValidator(100)],
        help_text=_("This share of each operator's other replies goes to review; 0: none."),
    )
    review_high_priority = models.BooleanField(
        _("review high and urgent tickets"), default=False, help_text=_("Replies on high or urgent tickets.")
    )
    influence_threshold = models.PositiveSmallIntegerField(
        _("review when the author's influence reaches"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
        help_text=_("Influence score from 0 to 100 (see the ticket's priority); empty: never."),
    )
    review_flagged_terms = models.BooleanField(_("review replies with flagged terms"), default=False)
    flagged_terms = models.TextField(
        _("flagged terms"),
        blank=True,
        default=DEFAULT_FLAGGED_TERMS,
        help_text=_("Comma-separated words or phrases, matched as whole words, case-insensitive."),
    )
    review_bounces = models.BooleanField(
        _("review replies that send the customer elsewhere"),
        default=True,
        help_text=_(
            "A reply that sends the customer to the call center, an office or another channel waits for a "
            "supervisor. Moving to private messages is allowed."
        ),
    )
    bounce_defaults = models.BooleanField(
        _("use the built-in Indonesian and English phrases"),
        default=True,
        help_text=_("For example “silakan hubungi call center”, “datang ke kantor cabang”, “call our hotline”."),
    )
    bounce_terms = models.TextField(
        _("the brand's own bouncing phrases"),
        blank=True,
        default="",
        help_text=_("Comma-separated words or phrases, matched as whole words, case-insensitive."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("review policy")
        verbose_name_plural = _("review policies")
        constraints = [
            models.CheckConstraint(condition=models.Q(sample_percent__lte=100), name="review_sample_percent_valid"),
        ]

    def __str__(self) -> str:
        return f"review policy of {self.brand_id}"

    def clean(self) -> None:
        super().clean()
        error = patterns.terms_error(self.flagged_term_list)
        if error:
            raise ValidationError({"flagged_terms": error})
        error = patterns.terms_error(self.bounce_term_list)
        if error:
            raise ValidationError({"bounce_terms": error})

    @property
    def flagged_term_list(self) -> list[str]:
        return split_tags(self.flagged_terms.replace("\n", ","))

    @property
    def bounce_term_list(self) -> list[str]:
        return split_tags(self.bounce_terms.replace("\n", ","))


#: the languages a satisfaction survey and its rating page speak
CSAT_LANGUAGES = (("id", "Bahasa Indonesia"), ("en", "English"))
MAX_CSAT_EXPIRY_DAYS = 90
MAX_CSAT_WINDOW_HOURS = 30 * 24


class CsatSettings(models.Model):
    """Whether and how the brand asks customers to rate the help they got (docs/csat.md; brands.services.csat).
    No row: no survey is sent."""

    brand = models.OneToOneField(Brand, on_delete=models.CASCADE, related_name="csat_settings", verbose_name=_("brand"))
    enabled = models.BooleanField(_("ask customers to rate resolved tickets"), default=False)
    #: the platforms surveyed (comma-separated ``Platform`` values); only where the platform's rules allow it
    platforms = models.CharField(_("platforms"), max_length=80, blank=True, default="facebook,instagram")
    public_replies = models.BooleanField(
        _("also ask in public replies"),
        default=False,
        help_text=_("Where the platform allows it; otherwise only private messages carry the survey."),
    )
    default_language = models.CharField(
        _("default language"),
        max_length=5,
        choices=CSAT_LANGUAGES,
        default="id",
        help_text=_("Used when the customer's language is not known."),
    )
    expiry_days = models.PositiveSmallIntegerField(
        _("the link expires after (days)"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_CSAT_EXPIRY_DAYS)],
    )
    repeat_window_hours = models.PositiveSmallIntegerField(
        _("no survey when resolved again within (hours)"),
        default=72,
        validators=[MaxValueValidator(MAX_CSAT_WINDOW_HOURS)],
        help_text=_("A ticket reopened and resolved again this soon after its last resolution is not surveyed."),
    )
    low_rating = models.PositiveSmallIntegerField(
        _("a low rating is at most"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(4)],
        help_text=_("The brand's supervisors are notified of ratings at or below this."),
    )
    reopen_on_low = models.BooleanField(_("reopen the ticket on a low rating"), default=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("satisfaction survey settings")
        verbose_name_plural = _("satisfaction survey settings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expiry_days__gte=1, expiry_days__lte=MAX_CSAT_EXPIRY_DAYS), name="csat_expiry_valid"
            ),
            models.CheckConstraint(condition=models.Q(low_rating__gte=1, low_rating__lte=4), name="csat_low_valid"),
        ]

    def __str__(self) -> str:
        return f"CSAT settings of {self.brand_id}"

    @property
    def platform_list(self) -> list[str]:
        return split_tags(self.platforms)


class AppendOnlyError(Exception):
    """An audit record was asked to change or go away: it may not (the brand's deletion alone removes it)."""


class ConfigChangeQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("configuration changes are append-only")

    def delete(self):
        raise AppendOnlyError("configuration changes are append-only")


class ConfigArea(models.TextChoices):
    """What a brand configures, one area a ``brands.services`` module (docs/architecture.md)."""

    BRAND = "brand", _("Brand")
    SLA = "sla", _("SLA")
    REVIEW = "review", _("Review")
    ASSIGNMENT = "assignment", _("Assignment")
    PRIORITY = "priority", _("Priority")
    KNOWLEDGE = "knowledge", _("Knowledge")
    CHANNELS = "channels", _("Channels")
    GOALS = "goals", _("Goals")
    API_KEYS = "api_keys", _("API keys")
    CSAT = "csat", _("Customer satisfaction")
    VIEWS = "views", _("Team views")
    WEBHOOKS = "webhooks", _("Webhooks")
    QA = "qa", _("Quality scorecards")


class ConfigSource(models.TextChoices):
    """Where a change came from: who, when there is no user (``load_config``), or through what."""

    PAGE = "page", _("Settings page")
    ADMIN = "admin", _("Admin")
    API = "api", _("API")
    LOAD_CONFIG = "load_config", _("Configuration file")


class ConfigChange(models.Model):
    """One change of a brand's configuration: who (``actor`` and ``source``), what (``area``, ``kind``, the object)
    and how (``before`` and ``after``: the changed values only, as JSON). Written by ``brands.services.audit`` in the
    transaction of the change itself, so a change without its record cannot be committed. Append-only."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="config_changes", verbose_name=_("brand"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    #: the actor's username when the change was made (kept if the user is deleted); empty without a user
    actor_name = models.CharField(_("actor name"), max_length=150, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=ConfigSource.choices)
    area = models.CharField(_("area"), max_length=20, choices=ConfigArea.choices)
    #: what happened to which kind of object: ``sla_settings.updated``, ``snippet.archived``, ``spam_pattern.deleted``
    kind = models.CharField(_("kind"), max_length=60)
    object_id = models.PositiveBigIntegerField(_("object id"), null=True, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    before = models.JSONField(_("before"), default=dict, blank=True)
    after = models.JSONField(_("after"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)
    #: the ``tickets`` Event this row was copied from (tickets migration 0017), else empty
    legacy_event_id = models.PositiveBigIntegerField(_("copied from event"), null=True, blank=True, unique=True)

    objects = ConfigChangeQuerySet.as_manager()

    class Meta:
        verbose_name = _("configuration change")
        verbose_name_plural = _("configuration changes")
        indexes = [models.Index(fields=["brand", "-created_at", "-id"], name="config_change_brand_idx")]

    def __str__(self) -> str:
        return f"{self.kind} @ {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise AppendOnlyError("configuration changes are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("configuration changes are append-only")


class Goal(models.Model):
    """A figure the brand answers for and the value it aims at (tickets.reports.headline.GOAL_METRICS: a share in
    percent, a duration in seconds or handoffs per ticket). Set by the brand's managers and supervisors."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="goals", verbose_name=_("brand"))
    metric = models.CharField(_("figure"), max_length=30)
    target = models.DecimalField(
        _("goal"), max_digits=10, decimal_places=2, validators=[MinValueValidator(0), MaxValueValidator(10_000_000)]
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        constraints = [models.UniqueConstraint(fields=["brand", "metric"], name="goal_one_per_metric")]

    def __str__(self) -> str:
        return f"{self.metric} {self.target}"


class ApiKeyScope(models.TextChoices):
    READ = "read", _("Read only")
    WRITE = "write", _("Read and write")


class ApiKey(models.Model):
    """A key a person made for a program acting as them through the API (``brands.services.api_keys``): named,
    limited to some of their brands and to reading or to reading and writing, never more than the person's role
    allows at the time of each request. Only a SHA-256 digest of the token is kept; ``prefix`` finds the row."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_keys", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    digest = models.CharField(_("digest"), max_length=64)
    scope = models.CharField(_("scope"), max_length=10, choices=ApiKeyScope.choices, default=ApiKeyScope.READ)
    brands = models.ManyToManyField(Brand, related_name="+", verbose_name=_("brands"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def read_only(self) -> bool:
        return self.scope == ApiKeyScope.READ


#: the events a webhook subscription can choose (docs/api.md, "Webhooks")
WEBHOOK_EVENTS: tuple[tuple[str, str], ...] = (
    ("ticket.created", _("Ticket created")),
    ("ticket.assigned", _("Ticket assigned")),
    ("ticket.resolved", _("Ticket resolved")),
    ("ticket.reopened", _("Ticket reopened")),
    ("reply.submitted", _("Reply submitted")),
    ("reply.approved", _("Reply approved")),
    ("reply.published", _("Reply published")),
    ("reply.failed", _("Reply failed")),
    ("sla.warning", _("SLA warning")),
    ("sla.breach", _("SLA breach")),
)
MAX_WEBHOOK_URL = 500
MAX_WEBHOOKS_PER_BRAND = 20


def new_webhook_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


class WebhookSubscription(models.Model):
    """Where a brand's events are pushed (brands.services.webhooks; sent by tickets.services.hooks). The secret
    signs every delivery; it is shown once, when created or rotated, and never written to the audit trail."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="webhooks", verbose_name=_("brand"))
    name = models.CharField(_("name"), max_length=80)
    url = models.CharField(_("URL"), max_length=MAX_WEBHOOK_URL)
    events = models.JSONField(_("events"), default=list)
    secret = models.CharField(_("secret"), max_length=80, default=new_webhook_secret)
    is_active = models.BooleanField(_("active"), default=True)
    paused_at = models.DateTimeField(_("paused"), null=True, blank=True)
    pause_reason = models.CharField(_("why paused"), max_length=200, blank=True)
    consecutive_failures = models.PositiveIntegerField(_("failures in a row"), default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        constraints = [models.UniqueConstraint(fields=["brand", "name"], name="webhook_unique_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def sending(self) -> bool:
        return self.is_active and self.paused_at is None


#: the share of each operator's published replies a brand samples for QA each week, at most
MAX_QA_SAMPLE_PERCENT = 100
#: a criterion's weight: a positive whole number, relative to the others (docs/qa.md)
MAX_QA_WEIGHT = 100


class QaSettings(models.Model):
    """How much of each operator's work the brand's supervisors grade (brands.services.qa; docs/qa.md). No row:
    the default share, and the default rubric until the brand saves its own."""

    brand = models.OneToOneField(Brand, on_delete=models.CASCADE, related_name="qa_settings", verbose_name=_("brand"))
    sample_percent = models.PositiveSmallIntegerField(
        _("share of each operator's published replies graded per week (%)"),
        default=5,
        validators=[MaxValueValidator(MAX_QA_SAMPLE_PERCENT)],
        help_text=_("Every reply on a ticket the customer rated low is graded as well."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("QA settings")
        verbose_name_plural = _("QA settings")

    def __str__(self) -> str:
        return f"QA of {self.brand_id}"


class QaCriterion(models.Model):
    """One line of the brand's QA rubric: what a grader scores (1–5) and comments on, with its weight in the
    overall score. Retired rather than deleted once used, so past scorecards keep their lines."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="qa_criteria", verbose_name=_("brand"))
    key = models.SlugField(_("key"), max_length=40)
    name = models.CharField(_("name"), max_length=80)
    description = models.CharField(_("description"), max_length=400, blank=True)
    weight = models.PositiveSmallIntegerField(
        _("weight"), default=1, validators=[MinValueValidator(1), MaxValueValidator(MAX_QA_WEIGHT)]
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("QA criterion")
        verbose_name_plural = _("QA criteria")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["brand", "key"], name="qa_criterion_unique_key"),
            models.CheckConstraint(condition=models.Q(weight__gte=1), name="qa_criterion_weight_positive"),
        ]

    def __str__(self) -> str:
        return self.name
