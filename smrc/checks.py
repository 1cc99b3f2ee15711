from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

LOOPBACK = {"localhost", "127.0.0.1", "::1", "0.0.0.0"}  # noqa: S104 - names compared, nothing bound


@register()
def site_url_is_the_site(app_configs, **kwargs):
    """Mails link to SITE_URL: it must be an http(s) address, and outside development not this machine."""
    parts = urlsplit(settings.SITE_URL)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("",):
        return [
            Error(
                f"SITE_URL {settings.SITE_URL!r} is not an http(s) address like https://smrc.example.com.",
                id="smrc.E002",
            )
        ]
    if parts.hostname in LOOPBACK and settings.SMRC_PRODUCTION:
        return [
            Warning(
                f"SITE_URL is {settings.SITE_URL}: links in mails point at this machine. Set SITE_URL to the site's "
                "address (docs/configuration.md).",
                id="smrc.W002",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def secret_key_is_set(app_configs, **kwargs):
    if settings.SECRET_KEY == settings.DEVELOPMENT_SECRET_KEY:
        return [Error("SECRET_KEY is not set: the development key is in use.", id="smrc.E001")]
    return []
