from django.urls import path

from . import api

urlpatterns = [
    path("mentions/", api.MentionIngestView.as_view(), name="api-mentions"),
    path("tickets/", api.TicketListView.as_view(), name="api-tickets"),
    path("tickets/<int:pk>/", api.TicketDetailView.as_view(), name="api-ticket"),
    path("tickets/<int:pk>/suggestions/", api.TicketSuggestionsView.as_view(), name="api-ticket-suggestions"),
    path("tickets/<int:pk>/render/", api.TicketRenderSnippetView.as_view(), name="api-ticket-render"),
    path("snippets/", api.SnippetSearchView.as_view(), name="api-snippets"),
    path("reviews/", api.ReviewListView.as_view(), name="api-reviews"),
    path("replies/<int:pk>/approve/", api.ReplyReviewView.as_view(action="approve"), name="api-reply-approve"),
    path(
        "replies/<int:pk>/request-changes/",
        api.ReplyReviewView.as_view(action="request_changes"),
        name="api-reply-request-changes",
    ),
    path("tickets/<int:pk>/<slug:action>/", api.TicketActionView.as_view(), name="api-ticket-action"),
]
