from django import forms
from django.contrib import admin

from .models import Brand, ChannelAccount, Membership, SlaPolicy


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


class SlaPolicyInline(admin.TabularInline):
    model = SlaPolicy
    extra = 0


@admin.register(Brand)
class BrandAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "time_zone", "languages", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline, SlaPolicyInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "brand", "role", "created_at"]
    list_filter = ["role", "brand"]
    search_fields = ["user__username", "brand__name"]
    autocomplete_fields = ["user", "brand"]


class ChannelAccountForm(forms.ModelForm):
    """Secrets are write-only: the form never renders their current value."""

    access_token = forms.CharField(required=False, widget=forms.PasswordInput(render_value=False))
    webhook_secret = forms.CharField(required=False, widget=forms.PasswordInput(render_value=False))

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
class ChannelAccountAdmin(admin.ModelAdmin):
    form = ChannelAccountForm
    list_display = ["name", "brand", "platform", "external_id", "status"]
    list_filter = ["platform", "status", "brand"]
    search_fields = ["name", "handle", "external_id"]


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = ["brand", "priority", "first_response_minutes", "next_response_minutes", "resolution_minutes"]
    list_filter = ["brand"]
