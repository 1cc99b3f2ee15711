"""The admin site, for superusers only.

Django's admin has no notion of brands: whoever may change a model there may change it for every brand. So a
staff flag or a model permission given to anyone but a superuser must open nothing (docs/security.md, "Another
brand's staff"); the site asks for a superuser, as ``has_permission`` is the one check every admin view makes.
"""

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig


class SuperuserAdminSite(AdminSite):
    def has_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_superuser


class SmrcAdminConfig(AdminConfig):
    default_site = "smrc.admin.SuperuserAdminSite"
