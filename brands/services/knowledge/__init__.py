"""Product knowledge: products and snippets, their versions, CSV import and export (docs/knowledge.md).

Plain functions with keyword-only arguments. Each change of a snippet writes a :class:`SnippetVersion` with the
full content, who and when, and each change of a snippet or product its audit record (``brands.services.audit``),
in the transaction of the change; the functions return that record (a :class:`~brands.models.ConfigChange`).

The package holds the rest of the knowledge area: :mod:`.placeholders` (the ``{name}`` fields of a snippet),
:mod:`.snippet_index` (ranking snippets for a ticket) and :mod:`.lookups` (scoped queries for the pages).
"""

import csv
import difflib
import io
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from smrc import spreadsheets
from smrc.jsonlimits import loads_bounded

from ...models import (
    Brand,
    ConfigArea,
    ConfigChange,
    ConfigSource,
    Product,
    Snippet,
    SnippetLanguage,
    SnippetStatus,
    SnippetTone,
    SnippetVersion,
)
from .. import audit
from ..locks import lock_brand
from . import placeholders

SNIPPET_FIELDS = ("title", "body", "language", "tone", "tags", "product", "shortcut", "status", "expires_at")
SNIPPET_CSV_COLUMNS = ("shortcut", "title", "body", "language", "tone", "tags", "product", "status", "expires_at")
PRODUCT_CSV_COLUMNS = ("name", "category", "specifications", "faq", "competitor_notes")
MAX_IMPORT_ROWS = 5000
#: a product's specifications in a CSV cell: one flat JSON object
MAX_SPECIFICATIONS_BYTES = 64 * 1024


