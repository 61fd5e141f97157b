"""The address of the client a request comes from, behind the proxies the settings trust.

Without a proxy it is REMOTE_ADDR. Behind ``INFOGOV_TRUSTED_PROXIES`` reverse proxies, each of
which appends the address it saw to X-Forwarded-For, it is the entry that the outermost of
them appended: anything to its left was written by the client and proves nothing. A proxy that
sets a header of its own to the client's address instead is named by
``INFOGOV_CLIENT_IP_HEADER`` (e.g. ``X-Real-IP``). Sign-in lockouts (axes) and allauth's rate
limits count by this address.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """Return the client's address, or REMOTE_ADDR when the trusted header does not say."""
    remote = request.META.get("REMOTE_ADDR", "")
    header = settings.INFOGOV_CLIENT_IP_HEADER
    if header:
        return _address(request.headers.get(header, "")) or remote
    proxies = settings.INFOGOV_TRUSTED_PROXIES
    forwarded = [part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",")]
    if proxies > 0 and len(forwarded) >= proxies:
        return _address(forwarded[-proxies]) or remote
    # Fewer entries than trusted proxies: the request did not come through all of them, so
    # the header is the client's own word.
    return remote


def _address(text: str) -> str:
    """``text`` as a normalised IP address, or "" when it is not one."""
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return ""
