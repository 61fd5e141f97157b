"""Strings that Django 6.1 shows but whose zh_Hans catalog lacks; listed here so that
makemessages keeps them in our catalog, which takes precedence (LOCALE_PATHS)."""

from django.utils.translation import gettext_noop

DJANGO_STRINGS = [
    gettext_noop("- Select an option -"),
    gettext_noop("Filter by %(field_name)s"),
]

# django-axes has no zh_Hans catalogue: its admin (the lockouts an administrator lifts).
AXES_STRINGS = [
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
    gettext_noop("Access Attempt"),
    gettext_noop("Access lock out"),
    gettext_noop("Attempt Remaining"),
    gettext_noop("Attempt Time"),
    gettext_noop("Clean up expired attempts"),
    gettext_noop("Expires At"),
    gettext_noop("Failed Logins"),
    gettext_noop("Form Data"),
    gettext_noop("GET Data"),
    gettext_noop("HTTP Accept"),
    gettext_noop("IP Address"),
    gettext_noop("Locked Out"),
    gettext_noop("Logout Time"),
    gettext_noop("Meta Data"),
    gettext_noop("Not set"),
    gettext_noop("POST Data"),
    gettext_noop("Path"),
    gettext_noop("Session key hash (sha256)"),
    gettext_noop("The time when access attempt expires and is no longer valid."),
    gettext_noop("User Agent"),
]

# django-allauth's zh_Hans says "error code" (错误代码) for a wrong authenticator code.
ALLAUTH_STRINGS = [
    gettext_noop("Incorrect code."),
]

# django-tasks-db has no zh_Hans catalogue: what its admin pages show.
THIRD_PARTY_ADMIN_STRINGS = [
    gettext_noop("Task Result"),
    gettext_noop("Task Results"),
    gettext_noop("priority"),
    gettext_noop("queue name"),
]
