"""Bounds on every number that comes from input (docs/decisions.md #35).

One set of fields for forms and for API serializers, so no whole number reaches the database, a time
computation or a query unchecked: a value past its bound is a form error or a 400 naming the field, never an
overflow deep inside (2^63 in a snippet id, 20 digits in ``?brand=``, SLA targets of 2^63 were all 500s).
The default bound is PostgreSQL's ``integer``; ids are ``bigint``. Domain bounds (minutes, hours, points) sit on
the model fields as validators and on the fields below as ``max_value``.
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

#: PostgreSQL ``integer`` and ``bigint`` (``BigAutoField`` primary keys)
INT_MAX = 2**31 - 1
ID_MAX = 2**63 - 1
#: ids given at once (the snippets inserted into one reply, members on probation)
MAX_IDS = 50

_ASCII_DIGITS = re.compile(r"[0-9]{1,19}")


def parse_int(text, *, min_value: int = 0, max_value: int = INT_MAX) -> int | None:
    """``text`` as a whole number within the bounds, or None. ASCII digits only: ``str.isdigit()`` also says
    yes to "²", which ``int()`` refuses."""
    text = str(text).strip()
    if not _ASCII_DIGITS.fullmatch(text):
        return None
    value = int(text)
    return value if min_value <= value <= max_value else None


def parse_id(text) -> int | None:
    """A primary key from a query string or form, or None."""
    return parse_int(text, min_value=1, max_value=ID_MAX)


# --- forms ----------------------------------------------------------------------------------------------------


class IntegerField(forms.IntegerField):
    """A form's whole number, never unbounded: ``min_value`` 0 and ``max_value`` ``INT_MAX`` unless narrower."""

    def __init__(self, *, min_value: int = 0, max_value: int = INT_MAX, **kwargs) -> None:
        super().__init__(min_value=min_value, max_value=max_value, **kwargs)


class IdField(IntegerField):
    """A primary key given in a form or query string."""

    def __init__(self, **kwargs) -> None:
        super().__init__(min_value=1, max_value=ID_MAX, **kwargs)


class IdListField(forms.CharField):
    """Comma-separated primary keys (``"12,40"``) → ``[12, 40]``, each once; at most ``max_ids``. Blank pieces
    are skipped; anything else that is not an id is an error."""

    default_error_messages = {
        "invalid_id": _("“%(value)s” is not an id."),
        "too_many": _("At most %(n)d ids."),
    }

    def __init__(self, *, max_ids: int = MAX_IDS, **kwargs) -> None:
        self.max_ids = max_ids
        kwargs.setdefault("max_length", max_ids * 20)
        super().__init__(**kwargs)

    def to_python(self, value) -> list[int]:
        text = super().to_python(value)
        ids: list[int] = []
        for piece in filter(None, (p.strip() for p in text.split(","))):
            parsed = parse_id(piece)
            if parsed is None:
                raise ValidationError(
                    self.error_messages["invalid_id"], code="invalid_id", params={"value": piece[:20]}
                )
            if parsed not in ids:
                ids.append(parsed)
        if len(ids) > self.max_ids:
            raise ValidationError(self.error_messages["too_many"], code="too_many", params={"n": self.max_ids})
        return ids


# --- API serializers --------------------------------------------------------------------------------------------


class ApiIntegerField(serializers.IntegerField):
    """A serializer's whole number, never unbounded: ``min_value`` 0 and ``max_value`` ``INT_MAX`` unless
    narrower."""

    def __init__(self, *, min_value: int = 0, max_value: int = INT_MAX, **kwargs) -> None:
        super().__init__(min_value=min_value, max_value=max_value, **kwargs)


class ApiIdField(ApiIntegerField):
    """A primary key given to the API."""

    def __init__(self, **kwargs) -> None:
        super().__init__(min_value=1, max_value=ID_MAX, **kwargs)
