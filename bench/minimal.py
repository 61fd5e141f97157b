"""Minimal views: what the framework and the database cost with no application logic.

``insert`` does what every vote must do at the least: a logged-in POST through the whole
middleware stack (session, CSRF, authentication) that commits one row and redirects. Its
table is made by bench/run.py with raw SQL; no model, no migration.

``signed_in`` is ``hello`` for a signed-in person: the session and the person's row are read,
as every page of the portal reads them before its own work. It is not a target's baseline
(the targets are against ``hello``); it shows how much of a polled page's allowance the
sign-in alone takes.
"""

from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.http import require_GET, require_POST


@require_GET
def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"ok", content_type="text/plain")


@require_GET
def signed_in(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return HttpResponse(status=403)
    return HttpResponse(b"ok", content_type="text/plain")


@require_POST
def insert(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return HttpResponse(status=403)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO bench_insert (user_id, choice) VALUES (%s, %s)",
            [request.user.pk, request.POST.get("choice", "")[:10]],
        )
    return HttpResponseRedirect("/bench/minimal/hello/")
