"""DRF authentication by the API keys people make on their profile page (``Authorization: Bearer smrc_…``;
``brands.services.api_keys``). The request's user carries the key, which ``brands.access`` reads to narrow every
scope and capability to the key's brands and scope."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from .services import api_keys


@dataclass(frozen=True)
class KeyScope:
    """What ``brands.access`` needs of the key: its id (the throttle's), its brands and whether it only reads."""

    id: int
    brand_ids: frozenset[int]
    read_only: bool


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Send the key as: Authorization: Bearer smrc_…"))
        try:
            token = header[1].decode("ascii")
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed(_("This API key is not valid.")) from exc
        key = api_keys.authenticate(token)
        if key is None:
            raise exceptions.AuthenticationFailed(_("This API key is not valid."))
        user = key.user
        user._smrc_api_key = KeyScope(  # read by brands.access.key_scope
            id=key.pk, brand_ids=frozenset(key.brands.values_list("pk", flat=True)), read_only=key.read_only
        )
        return user, key

    def authenticate_header(self, request):
        return self.keyword


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "brands.api_auth.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key made on the profile page (`smrc_…`), read-only or read-write, for some "
            "of your brands.",
        }
