from django import template

from projects.services import yuan as _yuan

register = template.Library()


@register.filter
def yuan(fen: int | None) -> str:
    """¥1,234.56 from integer fen."""
    return _yuan(fen)
