"""A meeting's agenda items, their materials, and its non-voting attendees (列席)."""

import mimetypes

from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext as _

from infogov import audit
from meetings.models import (
    ALLOWED_MATERIAL_EXTENSIONS,
    MAX_MATERIAL_BYTES,
    AgendaItem,
    Attendee,
    Material,
    Meeting,
)
from meetings.rules import MeetingStep
from meetings.services._common import check_step, lock_meeting
from meetings.services.errors import MeetingError
from meetings.services.notifications import notify_people
from members.models import Unit, User


def _tell_members(meeting: Meeting, text: str) -> None:
    """Once convened, members are told of every change to the agenda before the session."""
    if meeting.convened_at is None or meeting.status not in (
        Meeting.Status.CONVENED,
        Meeting.Status.POSTPONED,
    ):
        return
    people = list(meeting.expected_members.values_list("person_id", flat=True))
    people += list(meeting.attendees.values_list("person_id", flat=True))
    notify_people(
        meeting,
        people,
        _("Agenda changed: %(title)s — %(change)s") % {"title": meeting.title, "change": text},
        link=meeting.get_absolute_url(),
    )


def _locked_item(item_id: int) -> AgendaItem:
    item = AgendaItem.objects.select_for_update(of=("self",)).get(pk=item_id)
    item.meeting = lock_meeting(item.meeting_id)
    check_step(MeetingStep.EDIT_AGENDA, item.meeting)
    return item


@transaction.atomic
def edit_agenda_item(
    *,
    actor: User,
    item: AgendaItem,
    title: str,
    description: str = "",
    presenter_unit: Unit | None = None,
    is_major: bool = False,
) -> AgendaItem:
    """Change an item before the session; once convened, members are told."""
    item = _locked_item(item.pk)
    before = {"title": item.title, "is_major": item.is_major}
    item.title, item.description = title, description
    item.presenter_unit, item.is_major = presenter_unit, is_major
    item.save(update_fields=["title", "description", "presenter_unit", "is_major"])
    audit.record(
        actor=actor,
        action="agenda.edited",
        obj=item,
        before=before,
        after={"title": title, "is_major": is_major},
    )
    _tell_members(
        item.meeting, _("item %(order)s: %(title)s") % {"order": item.order, "title": title}
    )
    return item


