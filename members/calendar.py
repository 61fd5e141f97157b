"""Personal calendar subscriptions: a secret token per person, kept hashed (members.models.
CalendarToken). meetings serves the feed; members only knows whose token a secret is."""

import hashlib
import secrets

from django.db import transaction

from infogov import audit
from members.models import CalendarToken, User

TOKEN_BYTES = 32


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def issue_calendar_token(*, person: User) -> str:
    """Make ``person`` a new secret (the old one stops working) and return it; only its hash
    is stored, so this is the only time it can be shown."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    replaced = CalendarToken.objects.filter(person=person).delete()[0] > 0
    CalendarToken.objects.create(person=person, token_hash=token_hash(token))
    audit.record(
        actor=person,
        action="calendar.token_issued",
        obj=person,
        after={"replaced": replaced},
    )
    return token


@transaction.atomic
def revoke_calendar_token(*, person: User) -> bool:
    """Stop ``person``'s subscription; return whether there was one."""
    deleted = CalendarToken.objects.filter(person=person).delete()[0] > 0
    if deleted:
        audit.record(actor=person, action="calendar.token_revoked", obj=person)
    return deleted


def person_for_token(token: str) -> User | None:
    """The active person whose calendar secret ``token`` is, or None."""
    if not token or len(token) > 100:
        return None
    found = (
        CalendarToken.objects.select_related("person")
        .filter(token_hash=token_hash(token), person__is_active=True)
        .first()
    )
    return found.person if found else None


def has_calendar_token(person: User) -> bool:
    return CalendarToken.objects.filter(person=person).exists()
