from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote

from .models import (
    BlockedAuthor,
    Brand,
    BrandHoliday,
    BusinessPeriod,
    ChannelAccount,
    ConfigChange,
    ConfigSource,
    ListeningRule,
    Membership,
    Presence,
    Product,
    ReviewPolicy,
    SlaPolicy,
    Snippet,
    SnippetVersion,
    SpamPattern,
    UrgencyTerm,
)
from .services import assignment, audit, review_policy, sla
from .services.sla import forget_targets
from .services.sla.business_hours import forget_calendar
from .services.sla.calendars import MINUTES_PER_DAY, CalendarError, validate_periods

#: what the brand page (with its inlines) can change, each area with its audit kind and snapshot
BRAND_AREAS = {
    "brand": ("brand.updated", audit.brand_snapshot),
    "sla": ("sla_settings.updated", sla.snapshot),
    "review": ("review_policy.updated", review_policy.snapshot),
    "assignment": ("assignment.updated", assignment.snapshot),
}


class AuditedAdmin(admin.ModelAdmin):
    """Saves and deletes (one object, or the "delete selected" action) through ``brands.services.audit``: the
    change and its record in one transaction, the admin as its source."""

    def save_model(self, request, obj, form, change):
        audit.save_object(obj, user=request.user, source=ConfigSource.ADMIN)

    def delete_model(self, request, obj):
        audit.delete_object(obj, user=request.user, source=ConfigSource.ADMIN)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


class SlaPolicyInline(admin.TabularInline):
    model = SlaPolicy
    extra = 0


class BusinessPeriodFormSet(forms.BaseInlineFormSet):
    """Refuse overlapping or reversed periods of one weekday before anything is saved."""

    def clean(self):
        super().clean()
        days: dict[int, list[tuple[int, int]]] = {}
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or data.get("starts_at") is None or data.get("ends_at") is None:
                continue
            start, end = data["starts_at"], data["ends_at"]
            days.setdefault(data["weekday"], []).append(
                (start.hour * 60 + start.minute, (end.hour * 60 + end.minute) or MINUTES_PER_DAY)
            )
        for periods in days.values():
            try:
                validate_periods(sorted(periods))
            except CalendarError as exc:
                raise forms.ValidationError(str(exc)) from None


class BusinessPeriodInline(admin.TabularInline):
    model = BusinessPeriod
    formset = BusinessPeriodFormSet
    extra = 0


class BrandHolidayInline(admin.TabularInline):
    model = BrandHoliday
    extra = 0


class ReviewPolicyInline(admin.StackedInline):
    model = ReviewPolicy
    extra = 0
    max_num = 1


@admin.register(Brand)
class BrandAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "time_zone", "languages", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline, SlaPolicyInline, BusinessPeriodInline, BrandHolidayInline, ReviewPolicyInline]

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """A saved brand page is recorded area by area (brand, SLA, review, assignment), in its transaction."""
        brand = self.get_object(request, unquote(object_id)) if object_id and request.method == "POST" else None
        if brand is None:
            return super().changeform_view(request, object_id, form_url, extra_context)
        with audit.tracking(brand.pk, user=request.user, source=ConfigSource.ADMIN, areas=BRAND_AREAS):
            return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            audit.record(
                brand=obj,
                user=request.user,
                source=ConfigSource.ADMIN,
                area="brand",
                kind="brand.created",
                before={},
                after=audit.brand_snapshot(obj),
                object_repr=obj.name,
            )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        forget_calendar(form.instance.pk)
        forget_targets(form.instance.pk)


#: what a membership's page can change: who is on probation, an operator's languages and skills
MEMBER_AREAS = {
    "review": ("review_policy.updated", review_policy.snapshot),
    "assignment": ("assignment.updated", assignment.snapshot),
}


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "brand", "role", "on_probation", "created_at"]
    list_filter = ["role", "brand"]
    search_fields = ["user__username", "brand__name"]
    autocomplete_fields = ["user", "brand"]

    def save_model(self, request, obj, form, change):
        with audit.tracking(obj.brand_id, user=request.user, source=ConfigSource.ADMIN, areas=MEMBER_AREAS):
            super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        with audit.tracking(obj.brand_id, user=request.user, source=ConfigSource.ADMIN, areas=MEMBER_AREAS):
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


