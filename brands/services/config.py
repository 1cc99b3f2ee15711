"""Configuration as code: users, brands, memberships, channel accounts and SLA settings from one document.

:func:`apply_config` validates the whole document first and applies it in one transaction, so a file with
an error changes nothing. Applying the same file twice changes nothing the second time. Secrets are given as
the names of environment variables (``access_token_env``) so the file itself can live in version control.
See docs/configuration-as-code.md for the format.

Every change is made by its area's service (or :func:`brands.services.audit.save_object`), so it is in the brand's
audit trail like a change made on a page, with ``load_config`` as its source.
"""

import copy
import os
from dataclasses import dataclass, field, replace
from datetime import date, time
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction

from ..models import (
    BlockedAuthor,
    Brand,
    ChannelAccount,
    ConfigArea,
    ConfigSource,
    ListeningRule,
    Membership,
    Platform,
    Priority,
    Product,
    ReviewPolicy,
    Role,
    Snippet,
    SpamPattern,
    UrgencyTerm,
    pattern_error,
)
from . import assignment, audit, knowledge, review_policy
from .customer_data import clean_handle
from .sla import SettingsError, SlaSettings, current_settings, update_sla_settings, validate

WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
PRIORITIES = {p.name.lower(): p.value for p in Priority}


class ConfigError(ValueError):
    """Every problem found, each as ``path: message``."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class Summary:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, created: bool) -> None:
        bucket = self.created if created else self.updated
        bucket[kind] = bucket.get(kind, 0) + 1


SOURCE = ConfigSource.LOAD_CONFIG
#: the brand's own fields a file sets (recorded in the audit trail as the ``brand`` area)
BRAND_FIELDS = ("name", "languages", "thread_window_hours", "managers_edit_knowledge")  # of audit.BRAND_FIELDS


def _checked(obj, values: dict[str, Any], *, created: bool, reader: "_Reader", path: str) -> dict[str, Any] | None:
    """Set on ``obj`` the ``values`` that differ and validate it with the model's own rules (lengths, ranges,
    patterns: what the admin and the forms refuse, a file cannot store); a problem is reported under ``path``.
    Returns what differs when ``obj`` is to be saved (it is new or anything changed, the document has no problem
    so far), else ``None``."""
    dirty = {name: value for name, value in values.items() if getattr(obj, name) != value}
    for name, value in dirty.items():
        setattr(obj, name, value)
    others = None if created else [f.name for f in obj._meta.fields if f.name not in values]  # reported already
    if not (created or dirty) or not reader.valid(obj, path, exclude=others) or reader.problems:
        return None
    return dirty


def _save_changes(
    obj, values: dict[str, Any], *, created: bool, summary: "Summary", kind: str, reader: "_Reader", path: str
) -> bool:
    """Save ``obj`` with ``values`` through the audit trail when it is new or anything changed (see
    :func:`_checked`), and count it in ``summary`` under ``kind``. Returns whether it was saved."""
    if _checked(obj, values, created=created, reader=reader, path=path) is None:
        return False
    audit.save_object(obj, user=None, source=SOURCE)
    summary.count(kind, created)
    return True


def _save_brand(brand: Brand, values: dict[str, Any], *, created: bool, summary: "Summary", reader, path) -> None:
    """The brand's own fields, with their audit record (``brand.created`` / ``brand.updated``)."""
    before = {name: getattr(brand, name) for name in BRAND_FIELDS}
    if _checked(brand, values, created=created, reader=reader, path=path) is None:
        return
    brand.save()
    audit.record(
        brand=brand,
        user=None,
        source=SOURCE,
        area=ConfigArea.BRAND,
        kind="brand.created" if created else "brand.updated",
        before={} if created else before,
        after={"slug": brand.slug, **values} if created else {name: getattr(brand, name) for name in BRAND_FIELDS},
        object_repr=brand.name,
    )
    summary.count("brands", created)


def _handle(reader: "_Reader", data: dict, path: str, platform: str, *, required=False, default: str = "") -> str:
    """A handle (``@`` optional) checked against the platform's handle rules (``customer_data.clean_handle``)."""
    value = reader.get(data, "handle", path, str, required=required)
    if value is None:
        return default
    handle, problem = clean_handle(platform, value.strip())
    if problem:
        reader.fail(f"{path}.handle", problem)
    return handle


