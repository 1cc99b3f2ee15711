"""Placeholders in snippet bodies: ``{customer_name}``, ``{product.battery}`` … (docs/knowledge.md).

A body is checked on save: every ``{`` must close with ``}`` before the next ``{``, every ``}`` must have
opened, and every name must be known. Problems carry their 1-based character position. Literal braces are not
allowed in a snippet body: a brace is always a placeholder, so nothing half-filled can reach a customer.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.utils.translation import gettext as _

#: names filled from the ticket; ``product.<field>`` comes from the snippet's product
TICKET_PLACEHOLDERS = ("customer_name", "customer_handle", "operator_name", "brand", "ticket")
PRODUCT_BUILTIN_FIELDS = ("name", "category")
FIELD_RE = re.compile(r"^[a-z0-9_]{1,40}$")
#: anything still looking like a placeholder in a reply about to be sent
LEFTOVER_RE = re.compile(r"\{[^{}\s]{0,60}\}")
_TOKEN_RE = re.compile(r"\{([^{}]*)\}")


@dataclass(frozen=True)
class Problem:
    position: int  # 1-based character offset of the offending brace
    message: str

    def __str__(self) -> str:
        return _("Position %(pos)d: %(message)s") % {"pos": self.position, "message": self.message}


class PlaceholderError(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def known_names(product_fields: Iterable[str] | None) -> set[str]:
    names = set(TICKET_PLACEHOLDERS)
    if product_fields is not None:
        names |= {f"product.{field}" for field in (*PRODUCT_BUILTIN_FIELDS, *product_fields)}
    return names


def problems_in(body: str, *, product_fields: Iterable[str] | None = None) -> list[Problem]:
    """Every malformed placeholder of ``body``. ``product_fields``: the specification keys of the snippet's
    product, or ``None`` when it has no product (then ``{product.*}`` is unknown)."""
    known = known_names(product_fields)
    problems: list[Problem] = []
    i, n = 0, len(body)
    while i < n:
        char = body[i]
        if char == "}":
            problems.append(Problem(i + 1, _("“}” closes nothing; remove it or add the “{” it belongs to.")))
        elif char == "{":
            close = body.find("}", i + 1)
            reopen = body.find("{", i + 1)
            if close == -1 or (reopen != -1 and reopen < close):
                problems.append(Problem(i + 1, _("“{” is never closed with “}”.")))
            else:
                name = body[i + 1 : close]
                if name not in known:
                    if name.startswith("product.") and product_fields is None:
                        message = _("“{%(name)s}” needs a product: choose one for this snippet.") % {"name": name}
                    else:
                        message = _("“{%(name)s}” is not a known placeholder.") % {"name": name}
                    problems.append(Problem(i + 1, message))
                i = close
        i += 1
    return problems


def check(body: str, *, product_fields: Iterable[str] | None = None) -> None:
    """Raise :class:`PlaceholderError` listing every problem of ``body``."""
    problems = problems_in(body, product_fields=product_fields)
    if problems:
        raise PlaceholderError(problems)


def names_in(body: str) -> list[str]:
    return [m.group(1) for m in _TOKEN_RE.finditer(body)]


def fill(body: str, values: Mapping[str, str]) -> tuple[str, list[str]]:
    """``body`` with every placeholder that has a non-empty value replaced. Returns the text and the names left
    unfilled (in order, once each); those stay in the text as ``{name}`` so the reply cannot be sent as is."""
    unfilled: list[str] = []

    def replace(match: re.Match) -> str:
        name = match.group(1)
        value = values.get(name)
        if value:
            return str(value)
        if name not in unfilled:
            unfilled.append(name)
        return match.group(0)

    return _TOKEN_RE.sub(replace, body), unfilled


def leftovers(text: str) -> list[str]:
    """Placeholder-looking pieces still in ``text`` (``{customer_name}``), in order, once each."""
    found: list[str] = []
    for match in LEFTOVER_RE.finditer(text):
        if match.group(0) not in found:
            found.append(match.group(0))
    return found
