"""The base of every form whose submission must take effect once (reply, note, review decisions)."""

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ..services import idempotency


class KeyedForm(forms.Form):
    """A form whose submission must take effect once. It carries an idempotency key in a hidden field
    (``{% submission_key form %}``): a fresh one when the server renders a new form, the posted one when the form
    comes back with an error, so sending it again — or twice at once — is the same submission
    (``tickets.services.idempotency``). ``cleaned_data["idempotency_key"]`` is the key as a UUID; a missing or
    malformed key is a form error (nothing is done) and the form comes back with a fresh one."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.key = None if self.is_bound else str(uuid.uuid4())

    def renew_key(self) -> None:
        """Show the form with a fresh key: the posted one is spent or unusable."""
        self.key = str(uuid.uuid4())

    @property
    def page_key(self) -> str:
        return self.key or self.data.get(idempotency.FIELD, "")

    def clean(self):
        data = super().clean()
        key = idempotency.parse(self.data.get(idempotency.FIELD))
        if key is None:
            self.renew_key()
            raise ValidationError(_("This form was out of date, so nothing was done. Check it and send it again."))
        data[idempotency.FIELD] = key
        return data
