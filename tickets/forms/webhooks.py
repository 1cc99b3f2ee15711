"""The webhook settings page's forms: a subscription (name, URL, events) and "send again" of one delivery."""

from django import forms
from django.utils.translation import gettext_lazy as _

from brands.models import MAX_WEBHOOK_URL, WEBHOOK_EVENTS
from brands.services import webhooks
from smrc.bounds import IdField


class WebhookForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80, help_text=_("For you: the CRM, the shift's chat…"))
    url = forms.CharField(
        label=_("URL"),
        max_length=MAX_WEBHOOK_URL,
        widget=forms.URLInput(attrs={"placeholder": "https://", "autocomplete": "off"}),
        help_text=_("Called with a POST for every event chosen; https on a public address."),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"), choices=WEBHOOK_EVENTS, widget=forms.CheckboxSelectMultiple, required=True
    )

    def clean_name(self) -> str:
        return self.cleaned_data["name"].strip()

    def clean_url(self) -> str:
        return webhooks.check_url(self.cleaned_data["url"])

    @classmethod
    def initial_from(cls, sub) -> dict:
        return {"name": sub.name, "url": sub.url, "events": list(sub.events)}


class ResendForm(forms.Form):
    delivery = IdField(label=_("Delivery"), widget=forms.HiddenInput)
