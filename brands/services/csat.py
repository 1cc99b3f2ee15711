"""Customer satisfaction (CSAT): the brand's survey settings, where each platform lets a survey be sent, and the
survey's words (docs/csat.md).

Changing the settings is one service call (:func:`update_csat_settings`) under the brand's row lock, with one
audit record of what changed. Sending a survey and taking its answer live in ``tickets.services.csat``.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import Brand, ConfigArea, ConfigSource, CsatSettings, Platform
from . import audit
from .locks import lock_brand

#: the settings the page's form, the admin and the audit trail know
SETTINGS_FIELDS = (
    "enabled",
    "platforms",
    "public_replies",
    "default_language",
    "expiry_days",
    "repeat_window_hours",
    "low_rating",
    "reopen_on_low",
)
LANGUAGES = ("id", "en")


@dataclass(frozen=True)
class PlatformRule:
    """Where a platform lets a brand write to a customer after the case. ``dm``: in the private conversation the
    customer opened; ``public``: as a public reply under the customer's own post or comment. ``why`` is shown on
    the settings page and in docs/csat.md."""

    dm: bool
    public: bool
    why: str


#: one row per platform, decided in docs/csat.md (decision "CSAT surveys only where the platform allows them")
PLATFORM_RULES: dict[str, PlatformRule] = {
    Platform.FACEBOOK: PlatformRule(
        dm=True,
        public=True,
        why=gettext_lazy(
            "Messenger: inside the 24-hour window after the customer's last message. Comments: a Page may "
            "reply to comments on its own posts."
        ),
    ),
    Platform.INSTAGRAM: PlatformRule(
        dm=True,
        public=True,
        why=gettext_lazy(
            "Direct messages: inside the 24-hour window. Comments: an account may reply to comments on its own media."
        ),
    ),
    Platform.X: PlatformRule(
        dm=True,
        public=False,
        why=gettext_lazy(
            "Direct messages only: X's automation rules forbid automated, unsolicited replies with links, and a "
            "survey under a public post would be one."
        ),
    ),
    Platform.YOUTUBE: PlatformRule(
        dm=False,
        public=False,
        why=gettext_lazy(
            "Never: YouTube has no private messages, and automated comments with links count as spam under "
            "its community guidelines."
        ),
    ),
}


def settings_for(brand: Brand | int) -> CsatSettings | None:
    """The brand's CSAT settings, ``None`` when it never set them (no survey then)."""
    brand_id = brand if isinstance(brand, int) else brand.pk
    return CsatSettings.objects.filter(brand_id=brand_id).first()


def settings_or_default(brand: Brand) -> CsatSettings:
    """The stored settings, or unsaved defaults for the settings page."""
    return settings_for(brand) or CsatSettings(brand=brand)


def allowed_platforms() -> list[str]:
    """The platforms where a survey can be sent at all (in a DM or a public reply)."""
    return [p for p, rule in PLATFORM_RULES.items() if rule.dm or rule.public]


def route_for(settings: CsatSettings | None, *, platform: str, private: bool) -> str | None:
    """``"dm"`` or ``"public"`` when a survey may go to a customer of ``platform`` who wrote privately
    (``private``) or publicly, by the platform's rules and the brand's settings; ``None``: no survey."""
    if settings is None or not settings.enabled or platform not in settings.platform_list:
        return None
    rule = PLATFORM_RULES.get(platform)
    if rule is None:
        return None
    if private:
        return "dm" if rule.dm else None
    return "public" if rule.public and settings.public_replies else None


def language_for(settings: CsatSettings, detected: str) -> str:
    """The survey's language: the ticket's detected language when it is Indonesian or English, else the
    brand's default."""
    code = (detected or "").split("-")[0].lower()
    code = "id" if code == "in" else code
    return code if code in LANGUAGES else settings.default_language


def message(language: str, link: str) -> str:
    """The survey message in ``language``: one short sentence and the link."""
    with translation.override(language if language in LANGUAGES else "id"):
        return _("Thank you for contacting us. How did we do? Rate our help in one tap: %(link)s") % {"link": link}


def is_low(settings: CsatSettings | None, rating: int) -> bool:
    threshold = settings.low_rating if settings is not None else 2
    return rating <= threshold


def update_csat_settings(*, brand: Brand, values: dict, user=None, source: str = ConfigSource.PAGE) -> CsatSettings:
    """Save the brand's CSAT settings (``values``: :data:`SETTINGS_FIELDS`, already validated), under the brand's
    row lock, with one audit record of what changed."""
    with transaction.atomic():
        lock_brand(brand.pk)
        current = CsatSettings.objects.filter(brand=brand).first()
        before = audit.values_of(current, SETTINGS_FIELDS) if current else {}
        settings = current or CsatSettings(brand=brand)
        for name in SETTINGS_FIELDS:
            if name in values:
                setattr(settings, name, values[name])
        settings.full_clean()
        settings.save()
        audit.record(
            brand=brand,
            user=user,
            source=source,
            area=ConfigArea.CSAT,
            kind=f"csat_settings.{'updated' if current else 'created'}",
            before=before,
            after=audit.values_of(settings, SETTINGS_FIELDS),
            obj=settings,
            object_repr=brand.name,
        )
    return settings
