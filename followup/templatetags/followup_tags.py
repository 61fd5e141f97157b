from django import template
from django.utils.html import format_html

from followup.rules import ItemStatus, Light, Source

register = template.Library()
# The labels by value, made once: a model's get_FOO_display() builds its dict on every call,
# and the ledger asks 100 times a page.
_LIGHTS = dict(Light.choices)
_STATUSES = dict(ItemStatus.choices)
_SOURCES = dict(Source.choices)


@register.filter
def light_label(light: str) -> str:
    """The words of a traffic light, for those who do not see its colour."""
    return str(_LIGHTS.get(light, ""))


@register.filter
def status_label(status: str) -> str:
    return str(_STATUSES.get(status, status))


@register.filter
def source_label(source: str) -> str:
    return str(_SOURCES.get(source, source))


@register.filter
def light(value: str) -> str:
    """A traffic light with its words (the colour is not the only sign of it)."""
    label = light_label(value)
    return format_html('<span class="light light-{}" title="{}">{}</span>', value, label, label)
