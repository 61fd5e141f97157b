"""Signing in: who must set up a second factor, the gate that sends them to do it, the lockout
page, and the hooks django-allauth and django-axes call.

Who must use a second factor is one rule, ``members.rules.requires_second_factor``, fed by the
person's current seats. With ``INFOGOV_REQUIRE_MFA`` on, a person it names who has no
authenticator yet is sent to set one up after signing in and may open nothing else until then
(``SecondFactorMiddleware``); allauth then asks everyone who has one for a code at every
sign-in. The gate remembers in the session that a person passed it, under their permissions
revision (moved on whenever a seat of theirs is filled or vacated) and staff flags, so that it
costs no query on later requests and looks again when any of them changes.
"""

import base64
import time
from collections.abc import Callable

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.forms import LoginForm

# allauth's record of how this session authenticated: it has no public reader.
from allauth.account.internal.flows.login import get_authentication_records
from allauth.core import context as allauth_context
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_removed
from axes.helpers import get_cool_off
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from infogov.client import client_ip
from members import rules
from members.models import Appointment, User

# Where a person who must still set up a second factor may go.
OPEN_DURING_ENROLMENT = frozenset(
    {"logout", "account_logout", "account_reauthenticate", "set_language", "healthz"}
)
PASSED = "infogov_second_factor_passed"
# The pages of setting up an authenticator, which the password just given at sign-in opens.
SETTING_UP = frozenset(
    {"mfa_activate_totp", "mfa_view_recovery_codes", "mfa_download_recovery_codes"}
)


def requires_second_factor(user: User) -> bool:
    """Whether ``user``'s current seats (or staff status) call for a second factor."""
    roles = set(
        Appointment.objects.current().filter(person=user).values_list("seat__role", flat=True)
    )
    return rules.requires_second_factor(roles=roles, is_staff=user.is_staff or user.is_superuser)


def has_second_factor(user: User) -> bool:
    """Whether ``user`` has set up an authenticator (recovery codes alone do not count)."""
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def must_enrol(user: User) -> bool:
    """Whether ``user`` must set up a second factor before doing anything else."""
    if not settings.INFOGOV_REQUIRE_MFA:
        return False
    return requires_second_factor(user) and not has_second_factor(user)


def signed_in_within(request: HttpRequest, seconds: int) -> bool:
    """Whether the person of ``request`` gave their password (at sign-in or since) within
    ``seconds``."""
    now = time.time()
    return any(
        record.get("method") == "password" and 0 <= now - float(record.get("at", 0)) < seconds
        for record in get_authentication_records(request, request.user)
    )


def _marker(user: User) -> str:
    return f"{user.pk}:{user.permissions_revision}:{int(user.is_staff)}:{int(user.is_superuser)}"


class SecondFactorMiddleware:
    """With INFOGOV_REQUIRE_MFA on, sends a signed-in person who must use a second factor and
    has none to set one up, from every page but those of the set-up itself."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if not settings.INFOGOV_REQUIRE_MFA or not request.user.is_authenticated:
            return None
        name = request.resolver_match.url_name if request.resolver_match else None
        if name and (name in OPEN_DURING_ENROLMENT or name.startswith("mfa_")):
            return None
        user = request.user
        if request.session.get(PASSED) == _marker(user):
            return None
        if must_enrol(user):
            messages.warning(
                request,
                _(
                    "Your seat requires a second factor: set up an authenticator app "
                    "before you continue."
                ),
            )
            return redirect_to_login(request.get_full_path(), reverse("mfa_activate_totp"))
        request.session[PASSED] = _marker(user)
        return None


@receiver(authenticator_removed, dispatch_uid="members.signin.authenticator_removed")
def _look_again(sender, request: HttpRequest, **kwargs) -> None:
    """A removed authenticator: the gate looks again at the next request."""
    request.session.pop(PASSED, None)


class AccountAdapter(DefaultAccountAdapter):
    """allauth's hooks: nobody signs up, addresses are the portal's, mail subjects name it."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False  # people come from the roster and the administrator (members.services)

    def get_client_ip(self, request: HttpRequest) -> str:
        return client_ip(request)

    def format_email_subject(self, subject: str) -> str:
        return f"[{_('Informatization Leading Group')}] {subject}"

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """A person setting up their authenticator right after signing in (the app, then its
        recovery codes) is not asked for the password again; after
        ACCOUNT_REAUTHENTICATION_TIMEOUT they are. Removing it or making new recovery codes
        always asks."""
        if not super().is_reauthentication_required(app=app, **kwargs):
            return False
        request = allauth_context.request
        match = getattr(request, "resolver_match", None)
        if match is None or match.url_name not in SETTING_UP:
            return True
        return not signed_in_within(request, account_settings.REAUTHENTICATION_TIMEOUT)


class MFAAdapter(DefaultMFAAdapter):
    """allauth.mfa's hooks: secrets are encrypted at rest, and whom the rule names keeps a
    second factor while it is required."""

    def get_totp_label(self, user) -> str:
        return user.get_username()

    def encrypt(self, text: str) -> str:
        return _fernet().encrypt(text.encode()).decode()

    def decrypt(self, encrypted_text: str) -> str:
        try:
            return _fernet().decrypt(encrypted_text.encode()).decode()
        except InvalidToken:
            raise ValueError("a second-factor secret that no key of this site opens") from None

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        if authenticator.type != Authenticator.Type.TOTP:
            return True
        return not (settings.INFOGOV_REQUIRE_MFA and requires_second_factor(authenticator.user))


def _fernet() -> MultiFernet:
    """Fernet keys derived from SECRET_KEY, then its fallbacks (so that a rotated key still
    opens the secrets stored under the one before)."""
    keys = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    return MultiFernet([Fernet(_derive(key)) for key in keys])


def _derive(secret: str | bytes) -> bytes:
    digest = salted_hmac("infogov.mfa.secrets", "fernet", secret=secret, algorithm="sha256")
    return base64.urlsafe_b64encode(digest.digest())


def lockout_response(request: HttpRequest, response, credentials) -> HttpResponse:
    """axes' answer to a locked-out sign-in: the login page, saying why and for how long."""
    minutes = int(get_cool_off(request).total_seconds() // 60)
    context = {
        "form": LoginForm(request=request),
        "locked_out": True,
        "lockout_minutes": minutes,
    }
    return render(request, "account/login.html", context, status=429)
