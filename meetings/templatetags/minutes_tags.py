"""Minutes shown on pages of other apps; members' templates load this, members' code never
imports meetings (apps depend downward)."""

from django import template
from django.db.models import Count, OuterRef, Subquery

from meetings import permissions
from meetings.minutes.models import ReadReceipt

register = template.Library()

UNIT_MINUTES_LIMIT = 50


@register.inclusion_tag("meetings/minutes_unit.html", takes_context=True)
def unit_minutes(context, unit) -> dict:
    """Art. 16: the issued minutes sent to ``unit`` that the viewer may read, newest first, with
    how many of the unit's people have read each; one query, however many there are."""
    user = context["request"].user
    readers = (
        ReadReceipt.objects.filter(
            distribution__issued=OuterRef("pk"), distribution__unit_id=unit.pk
        )
        .order_by()
        .values("distribution__issued")
        .annotate(n=Count("id"))
        .values("n")
    )
    issued = (
        permissions.visible_issued(user)
        .filter(distributions__unit_id=unit.pk)
        .defer("pdf", "content")
        .annotate(readers=Subquery(readers))
        .order_by("-signed_at", "-id")
    )
    return {"unit": unit, "issued_minutes": list(issued[:UNIT_MINUTES_LIMIT])}
