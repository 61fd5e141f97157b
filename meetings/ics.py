"""Calendars (RFC 5545) of meetings, in Asia/Shanghai: the invitation of one meeting, an iTIP
(RFC 5546) REQUEST or CANCEL with its ORGANIZER (the body's Office, the portal's sender) and an
ATTENDEE per invited person with a mail address; and a person's subscription feed (PUBLISH)."""

import datetime as dt
import zoneinfo
from collections.abc import Iterable

import icalendar
from django.conf import settings

from meetings.models import Meeting
from meetings.rules import MeetingStatus
from members.models import User

DEFAULT_LENGTH = dt.timedelta(hours=2)
PRODID = "-//infogov//meetings//ZH"


def _calendar(method: str) -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    return calendar


def _event(meeting: Meeting, *, cancelled: bool) -> icalendar.Event:
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    event = icalendar.Event()
    event.add("uid", f"{meeting.ics_uid}@infogov")
    event.add("sequence", meeting.ics_sequence)
    event.add("dtstamp", dt.datetime.now(dt.UTC))
    event.add("dtstart", meeting.starts_at.astimezone(tz))
    event.add("dtend", (meeting.ends_at or meeting.starts_at + DEFAULT_LENGTH).astimezone(tz))
    event.add("summary", meeting.title)
    event.add("location", meeting.location)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("description", f"{meeting.body.name} · {meeting.get_kind_display()}")
    event.add("url", f"{settings.INFOGOV_BASE_URL}{meeting.get_absolute_url()}")
    return event


def _organizer(meeting: Meeting) -> icalendar.vCalAddress:
    organizer = icalendar.vCalAddress(f"mailto:{settings.DEFAULT_FROM_EMAIL}")
    organizer.params["CN"] = icalendar.vText(meeting.body.name)
    return organizer


def _attendee(person: User, *, voting: bool) -> icalendar.vCalAddress:
    attendee = icalendar.vCalAddress(f"mailto:{person.email}")
    attendee.params["CN"] = icalendar.vText(person.full_name)
    # 列席 attend without a vote: OPT-PARTICIPANT; members are REQ-PARTICIPANT.
    attendee.params["ROLE"] = icalendar.vText("REQ-PARTICIPANT" if voting else "OPT-PARTICIPANT")
    attendee.params["PARTSTAT"] = icalendar.vText("NEEDS-ACTION")
    attendee.params["RSVP"] = icalendar.vText("FALSE")  # members answer in the portal
    return attendee


def invited(meeting: Meeting) -> list[tuple[User, bool]]:
    """(person, voting) for each expected member and 列席 attendee, seat order first."""
    expected = [m.person for m in meeting.expected_members.select_related("person")]
    seen = {person.pk for person in expected}
    attending = [
        a.person
        for a in meeting.attendees.select_related("person").order_by("id")
        if a.person_id not in seen
    ]
    return [(person, True) for person in expected] + [(person, False) for person in attending]


def meeting_ics(meeting: Meeting, *, cancel: bool = False) -> bytes:
    """The iTIP invitation for ``meeting`` (REQUEST, or CANCEL); an update carries a higher
    SEQUENCE. RFC 5546 requires ORGANIZER and ATTENDEE of a REQUEST: without an invited person
    who has a mail address it is a PUBLISH (a calendar entry, not an invitation)."""
    attendees = [(p, voting) for p, voting in invited(meeting) if p.email]
    method = ("CANCEL" if cancel else "REQUEST") if attendees else "PUBLISH"
    calendar = _calendar(method)
    event = _event(meeting, cancelled=cancel)
    if attendees:
        event.add("organizer", _organizer(meeting))
        for person, voting in attendees:
            event.add("attendee", _attendee(person, voting=voting))
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


FEED_STATUSES = (
    MeetingStatus.CONVENED,
    MeetingStatus.IN_SESSION,
    MeetingStatus.CLOSED,
    MeetingStatus.POSTPONED,
    MeetingStatus.CANCELLED,
)
FEED_PAST_DAYS = 365


def feed_ics(person: User, meetings: Iterable[Meeting]) -> bytes:
    """The person's subscription: a PUBLISH calendar of their meetings (no ORGANIZER/ATTENDEE
    needed: it informs, it does not invite)."""
    calendar = _calendar("PUBLISH")
    calendar.add("x-wr-calname", f"{person.full_name} · infogov")
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    for meeting in meetings:
        cancelled = meeting.status == MeetingStatus.CANCELLED
        calendar.add_component(_event(meeting, cancelled=cancelled))
    calendar.add_missing_timezones()
    return calendar.to_ical()
