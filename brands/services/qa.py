"""A brand's QA rubric (docs/qa.md): the criteria its supervisors grade published replies on, each with a weight
and a description, and the share of each operator's published replies sampled for grading every week.

A brand that never saved a rubric grades on the defaults (serving tone, product knowledge, ownership, language,
platform etiquette), written in the brand's first language. They are stored the first time they are used — the
first save of the settings page or the first scorecard (:func:`ensure_rubric`) — with their audit record, so a
page that only shows them writes nothing. Weights are positive whole numbers, relative to each other (they need
not add up to 100). A criterion is retired (``is_active``), never deleted: past scorecards keep their lines.

Saving is one service call (:func:`save_rubric`) under the brand's row lock, with one audit record of what
changed, like every other setting area.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..models import MAX_QA_SAMPLE_PERCENT, MAX_QA_WEIGHT, Brand, ConfigArea, ConfigSource, QaCriterion, QaSettings
from . import audit
from .locks import lock_brand

#: at most this many criteria in a rubric (the grading form shows them all)
MAX_CRITERIA = 12
DEFAULT_SAMPLE_PERCENT = 5


@dataclass(frozen=True)
class Default:
    key: str
    name: str
    description: str
    weight: int


#: the rubric a brand starts with (names and descriptions translated into the brand's language when stored)
DEFAULTS: tuple[Default, ...] = (
    Default(
        "tone",
        _("Serving tone"),
        _("Friendly, polite and empathetic; greets the customer and sounds like the brand."),
        25,
    ),
    Default(
        "knowledge",
        _("Product knowledge"),
        _("Facts about products, prices and policies are correct; nothing is promised that the brand cannot keep."),
        25,
    ),
    Default(
        "ownership",
        _("Ownership"),
        _(
            "Answers the question or says what happens next and when; "
            "does not send the customer elsewhere without need."
        ),
        20,
    ),
    Default(
        "language",
        _("Language"),
        _("Clear and correct in the customer's language: spelling, grammar, no internal jargon."),
        15,
    ),
    Default(
        "etiquette",
        _("Platform etiquette"),
        _("Fits the channel: length, no personal data in public, moves to a private message when needed."),
        15,
    ),
)


def brand_language(brand: Brand) -> str:
    """Indonesian when the brand's first language is ``id`` (or the old code ``in``), else English."""
    first = (brand.languages or "").split(",")[0].strip()
    return "id" if first in ("id", "in") else "en"


def default_criteria(brand: Brand) -> list[QaCriterion]:
    """The default rubric for ``brand``, unsaved, in the brand's language."""
    with translation.override(brand_language(brand)):
        return [
            QaCriterion(
                brand=brand, key=d.key, name=str(d.name), description=str(d.description), weight=d.weight, position=i
            )
            for i, d in enumerate(DEFAULTS)
        ]


def stored_criteria(brand: Brand | int) -> list[QaCriterion]:
    brand_id = brand if isinstance(brand, int) else brand.pk
    return list(QaCriterion.objects.filter(brand_id=brand_id).order_by("position", "pk"))


def criteria_for(brand: Brand, *, active_only: bool = True) -> list[QaCriterion]:
    """The brand's rubric: its stored criteria, or the unsaved defaults when it has none."""
    stored = stored_criteria(brand) or default_criteria(brand)
    return [c for c in stored if c.is_active or not active_only]


def settings_for(brand: Brand | int) -> QaSettings:
    """The stored QA settings, or unsaved defaults."""
    brand_id = brand if isinstance(brand, int) else brand.pk
    return QaSettings.objects.filter(brand_id=brand_id).first() or QaSettings(
        brand_id=brand_id, sample_percent=DEFAULT_SAMPLE_PERCENT
    )


def sample_percents(brand_ids) -> dict[int, int]:
    """brand id → its weekly sample share in percent (the default where it saved none)."""
    stored = dict(QaSettings.objects.filter(brand_id__in=list(brand_ids)).values_list("brand_id", "sample_percent"))
    return {pk: stored.get(pk, DEFAULT_SAMPLE_PERCENT) for pk in brand_ids}


def snapshot(brand: Brand) -> dict:
    """The rubric and the sample share as stored, as JSON: one entry per criterion (so the audit trail shows
    only the criteria that changed)."""
    stored = QaSettings.objects.filter(brand=brand).values_list("sample_percent", flat=True).first()
    values: dict = {"sample_percent": stored} if stored is not None else {}
    for c in stored_criteria(brand):
        values[f"criterion:{c.key}"] = {
            "name": c.name,
            "description": c.description,
            "weight": c.weight,
            "active": c.is_active,
        }
    return values


def _create_defaults(brand: Brand) -> list[QaCriterion]:
    return QaCriterion.objects.bulk_create(default_criteria(brand))


