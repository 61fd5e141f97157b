"""The life of a follow-up item (R-EXEC-2): opened from its source, assigned, acknowledged,
reported on, asked to be closed, closed or returned, cancelled; extensions and reminders."""

import datetime as dt
from collections.abc import Iterable

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from followup import permissions, rules
from followup.models import Event, Extension, Finding, Forwarding, Item, Milestone, Reminder
from followup.rules import ItemStatus, ItemStep, Source
from followup.services._common import add_event, check, lock_item, recipients, snapshot, tell
from followup.services.errors import FollowupError
from infogov import audit
from meetings.models import ALLOWED_MATERIAL_EXTENSIONS, MAX_MATERIAL_BYTES, Decision
from members.models import Unit, User


def _required(text: str, message: str) -> str:
    if not text or not text.strip():
        raise FollowupError(message)
    return text.strip()


@transaction.atomic
def create_item(
    *,
    actor: User | None,
    title: str,
    lead_unit: Unit,
    responsible: User,
    due_date: dt.date,
    source: str,
    description: str = "",
    decision: Decision | None = None,
    forwarding: Forwarding | None = None,
    finding: Finding | None = None,
    instructed_by: User | None = None,
    source_label: str = "",
    source_url: str = "",
    co_units: Iterable[Unit] = (),
    supervisor: User | None = None,
    parent: Item | None = None,
    weight: int = 1,
    milestones: Iterable[tuple[str, dt.date]] = (),
) -> Item:
    """Open a draft item from its source; the Office (or the system, ``actor=None``) does."""
    if actor is not None and not permissions.can_create(actor):
        raise FollowupError(_("Only the Office opens follow-up items."))
    title = _required(title, _("Give the item a title."))
    if lead_unit is None or responsible is None:
        raise FollowupError(_("An item needs a lead unit and a responsible person."))
    if due_date < timezone.localdate():
        raise FollowupError(_("The due date has passed."))
    needs = {
        Source.DECISION: decision,
        Source.FORWARDING: forwarding,
        Source.INSPECTION: finding,
        Source.INSTRUCTION: instructed_by,
        Source.PROJECT: source_label.strip(),
    }
    if source not in needs:
        raise FollowupError(_("Unknown source."))
    if not needs[source]:
        raise FollowupError(_("Say where the item comes from."))
    if forwarding is not None and decision is None:
        decision = forwarding.decision
    co = [unit for unit in co_units if unit.pk != lead_unit.pk]
    if parent is not None and parent.parent_id is not None:
        raise FollowupError(_("A sub-item cannot have sub-items of its own."))
    if weight < 1:
        raise FollowupError(_("The weight is at least 1."))
    item = Item.objects.create(
        title=title,
        description=description.strip(),
        source=source,
        decision=decision,
        forwarding=forwarding,
        finding=finding,
        instructed_by=instructed_by,
        source_label=source_label.strip()[:200],
        source_url=source_url[:300],
        lead_unit=lead_unit,
        responsible=responsible,
        supervisor=supervisor,
        due_date=due_date,
        original_due_date=due_date,
        parent=parent,
        weight=weight,
        created_by=actor,
    )
    if co:
        item.co_units.set(co)
    for milestone_title, milestone_due in milestones:
        Milestone.objects.create(item=item, title=milestone_title, due_date=milestone_due)
    add_event(item, Event.Kind.CREATED, actor)
    audit.record(actor=actor, action="followup.created", obj=item, after=snapshot(item))
    return item


@transaction.atomic
def add_milestone(*, actor: User | None, item: Item, title: str, due_date: dt.date) -> Milestone:
    """节点: a dated step; the Office sets them while the item runs."""
    item = lock_item(item.pk)
    if actor is not None and not permissions.can_create(actor):
        raise FollowupError(_("Only the Office sets milestones."))
    if item.is_finished:
        raise FollowupError(_("The item is finished."))
    title = _required(title, _("Give the milestone a title."))
    milestone = Milestone.objects.create(item=item, title=title, due_date=due_date)
    audit.record(
        actor=actor,
        action="followup.milestone_added",
        obj=item,
        after={"milestone": milestone.pk, "due_date": due_date.isoformat()},
    )
    return milestone


def _move(
    item: Item,
    step: ItemStep,
    actor: User | None,
    kind: str,
    *,
    fields: Iterable[str] = (),
    **event_fields,
) -> Item:
    """Move ``item`` (locked and checked) to the step's next status, save, add the event and
    the audit entry."""
    before = snapshot(item)
    item.status = rules.NEXT_STATUS[step]
    item.save(update_fields=["status", *fields])
    add_event(item, kind, actor, **event_fields)
    audit.record(
        actor=actor, action=f"followup.{step.value}", obj=item, before=before, after=snapshot(item)
    )
    return item


