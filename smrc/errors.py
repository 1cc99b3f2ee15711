"""404 for a URL no route matches: under ``/api/`` a JSON ``{"detail"}`` as every other API answer (the schema
documents no HTML), elsewhere Django's page (templates/404.html)."""

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults


def not_found(request, exception):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return defaults.page_not_found(request, exception)
