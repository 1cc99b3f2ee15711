from django.urls import path

from .views import notifications, priority, queue, reports, review, settings, ticket

app_name = "tickets"

urlpatterns = [
    path("queue/", queue.queue, name="queue"),
    path("queue/next/", priority.take_next, name="take_next"),
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
    path("replies/<int:pk>/revise/", ticket.revise, name="revise_reply"),
    path("replies/<int:pk>/retry/", ticket.retry, name="retry_reply"),
    path("review/", review.review_queue, name="review"),
    path("review/<int:pk>/approve/", review.approve, name="review_approve"),
    path("review/<int:pk>/changes/", review.request_changes, name="review_changes"),
    path("notifications/", notifications.notification_list, name="notifications"),
    path("notifications/badge/", notifications.notification_badge, name="notification_badge"),
    path("notifications/read/", notifications.notifications_read, name="notifications_read"),
    path("settings/", settings.settings_index, name="settings"),
    path("settings/<slug:slug>/sla/", settings.sla_settings, name="sla_settings"),
    path("settings/<slug:slug>/priority/", priority.priority_settings, name="priority_settings"),
    path("settings/<slug:slug>/review/", review.review_settings, name="review_settings"),
    path("settings/<slug:slug>/history/", settings.settings_history, name="settings_history"),
    path("reports/", reports.report_index, name="reports"),
    path("reports/go/", reports.report_go, name="report_go"),
    path("reports/definitions/", reports.report_definitions, name="report_definitions"),
    path("reports/all-brands/", reports.report, name="report_all"),
    path("reports/all-brands/tickets/", reports.report_tickets, name="report_all_tickets"),
    path("reports/all-brands/export/", reports.report_export, name="report_all_export"),
    path("reports/<slug:slug>/", reports.report, name="report"),
    path("reports/<slug:slug>/tickets/", reports.report_tickets, name="report_tickets"),
    path("reports/<slug:slug>/export/", reports.report_export, name="report_export"),
]
