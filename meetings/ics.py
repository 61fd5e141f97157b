"""Calendar invitations (RFC 5545) for convened meetings, in Asia/Shanghai."""

import datetime as dt
import zoneinfo

import icalendar
from django.conf import settings

from meetings.models import Meeting

DEFAULT_LENGTH = dt.timedelta(hours=2)


def meeting_ics(meeting: Meeting, *, cancel: bool = False) -> bytes:
    """Return an iCalendar invitation for ``meeting``; an update carries a higher SEQUENCE."""
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//infogov//meetings//ZH")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancel else "REQUEST")
    event = icalendar.Event()
    event.add("uid", f"{meeting.ics_uid}@infogov")
    event.add("sequence", meeting.ics_sequence)
    event.add("dtstamp", dt.datetime.now(dt.UTC))
    starts = meeting.starts_at.astimezone(tz)
    event.add("dtstart", starts)
    event.add("dtend", (meeting.ends_at or meeting.starts_at + DEFAULT_LENGTH).astimezone(tz))
    event.add("summary", meeting.title)
    event.add("location", meeting.location)
    event.add("status", "CANCELLED" if cancel else "CONFIRMED")
    event.add("description", f"{meeting.body.name} · {meeting.get_kind_display()}")
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
