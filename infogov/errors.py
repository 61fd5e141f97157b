"""Error pages in the user's language, inside the site's frame (base.html, with its navigation):
the handlers that infogov.urls names for 400, 403, 404 and 500, and a middleware for 405,
which Django answers with an empty body."""

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

TEMPLATE = "error.html"
PAGES = {
    400: (_("Bad request"), _("The request could not be understood. Go back and try again.")),
    403: (
        _("Not allowed"),
        _("You may see this page but not do this here, or your session has ended."),
    ),
    404: (
        _("Page not found"),
        _("There is no such page, or it is not one you may see. Check the address."),
    ),
    405: (
        _("Not allowed this way"),
        _("This address does not answer this kind of request. Use the page's buttons."),
    ),
    500: (
        _("Something went wrong"),
        _("The portal could not answer. Nothing was changed; try again in a minute."),
    ),
}


def error_page(request: HttpRequest, status: int) -> HttpResponse:
    title, text = PAGES[status]
    context = {"status": status, "title": title, "text": text}
    return render(request, TEMPLATE, context, status=status)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return error_page(request, 400)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return error_page(request, 403)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return error_page(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page with the navigation if the context can be built, else without it: the
    error may be the database that the context processors ask."""
    title, text = PAGES[500]
    context = {"status": 500, "title": title, "text": text}
    try:
        return render(request, TEMPLATE, context, status=500)
    except Exception:
        logger.exception("the 500 page could not be rendered with its navigation")
        return HttpResponse(render_to_string(TEMPLATE, context), status=500)


class MethodNotAllowedMiddleware:
    """Django's require_POST and View answer 405 with an empty body: give it the error page,
    keeping the Allow header."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code != 405 or response.content:
            return response
        page = error_page(request, 405)
        if "Allow" in response:
            page["Allow"] = response["Allow"]
        return page