class _Reader:
    """Typed access to the document that collects problems instead of stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def fail(self, path: str, message: str) -> None:
        self.problems.append(f"{path}: {message}")

    def get(self, data: dict, key: str, path: str, kind: type | tuple, *, required: bool = False, default=None):
        if not isinstance(data, dict):
            self.fail(path, "must be a mapping")
            return default
        if key not in data or data[key] is None:
            if required:
                self.fail(f"{path}.{key}", "is required")
            return default
        value = data[key]
        if isinstance(value, bool) and kind in (int, (int,)):
            self.fail(f"{path}.{key}", "must be a number")
            return default
        if not isinstance(value, kind):
            names = " or ".join(k.__name__ for k in (kind if isinstance(kind, tuple) else (kind,)))
            self.fail(f"{path}.{key}", f"must be {names}")
            return default
        return value

    def valid(self, obj, path: str, *, exclude: list[str] | None = None) -> bool:
        """``obj.full_clean()``, each problem reported as ``path.field: message``."""
        try:
            obj.full_clean(exclude=exclude)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                self.fail(path if name == NON_FIELD_ERRORS else f"{path}.{name}", " ".join(messages))
            return False
        return True

    def field(self, model, name: str, value: Any, path: str) -> bool:
        """Whether ``value`` is valid for ``model.name`` (length, format) before it is used to look a row up."""
        try:
            model._meta.get_field(name).clean(value, None)
        except ValidationError as exc:
            self.fail(path, " ".join(exc.messages))
            return False
        return True

    def secret(self, data: dict, key: str, path: str) -> str | None:
        """``key_env`` names an environment variable; ``key`` gives the value inline. ``None``: not given."""
        env_name = self.get(data, f"{key}_env", path, str)
        if env_name:
            if env_name not in os.environ:
                self.fail(f"{path}.{key}_env", f"environment variable {env_name} is not set")
                return None
            return os.environ[env_name]
        return self.get(data, key, path, str)


def _parse_period(text: str) -> tuple[time, time]:
    start, _sep, end = text.replace("–", "-").partition("-")
    hours, minutes = (int(x) for x in end.strip().split(":"))
    until = time(0, 0) if (hours, minutes) == (24, 0) else time(hours, minutes)
    return time.fromisoformat(start.strip().rjust(5, "0")), until


def _sla_settings(reader: _Reader, raw: dict, path: str, base: SlaSettings) -> SlaSettings:
    hours = dict(base.hours)
    raw_hours = reader.get(raw, "hours", path, dict)
    if raw_hours is not None:
        hours = {day: [] for day in range(7)}
        for name, periods in raw_hours.items():
            day = WEEKDAYS.get(str(name).lower()[:3])
            if day is None:
                reader.fail(f"{path}.hours.{name}", "unknown weekday (use mon … sun)")
                continue
            for text in periods if isinstance(periods, list) else [periods]:
                try:
                    hours[day].append(_parse_period(str(text)))
                except ValueError:
                    reader.fail(f"{path}.hours.{name}", f"“{text}” is not a period like 09:00-17:00")
    holidays = dict(base.holidays)
    raw_holidays = reader.get(raw, "holidays", path, dict)
    if raw_holidays is not None:
        holidays = {}
        for day, name in raw_holidays.items():
            try:
                holidays[day if isinstance(day, date) else date.fromisoformat(str(day))] = str(name)
            except ValueError:
                reader.fail(f"{path}.holidays.{day}", "is not a date like 2026-12-31")
    targets = dict(base.targets)
    for name, values in (reader.get(raw, "targets", path, dict) or {}).items():
        priority = PRIORITIES.get(str(name).lower())
        if priority is None or not isinstance(values, dict):
            reader.fail(f"{path}.targets.{name}", "unknown priority (use urgent, high, normal, low) or not a mapping")
            continue
        current = targets[priority]
        targets[priority] = tuple(
            reader.get(values, key, f"{path}.targets.{name}", int, default=current[i])
            for i, key in enumerate(("first_response", "next_response", "resolution"))
        )
    return replace(
        base,
        time_zone=reader.get(raw, "time_zone", path, str, default=base.time_zone),
        round_the_clock=reader.get(raw, "round_the_clock", path, bool, default=base.round_the_clock),
        holiday_country=reader.get(raw, "holiday_country", path, str, default=base.holiday_country).upper(),
        observe_collective_leave=reader.get(raw, "collective_leave", path, bool, default=base.observe_collective_leave),
        sla_warning_minutes=reader.get(raw, "warning_minutes", path, int, default=base.sla_warning_minutes),
        escalation_raises_priority=reader.get(
            raw, "escalation_raises_priority", path, bool, default=base.escalation_raises_priority
        ),
        hours=hours,
        holidays=holidays,
        targets=targets,
    )


def _outside(reader: _Reader, only: str, username: str, is_admin: bool, path: str) -> bool:
    """In a file scoped to brand ``only``: whether user ``username`` is someone else's to change (a superuser, or
    a member of another brand), or the file would make a superuser. Reported; such a user is left alone."""
    if is_admin:
        reader.fail(f"{path}.admin", f"a file for brand {only} cannot make a superuser")
        return True
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        return False
    others = sorted(
        Membership.objects.filter(user=user).exclude(brand__slug=only).values_list("brand__slug", flat=True)
    )
    if user.is_superuser or others:
        reader.fail(f"{path}.username", f"{username} is an admin or a member of another brand ({', '.join(others)})")
        return True
    return False


def apply_config(data: Any, *, only: str | None = None) -> Summary:
    """Create or update everything in ``data`` (a parsed YAML/JSON document). Raises :class:`ConfigError`
    listing every problem, having changed nothing.

    ``only``: the slug of the one brand the file may describe (``load_config --brand``), so a brand's team can
    keep its own file: another brand's slug, a superuser, or a user who is also on another brand's staff is
    refused (channel accounts of another brand are refused in every file)."""
    reader = _Reader()
    if not isinstance(data, dict):
        raise ConfigError(["(top): the document must be a mapping with users and brands"])
    unknown = set(data) - {"users", "brands"}
    for key in sorted(unknown):
        reader.fail(key, "unknown section")
    User = get_user_model()
    summary = Summary()
    with transaction.atomic():
        usernames = set(User.objects.values_list("username", flat=True))
        for i, raw in enumerate(reader.get(data, "users", "(top)", list, default=[])):
            path = f"users[{i}]"
            username = reader.get(raw, "username", path, str, required=True)
            if not username or not reader.field(User, User.USERNAME_FIELD, username, f"{path}.username"):
                continue
            email = reader.get(raw, "email", path, str, default="")
            password = reader.secret(raw, "password", path)
            is_admin = reader.get(raw, "admin", path, bool, default=False)
            if only and _outside(reader, only, username, is_admin, path):
                continue
            user, created = User.objects.get_or_create(username=username)
            changed = created or user.email != email or user.is_superuser != is_admin
            user.email, user.is_superuser, user.is_staff = email, is_admin, is_admin
            if password is not None and not user.check_password(password):
                user.set_password(password)
                changed = True
            elif created:
                user.set_unusable_password()
            if changed and reader.valid(user, path, exclude=["password"]):
                user.save()
                summary.count("users", created)
            usernames.add(username)

        for i, raw in enumerate(reader.get(data, "brands", "(top)", list, default=[])):
            path = f"brands[{i}]"
            slug = reader.get(raw, "slug", path, str, required=True)
            if not slug or not reader.field(Brand, "slug", slug, f"{path}.slug"):
                continue
            if only and slug != only:
                reader.fail(f"{path}.slug", f"this file may only describe brand {only}")
                continue
            brand, created = Brand.objects.get_or_create(slug=slug, defaults={"name": slug[:120]})
            fields = {
                "name": reader.get(raw, "name", path, str, default=brand.name),
                "languages": ",".join(
                    map(str, reader.get(raw, "languages", path, list, default=brand.languages.split(",")))
                ),
                "thread_window_hours": reader.get(
                    raw, "thread_window_hours", path, int, default=brand.thread_window_hours
                ),
                "managers_edit_knowledge": reader.get(
                    raw, "managers_edit_knowledge", path, bool, default=brand.managers_edit_knowledge
                ),
            }
            _save_brand(brand, fields, created=created, summary=summary, reader=reader, path=path)

            for username, role in (reader.get(raw, "members", path, dict, default={}) or {}).items():
                if role not in Role.values:
                    reader.fail(f"{path}.members.{username}", f"unknown role {role!r} (use {', '.join(Role.values)})")
                    continue
                if username not in usernames:
                    reader.fail(f"{path}.members.{username}", "unknown user")
                    continue
                user = User.objects.get(username=username)
                membership, made = Membership.objects.get_or_create(user=user, brand=brand, defaults={"role": role})
                if made or membership.role != role:
                    membership.role = role
                    membership.save()
                    summary.count("memberships", made)

            for j, channel in enumerate(reader.get(raw, "channels", path, list, default=[])):
                cpath = f"{path}.channels[{j}]"
                platform = reader.get(channel, "platform", cpath, str, required=True)
                external_id = reader.get(channel, "external_id", cpath, (str, int), required=True)
                if platform not in Platform.values:
                    reader.fail(f"{cpath}.platform", f"unknown platform (use {', '.join(Platform.values)})")
                    continue
                if external_id is None:
                    continue
                account = ChannelAccount.objects.filter(platform=platform, external_id=str(external_id)).first()
                if account and account.brand_id != brand.pk:
                    reader.fail(cpath, f"{platform} account {external_id} belongs to another brand")
                    continue
                made = account is None
                account = account or ChannelAccount(brand=brand, platform=platform, external_id=str(external_id))
                values = {
                    "name": reader.get(channel, "name", cpath, str, default=account.name or str(external_id)),
                    "handle": _handle(reader, channel, cpath, platform, default=account.handle),
                }
                for secret in ("access_token", "webhook_secret", "verify_token"):
                    value = reader.secret(channel, secret, cpath)
                    if value is not None:
                        values[secret] = value
                _save_changes(
                    account, values, created=made, summary=summary, kind="channels", reader=reader, path=cpath
                )

            raw_sla = reader.get(raw, "sla", path, dict)
            if raw_sla is not None:
                before = current_settings(brand)
                after = _sla_settings(reader, raw_sla, f"{path}.sla", before)
                try:
                    validate(after)
                except SettingsError as exc:
                    for key, messages in exc.errors.items():
                        reader.fail(f"{path}.sla.{key}", " ".join(messages))
                    continue
                if after != before and not reader.problems:
                    update_sla_settings(brand=brand, settings=after, source=SOURCE)
                    summary.count("sla", False)

            _knowledge(reader, raw, path, brand, summary)
            _listening(reader, raw, path, brand, summary)
            _routing(reader, raw, path, brand, summary)
            _noise_and_urgency(reader, raw, path, brand, summary)
            _review(reader, raw, path, brand, summary)

        if reader.problems:
            raise ConfigError(reader.problems)
    return summary


def _knowledge(reader: _Reader, raw: dict, path: str, brand: Brand, summary: Summary) -> None:
    """``products:`` (by name) and ``snippets:`` (by shortcut, else title) of one brand."""
    for j, item in enumerate(reader.get(raw, "products", path, list, default=[])):
        ppath = f"{path}.products[{j}]"
        name = reader.get(item, "name", ppath, str, required=True)
        if not name:
            continue
        product = Product.objects.filter(brand=brand, name=name).first()
        data = knowledge.ProductData(
            name=name,
            category=reader.get(item, "category", ppath, str, default=product.category if product else ""),
            specifications={
                str(k): str(v) for k, v in (reader.get(item, "specifications", ppath, dict, default=None) or {}).items()
            }
            or (product.specifications if product else {}),
            faq=reader.get(item, "faq", ppath, str, default=product.faq if product else ""),
            competitor_notes=reader.get(
                item, "competitor_notes", ppath, str, default=product.competitor_notes if product else ""
            ),
        )
        if product and all(getattr(product, n) == getattr(data, n) for n in knowledge.PRODUCT_FIELDS):
            continue
        try:
            knowledge.save_product(brand=brand, user=None, data=data, product=product, source=SOURCE)
        except knowledge.KnowledgeError as exc:
            for key, messages in exc.errors.items():
                reader.fail(f"{ppath}.{key}", " ".join(messages))
            continue
        summary.count("products", product is None)

    for j, item in enumerate(reader.get(raw, "snippets", path, list, default=[])):
        spath = f"{path}.snippets[{j}]"
        title = reader.get(item, "title", spath, str, required=True)
        body = reader.get(item, "body", spath, str, required=True)
        if not title or not body:
            continue
        shortcut = reader.get(item, "shortcut", spath, str, default="").lstrip("/").lower()
        existing = Snippet.objects.filter(brand=brand).select_related("product")
        snippet = (existing.filter(shortcut=shortcut) if shortcut else existing.filter(title=title)).first()
        product_name = reader.get(item, "product", spath, str, default="")
        product = Product.objects.filter(brand=brand, name=product_name).first() if product_name else None
        if product_name and product is None:
            reader.fail(f"{spath}.product", f"unknown product {product_name!r}")
            continue
        expires = reader.get(item, "expires_at", spath, (str, date), default=None)
        try:
            expires_at = knowledge.parse_expiry(expires.isoformat() if isinstance(expires, date) else expires or "")
        except ValueError:
            reader.fail(f"{spath}.expires_at", "is not a date like 2026-12-31")
            continue
        data = knowledge.SnippetData(
            title=title,
            body=body,
            language=reader.get(item, "language", spath, str, default="id"),
            tone=reader.get(item, "tone", spath, str, default="formal"),
            tags=", ".join(reader.get(item, "tags", spath, list, default=[])),
            product=product,
            shortcut=shortcut,
            status=reader.get(item, "status", spath, str, default="published"),
            expires_at=expires_at,
        )
        try:
            if snippet is None:
                knowledge.create_snippet(brand=brand, user=None, data=data, note="load_config", source=SOURCE)
            elif (
                knowledge.update_snippet(snippet=snippet, user=None, data=data, note="load_config", source=SOURCE)[1]
                is None
            ):
                continue
        except knowledge.KnowledgeError as exc:
            for key, messages in exc.errors.items():
                reader.fail(f"{spath}.{key}", " ".join(messages))
            continue
        summary.count("snippets", snippet is None)


def _listening(reader: _Reader, raw: dict, path: str, brand: Brand, summary: Summary) -> None:
    """``listening_rules:`` of one brand, by name: handles, hashtags, keywords, exclusions (lists), language,
    platforms (list) and ``active``. Rules not named in the file are left alone."""
    for j, item in enumerate(reader.get(raw, "listening_rules", path, list, default=[])):
        rpath = f"{path}.listening_rules[{j}]"
        name = reader.get(item, "name", rpath, str, required=True)
        if not name:
            continue
        values = {}
        for key in ("handles", "hashtags", "keywords", "exclusions", "platforms"):
            terms = reader.get(item, key, rpath, list, default=[])
            if any(not isinstance(t, str | int) or "," in str(t) for t in terms):
                reader.fail(f"{rpath}.{key}", "must be a list of words or phrases without commas")
                continue
            values[key] = ", ".join(str(t).strip() for t in terms if str(t).strip())
        unknown = [p for p in values.get("platforms", "").split(", ") if p and p not in Platform.values]
        if unknown:
            reader.fail(f"{rpath}.platforms", f"unknown platform {unknown[0]!r} (use {', '.join(Platform.values)})")
        if not (values.get("handles") or values.get("hashtags") or values.get("keywords")):
            reader.fail(rpath, "give at least one of handles, hashtags or keywords")
        values["language"] = reader.get(item, "language", rpath, str, default="")
        values["is_active"] = reader.get(item, "active", rpath, bool, default=True)
        rule = ListeningRule.objects.filter(brand=brand, name=name).first()
        made = rule is None
        rule = rule or ListeningRule(brand=brand, name=name)
        _save_changes(rule, values, created=made, summary=summary, kind="listening_rules", reader=reader, path=rpath)


ROUTING_MODES = ("claim", "round_robin", "load")


def _tags(reader: _Reader, data: dict, key: str, path: str) -> str | None:
    tags = reader.get(data, key, path, list, default=[])
    if any(not isinstance(t, str) or "," in t or not t.strip() for t in tags):
        reader.fail(f"{path}.{key}", "must be a list of words without commas")
        return None
    return ",".join(t.strip().lower() for t in tags)


def _routing(reader: _Reader, raw: dict, path: str, brand: Brand, summary: Summary) -> None:
    """``routing:`` of one brand (docs/priority.md): ``mode``, ``capacity``, ``idle_owner_minutes`` and per
    member ``operators: {username: {languages: [...], skills: [...]}}``."""
    data = reader.get(raw, "routing", path, dict)
    if data is None:
        return
    rpath = f"{path}.routing"
    known = len(reader.problems)
    mode = reader.get(data, "mode", rpath, str, default=brand.routing_mode)
    if mode not in ROUTING_MODES:
        reader.fail(f"{rpath}.mode", f"unknown mode {mode!r} (use {', '.join(ROUTING_MODES)})")
    capacity = reader.get(data, "capacity", rpath, int, default=brand.operator_capacity)
    if not isinstance(capacity, int) or isinstance(capacity, bool) or capacity < 1:
        reader.fail(f"{rpath}.capacity", "must be a whole number above zero")
    idle = reader.get(data, "idle_owner_minutes", rpath, int, default=brand.idle_owner_minutes)
    if not isinstance(idle, int) or isinstance(idle, bool) or idle < 0:
        reader.fail(f"{rpath}.idle_owner_minutes", "must be a whole number, 0 for never")
    profiles = []
    for username, profile in (reader.get(data, "operators", rpath, dict, default={}) or {}).items():
        ppath = f"{rpath}.operators.{username}"
        membership = Membership.objects.filter(brand=brand, user__username=username).first()
        if membership is None:
            reader.fail(ppath, "not a member of this brand")
            continue
        languages, skills = _tags(reader, profile, "languages", ppath), _tags(reader, profile, "skills", ppath)
        if languages is not None and skills is not None:
            profiles.append((membership, languages, skills))
    values = {"routing_mode": mode, "operator_capacity": capacity, "idle_owner_minutes": idle}
    if len(reader.problems) == known:  # the model's own checks, for what the lines above let through
        if _checked(copy.copy(brand), values, created=False, reader=reader, path=rpath):
            assignment.update_assignment(brand=brand, **values, user=None, source=SOURCE)
            summary.count("routing", False)
    if reader.problems:
        return
    for membership, languages, skills in profiles:
        if (membership.languages, membership.skills) != (languages, skills):
            probe = copy.copy(membership)
            probe.languages, probe.skills = languages, skills
            if reader.valid(probe, f"{rpath}.operators.{membership.user.get_username()}"):
                assignment.update_operator_profile(
                    membership=membership, languages=languages, skills=skills, user=None, source=SOURCE
                )
                summary.count("operator_profiles", False)


def _noise_and_urgency(reader: _Reader, raw: dict, path: str, brand: Brand, summary: Summary) -> None:
    """``urgency_terms:`` (``pattern``, ``label``, ``weight``, ``regex``), ``spam_patterns:`` (``pattern``,
    ``label``, ``regex``) and ``blocked_authors:`` (``platform``, ``handle``, ``note``) of one brand, keyed by
    pattern / handle; an invalid regular expression is refused with its reason. Entries not named are left."""
    for key, model, has_weight in (("urgency_terms", UrgencyTerm, True), ("spam_patterns", SpamPattern, False)):
        for j, item in enumerate(reader.get(raw, key, path, list, default=[])):
            ipath = f"{path}.{key}[{j}]"
            pattern = reader.get(item, "pattern", ipath, str, required=True)
            label = reader.get(item, "label", ipath, str, required=True)
            is_regex = reader.get(item, "regex", ipath, bool, default=False)
            weight = reader.get(item, "weight", ipath, int, default=20) if has_weight else None
            if not pattern or not label:
                continue
            error = pattern_error(pattern, is_regex=is_regex)
            if error:
                reader.fail(f"{ipath}.pattern", error)
                continue
            if has_weight and (isinstance(weight, bool) or not isinstance(weight, int) or not 0 <= weight <= 100):
                reader.fail(f"{ipath}.weight", "must be a whole number from 0 to 100")
                continue
            values = {"label": label, "is_regex": is_regex}
            if has_weight:
                values["weight"] = weight
            rule = model.objects.filter(brand=brand, pattern=pattern).first()
            made = rule is None
            rule = rule or model(brand=brand, pattern=pattern)
            _save_changes(rule, values, created=made, summary=summary, kind=key, reader=reader, path=ipath)
    for j, item in enumerate(reader.get(raw, "blocked_authors", path, list, default=[])):
        bpath = f"{path}.blocked_authors[{j}]"
        platform = reader.get(item, "platform", bpath, str, required=True)
        note = reader.get(item, "note", bpath, str, default="")
        if platform not in Platform.values:
            reader.fail(f"{bpath}.platform", f"unknown platform (use {', '.join(Platform.values)})")
            continue
        handle = _handle(reader, item, bpath, platform, required=True)
        if not handle or not reader.field(BlockedAuthor, "note", note, f"{bpath}.note") or reader.problems:
            continue
        blocked = BlockedAuthor.objects.filter(brand=brand, platform=platform, handle=handle).first()
        made = blocked is None
        if made or blocked.note != note:
            blocked = blocked or BlockedAuthor(brand=brand, platform=platform, handle=handle)
            blocked.note = note
            audit.save_object(blocked, user=None, source=SOURCE)
            summary.count("blocked_authors", made)


REVIEW_KEYS = {
    "all": "review_all",
    "probation": "review_probation",
    "sample_percent": "sample_percent",
    "high_priority": "review_high_priority",
    "influence_threshold": "influence_threshold",
    "flagged": "review_flagged_terms",
    "bounces": "review_bounces",
    "bounce_defaults": "bounce_defaults",
}


def _review(reader: _Reader, raw: dict, path: str, brand: Brand, summary: Summary) -> None:
    """``review:`` of one brand (docs/publishing.md): ``all``, ``probation``, ``high_priority``, ``flagged``,
    ``bounces``, ``bounce_defaults`` (booleans), ``sample_percent`` (0–100), ``influence_threshold`` (0–100 or
    null), ``flagged_terms`` (a list; replaces the defaults), ``bounce_terms`` (a list) and ``on_probation``
    (usernames of members; the others are taken off probation)."""
    data = reader.get(raw, "review", path, dict)
    if data is None:
        return
    rpath = f"{path}.review"
    for key in sorted(set(data) - {*REVIEW_KEYS, "flagged_terms", "bounce_terms", "on_probation"}):
        reader.fail(f"{rpath}.{key}", "unknown key")
    policy = ReviewPolicy.objects.filter(brand=brand).first()
    made = policy is None
    policy = policy or ReviewPolicy(brand=brand)
    values: dict[str, Any] = {}
    for key, name in REVIEW_KEYS.items():
        if key not in data:
            continue
        value = data[key]
        if key in ("sample_percent", "influence_threshold"):
            if value is None and key == "influence_threshold":
                values[name] = None
            elif isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
                reader.fail(f"{rpath}.{key}", "must be a whole number from 0 to 100")
            else:
                values[name] = value
        elif not isinstance(value, bool):
            reader.fail(f"{rpath}.{key}", "must be true or false")
        else:
            values[name] = value
    for terms_key in ("flagged_terms", "bounce_terms"):
        if terms_key not in data:
            continue
        terms = data[terms_key]
        if not isinstance(terms, list) or any(not isinstance(t, str) or "," in t or not t.strip() for t in terms):
            reader.fail(f"{rpath}.{terms_key}", "must be a list of words or phrases without commas")
        else:
            values[terms_key] = ", ".join(dict.fromkeys(t.strip() for t in terms))
    probation = None
    if "on_probation" in data:
        names = data["on_probation"]
        if not isinstance(names, list) or any(not isinstance(n, str) for n in names):
            reader.fail(f"{rpath}.on_probation", "must be a list of usernames")
        else:
            members = {m.user.get_username(): m for m in Membership.objects.filter(brand=brand).select_related("user")}
            unknown = [n for n in names if n not in members]
            for name in unknown:
                reader.fail(f"{rpath}.on_probation", f"{name!r} is not a member of this brand")
            probation = {members[n].pk for n in names if n in members}
    saved = _checked(policy, values, created=made, reader=reader, path=rpath) is not None
    if reader.problems:
        return
    moved = 0
    if probation is not None:
        moved = sum((m.pk in probation) != m.on_probation for m in Membership.objects.filter(brand=brand))
    if saved or moved:
        review_policy.update_review_policy(brand=brand, values=values, on_probation=probation, user=None, source=SOURCE)
    if saved:
        summary.count("review_policy", made)
    for _moved in range(moved):
        summary.count("probation", False)
