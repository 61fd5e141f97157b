"""A recent second factor: what signing minutes and counting a ballot ask of the person.

allauth keeps in the session each way the person proved who they are, with its time: the
password and the authenticator code at sign-in, and each confirmation since on allauth.mfa's
page "Confirm with a code" (``mfa_reauthenticate``). A second factor is recent when a code (or a
recovery code) was given within ``INFOGOV_SECOND_FACTOR_MAX_AGE`` seconds (300 by default).

With ``INFOGOV_REQUIRE_MFA`` on, ``require_recent_second_factor`` asks everyone for it; with it
off (the demo), only people who have set up an authenticator, so that the demo signs at once.
A request refused for want of it changes nothing: it is sent to confirm with a code and then
back (a GET to itself; a POST to the page it came from, where the person does it again: the
POST, which may hold a password, is never kept to be replayed).
"""

import time
from collections.abc import Callable
from functools import wraps
from urllib.parse import urlsplit

# allauth's own record of how this session authenticated: it has no public reader.
from allauth.account.internal.flows.login import get_authentication_records
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect


def has_recent_second_factor(request: HttpRequest, *, max_age: int | None = None) -> bool:
    """Whether this session gave a second factor within ``max_age`` seconds (by default
    ``INFOGOV_SECOND_FACTOR_MAX_AGE``)."""
    if not request.user.is_authenticated:
        return False
    limit = settings.INFOGOV_SECOND_FACTOR_MAX_AGE if max_age is None else max_age
    now = time.time()
    return any(
        record.get("method") == "mfa" and 0 <= now - float(record.get("at", 0)) < limit
        for record in get_authentication_records(request, request.user)
    )


def needs_second_factor(request: HttpRequest) -> bool:
    """Whether a step guarded by ``require_recent_second_factor`` must first ask for a code."""
    if has_recent_second_factor(request):
        return False
    if settings.INFOGOV_REQUIRE_MFA:
        return True
    return is_mfa_enabled(request.user, types=[Authenticator.Type.TOTP])


def require_recent_second_factor(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Decorate a view so that it runs only after a recent second factor; otherwise the person
    is sent to give one (or to set one up) and nothing is done."""

    @wraps(view)
    def guarded(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if needs_second_factor(request):
            return _ask_for_code(request)
        return view(request, *args, **kwargs)

    return guarded


def _ask_for_code(request: HttpRequest) -> HttpResponse:
    if is_mfa_enabled(request.user, types=[Authenticator.Type.TOTP]):
        where = reverse("mfa_reauthenticate")
        text = _("Confirm it is you with a code from your authenticator app.")
    else:
        where = reverse("mfa_activate_totp")
        text = _("This step needs a second factor: set up an authenticator app first.")
    if request.method == "POST":
        text = " ".join([text, _("Nothing was done yet: do it again afterwards.")])
    messages.warning(request, text)
    response = redirect_to_login(_come_back_to(request), where)
    if getattr(request, "htmx", False):  # htmx would swap the page in: have it go there
        return HttpResponseClientRedirect(response["Location"])
    return response


def _come_back_to(request: HttpRequest) -> str:
    """Where to return after the code: this page for a GET, the page a POST came from."""
    if request.method in ("GET", "HEAD"):
        return request.get_full_path()
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        parts = urlsplit(referer)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return reverse(settings.LOGIN_REDIRECT_URL)
