"""Each person's ballot key pair (meetings.ballots.shares), kept only wrapped under their
password: made when a password is first set, rewrapped when it is changed (the old password
opens it), made anew when it is reset (nothing opens the old one).

Hooks: ``BallotKeyOnPasswordSet`` is a password validator whose ``password_changed`` Django
calls on every save after ``set_password`` (admin, demo, tests): it makes a pair for a person
who has none. allauth's signals carry the request, whose POST holds the old and new password:
a change rewraps, a reset makes a new pair. Nothing here logs or keeps a password.
"""

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meetings.ballots import shares
from meetings.ballots.crypto import InvalidBallotData
from meetings.ballots.models import ScrutineerKey


def limits() -> shares.Limits:
    """Argon2id's cost: settings.BALLOT_KEY_ARGON2 is "interactive" (libsodium's interactive
    limits, the default) or "fast" (the least allowed; tests only)."""
    if getattr(settings, "BALLOT_KEY_ARGON2", "interactive") == "fast":
        return shares.FAST
    return shares.INTERACTIVE


def wrapped(row: ScrutineerKey) -> shares.WrappedKey:
    return shares.WrappedKey(
        bytes(row.public_key),
        bytes(row.wrapped),
        bytes(row.salt),
        shares.Limits(row.ops_limit, row.mem_limit),
    )


def _store(person, key: shares.WrappedKey) -> ScrutineerKey:
    row, _created = ScrutineerKey.objects.update_or_create(
        person=person,
        defaults={
            "public_key": key.public_key,
            "wrapped": key.wrapped,
            "salt": key.salt,
            "ops_limit": key.limits.ops,
            "mem_limit": key.limits.mem,
            "made_at": timezone.now(),
        },
    )
    return row


def make_key(person, password: str) -> ScrutineerKey:
    """A new key pair for ``person`` under ``password`` (replacing any old one)."""
    return _store(person, shares.new_key_pair(password, limits()))


def secret_key(person, password: str) -> tuple[bytes, bytes]:
    """(public, secret) of ``person``'s key; InvalidBallotData if none or the password does
    not open it."""
    row = ScrutineerKey.objects.filter(person=person).first()
    if row is None:
        raise InvalidBallotData("no key")
    key = wrapped(row)
    return key.public_key, shares.unwrap(key, password)


@transaction.atomic
def change_password(person, old: str, new: str) -> ScrutineerKey:
    """Rewrap under ``new``; a new pair if ``old`` does not open the key (or there is none)."""
    row = ScrutineerKey.objects.select_for_update().filter(person=person).first()
    if row is not None:
        try:
            return _store(person, shares.rewrap(wrapped(row), old, new))
        except InvalidBallotData:
            pass
    return make_key(person, new)


class BallotKeyOnPasswordSet:
    """A password "validator" that validates nothing: on a password set, a key pair for a
    person who has none."""

    def validate(self, password, user=None) -> None:
        return None

    def password_changed(self, password, user=None) -> None:
        if (
            user is not None
            and user.pk
            and password
            and not ScrutineerKey.objects.filter(person=user).exists()
        ):
            make_key(user, password)

    def get_help_text(self) -> str:
        return _(
            "Your ballot key (for counting a secret ballot as a scrutineer) is kept "
            "locked with your password."
        )


def on_password_changed(sender, request, user, **kwargs) -> None:
    old, new = request.POST.get("oldpassword", ""), request.POST.get("password1", "")
    if new:
        change_password(user, old, new)


def on_password_reset(sender, request, user, **kwargs) -> None:
    new = request.POST.get("password1", "")
    if new:
        make_key(user, new)
