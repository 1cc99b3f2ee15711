"""Every URL of the tickets app, in one place: the pages (namespace ``tickets``), the product-knowledge pages and
the composer's snippet picker (namespace ``knowledge``), the public webhooks and the channel accounts page (no
namespace), and the REST API v1 under ``api/v1/`` (no namespace, names ``api-…``; docs/api.md)."""

from django.urls import include, path

from .api import channels as channels_api
from .api import composer as composer_api
from .api import customers as customers_api
from .api import ingest as ingest_api
from .api import knowledge as knowledge_api
from .api import media as media_api
from .api import qa as qa_api
from .api import reports as reports_api
from .api import review as review_api
from .api import schema as schema_api
from .api import settings as settings_api
from .api import settings_more as settings_more_api
from .api import ticket as ticket_api
from .views import (
    channels,
    composer,
    csat,
    hooks,
    knowledge,
    media,
    notifications,
    priority,
    profile,
    qa,
    queue,
    reports,
    review,
    settings,
    team,
    ticket,
    webhooks,
    workspace,
)

ticket_patterns = [
    path("queue/", queue.queue, name="queue"),
    path("queue/next/", priority.take_next, name="take_next"),
    path("queue/bulk/", workspace.bulk_action, name="bulk"),
    path("tickets/<int:pk>/assign/", workspace.assign, name="assign"),
    path("tickets/<int:pk>/customer/link/", workspace.link_identity, name="link_identity"),
    path("tickets/<int:pk>/customer/unlink/", workspace.unlink_identity, name="unlink_identity"),
    path("queue/news/", queue.queue_news, name="queue_news"),
    path("queue/views/", queue.save_view, name="save_view"),
    path("queue/views/<int:pk>/remove/", queue.delete_view, name="delete_view"),
    path("queue/alerts/", queue.browser_alerts, name="browser_alerts"),
    path("tickets/<int:pk>/priority/", priority.change_priority, name="change_priority"),
    path("tickets/<int:pk>/restore/", priority.restore, name="restore"),
    path("tickets/<int:pk>/", ticket.ticket_detail, name="detail"),
    path("tickets/<int:pk>/claim/", ticket.claim, name="claim"),
    path("tickets/<int:pk>/release/", ticket.release, name="release"),
    path("tickets/<int:pk>/resolve/", ticket.resolve, name="resolve"),
    path("tickets/<int:pk>/reopen/", ticket.reopen, name="reopen"),
    path("tickets/<int:pk>/reply/", ticket.reply, name="reply"),
    path("tickets/<int:pk>/note/", ticket.note, name="note"),
    path("tickets/<int:pk>/tags/", ticket.set_tags, name="tags"),
    path("tickets/<int:pk>/presence/", ticket.presence_beat, name="presence"),
    path("media/m/<int:pk>/", media.mention_media, name="mention_media"),
    path("media/r/<int:pk>/", media.reply_image, name="reply_image"),
    path("team/", team.team, name="team"),
    path("team/<slug:slug>/", team.team, name="team_brand"),
    path("me/performance/", team.my_performance, name="my_performance"),
    path("me/scorecards/", qa.my_scorecards, name="my_scorecards"),
    path("me/scorecards/<int:pk>/acknowledge/", qa.acknowledge, name="acknowledge_scorecard"),
    path("qa/", qa.qa_index, name="qa"),
    path("qa/replies/<int:pk>/", qa.qa_grade, name="qa_grade"),
    path("replies/<int:pk>/revise/", ticket.revise, name="revise_reply"),
    path("replies/<int:pk>/retry/", ticket.retry, name="retry_reply"),
    path("review/", review.review_queue, name="review"),
    path("review/<int:pk>/approve/", review.approve, name="review_approve"),
    path("review/<int:pk>/changes/", review.request_changes, name="review_changes"),
    path("notifications/", notifications.notification_list, name="notifications"),
    path("notifications/badge/", notifications.notification_badge, name="notification_badge"),
    path("notifications/read/", notifications.notifications_read, name="notifications_read"),
    path("profile/", profile.profile, name="profile"),
    path("profile/keys/<int:pk>/revoke/", profile.revoke_key, name="revoke_key"),
    path("settings/", settings.settings_index, name="settings"),
    path("settings/<slug:slug>/sla/", settings.sla_settings, name="sla_settings"),
    path("settings/<slug:slug>/priority/", priority.priority_settings, name="priority_settings"),
    path("settings/<slug:slug>/review/", review.review_settings, name="review_settings"),
    path("settings/<slug:slug>/history/", settings.settings_history, name="settings_history"),
    path("settings/<slug:slug>/goals/", settings.goal_settings, name="goal_settings"),
    path("settings/<slug:slug>/csat/", csat.csat_settings_page, name="csat_settings"),
    path("settings/<slug:slug>/qa/", qa.qa_settings, name="qa_settings"),
    path("csat/<str:token>/", csat.rate, name="csat_rate"),
    path("settings/<slug:slug>/webhooks/", hooks.webhook_list, name="webhooks"),
    path("settings/<slug:slug>/webhooks/<int:pk>/", hooks.webhook_detail, name="webhook"),
    path("reports/", reports.report_index, name="reports"),
    path("reports/go/", reports.report_go, name="report_go"),
    path("reports/definitions/", reports.report_definitions, name="report_definitions"),
    path("reports/all-brands/", reports.report, name="report_all"),
    path("reports/all-brands/tickets/", reports.report_tickets, name="report_all_tickets"),
    path("reports/all-brands/export/", reports.report_export, name="report_all_export"),
    path("reports/<slug:slug>/", reports.report, name="report"),
    path("reports/<slug:slug>/tickets/", reports.report_tickets, name="report_tickets"),
    path("reports/<slug:slug>/export/", reports.report_export, name="report_export"),
    path("reports/<slug:slug>/summary/", reports.report_summary, name="report_summary"),
]

