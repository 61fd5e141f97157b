"""Form helpers that every app's views use."""

from typing import Any

from django import forms
from django.forms.renderers import BaseRenderer
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import pgettext


def errors_as_message(form: forms.Form) -> str:
    """Return a bound form's errors as one message, each prefixed by its field's label."""
    separator = pgettext("label separator", ": ")
    return " ".join(
        (f"{form.fields[name].label}{separator}" if name in form.fields else "")
        + " ".join(map(str, errors))
        for name, errors in form.errors.items()
    )


class PlainSelect(forms.Select):
    """A select written out here from its choices, not through Django's widget templates,
    which include two more for every option: for a picker of every person (some 500) that is
    19 ms of CPU, a fifth of the Office's meeting page. Flat choices only, no optgroups."""

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: BaseRenderer | None = None,
    ) -> SafeString:
        chosen = {str(v) for v in self.format_value(value)}
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((v, " selected" if str(v) in chosen else "", label) for v, label in self.choices),
        )
        written = flatatt(self.build_attrs(self.attrs, attrs))
        return format_html('<select name="{}"{}>{}</select>', name, written, options)