class KnowledgeError(ValueError):
    """Validation problems: field → messages (``__all__`` for the whole object, ``line N`` for CSV rows)."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


@dataclass
class SnippetData:
    title: str
    body: str
    language: str = SnippetLanguage.INDONESIAN
    tone: str = SnippetTone.FORMAL
    tags: str = ""
    product: Product | None = None
    shortcut: str = ""
    status: str = SnippetStatus.DRAFT
    expires_at: datetime | None = None

    @classmethod
    def of(cls, snippet: Snippet) -> "SnippetData":
        return cls(**{name: getattr(snippet, name) for name in SNIPPET_FIELDS})


def _plain(name: str, value: Any) -> Any:
    if name == "product":
        return value.name if value else ""
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def normalize_tags(tags: str) -> str:
    seen: list[str] = []
    for tag in tags.split(","):
        tag = tag.strip().lower()
        if tag and tag not in seen:
            seen.append(tag)
    return ", ".join(seen)


def product_fields(product: Product | None) -> list[str] | None:
    return None if product is None else list(product.specifications)


def _too_long(model, data, names: tuple[str, ...], errors: dict[str, list[str]]) -> None:
    """Each of ``names`` of ``data`` checked against the length of ``model``'s column (the form, a CSV row and a
    config file alike): on PostgreSQL an over-long value would fail the whole write, on SQLite be stored whole."""
    for name in names:
        limit = model._meta.get_field(name).max_length
        try:
            MaxLengthValidator(limit)(getattr(data, name))
        except ValidationError as exc:
            errors.setdefault(name, []).extend(exc.messages)


def validate_snippet(*, brand: Brand, data: SnippetData, snippet: Snippet | None = None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def fail(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    _too_long(Snippet, data, ("title", "tags", "shortcut"), errors)
    if not data.title.strip():
        fail("title", _("A snippet needs a title."))
    if not data.body.strip():
        fail("body", _("A snippet needs a body."))
    for problem in placeholders.problems_in(data.body, product_fields=product_fields(data.product)):
        fail("body", str(problem))
    if data.language not in SnippetLanguage.values:
        fail("language", _("Use id or en."))
    if data.tone not in SnippetTone.values:
        fail("tone", _("Use formal or casual."))
    if data.status not in SnippetStatus.values:
        fail("status", _("Use draft, published or archived."))
    if data.product is not None and data.product.brand_id != brand.pk:
        fail("product", _("Unknown product."))
    if data.expires_at is not None and not expiry_in_range(data.expires_at):
        fail("expires_at", _("Choose dates between %(first)s and %(last)s.") % {"first": FIRST_DAY, "last": LAST_DAY})
    if snippet is None and Snippet.objects.filter(brand=brand, title=data.title, body=data.body).exists():
        fail("title", _("This brand already has a snippet with this title and text."))
    if data.shortcut:
        if not placeholders.FIELD_RE.match(data.shortcut.replace("-", "_")):
            fail("shortcut", _("Use lower-case letters, digits, - and _ (at most 40)."))
        taken = Snippet.objects.filter(brand=brand, shortcut=data.shortcut)
        if snippet is not None:
            taken = taken.exclude(pk=snippet.pk)
        if taken.exists():
            fail("shortcut", _("Another snippet of this brand has the shortcut /%(s)s.") % {"s": data.shortcut})
    return errors


def _write_version(snippet: Snippet, *, user, note: str) -> SnippetVersion:
    return SnippetVersion.objects.create(
        snippet=snippet,
        number=snippet.version,
        title=snippet.title,
        body=snippet.body,
        language=snippet.language,
        tone=snippet.tone,
        tags=snippet.tags,
        product_name=snippet.product.name if snippet.product else "",
        shortcut=snippet.shortcut,
        status=snippet.status,
        expires_at=snippet.expires_at,
        author=user if user is not None and user.is_authenticated else None,
        note=note[:200],
    )


def _clean(data: SnippetData) -> SnippetData:
    data.title = data.title.strip()
    data.body = data.body.strip()
    data.tags = normalize_tags(data.tags)
    data.shortcut = data.shortcut.strip().lstrip("/").lower()
    return data


def _record(*, brand_id: int, user, source: str, kind: str, obj, before: dict, after: dict) -> ConfigChange | None:
    return audit.record(
        brand=brand_id,
        user=user,
        source=source,
        area=ConfigArea.KNOWLEDGE,
        kind=kind,
        before=before,
        after=after,
        obj=obj,
        object_repr=getattr(obj, "title", "") or getattr(obj, "name", ""),
    )


def create_snippet(
    *, brand: Brand, user, data: SnippetData, note: str = "", source: str = ConfigSource.PAGE
) -> tuple[Snippet, ConfigChange]:
    """A new snippet, its version 1 and its audit record. Raises :class:`KnowledgeError` (nothing written)."""
    data = _clean(data)
    with transaction.atomic():
        lock_brand(brand.pk)  # the same snippet created twice at once: the second finds the first
        errors = validate_snippet(brand=brand, data=data)
        if errors:
            raise KnowledgeError(errors)
        snippet = Snippet.objects.create(brand=brand, version=1, **{n: getattr(data, n) for n in SNIPPET_FIELDS})
        _write_version(snippet, user=user, note=note or _("created"))
        after = {"version": 1, **{n: _plain(n, getattr(data, n)) for n in SNIPPET_FIELDS}}
        change = _record(
            brand_id=brand.pk, user=user, source=source, kind="snippet.created", obj=snippet, before={}, after=after
        )
    return snippet, change


def update_snippet(
    *,
    snippet: Snippet,
    user,
    data: SnippetData,
    note: str = "",
    kind: str = "snippet.updated",
    source: str = ConfigSource.PAGE,
) -> tuple[Snippet, ConfigChange | None]:
    """Apply ``data``; a new version and its audit record when anything changed (``None`` as change otherwise).
    Takes the snippet's row lock so two editors get consecutive version numbers. Raises :class:`KnowledgeError`."""
    data = _clean(data)
    errors = validate_snippet(brand=snippet.brand, data=data, snippet=snippet)
    if errors:
        raise KnowledgeError(errors)
    with transaction.atomic():
        current = Snippet.objects.select_for_update(of=("self",)).select_related("product").get(pk=snippet.pk)
        before = SnippetData.of(current)
        changed = [n for n in SNIPPET_FIELDS if getattr(before, n) != getattr(data, n)]
        if not changed:
            return current, None
        for name in changed:
            setattr(current, name, getattr(data, name))
        current.version = F("version") + 1
        current.save()
        current.refresh_from_db()
        _write_version(current, user=user, note=note)
        change = _record(
            brand_id=current.brand_id,
            user=user,
            source=source,
            kind=kind,
            obj=current,
            before={"version": current.version - 1, **{n: _plain(n, getattr(before, n)) for n in changed}},
            after={"version": current.version, **{n: _plain(n, getattr(data, n)) for n in changed}},
        )
    return current, change


