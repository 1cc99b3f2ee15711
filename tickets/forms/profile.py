"""The profile page's form: a new API key (brands.services.api_keys)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from brands.access import brands_for
from brands.models import ApiKeyScope


class ApiKeyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, strip=True, help_text=_("What the key is for, e.g. CRM."))
    scope = forms.ChoiceField(
        label=_("Access"), choices=ApiKeyScope.choices, initial=ApiKeyScope.READ, widget=forms.RadioSelect
    )
    #: slugs of the person's own brands: a key never reaches further than its person
    brands = forms.MultipleChoiceField(label=_("Brands"), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        own = list(brands_for(user).order_by("name").values_list("slug", "name")) if user is not None else []
        self.fields["brands"].choices = own
        if len(own) == 1:
            self.fields["brands"].initial = [own[0][0]]
