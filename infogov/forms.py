"""Form helpers that every app's views use."""

from django import forms
from django.utils.translation import pgettext


def errors_as_message(form: forms.Form) -> str:
    """Return a bound form's errors as one message, each prefixed by its field's label."""
    separator = pgettext("label separator", ": ")
    return " ".join(
        (f"{form.fields[name].label}{separator}" if name in form.fields else "")
        + " ".join(map(str, errors))
        for name, errors in form.errors.items()
    )