def set_status(
    *, snippet: Snippet, user, status: str, source: str = ConfigSource.PAGE
) -> tuple[Snippet, ConfigChange | None]:
    """Publish, archive or return to draft: a new version like any other change."""
    data = SnippetData.of(snippet)
    data.status = status
    kinds = {SnippetStatus.ARCHIVED: "snippet.archived", SnippetStatus.PUBLISHED: "snippet.published"}
    kind = kinds.get(status, "snippet.updated")
    return update_snippet(snippet=snippet, user=user, data=data, note=status, kind=kind, source=source)


def restore_version(
    *, snippet: Snippet, user, number: int, source: str = ConfigSource.PAGE
) -> tuple[Snippet, ConfigChange | None]:
    """Make version ``number``'s content current again, as a new version (history is never rewritten).
    The product is looked up by name; if it was deleted since, the snippet keeps none."""
    version = snippet.versions.filter(number=number).first()
    if version is None:
        raise KnowledgeError({"__all__": [_("There is no version %(n)d.") % {"n": number}]})
    product = Product.objects.filter(brand_id=snippet.brand_id, name=version.product_name).first()
    data = SnippetData(
        title=version.title,
        body=version.body,
        language=version.language,
        tone=version.tone,
        tags=version.tags,
        product=product if version.product_name else None,
        shortcut=version.shortcut,
        status=version.status,
        expires_at=version.expires_at,
    )
    note = _("restored version %(n)d") % {"n": number}
    return update_snippet(snippet=snippet, user=user, data=data, note=note, kind="snippet.restored", source=source)


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "same" | "added" | "removed"
    text: str


def compare_versions(*, old: SnippetVersion, new: SnippetVersion) -> dict[str, list[DiffLine]]:
    """Line diffs (difflib) of every field that differs between two versions of a snippet."""
    result: dict[str, list[DiffLine]] = {}
    for name in ("title", "body", "language", "tone", "tags", "product_name", "shortcut", "status", "expires_at"):
        a, b = getattr(old, name), getattr(new, name)
        if a == b:
            continue
        a_lines = str(a or "").splitlines() or [""]
        b_lines = str(b or "").splitlines() or [""]
        lines = []
        for line in difflib.ndiff(a_lines, b_lines):
            tag, text = line[:2], line[2:]
            if tag == "? ":
                continue
            lines.append(DiffLine({"  ": "same", "+ ": "added", "- ": "removed"}[tag], text))
        result[name] = lines
    return result


def version_field_label(name: str) -> str:
    """The name a person reads for a field of a snippet version (its translated verbose name, capitalised)."""
    return capfirst(SnippetVersion._meta.get_field(name).verbose_name)


# --- products -------------------------------------------------------------------------------------------------


@dataclass
class ProductData:
    name: str
    category: str = ""
    specifications: dict[str, str] = field(default_factory=dict)
    faq: str = ""
    competitor_notes: str = ""


PRODUCT_FIELDS = ("name", "category", "specifications", "faq", "competitor_notes")


