"""Calendars: the meeting's invitation is a proper iTIP REQUEST (ORGANIZER and ATTENDEE) or a
PUBLISH, and each person has a secret, revocable subscription feed of their meetings."""

import re

import icalendar
import pytest

from meetings import services
from meetings.ics import meeting_ics
from members.models import CalendarToken

pytestmark = pytest.mark.usefixtures("english_pages")


def events(data: bytes) -> list[icalendar.Event]:
    return list(icalendar.Calendar.from_ical(data).walk("VEVENT"))


def test_an_invitation_names_its_organizer_and_attendees(convened, member, outsider, office_clerk):
    member.email, outsider.email = "yanzushu@example.edu", "guest@example.edu"
    member.save(update_fields=["email"])
    outsider.save(update_fields=["email"])
    services.invite_attendee(actor=office_clerk, meeting=convened, person=outsider)

    calendar = icalendar.Calendar.from_ical(meeting_ics(convened))
    (event,) = calendar.walk("VEVENT")

    assert calendar["METHOD"] == "REQUEST"
    assert str(event["ORGANIZER"]).startswith("mailto:")
    attendees = {str(a): a.params["ROLE"] for a in event.get("ATTENDEE")}
    assert attendees == {
        "mailto:yanzushu@example.edu": "REQ-PARTICIPANT",
        "mailto:guest@example.edu": "OPT-PARTICIPANT",
    }


def test_an_invitation_without_mail_addresses_is_a_publish(convened):
    calendar = icalendar.Calendar.from_ical(meeting_ics(convened))

    assert calendar["METHOD"] == "PUBLISH"
    assert "ORGANIZER" not in calendar.walk("VEVENT")[0]


def subscribe(client) -> str:
    response = client.post("/calendar/token/", follow=True)
    assert response.redirect_chain[-1][1] == 302
    match = re.search(r'value="(http://testserver/calendar/[^"]+\.ics)"', response.content.decode())
    assert match, response.content.decode()
    return match[1].removeprefix("http://testserver")


def test_the_subscription_lists_my_meetings_and_can_be_renewed_and_revoked(
    client, convened, member
):
    client.force_login(member)
    url = subscribe(client)
    token = url.removeprefix("/calendar/").removesuffix(".ics")
    anonymous = client.__class__()

    feed = anonymous.get(url)

    assert feed.status_code == 200
    assert feed["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(feed.content)
    assert calendar["METHOD"] == "PUBLISH"
    assert [str(e["UID"]) for e in calendar.walk("VEVENT")] == [f"{convened.ics_uid}@infogov"]
    # Kept hashed: the secret itself is nowhere in the database.
    stored = CalendarToken.objects.get(person=member)
    assert stored.token_hash != token and len(stored.token_hash) == 64

    renewed = subscribe(client)
    assert anonymous.get(url).status_code == 404
    assert anonymous.get(renewed).status_code == 200

    client.post("/calendar/token/revoke/")
    assert anonymous.get(renewed).status_code == 404
    assert not CalendarToken.objects.filter(person=member).exists()


def test_drafts_are_not_in_the_feed_and_only_i_manage_my_subscription(
    client, draft, member, leader
):
    client.force_login(member)
    url = subscribe(client)

    assert events(client.__class__().get(url).content) == []  # the draft is not convened
    page = client.get(leader.get_absolute_url()).content.decode()
    assert 'id="calendar"' not in page
    assert 'id="calendar"' in client.get(member.get_absolute_url()).content.decode()


def test_an_unknown_token_is_not_found(client, db):
    assert client.get("/calendar/not-a-token.ics").status_code == 404
    assert client.get("/calendar/token/").status_code == 302  # sign in first
