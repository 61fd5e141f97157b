from django import template

from followup.rules import Light

register = template.Library()
_LABELS = dict(Light.choices)


@register.filter
def light_label(light: str) -> str:
    """The words of a traffic light, for those who do not see its colour."""
    return str(_LABELS.get(light, ""))
