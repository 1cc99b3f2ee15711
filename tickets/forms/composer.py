"""Forms of the composer: the snippet picker (search and render a snippet into the reply) and the draft checked
while it is written."""

from django import forms

from smrc.bounds import IdField

from ..services.replies import REPLY_MAX_LENGTH


class ComposerSearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=200)


class RenderForm(forms.Form):
    snippet = IdField()


class BounceCheckForm(forms.Form):
    """The composer's draft, checked while it is written (no submission key: nothing is saved)."""

    body = forms.CharField(max_length=REPLY_MAX_LENGTH, required=False, strip=True)
