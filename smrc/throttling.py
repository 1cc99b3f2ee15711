"""API throttling (DRF throttles, registered in ``REST_FRAMEWORK``): per API key and per user, in the shared cache
(Redis in production, so every web process counts together). Over the rate: ``429`` with ``Retry-After`` (DRF's
exception handler). The rates are settings, from the environment: ``SMRC_API_RATE_PER_KEY`` and
``SMRC_API_RATE_PER_USER`` (``<n>/<second|minute|hour|day>``; docs/api.md, "Throttling")."""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from brands.models import ApiKey


class _SettingsRateThrottle(SimpleRateThrottle):
    setting = ""

    def get_rate(self) -> str | None:
        return getattr(settings, self.setting) or None


class KeyRateThrottle(_SettingsRateThrottle):
    """Each API key on its own: one busy integration does not use up its person's other keys."""

    scope = "api_key"
    setting = "SMRC_API_RATE_PER_KEY"

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, ApiKey):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


class UserRateThrottle(_SettingsRateThrottle):
    """Everything one person sends, whatever the credentials (keys, a legacy token, the browser's session)."""

    scope = "api_user"
    setting = "SMRC_API_RATE_PER_USER"

    def get_cache_key(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}
