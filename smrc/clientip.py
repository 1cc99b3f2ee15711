"""The client address that request counting (django-ratelimit, ``RATELIMIT_IP_META_KEY``) goes by."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """``REMOTE_ADDR``; behind a reverse proxy, the address it passes in the header ``SMRC_CLIENT_IP_HEADER``
    (the last one of a list: the one our own proxy added). Always a valid address, so counting never fails."""
    header = settings.SMRC_CLIENT_IP_HEADER
    given = request.META.get("HTTP_" + header.upper().replace("-", "_"), "") if header else ""
    address = given.split(",")[-1].strip() or request.META.get("REMOTE_ADDR", "")
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return "0.0.0.0"
