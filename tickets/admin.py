from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from brands.models import Platform
from brands.services.customer_data import MAX_URL_LENGTH, platform_link

from .models import (
    Author,
    DeliveryAttempt,
    Event,
    InboundDelivery,
    Mention,
    MentionRevision,
    Note,
    Notification,
    Reply,
    ReplyRevision,
    Ticket,
)
from .services import inbound


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["__str__", "brand", "platform", "name", "followers_count", "verified_type"]
    list_filter = ["brand", "platform", "verified_type"]
    search_fields = ["handle", "name", "platform_user_id"]
    list_select_related = ["brand"]
    readonly_fields = ["profile_url"]


class MentionInline(admin.TabularInline):
    model = Mention
    extra = 0
    fields = ["platform_id", "kind", "text", "posted_at", "is_edited", "is_deleted"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = ["reference", "brand", "platform", "status", "priority", "assignee", "due_at", "received_at"]
    list_filter = ["status", "priority", "platform", "brand"]
    search_fields = ["subject", "author__handle"]
    raw_id_fields = ["author", "assignee", "channel_account"]
    list_select_related = ["brand", "assignee"]
    show_full_result_count = False
    inlines = [MentionInline]


class MentionAdminForm(forms.ModelForm):
    """The link goes through the same gate as every inbound link (``customer_data.platform_link``): http(s) to
    the mention's own platform, else refused. (A plain ``URLField`` would also take ``ftp://`` and any host.)"""

    url = forms.CharField(label=_("url"), required=False, max_length=MAX_URL_LENGTH)

    class Meta:
        model = Mention
        fields = ["url"]  # the admin adds the rest

    def clean_url(self) -> str:
        platform = self.cleaned_data.get("platform") or self.instance.platform
        link, reason = platform_link(platform, self.cleaned_data["url"])
        if reason:
            label = Platform(platform).label if platform in Platform.values else platform
            raise forms.ValidationError(_("Enter the link of the post on %(platform)s.") % {"platform": label})
        return link


@admin.register(Mention)
class MentionAdmin(admin.ModelAdmin):
    form = MentionAdminForm
    list_display = ["__str__", "brand", "kind", "author", "posted_at", "is_edited", "is_deleted"]
    list_filter = ["platform", "kind", "brand"]
    search_fields = ["platform_id", "text"]
    raw_id_fields = ["ticket", "author", "channel_account"]
    list_select_related = ["brand", "author"]
    show_full_result_count = False


class RevisionInline(admin.TabularInline):
    model = ReplyRevision
    extra = 0
    readonly_fields = ["number", "body", "author", "created_at"]
    can_delete = False


class AttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    readonly_fields = ["channel", "outcome", "platform_reply_id", "error", "started_at", "finished_at"]
    exclude = ["payload"]
    can_delete = False


@admin.register(Reply)
class ReplyAdmin(admin.ModelAdmin):
    list_display = ["__str__", "brand", "author", "status", "submitted_at", "sent_at"]
    list_filter = ["status", "brand"]
    raw_id_fields = ["ticket", "author", "in_reply_to"]
    readonly_fields = ["idempotency_key"]
    inlines = [RevisionInline, AttemptInline]


@admin.register(Note)
class NoteAdmin(admin.ModelAdmin):
    list_display = ["ticket", "author", "created_at"]
    raw_id_fields = ["ticket", "author"]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    """Read-only: the log is append-only."""

    list_display = ["kind", "brand", "ticket", "actor", "created_at"]
    list_filter = ["kind", "brand"]
    raw_id_fields = ["ticket", "reply", "actor"]
    show_full_result_count = False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["kind", "user", "brand", "ticket", "created_at", "read_at"]
    list_filter = ["kind", "brand"]
    raw_id_fields = ["user", "ticket"]


class MentionRevisionInline(admin.TabularInline):
    model = MentionRevision
    extra = 0
    readonly_fields = ["number", "text", "replaced_at"]
    can_delete = False


MentionAdmin.inlines = [MentionRevisionInline]


@admin.register(InboundDelivery)
class InboundDeliveryAdmin(admin.ModelAdmin):
    """Webhook deliveries as received. Failed ones keep their error and can be retried; ignored ones were for
    accounts SMRC does not know (add the account, then retry)."""

    list_display = [
        "pk",
        "platform",
        "channel_account",
        "state",
        "received_at",
        "processed_at",
        "attempts",
        "short_error",
    ]
    list_filter = ["state", "platform"]
    search_fields = ["error"]
    readonly_fields = [
        "platform",
        "channel_account",
        "state",
        "received_at",
        "processed_at",
        "attempts",
        "error",
        "summary",
        "headers",
        "body",
    ]
    list_select_related = ["channel_account"]
    show_full_result_count = False
    actions = ["retry"]

    @admin.display(description=_("error"))
    def short_error(self, obj: InboundDelivery) -> str:
        return obj.error[:120]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description=_("Process the selected deliveries again"))
    def retry(self, request, queryset):
        count = inbound.retry_deliveries(list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request, ngettext("%(n)d delivery queued again.", "%(n)d deliveries queued again.", count) % {"n": count}
        )
