"""Requests whose framing Django cannot read are refused before any view reads them.

A ``Content-Length`` that is not ASCII digits ("²", "1e3", "-1") makes Django's ``request.body`` raise
``ValueError`` (a 500 on every view that reads a body: forms, the API, webhooks). Production servers refuse such
a request themselves; the development server and some proxies pass it on, so the application answers it too.
"""

import re

from django.http import HttpResponse
from django.utils.translation import gettext as _

_LENGTH = re.compile(r"[0-9]{1,19}")


class ContentLengthMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        length = request.META.get("CONTENT_LENGTH")
        if length and not _LENGTH.fullmatch(length):
            return HttpResponse(
                _("The Content-Length header is not a number."), status=400, content_type="text/plain; charset=utf-8"
            )
        return self.get_response(request)
