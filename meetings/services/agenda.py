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
from members.models import Unit, User


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
    return material
