"""The portal's URLs, its error handlers, and views that fail in each way, for
tests/infogov/test_error_pages.py."""

from django.core.exceptions import BadRequest, PermissionDenied
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.http import require_POST

from infogov.urls import handler400, handler403, handler404, handler500  # noqa: F401
from infogov.urls import urlpatterns as portal


def bad(request):
    raise BadRequest("bad")


def denied(request):
    raise PermissionDenied


def broken(request):
    raise RuntimeError("broken")


@require_POST
def post_only(request):
    return HttpResponse("posted")


urlpatterns = [
    path("fail/400/", bad),
    path("fail/403/", denied),
    path("fail/500/", broken),
    path("fail/405/", post_only),
    *portal,
]
