"""Art. 8 (4)(5) / R-EXEC-3: inspections of units and their findings, each followed up as a
rectification item (整改)."""

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from followup import permissions
from followup.models import Finding, Inspection, Item
from followup.rules import Source
from followup.services.errors import FollowupError
from followup.services.items import assign_item, create_item
from infogov import audit
from members.models import Unit, User


@transaction.atomic
def record_inspection(
    *,
    actor: User | None,
    kind: str,
    title: str,
    held_on: dt.date,
    inspectors: str,
    units: Iterable[Unit],
) -> Inspection:
    if actor is not None and not permissions.can_record_inspection(actor):
        raise FollowupError(_("Only the Work Group or the Office records inspections."))
    if kind not in Inspection.Kind.values:
        raise FollowupError(_("Unknown kind of inspection."))
    if not title.strip() or not inspectors.strip():
        raise FollowupError(_("Give the title and the inspectors."))
    units = list(units)
    if not units:
        raise FollowupError(_("Name the units inspected."))
    inspection = Inspection.objects.create(
        kind=kind, title=title.strip(), held_on=held_on, inspectors=inspectors.strip(),
        recorded_by=actor,
    )  # fmt: skip
    inspection.units.set(units)
    audit.record(
        actor=actor,
        action="inspection.recorded",
        obj=inspection,
        after={"kind": kind, "units": [u.pk for u in units]},
    )
    return inspection


@transaction.atomic
def add_finding(
    *,
    actor: User | None,
    inspection: Inspection,
    unit: Unit,
    severity: str,
    text: str,
    responsible: User,
    due_date: dt.date,
) -> Item:
    """A finding at one of the inspected units becomes its rectification item, assigned."""
    if actor is not None and not permissions.can_record_inspection(actor):
        raise FollowupError(_("Only the Work Group or the Office records inspections."))
    if not inspection.units.filter(pk=unit.pk).exists():
        raise FollowupError(_("This unit was not inspected."))
    if severity not in Finding.Severity.values:
        raise FollowupError(_("Unknown severity."))
    if not text.strip():
        raise FollowupError(_("Write the finding."))
    finding = Finding.objects.create(
        inspection=inspection, unit=unit, severity=severity, text=text.strip()
    )
    audit.record(
        actor=actor, action="inspection.finding", obj=inspection, after={"finding": finding.pk}
    )
    # The Office opens and assigns the item; a Work Group leader recording it acts for it.
    item = create_item(
        actor=None,
        title=_("Rectification: %(text)s") % {"text": finding.text[:150]},
        description=finding.text,
        lead_unit=unit,
        responsible=responsible,
        due_date=due_date,
        source=Source.INSPECTION,
        finding=finding,
    )
    return assign_item(actor=None, item=item)