def validate_product(*, brand: Brand, data: ProductData, product: Product | None = None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    _too_long(Product, data, ("name", "category"), errors)
    if not data.name.strip():
        errors.setdefault("name", []).append(_("A product needs a name."))
    taken = Product.objects.filter(brand=brand, name=data.name.strip())
    if product is not None:
        taken = taken.exclude(pk=product.pk)
    if data.name.strip() and taken.exists():
        errors.setdefault("name", []).append(_("This brand already has a product of that name."))
    if not isinstance(data.specifications, dict):
        errors.setdefault("specifications", []).append(_("Specifications must be a mapping of field to value."))
    else:
        for key in data.specifications:
            if not placeholders.FIELD_RE.match(str(key)) or key in placeholders.PRODUCT_BUILTIN_FIELDS:
                errors.setdefault("specifications", []).append(
                    _("“%(key)s” cannot be a field: use lower-case letters, digits and _ (not name or category).")
                    % {"key": key}
                )
    return errors


def parse_specifications(text: str) -> dict[str, str]:
    """``battery: 5000 mAh`` lines (the form) → mapping. Raises ValueError on a line without a colon."""
    specs: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        key, sep, value = line.partition(":")
        if not sep:
            raise ValueError(_("Line %(n)d: write “field: value”.") % {"n": number})
        specs[key.strip().lower().replace(" ", "_")] = value.strip()
    return specs


def save_product(
    *, brand: Brand, user, data: ProductData, product: Product | None = None, source: str = ConfigSource.PAGE
) -> tuple[Product, ConfigChange | None]:
    """Create (``product`` None) or update a product, with its audit record (``None`` when nothing changed).
    Raises :class:`KnowledgeError`."""
    data.name = data.name.strip()
    with transaction.atomic():
        lock_brand(brand.pk)  # the same product created twice at once: the second finds the name taken
        errors = validate_product(brand=brand, data=data, product=product)
        if errors:
            raise KnowledgeError(errors)
        stored = Product.objects.filter(pk=product.pk).first() if product is not None else None
        before = {n: getattr(stored, n) for n in PRODUCT_FIELDS} if stored else {}
        product = product or Product(brand=brand)
        for name in PRODUCT_FIELDS:
            setattr(product, name, getattr(data, name))
        product.save()
        change = _record(
            brand_id=brand.pk,
            user=user,
            source=source,
            kind="product.updated" if stored else "product.created",
            obj=product,
            before=before,
            after={n: getattr(data, n) for n in PRODUCT_FIELDS},
        )
    return product, change


# --- CSV ------------------------------------------------------------------------------------------------------


def export_snippets_csv(*, brand: Brand) -> str:
    """The brand's snippets as CSV (:data:`SNIPPET_CSV_COLUMNS`); cells that could start a spreadsheet formula
    carry a leading quote (:mod:`smrc.spreadsheets`), which :func:`import_snippets_csv` takes off again."""
    snippets = Snippet.objects.filter(brand=brand).select_related("product").order_by("title", "pk")
    return spreadsheets.csv_text(
        SNIPPET_CSV_COLUMNS,
        (
            (
                s.shortcut,
                s.title,
                s.body,
                s.language,
                s.tone,
                s.tags,
                s.product.name if s.product else "",
                s.status,
                s.expires_at.isoformat() if s.expires_at else "",
            )
            for s in snippets
        ),
    )


def export_products_csv(*, brand: Brand) -> str:
    """The brand's products as CSV (:data:`PRODUCT_CSV_COLUMNS`), neutralised like :func:`export_snippets_csv`."""
    return spreadsheets.csv_text(
        PRODUCT_CSV_COLUMNS,
        (
            (p.name, p.category, json.dumps(p.specifications, ensure_ascii=False), p.faq, p.competitor_notes)
            for p in Product.objects.filter(brand=brand).order_by("name")
        ),
    )


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    changes: list[ConfigChange] = field(default_factory=list)


def _rows(text: str, columns: tuple[str, ...], required: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in required if c not in header]
    unknown = [c for c in header if c not in columns]
    if missing or unknown:
        problems = []
        if missing:
            problems.append(_("Line 1: missing column(s) %(c)s.") % {"c": ", ".join(missing)})
        if unknown:
            problems.append(_("Line 1: unknown column(s) %(c)s.") % {"c": ", ".join(unknown)})
        raise KnowledgeError({"line 1": problems})
    reader.fieldnames = header
    rows = []
    start = 2
    for row in reader:
        if None in row:
            raise KnowledgeError({f"line {start}": [_("Line %(n)d: more values than columns.") % {"n": start}]})
        # A cell our export quoted against spreadsheet formulas ("'=…", "'-…") reads back as it was stored.
        rows.append((start, {k: spreadsheets.restore((v or "").strip()).strip() for k, v in row.items()}))
        start = reader.line_num + 1
        if len(rows) > MAX_IMPORT_ROWS:
            raise KnowledgeError({"__all__": [_("A file can hold at most %(n)d rows.") % {"n": MAX_IMPORT_ROWS}]})
    return rows


#: an expiry is a moment of these years (decision 80): at year 715 the zone has only its local mean time and the
#: answer's offset (``+07:07:12``) is no RFC 3339 moment; at year 1 or 9999 the conversion to UTC overflows
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2999, 12, 31)


