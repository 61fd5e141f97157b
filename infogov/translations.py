"""Strings that Django 6.1 shows but whose zh_Hans catalog lacks; listed here so that
makemessages keeps them in our catalog, which takes precedence (LOCALE_PATHS)."""

from django.utils.translation import gettext_noop

DJANGO_STRINGS = [
    gettext_noop("- Select an option -"),
    gettext_noop("Filter by %(field_name)s"),
]