knowledge_patterns = [
    path("knowledge/", knowledge.knowledge_index, name="index"),
    path("knowledge/<slug:slug>/", knowledge.snippet_list, name="snippets"),
    path("knowledge/<slug:slug>/snippets/new/", knowledge.snippet_new, name="snippet_new"),
    path("knowledge/<slug:slug>/snippets/<int:pk>/", knowledge.snippet_edit, name="snippet"),
    path("knowledge/<slug:slug>/snippets/<int:pk>/status/", knowledge.snippet_status, name="snippet_status"),
    path("knowledge/<slug:slug>/snippets/<int:pk>/compare/", knowledge.snippet_compare, name="snippet_compare"),
    path("knowledge/<slug:slug>/snippets/<int:pk>/restore/", knowledge.snippet_restore, name="snippet_restore"),
    path("knowledge/<slug:slug>/products/", knowledge.product_list, name="products"),
    path("knowledge/<slug:slug>/products/new/", knowledge.product_edit, name="product_new"),
    path("knowledge/<slug:slug>/products/<int:pk>/", knowledge.product_edit, name="product"),
    path("knowledge/<slug:slug>/import/", knowledge.import_csv, name="import"),
    path("knowledge/<slug:slug>/export/snippets/", knowledge.export_snippets, name="export_snippets"),
    path("knowledge/<slug:slug>/export/products/", knowledge.export_products, name="export_products"),
    path("tickets/<int:pk>/snippets/", composer.snippet_options, name="options"),
    path("tickets/<int:pk>/snippets/render/", composer.snippet_render, name="render"),
    path("tickets/<int:pk>/reply/bounces/", composer.bounce_check, name="bounce_check"),
]

#: inbound channels: the public webhook endpoints and the channel accounts page
channel_patterns = [
    path("webhooks/x/", webhooks.x_webhook, name="webhook_x"),
    path("webhooks/meta/", webhooks.meta_webhook, name="webhook_meta"),
    path("settings/channels/", channels.channel_accounts, name="channel_accounts"),
]

