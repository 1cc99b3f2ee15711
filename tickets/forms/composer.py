"""Forms of the composer's snippet picker (search and render a snippet into the reply)."""

from django import forms

from smrc.bounds import IdField


class ComposerSearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=200)


class RenderForm(forms.Form):
    snippet = IdField()
