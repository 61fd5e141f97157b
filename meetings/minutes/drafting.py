"""The first draft of minutes (Art. 15): made when a meeting closes, and when the Office starts
a correction of issued minutes (R-MIN-2).

``meetings.services.close_meeting`` calls :func:`start_minutes`, so this module imports nothing
of ``meetings.services``: the caller moves the meeting page's revision on.
"""

from infogov import audit
from meetings.minutes.models import IssuedMinutes, Minutes
from meetings.models import Meeting
from members.models import User


def start_minutes(
    *, actor: User | None, meeting: Meeting, corrects: IssuedMinutes | None = None
) -> Minutes:
    """Draft minutes of ``meeting``, sent to the units that presented its items; a correction
    starts from the text and the units of the document it corrects. Call inside the caller's
    transaction, which also moves the meeting page's revision on."""
    minutes = Minutes.objects.create(
        meeting=meeting,
        title=corrects.title if corrects else f"{meeting.title}纪要",
        narrative=corrects.minutes.narrative if corrects else "",
        corrects=corrects,
    )
    units = {item.presenter_unit_id for item in meeting.items.all() if item.presenter_unit_id}
    if corrects:
        units |= set(corrects.distributions.values_list("unit_id", flat=True))
    minutes.distribution.set(units)
    audit.record(
        actor=actor,
        action="minutes.drafted",
        obj=minutes,
        after={"meeting": meeting.pk, "corrects": corrects.pk if corrects else None},
    )
    return minutes