class ChannelAccountForm(forms.ModelForm):
    """Secrets are write-only: the form never renders their current value."""

    access_token = forms.CharField(required=False, widget=forms.PasswordInput(render_value=False))
    webhook_secret = forms.CharField(required=False, max_length=200, widget=forms.PasswordInput(render_value=False))

    class Meta:
        model = ChannelAccount
        fields = [
            "brand",
            "platform",
            "external_id",
            "name",
            "handle",
            "status",
            "status_detail",
            "access_token",
            "webhook_secret",
        ]

    def clean(self):
        cleaned = super().clean()
        for name in ("access_token", "webhook_secret"):
            if not cleaned.get(name) and self.instance.pk:
                cleaned[name] = getattr(self.instance, name)  # left empty: keep the stored secret
        return cleaned


@admin.register(ChannelAccount)
class ChannelAccountAdmin(AuditedAdmin):
    form = ChannelAccountForm
    list_display = ["name", "brand", "platform", "external_id", "status"]
    list_filter = ["platform", "status", "brand"]
    search_fields = ["name", "handle", "external_id"]


@admin.register(SlaPolicy)
class SlaPolicyAdmin(AuditedAdmin):
    list_display = ["brand", "priority", "first_response_minutes", "next_response_minutes", "resolution_minutes"]
    list_filter = ["brand"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        forget_targets(obj.brand_id)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        forget_targets(obj.brand_id)


@admin.register(ListeningRule)
class ListeningRuleAdmin(AuditedAdmin):
    list_display = ["name", "brand", "platforms", "language", "is_active"]
    list_filter = ["brand", "is_active"]
    search_fields = ["name", "handles", "hashtags", "keywords"]


class SnippetVersionInline(admin.TabularInline):
    model = SnippetVersion
    extra = 0
    can_delete = False
    fields = ["number", "title", "status", "author", "note", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Product)
class ProductAdmin(AuditedAdmin):
    list_display = ["name", "brand", "category"]
    list_filter = ["brand"]
    search_fields = ["name", "category"]


@admin.register(Snippet)
class SnippetAdmin(admin.ModelAdmin):
    """Read-only here: snippets change through the knowledge pages, which keep versions and events."""

    list_display = ["title", "brand", "shortcut", "language", "status", "version", "used_as_is", "used_edited"]
    list_filter = ["brand", "status", "language"]
    search_fields = ["title", "shortcut", "body"]
    inlines = [SnippetVersionInline]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False


# --- priority, noise and presence (docs/priority.md): model validation refuses an invalid regular expression --


@admin.register(UrgencyTerm)
class UrgencyTermAdmin(AuditedAdmin):
    list_display = ["pattern", "label", "weight", "is_regex", "brand"]
    list_filter = ["brand", "label"]
    search_fields = ["pattern", "label"]


@admin.register(SpamPattern)
class SpamPatternAdmin(AuditedAdmin):
    list_display = ["pattern", "label", "is_regex", "brand"]
    list_filter = ["brand"]
    search_fields = ["pattern", "label"]


@admin.register(BlockedAuthor)
class BlockedAuthorAdmin(AuditedAdmin):
    list_display = ["handle", "platform", "brand", "note", "created_at"]
    list_filter = ["brand", "platform"]
    search_fields = ["handle", "note"]


@admin.register(Presence)
class PresenceAdmin(admin.ModelAdmin):
    list_display = ["user", "last_seen_at"]
    search_fields = ["user__username"]
    readonly_fields = ["user", "last_seen_at"]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(ConfigChange)
class ConfigChangeAdmin(admin.ModelAdmin):
    """The audit trail of brand configuration: read-only (append-only records)."""

    list_display = ["created_at", "brand", "area", "kind", "object_repr", "actor_name", "source"]
    list_filter = ["brand", "area", "source"]
    search_fields = ["kind", "object_repr", "actor_name"]
    readonly_fields = [f.name for f in ConfigChange._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
