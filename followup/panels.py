"""followup's panel on the dashboard (members.panels): pending forwardings for leaders and the
Office (Art. 14), the items waiting for a unit's head or liaison."""

from django.http import HttpRequest
from django.utils import timezone

from followup import permissions
from followup.models import Forwarding, Item
from members.panels import Panel


def dashboard_panel(request: HttpRequest) -> Panel | None:
    user = request.user
    if not user.is_authenticated:
        return None
    cap = permissions.capacity(user)
    if not cap.sees_any:
        return None
    today = timezone.localdate()
    items = permissions.visible_items(user)
    context = {
        "overdue": items.overdue(today).count(),
        "to_acknowledge": items.filter(status=Item.Status.ASSIGNED).count() if cap.units else 0,
        "pending_forwardings": (
            list(
                Forwarding.objects.filter(outcome=Forwarding.Outcome.PENDING)
                .select_related("decision__item__meeting")
                .order_by("id")[:10]
            )
            if cap.sees_all
            else []
        ),
    }
    return Panel("followup/_dashboard_panel.html", context)