def expiry_in_range(value: datetime) -> bool:
    return FIRST_DAY <= value.date() <= LAST_DAY


def parse_expiry(text: str) -> datetime | None:
    if not text:
        return None
    value = parse_datetime(text)
    if value is None:
        day = parse_date(text)
        if day is None:
            raise ValueError
        value = datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=timezone.get_current_timezone())
    if not expiry_in_range(value):
        raise ValueError("an expiry outside the years 2000 to 2999")
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def import_snippets_csv(*, brand: Brand, user, text: str, source: str = ConfigSource.PAGE) -> ImportResult:
    """Create or update snippets from CSV (columns :data:`SNIPPET_CSV_COLUMNS`; a row with the shortcut of an
    existing snippet updates it, with a new version). Every row is checked first: any bad row raises
    :class:`KnowledgeError` listing each bad line, and nothing is written."""
    rows = _rows(text, SNIPPET_CSV_COLUMNS, ("title", "body"))
    products = {p.name: p for p in Product.objects.filter(brand=brand)}
    snippets = list(Snippet.objects.filter(brand=brand).select_related("product"))
    existing = {s.shortcut: s for s in snippets if s.shortcut}
    #: a row without a shortcut is the snippet of the same title and text (importing a file again changes nothing)
    same_text = {(s.title, s.body): s for s in snippets if not s.shortcut}
    errors: dict[str, list[str]] = {}
    plan: list[tuple[Snippet | None, SnippetData]] = []
    seen_shortcuts: dict[str, int] = {}
    for line, row in rows:
        problems: list[str] = []
        product = None
        if row.get("product"):
            product = products.get(row["product"])
            if product is None:
                problems.append(_("unknown product “%(p)s”") % {"p": row["product"]})
        try:
            expires_at = parse_expiry(row.get("expires_at", ""))
        except ValueError:
            expires_at = None
            problems.append(_("expires_at is not a date like 2026-12-31"))
        data = SnippetData(
            title=row.get("title", ""),
            body=row.get("body", ""),
            language=row.get("language") or SnippetLanguage.INDONESIAN,
            tone=row.get("tone") or SnippetTone.FORMAL,
            tags=row.get("tags", ""),
            product=product,
            shortcut=row.get("shortcut", ""),
            status=row.get("status") or SnippetStatus.DRAFT,
            expires_at=expires_at,
        )
        _clean(data)
        target = existing.get(data.shortcut) if data.shortcut else same_text.get((data.title, data.body))
        if data.shortcut:
            if data.shortcut in seen_shortcuts:
                problems.append(
                    _("shortcut /%(s)s is also on line %(n)d")
                    % {"s": data.shortcut, "n": seen_shortcuts[data.shortcut]}
                )
            seen_shortcuts[data.shortcut] = line
        if product is not None or not row.get("product"):
            for name, messages in validate_snippet(brand=brand, data=data, snippet=target).items():
                problems.extend(f"{name}: {m}" for m in messages)
        if problems:
            errors[f"line {line}"] = [_("Line %(n)d: %(p)s") % {"n": line, "p": p} for p in problems]
        plan.append((target, data))
    if errors:
        raise KnowledgeError(errors)
    result = ImportResult()
    with transaction.atomic():
        for target, data in plan:
            if target is None:
                _snippet, change = create_snippet(
                    brand=brand, user=user, data=data, note=_("CSV import"), source=source
                )
                result.created += 1
            else:
                _snippet, maybe = update_snippet(
                    snippet=target, user=user, data=data, note=_("CSV import"), source=source
                )
                if maybe is None:
                    result.unchanged += 1
                    continue
                change = maybe
                result.updated += 1
            result.changes.append(change)
    return result