def ensure_rubric(*, brand: Brand, user=None, source: str = ConfigSource.PAGE) -> list[QaCriterion]:
    """The brand's stored criteria (all, retired ones too), storing the defaults first when it has none, with
    their audit record. Call it inside the transaction that uses them."""
    with transaction.atomic():
        existing = stored_criteria(brand)
        if existing:
            return existing
        lock_brand(brand.pk)
        existing = stored_criteria(brand)  # a concurrent first use stored them while we waited for the lock
        if existing:
            return existing
        before = snapshot(brand)
        _create_defaults(brand)
        audit.record(
            brand=brand,
            user=user,
            source=source,
            area=ConfigArea.QA,
            kind="qa_rubric.created",
            before=before,
            after=snapshot(brand),
            object_repr=brand.name,
        )
        return stored_criteria(brand)


@dataclass(frozen=True)
class Row:
    """One criterion as the settings form sends it: ``key`` empty for a new one."""

    key: str
    name: str
    description: str
    weight: int
    is_active: bool = True


def check(*, sample_percent: int, rows: list[Row]) -> None:
    """Raises ValidationError when the rubric cannot be saved as sent."""
    errors = []
    if type(sample_percent) is not int or not 0 <= sample_percent <= MAX_QA_SAMPLE_PERCENT:
        errors.append(gettext("The weekly share is a whole number from 0 to %(max)s.") % {"max": MAX_QA_SAMPLE_PERCENT})
    names = [r.name.strip().casefold() for r in rows]
    if any(not n for n in names):
        errors.append(gettext("Every criterion needs a name."))
    if len(set(names)) != len(names):
        errors.append(gettext("Two criteria have the same name."))
    for r in rows:
        if type(r.weight) is not int or not 1 <= r.weight <= MAX_QA_WEIGHT:
            errors.append(
                gettext("The weight of “%(name)s” must be a whole number from 1 to %(max)s.")
                % {"name": r.name, "max": MAX_QA_WEIGHT}
            )
    if not any(r.is_active for r in rows):
        errors.append(gettext("Keep at least one criterion in use."))
    if len(rows) > MAX_CRITERIA:
        errors.append(gettext("A rubric has at most %(max)s criteria.") % {"max": MAX_CRITERIA})
    if errors:
        raise ValidationError(errors)


def _new_key(name: str, taken: set[str]) -> str:
    base = slugify(name)[:30] or "criterion"
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    return key


def save_rubric(
    *, brand: Brand, sample_percent: int, rows: list[Row], user=None, source: str = ConfigSource.PAGE
) -> list[QaCriterion]:
    """Save the brand's weekly sample share and its rubric as ``rows`` (in order), under the brand's row lock, with
    one audit record of what changed. A row's ``key`` names a stored (or default) criterion; an empty key adds one;
    a stored criterion missing from ``rows`` stays as it is, after those sent. Raises ValidationError (nothing
    saved)."""
    check(sample_percent=sample_percent, rows=rows)
    with transaction.atomic():
        lock_brand(brand.pk)
        before = snapshot(brand)
        stored = {c.key: c for c in stored_criteria(brand)}
        if not stored:
            stored = {c.key: c for c in _create_defaults(brand)}
        unknown = [r.key for r in rows if r.key and r.key not in stored]
        if unknown:
            raise ValidationError(gettext("The rubric changed while you edited it. Reload the page and try again."))
        taken = set(stored)
        for position, row in enumerate(rows):
            if row.key:
                criterion = stored[row.key]
            else:
                criterion = QaCriterion(brand=brand, key=_new_key(row.name, taken))
                taken.add(criterion.key)
            criterion.name, criterion.description = row.name.strip(), row.description.strip()
            criterion.weight, criterion.is_active, criterion.position = row.weight, row.is_active, position
            criterion.full_clean(exclude=["brand"])
            criterion.save()
        posted = {r.key for r in rows if r.key}
        for position, criterion in enumerate((c for k, c in stored.items() if k not in posted), start=len(rows)):
            if criterion.position != position:  # the criteria not sent keep their order, after the ones sent
                criterion.position = position
                criterion.save(update_fields=["position"])
        if not QaCriterion.objects.filter(brand=brand, is_active=True).exists():
            raise ValidationError(gettext("Keep at least one criterion in use."))
        # the rules over the whole rubric, not only the rows sent: a page sent twice (a double click, a stale tab)
        # added its new criterion twice, and rows sent without the stored ones passed the limit of 12
        names = [n.strip().casefold() for n in QaCriterion.objects.filter(brand=brand).values_list("name", flat=True)]
        if len(set(names)) != len(names):
            raise ValidationError(gettext("Two criteria have the same name."))
        if len(names) > MAX_CRITERIA:
            raise ValidationError(gettext("A rubric has at most %(max)s criteria.") % {"max": MAX_CRITERIA})
        settings = QaSettings.objects.filter(brand=brand).first() or QaSettings(brand=brand)
        settings.sample_percent = sample_percent
        settings.save()
        audit.record(
            brand=brand,
            user=user,
            source=source,
            area=ConfigArea.QA,
            kind="qa_rubric.updated",
            before=before,
            after=snapshot(brand),
            obj=settings,
            object_repr=brand.name,
        )
    return stored_criteria(brand)