@transaction.atomic
def move_agenda_item(*, actor: User, item: AgendaItem, up: bool) -> AgendaItem:
    """Swap an item with the one above (``up``) or below; at either end nothing moves."""
    item = _locked_item(item.pk)
    siblings = AgendaItem.objects.filter(meeting_id=item.meeting_id).select_for_update()
    other = (
        siblings.filter(order__lt=item.order).order_by("-order")
        if up
        else siblings.filter(order__gt=item.order).order_by("order")
    ).first()
    if other is None:
        raise MeetingError(
            _("This item is already first.") if up else _("This item is already last.")
        )
    mine, theirs = item.order, other.order
    # Through a free number: (meeting, order) is unique at every statement.
    top = (siblings.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    AgendaItem.objects.filter(pk=item.pk).update(order=top)
    AgendaItem.objects.filter(pk=other.pk).update(order=mine)
    AgendaItem.objects.filter(pk=item.pk).update(order=theirs)
    item.order = theirs
    audit.record(
        actor=actor,
        action="agenda.moved",
        obj=item,
        before={"order": mine},
        after={"order": theirs},
    )
    _tell_members(item.meeting, _("the order of the items"))
    return item


@transaction.atomic
def remove_agenda_item(*, actor: User, item: AgendaItem) -> None:
    """Remove an item that has no motion yet, with its materials; the rest close up."""
    item = _locked_item(item.pk)
    if item.motions.exists():
        raise MeetingError(_("This item has a motion; defer the vote instead of removing it."))
    title, order, meeting = item.title, item.order, item.meeting
    for material in item.materials.all():
        material.file.delete(save=False)
    item.delete()
    for later in AgendaItem.objects.filter(meeting=meeting, order__gt=order).order_by("order"):
        AgendaItem.objects.filter(pk=later.pk).update(order=later.order - 1)
    audit.record(
        actor=actor, action="agenda.removed", obj=meeting, before={"item": title, "order": order}
    )
    _tell_members(meeting, _("item removed: %(title)s") % {"title": title})


@transaction.atomic
def remove_material(*, actor: User, material: Material) -> None:
    """Remove a material before the session; once convened, members are told."""
    material = Material.objects.select_related("item").get(pk=material.pk)
    meeting = lock_meeting(material.item.meeting_id)
    check_step(MeetingStep.EDIT_AGENDA, meeting)
    name = material.name
    material.file.delete(save=False)
    material.delete()
    audit.record(actor=actor, action="material.removed", obj=material.item, before={"name": name})
    _tell_members(meeting, _("material removed: %(name)s") % {"name": name})


@transaction.atomic
def remove_attendee(*, actor: User, attendee: Attendee) -> None:
    """Withdraw an invitation to attend without a vote (列席) before the session."""
    meeting = lock_meeting(attendee.meeting_id)
    check_step(MeetingStep.EDIT_AGENDA, meeting)
    person_id = attendee.person_id
    Attendee.objects.filter(pk=attendee.pk).delete()
    audit.record(
        actor=actor, action="meeting.attendee_removed", obj=meeting, before={"person": person_id}
    )
    _tell_members(meeting, _("an invitation to attend was withdrawn"))


@transaction.atomic
def add_agenda_item(
    *,
    actor: User,
    meeting: Meeting,
    title: str,
    description: str = "",
    presenter_unit: Unit | None = None,
    is_major: bool = False,
) -> AgendaItem:
    """Add an item at the end of the agenda; a major matter is decided only by a vote."""
    meeting = lock_meeting(meeting.pk)
    check_step(MeetingStep.ADD_ITEM, meeting)
    order = (meeting.items.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    item = AgendaItem.objects.create(
        meeting=meeting,
        order=order,
        title=title,
        description=description,
        presenter_unit=presenter_unit,
        is_major=is_major,
    )
    audit.record(
        actor=actor, action="agenda.added", obj=item, after={"title": title, "is_major": is_major}
    )
    _tell_members(meeting, _("item added: %(title)s") % {"title": title})
    return item


@transaction.atomic
def invite_attendee(*, actor: User, meeting: Meeting, person: User, note: str = "") -> Attendee:
    """列席: attends without a vote and never counts toward the quorum (R-MEET-3)."""
    meeting = lock_meeting(meeting.pk)
    check_step(MeetingStep.INVITE_ATTENDEE, meeting)
    if meeting.expected_members.filter(person=person).exists():
        raise MeetingError(_("%(name)s is already an expected member.") % {"name": person})
    attendee, created = Attendee.objects.get_or_create(
        meeting=meeting, person=person, defaults={"note": note}
    )
    if not created:
        raise MeetingError(_("%(name)s is already invited.") % {"name": person})
    audit.record(
        actor=actor, action="meeting.attendee_invited", obj=meeting, after={"person": person.pk}
    )
    return attendee


@transaction.atomic
def add_material(*, actor: User, item: AgendaItem, upload: File) -> Material:
    """Attach a file to an agenda item: an allowed type of at most MAX_MATERIAL_BYTES."""
    meeting = lock_meeting(item.meeting_id)
    check_step(MeetingStep.ADD_MATERIAL, meeting)
    name = (upload.name or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1].strip()
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ALLOWED_MATERIAL_EXTENSIONS:
        raise MeetingError(
            _("Files of this type cannot be uploaded; allowed: %(allowed)s.")
            % {"allowed": ", ".join(ALLOWED_MATERIAL_EXTENSIONS)}
        )
    if not upload.size:
        raise MeetingError(_("The file is empty."))
    if upload.size > MAX_MATERIAL_BYTES:
        raise MeetingError(
            _("The file is %(size)s MB; at most %(max)s MB can be uploaded.")
            % {
                "size": f"{upload.size / 1024 / 1024:.1f}",
                "max": MAX_MATERIAL_BYTES // (1024 * 1024),
            }
        )
    # The type is taken from the allowed extension, never from what the browser claims.
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    material = Material(
        item=item,
        name=name[:200],
        size=upload.size,
        content_type=content_type,
        uploaded_by=actor,
    )
    material.file.save(name, upload, save=False)
    material.save()
    audit.record(
        actor=actor,
        action="material.added",
        obj=material,
        after={"item": item.pk, "name": material.name, "size": material.size},
    )
    _tell_members(meeting, _("material added: %(name)s") % {"name": material.name})
    return material
