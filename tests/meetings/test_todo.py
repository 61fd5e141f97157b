"""The dashboard is the member's to-do list (meetings.todo through members.panels)."""

import pytest

from meetings import services
from meetings.minutes import services as minutes_services
from tests.meetings.minutes_helpers import hold_meeting

pytestmark = pytest.mark.usefixtures("english_pages")


def todo_section(client) -> str:
    page = client.get("/").content.decode()
    start = page.index('<section class="card todo"')
    return page[start : page.index("</section>", start)]


def test_a_convened_meeting_asks_the_member_to_answer(client, convened, member):
    client.force_login(member)

    before = todo_section(client)
    services.answer_attendance(
        actor=member, member=convened.expected_members.get(person=member), response="attend"
    )
    after = todo_section(client)

    assert "Attendance to answer" in before and convened.title in before
    assert "Attendance to answer" not in after
    assert "Upcoming meetings" in after and convened.title in after  # still coming up


def test_an_open_vote_is_listed_until_the_member_has_voted(
    client, convened, leader, office_clerk, member, check_in_first
):
    check_in_first(convened, 16)
    services.open_meeting(actor=leader, meeting=convened)
    item = services.add_agenda_item(actor=office_clerk, meeting=convened, title="审议方案")
    motion = services.create_motion(actor=leader, item=item, text="同意方案")
    services.open_vote(actor=leader, motion=motion)
    client.force_login(member)

    before = todo_section(client)
    services.cast_vote(voter=member, motion=motion, choice="yes")
    after = todo_section(client)

    assert "Votes open now" in before and motion.get_absolute_url() in before
    assert "Votes open now" not in after


def test_minutes_wait_on_the_office_then_on_the_leader(
    client, convened, office_clerk, leader, member
):
    closed = hold_meeting(convened, clerk=office_clerk, leader=leader)
    minutes = closed.minutes.get()

    client.force_login(office_clerk)
    assert "Minutes to write" in todo_section(client)
    client.force_login(leader)
    assert "Minutes to sign" not in todo_section(client)

    minutes_services.submit_minutes(actor=office_clerk, minutes=minutes)

    client.force_login(leader)
    to_sign = todo_section(client)
    client.force_login(office_clerk)
    office = todo_section(client)
    client.force_login(member)
    plain = todo_section(client)
    assert "Minutes to sign" in to_sign and minutes.get_absolute_url() in to_sign
    assert "Minutes to write" not in office
    assert "Minutes to" not in plain


def test_nothing_to_do_says_so(client, roster, outsider):
    client.force_login(outsider)

    assert "Nothing to do now." in todo_section(client)


def test_the_expert_panel_warning_is_only_for_who_can_fill_its_seats(
    client, roster, member, office_clerk
):
    client.force_login(member)
    plain = client.get("/").content.decode()
    client.force_login(office_clerk)
    office = client.get("/").content.decode()

    assert "The Expert Panel has" not in plain
    assert "The Expert Panel has 0 experts; Art. 6 requires 5 to 7." in office