def import_products_csv(*, brand: Brand, user, text: str, source: str = ConfigSource.PAGE) -> ImportResult:
    """Create or update products by name from CSV (``specifications`` is a JSON object). All or nothing, like
    :func:`import_snippets_csv`."""
    rows = _rows(text, PRODUCT_CSV_COLUMNS, ("name",))
    existing = {p.name: p for p in Product.objects.filter(brand=brand)}
    errors: dict[str, list[str]] = {}
    plan: list[tuple[Product | None, ProductData]] = []
    seen: dict[str, int] = {}
    for line, row in rows:
        problems: list[str] = []
        specs: Any = {}
        if row.get("specifications"):
            try:
                specs = loads_bounded(row["specifications"], max_depth=2, max_bytes=MAX_SPECIFICATIONS_BYTES)
            except ValueError:
                problems.append(_("specifications is not a JSON object"))
            if not isinstance(specs, dict):
                specs = {}
                problems.append(_("specifications is not a JSON object"))
        data = ProductData(
            name=row.get("name", "").strip(),
            category=row.get("category", ""),
            specifications={str(k): str(v) for k, v in specs.items()},
            faq=row.get("faq", ""),
            competitor_notes=row.get("competitor_notes", ""),
        )
        if data.name in seen:
            problems.append(_("product “%(p)s” is also on line %(n)d") % {"p": data.name, "n": seen[data.name]})
        seen[data.name] = line
        target = existing.get(data.name)
        for name, messages in validate_product(brand=brand, data=data, product=target).items():
            problems.extend(f"{name}: {m}" for m in messages)
        if problems:
            errors[f"line {line}"] = [_("Line %(n)d: %(p)s") % {"n": line, "p": p} for p in dict.fromkeys(problems)]
        plan.append((target, data))
    if errors:
        raise KnowledgeError(errors)
    result = ImportResult()
    with transaction.atomic():
        for target, data in plan:
            if target is not None and all(getattr(target, n) == getattr(data, n) for n in PRODUCT_FIELDS):
                result.unchanged += 1
                continue
            _product, change = save_product(brand=brand, user=user, data=data, product=target, source=source)
            result.created += target is None
            result.updated += target is not None
            if change is not None:
                result.changes.append(change)
    return result


def record_usage(*, brand_id: int, as_is: list[int], edited: list[int]) -> None:
    """Count snippets used in a sent reply, as is or edited. Ids of other brands are ignored."""
    if as_is:
        Snippet.objects.filter(brand_id=brand_id, pk__in=as_is).update(used_as_is=F("used_as_is") + 1)
    if edited:
        Snippet.objects.filter(brand_id=brand_id, pk__in=edited).update(used_edited=F("used_edited") + 1)
