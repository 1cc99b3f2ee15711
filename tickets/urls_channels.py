"""Inbound channels: the public webhook endpoints and the channel accounts page."""

from django.urls import path

from .views import channels, webhooks

urlpatterns = [
    path("webhooks/x/", webhooks.x_webhook, name="webhook_x"),
    path("webhooks/meta/", webhooks.meta_webhook, name="webhook_meta"),
    path("settings/channels/", channels.channel_accounts, name="channel_accounts"),
]