@transaction.atomic
def assign_item(*, actor: User | None, item: Item) -> Item:
    """交办: the units are told."""
    item = lock_item(item.pk)
    check(ItemStep.ASSIGN, item, actor)
    item.assigned_at = timezone.now()
    _move(item, ItemStep.ASSIGN, actor, Event.Kind.ASSIGNED, fields=["assigned_at"])
    tell(
        recipients(item),
        _("Follow-up item assigned to %(unit)s: %(title)s, due %(due)s.")
        % {"unit": item.lead_unit, "title": item.title, "due": f"{item.due_date:%Y-%m-%d}"},
    )
    return item


@transaction.atomic
def acknowledge_item(*, actor: User, item: Item) -> Item:
    """签收, time stamped: the lead unit's head or liaison."""
    item = lock_item(item.pk)
    check(ItemStep.ACKNOWLEDGE, item, actor)
    item.acknowledged_at = timezone.now()
    item.acknowledged_by = actor
    return _move(
        item,
        ItemStep.ACKNOWLEDGE,
        actor,
        Event.Kind.ACKNOWLEDGED,
        fields=["acknowledged_at", "acknowledged_by"],
    )


def _checked_attachment(upload: UploadedFile | None) -> UploadedFile | None:
    if not upload:
        return None
    name = (upload.name or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1].strip()
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ALLOWED_MATERIAL_EXTENSIONS:
        raise FollowupError(
            _("Files of this type cannot be uploaded; allowed: %(allowed)s.")
            % {"allowed": ", ".join(ALLOWED_MATERIAL_EXTENSIONS)}
        )
    if not upload.size:
        raise FollowupError(_("The file is empty."))
    if upload.size > MAX_MATERIAL_BYTES:
        raise FollowupError(
            _("At most %(max)s MB can be uploaded.") % {"max": MAX_MATERIAL_BYTES // 2**20}
        )
    upload.name = name
    return upload


@transaction.atomic
def report_progress(
    *,
    actor: User,
    item: Item,
    text: str,
    percent: int,
    attachment: UploadedFile | None = None,
    milestone: Milestone | None = None,
) -> Item:
    """进展: text, percent and optionally an attachment and a milestone reached."""
    item = lock_item(item.pk)
    check(ItemStep.REPORT, item, actor)
    text = _required(text, _("Write what has been done."))
    if percent is None or not 0 <= percent <= 100:
        raise FollowupError(_("Progress is a percentage from 0 to 100."))
    if milestone is not None:
        if milestone.item_id != item.pk:
            raise FollowupError(_("Choose a milestone of this item."))
        if milestone.done_on is None:
            milestone.done_on = timezone.localdate()
            milestone.save(update_fields=["done_on"])
    upload = _checked_attachment(attachment)
    item.percent = percent
    before = snapshot(item)
    item.status = ItemStatus.IN_PROGRESS
    item.save(update_fields=["status", "percent"])
    event = Event(
        item=item,
        kind=Event.Kind.PROGRESS,
        actor=actor,
        text=text,
        percent=percent,
        milestone=milestone,
    )
    if upload is not None:
        event.attachment.save(upload.name, upload, save=False)
    event.save()
    audit.record(
        actor=actor,
        action="followup.report",
        obj=item,
        before=before,
        after={**snapshot(item), "milestone": milestone.pk if milestone else None},
    )
    return item


@transaction.atomic
def request_completion(*, actor: User, item: Item, text: str) -> Item:
    """申请办结, with a closing report; the Office (or the WG leader) then decides."""
    item = lock_item(item.pk)
    check(ItemStep.REQUEST_COMPLETION, item, actor)
    text = _required(text, _("Write the closing report."))
    return _move(
        item, ItemStep.REQUEST_COMPLETION, actor, Event.Kind.COMPLETION_REQUESTED, text=text
    )


@transaction.atomic
def close_item(*, actor: User | None, item: Item, text: str = "") -> Item:
    """办结, by the Office or the Work Group leader, never by the lead unit; closed after the
    due date keeps the 逾期办结 mark."""
    item = lock_item(item.pk)
    check(ItemStep.CLOSE, item, actor)
    item.closed_at = timezone.now()
    item.closed_late = rules.art16_closed_late(
        closed_on=timezone.localdate(item.closed_at), due=item.due_date
    )
    return _move(
        item,
        ItemStep.CLOSE,
        actor,
        Event.Kind.CLOSED,
        fields=["closed_at", "closed_late"],
        text=text.strip(),
    )


@transaction.atomic
def return_item(*, actor: User | None, item: Item, reason: str) -> Item:
    """退办, with the reason: the unit works on and asks again."""
    item = lock_item(item.pk)
    check(ItemStep.RETURN, item, actor)
    reason = _required(reason, _("Give the reason for returning it."))
    _move(item, ItemStep.RETURN, actor, Event.Kind.RETURNED, text=reason)
    tell(
        recipients(item),
        _("Follow-up item returned: %(title)s. Reason: %(reason)s")
        % {"title": item.title, "reason": reason},
    )
    return item


@transaction.atomic
def cancel_item(*, actor: User | None, item: Item, reason: str) -> Item:
    """撤销, with the reason."""
    item = lock_item(item.pk)
    check(ItemStep.CANCEL, item, actor)
    reason = _required(reason, _("Give the reason for cancelling it."))
    return _move(item, ItemStep.CANCEL, actor, Event.Kind.CANCELLED, text=reason)


@transaction.atomic
def request_extension(*, actor: User, item: Item, new_due_date: dt.date, reason: str) -> Extension:
    """延期: asked before the due date, with a reason and a later date."""
    item = lock_item(item.pk)
    check(ItemStep.REQUEST_EXTENSION, item, actor)
    refusal = rules.art16_extension_refusal(
        asked_on=timezone.localdate(), due=item.due_date, new_due=new_due_date, reason=reason
    )
    if refusal:
        raise FollowupError(refusal)
    if item.extensions.filter(status=Extension.Status.PENDING).exists():
        raise FollowupError(_("An extension is already waiting for a decision."))
    extension = Extension.objects.create(
        item=item,
        reason=reason.strip(),
        old_due_date=item.due_date,
        new_due_date=new_due_date,
        requested_by=actor,
    )
    add_event(
        item,
        Event.Kind.EXTENSION_REQUESTED,
        actor,
        text=f"{new_due_date:%Y-%m-%d}: {extension.reason}",
    )
    audit.record(
        actor=actor,
        action="followup.extension_requested",
        obj=item,
        after={"extension": extension.pk, "new_due_date": new_due_date.isoformat()},
    )
    return extension


@transaction.atomic
def decide_extension(*, actor: User, extension: Extension, approve: bool) -> Extension:
    """The Work Group's leader or a deputy, never the applicant, approves or refuses; the
    original due date stays for the statistics."""
    item = lock_item(extension.item_id)
    extension = Extension.objects.select_for_update().get(pk=extension.pk)
    check(ItemStep.DECIDE_EXTENSION, item, actor)
    if extension.status != Extension.Status.PENDING:
        raise FollowupError(_("This extension has been decided."))
    if not rules.art16_may_approve_extension(
        applicant_id=extension.requested_by_id, approver_id=actor.pk
    ):
        raise FollowupError(_("An extension is decided by someone other than its applicant."))
    before = snapshot(item)
    extension.status = Extension.Status.APPROVED if approve else Extension.Status.REFUSED
    extension.decided_by = actor
    extension.decided_at = timezone.now()
    extension.save(update_fields=["status", "decided_by", "decided_at"])
    if approve:
        item.due_date = extension.new_due_date
        item.save(update_fields=["due_date"])
    add_event(
        item,
        Event.Kind.EXTENSION_APPROVED if approve else Event.Kind.EXTENSION_REFUSED,
        actor,
        text=f"{extension.new_due_date:%Y-%m-%d}",
    )
    audit.record(
        actor=actor,
        action="followup.extension_" + ("approved" if approve else "refused"),
        obj=item,
        before=before,
        after={**snapshot(item), "extension": extension.pk},
    )
    return extension


@transaction.atomic
def remind_item(*, actor: User, item: Item) -> Reminder:
    """催办 by hand: the Office reminds, logged; once a day."""
    item = lock_item(item.pk)
    check(ItemStep.REMIND, item, actor)
    today = timezone.localdate()
    try:
        with transaction.atomic():
            reminder = Reminder.objects.create(
                item=item, kind=Reminder.Kind.MANUAL, on_date=today, sent_by=actor
            )
    except IntegrityError:
        raise FollowupError(_("This item has already been reminded today.")) from None
    reminder.recipients = tell(
        recipients(item),
        _("Reminder from the Office: %(title)s, due %(due)s.")
        % {"title": item.title, "due": f"{item.due_date:%Y-%m-%d}"},
    )
    reminder.save(update_fields=["recipients"])
    add_event(item, Event.Kind.REMINDED, actor)
    audit.record(actor=actor, action="followup.reminded", obj=item, after={"kind": "manual"})
    return reminder