api_patterns = [
    path("mentions/", ingest_api.MentionIngestView.as_view(), name="api-mentions"),
    path("tickets/<int:pk>/suggestions/", composer_api.TicketSuggestionsView.as_view(), name="api-ticket-suggestions"),
    path("tickets/<int:pk>/render/", composer_api.TicketRenderSnippetView.as_view(), name="api-ticket-render"),
    path("snippets/", composer_api.SnippetSearchView.as_view(), name="api-snippets"),
    path("reviews/", review_api.ReviewListView.as_view(), name="api-reviews"),
    path("channel-accounts/", channels_api.ChannelAccountListView.as_view(), name="api-channel-accounts"),
    path("replies/<int:pk>/approve/", review_api.ReplyApproveView.as_view(), name="api-reply-approve"),
    path(
        "replies/<int:pk>/request-changes/",
        review_api.ReplyRequestChangesView.as_view(),
        name="api-reply-request-changes",
    ),
    # tickets, replies, notes, customers (apitickets)
    path("tickets/", ticket_api.TicketListView.as_view(), name="api-tickets"),
    path("tickets/bulk/", ticket_api.TicketBulkView.as_view(), name="api-tickets-bulk"),
    path("tickets/next/", ticket_api.TicketTakeNextView.as_view(), name="api-tickets-next"),
    path("views/", ticket_api.SavedViewListView.as_view(), name="api-views"),
    path("tickets/<int:pk>/", ticket_api.TicketDetailView.as_view(), name="api-ticket"),
    path("tickets/<int:pk>/replies/", ticket_api.TicketReplyCreateView.as_view(), name="api-ticket-replies"),
    path("tickets/<int:pk>/notes/", ticket_api.TicketNotesView.as_view(), name="api-ticket-notes"),
    path("tickets/<int:pk>/priority/", ticket_api.TicketPriorityView.as_view(), name="api-ticket-priority"),
    path("tickets/<int:pk>/tags/", ticket_api.TicketTagsView.as_view(), name="api-ticket-tags"),
    path("tickets/<int:pk>/assign/", ticket_api.TicketAssignView.as_view(), name="api-ticket-assign"),
    path("tickets/<int:pk>/customer/", customers_api.TicketCustomerView.as_view(), name="api-ticket-customer"),
    path(
        "tickets/<int:pk>/customer/link/",
        customers_api.TicketCustomerLinkView.as_view(),
        name="api-ticket-customer-link",
    ),
    path(
        "tickets/<int:pk>/customer/unlink/",
        customers_api.TicketCustomerUnlinkView.as_view(),
        name="api-ticket-customer-unlink",
    ),
    path("replies/<int:pk>/", ticket_api.ReplyDetailView.as_view(), name="api-reply"),
    path("replies/<int:pk>/revise/", ticket_api.ReplyReviseView.as_view(), name="api-reply-revise"),
    path("replies/<int:pk>/retry/", ticket_api.ReplyRetryView.as_view(), name="api-reply-retry"),
    path("tickets/<int:pk>/<slug:action>/", ticket_api.TicketActionView.as_view(), name="api-ticket-action"),
    # end of tickets, replies, notes, customers (apitickets)
    # knowledge, reports, channel accounts, settings (apimore)
    path("knowledge/<slug:slug>/snippets/", knowledge_api.SnippetListView.as_view(), name="api-kb-snippets"),
    path("knowledge/<slug:slug>/snippets/<int:pk>/", knowledge_api.SnippetDetailView.as_view(), name="api-kb-snippet"),
    path(
        "knowledge/<slug:slug>/snippets/<int:pk>/archive/",
        knowledge_api.SnippetStatusView.as_view(),
        name="api-kb-snippet-archive",
    ),
    path(
        "knowledge/<slug:slug>/snippets/<int:pk>/unarchive/",
        knowledge_api.SnippetUnarchiveView.as_view(),
        name="api-kb-snippet-unarchive",
    ),
    path(
        "knowledge/<slug:slug>/snippets/<int:pk>/restore/",
        knowledge_api.SnippetRestoreView.as_view(),
        name="api-kb-snippet-restore",
    ),
    path(
        "knowledge/<slug:slug>/snippets/<int:pk>/versions/",
        knowledge_api.SnippetVersionListView.as_view(),
        name="api-kb-snippet-versions",
    ),
    path(
        "knowledge/<slug:slug>/snippets/<int:pk>/versions/<int:number>/",
        knowledge_api.SnippetVersionDetailView.as_view(),
        name="api-kb-snippet-version",
    ),
    path("knowledge/<slug:slug>/products/", knowledge_api.ProductListView.as_view(), name="api-kb-products"),
    path("knowledge/<slug:slug>/products/<int:pk>/", knowledge_api.ProductDetailView.as_view(), name="api-kb-product"),
    path("reports/<slug:slug>/", reports_api.ReportView.as_view(), name="api-report"),
    path("reports/<slug:slug>/tickets/", reports_api.ReportTicketsView.as_view(), name="api-report-tickets"),
    path("channel-accounts/<int:pk>/", channels_api.ChannelAccountDetailView.as_view(), name="api-channel-account"),
    path(
        "channel-accounts/<int:pk>/status/",
        channels_api.ChannelAccountStatusView.as_view(),
        name="api-channel-account-status",
    ),
    path("settings/<slug:slug>/", settings_api.SettingsView.as_view(), name="api-settings"),
    path("settings/<slug:slug>/sla/", settings_api.SlaSettingsView.as_view(), name="api-settings-sla"),
    path("settings/<slug:slug>/review/", settings_api.ReviewSettingsView.as_view(), name="api-settings-review"),
    path("settings/<slug:slug>/csat/", settings_api.CsatSettingsView.as_view(), name="api-settings-csat"),
    path("settings/<slug:slug>/goals/", settings_api.GoalsSettingsView.as_view(), name="api-settings-goals"),
    path(
        "settings/<slug:slug>/webhooks/",
        settings_more_api.WebhookListView.as_view(),  # GET (apimore), POST (apiset)
        name="api-settings-webhooks",
    ),
    # settings, more areas (apiset)
    path(
        "settings/<slug:slug>/priority/", settings_more_api.PrioritySettingsView.as_view(), name="api-settings-priority"
    ),
    path(
        "settings/<slug:slug>/priority/urgency/",
        settings_more_api.UrgencyAddView.as_view(),
        name="api-settings-urgency",
    ),
    path(
        "settings/<slug:slug>/priority/urgency/<int:pk>/",
        settings_more_api.UrgencyRemoveView.as_view(),
        name="api-settings-urgency-item",
    ),
    path("settings/<slug:slug>/priority/spam/", settings_more_api.SpamAddView.as_view(), name="api-settings-spam"),
    path(
        "settings/<slug:slug>/priority/spam/<int:pk>/",
        settings_more_api.SpamRemoveView.as_view(),
        name="api-settings-spam-item",
    ),
    path(
        "settings/<slug:slug>/priority/blocked/",
        settings_more_api.BlockedAddView.as_view(),
        name="api-settings-blocked",
    ),
    path(
        "settings/<slug:slug>/priority/blocked/<int:pk>/",
        settings_more_api.BlockedRemoveView.as_view(),
        name="api-settings-blocked-item",
    ),
    path("settings/<slug:slug>/bounces/", settings_more_api.BouncesSettingsView.as_view(), name="api-settings-bounces"),
    path("settings/<slug:slug>/qa/", settings_more_api.QaSettingsView.as_view(), name="api-settings-qa"),
    path(
        "settings/<slug:slug>/webhooks/<int:pk>/",
        settings_more_api.WebhookDetailView.as_view(),
        name="api-settings-webhook",
    ),
    path(
        "settings/<slug:slug>/webhooks/<int:pk>/rotate/",
        settings_more_api.WebhookRotateView.as_view(),
        name="api-settings-webhook-rotate",
    ),
    path(
        "settings/<slug:slug>/webhooks/<int:pk>/deliveries/",
        settings_more_api.WebhookDeliveriesView.as_view(),
        name="api-settings-webhook-deliveries",
    ),
    path(
        "settings/<slug:slug>/webhooks/<int:pk>/again/",
        settings_more_api.WebhookResendView.as_view(),
        name="api-settings-webhook-again",
    ),
    # end of settings, more areas (apiset)
    # QA and media (apiqa)
    path("qa/sample/", qa_api.QaSampleView.as_view(), name="api-qa-sample"),
    path("qa/calibration/", qa_api.QaCalibrationView.as_view(), name="api-qa-calibration"),
    path("qa/replies/<int:pk>/", qa_api.QaReplyView.as_view(), name="api-qa-reply"),
    path("scorecards/", qa_api.MyScorecardsView.as_view(), name="api-scorecards"),
    path(
        "scorecards/<int:pk>/acknowledge/",
        qa_api.ScorecardAcknowledgeView.as_view(),
        name="api-scorecard-acknowledge",
    ),
    # end of QA and media (apiqa)
    # media and saved views (apigaps)
    path("media/m/<int:pk>/", media_api.MentionMediaView.as_view(), name="api-media-mention"),
    path("media/r/<int:pk>/", media_api.ReplyImageView.as_view(), name="api-media-reply-image"),
    path("views/<int:pk>/", ticket_api.SavedViewDetailView.as_view(), name="api-view"),
    # end of media and saved views (apigaps)
    path("schema/", schema_api.SchemaView.as_view(), name="api-schema"),
    path("docs/", schema_api.DocsView.as_view(), name="api-docs"),
]

#: the order is the resolution order (the API first, then the webhooks, the pages, the knowledge pages)
urlpatterns = [
    path("api/v1/", include(api_patterns)),
    *channel_patterns,
    path("", include((ticket_patterns, "tickets"))),
    path("", include((knowledge_patterns, "knowledge"))),
]
