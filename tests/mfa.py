"""Second factors for tests: an authenticator set up for a person, and its codes now."""

import time

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value

PERIOD = 30


def code_for(secret: str, *, step: int = 0) -> str:
    """The authenticator app's code for ``secret`` now (``step`` periods of 30 s later)."""
    return format_hotp_value(hotp_value(secret, int(time.time()) // PERIOD + step))


def wrong_code_for(secret: str) -> str:
    """A six-digit code that no period from 5 minutes before to 5 minutes after accepts."""
    near = {code_for(secret, step=step) for step in range(-10, 11)}
    return next(code for n in range(1_000_000) if (code := f"{n:06d}") not in near)


def set_up_authenticator(person) -> str:
    """Give ``person`` an authenticator app (and recovery codes), as the set-up page does;
    return its secret."""
    secret = generate_totp_secret()
    TOTP.activate(person, secret)
    RecoveryCodes.activate(person)
    return secret


def has_authenticator(person) -> bool:
    return Authenticator.objects.filter(user=person, type=Authenticator.Type.TOTP).exists()
