"""Forms of the ticket page: reply, internal note, tags."""

from django import forms
from django.utils.translation import gettext_lazy as _

from smrc.bounds import IdListField

from ..models import NoteVisibility
from ..services import media
from ..services.replies import REPLY_MAX_LENGTH, UnfilledPlaceholders
from ..services.workflow import NOTE_MAX_LENGTH, WorkflowError
from .keyed import KeyedForm


class ReplyForm(KeyedForm):
    body = forms.CharField(
        label=_("Reply"), max_length=REPLY_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 4}), strip=True
    )
    #: ids of the snippets the composer inserted, comma-separated (counted as used as is or edited)
    snippets = IdListField(required=False, max_ids=20, widget=forms.HiddenInput)
    #: one image, where the platform takes one with this reply (``image_rule``); checked from its bytes
    image = forms.FileField(label=_("Attach image"), required=False)

    def __init__(self, *args, image_rule=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.image_rule = image_rule

    @classmethod
    def refused(cls, message: str) -> "ReplyForm":
        """An empty form showing ``message``: the request was refused before its fields were read."""
        form = cls()
        form.cleaned_data = {}
        form.add_error(None, message)
        return form

    def clean_image(self) -> media.ImageUpload | None:
        upload = self.cleaned_data.get("image")
        if not upload:
            return None
        if self.image_rule is None:
            raise forms.ValidationError(_("Replies on this platform cannot carry an image."))
        if upload.size > self.image_rule.max_bytes:  # refused before it is read
            raise forms.ValidationError(
                _("The image is too large: at most %(mb)s MB here.") % {"mb": self.image_rule.megabytes}
            )
        try:
            return media.check_image(content=upload.read(), name=upload.name, rule=self.image_rule)
        except WorkflowError as exc:
            raise forms.ValidationError(str(exc)) from None

    def unfilled_error(self) -> str:
        """The refusal for placeholders left in the text: shown in the composer's one placeholder warning."""
        return next((m for e in self._body_errors() if e.code == UnfilledPlaceholders.code for m in e.messages), "")

    def other_body_errors(self) -> list[str]:
        return [m for e in self._body_errors() if e.code != UnfilledPlaceholders.code for m in e.messages]

    def _body_errors(self):
        return self.errors.as_data().get("body", []) if self.is_bound else []


class NoteForm(KeyedForm):
    body = forms.CharField(
        label=_("Internal note"), max_length=NOTE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2}), strip=True
    )
    #: who reads it besides the team; a form without the field (an older page) writes a team-only note
    visibility = forms.ChoiceField(
        label=_("Who may read it"), choices=NoteVisibility.choices, required=False, initial=NoteVisibility.TEAM
    )

    def clean_visibility(self) -> str:
        return self.cleaned_data.get("visibility") or NoteVisibility.TEAM


class TagsForm(forms.Form):
    """The ticket's tags as typed: names separated by commas (blank pieces, as from a trailing comma, dropped).
    ``tickets.services.tags`` validates each name."""

    tags = forms.CharField(label=_("Tags"), required=False, max_length=1000, strip=True)

    def clean_tags(self) -> list[str]:
        return [name.strip() for name in self.cleaned_data["tags"].split(",") if name.strip()]
