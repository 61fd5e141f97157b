"""Middleware of the project's own."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _


class RequestSizeLimitMiddleware:
    """Refuse a request whose body announces more than ``INFOGOV_MAX_REQUEST_BYTES`` with 413,
    before anything reads it: the CSRF check parses a POST (and writes its files to disk)
    before the login check, so it must come after this, for anonymous requests too. A body
    without Content-Length is bounded by Django's DATA_UPLOAD_MAX_MEMORY_SIZE and the views'
    own limits."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.INFOGOV_MAX_REQUEST_BYTES
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            text = _("The request is larger than %(limit)d MB and was refused.") % {
                "limit": limit // (1024 * 1024)
            }
            response = HttpResponse(text, status=413, content_type="text/plain; charset=utf-8")
            # The body is not read: the connection cannot be reused for another request.
            response["Connection"] = "close"
            return response
        return self.get_response(request)
