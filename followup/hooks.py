"""What followup offers to apps that must not import it (ARCHITECTURE.md).

projects names ``open_item`` in its setting ``INFOGOV_OPEN_FOLLOWUP =
"followup.hooks.open_item"`` and calls it, through ``django.utils.module_loading.import_string``,
when a project's milestone is overdue: a 项目节点 item opens for the unit, assigned at once.
"""

import datetime as dt

from django.db import transaction

from followup.models import Item
from followup.rules import Source
from followup.services import assign_item, create_item
from members.models import Unit, User
from members.permissions import unit_contacts


@transaction.atomic
def open_item(
    *,
    unit: Unit,
    title: str,
    due_date: dt.date,
    source_label: str,
    source_url: str,
    responsible: User | None = None,
) -> Item:
    """Open and assign a "project milestone" item for ``unit``; the responsible person is
    ``responsible``, or else the unit's head, or else its first liaison. Raises
    followup.services.FollowupError (a StepRefused) when the unit has nobody seated."""
    if responsible is None:
        contacts = unit_contacts(unit)
        people = contacts.people
        responsible = people[0] if people else None
    item = create_item(
        actor=None,
        title=title,
        lead_unit=unit,
        responsible=responsible,
        due_date=due_date,
        source=Source.PROJECT,
        source_label=source_label,
        source_url=source_url,
    )
    return assign_item(actor=None, item=item)
