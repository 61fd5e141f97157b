"""End to end, issue 13: what happens in the meeting room, in a real browser (Debian's Chromium).

The Office records a show of hands; a member's phone sees a vote open without reloading; a
member checks in by the room's QR code; submitting the minutes keeps the text; irreversible
steps ask "I confirm" (without JavaScript's help); a closed meeting is frozen. The meetings are
set up through the services before a page opens; pages are read by their structure.
"""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from meetings import services
from meetings.minutes.models import Minutes
from meetings.models import ExpectedMember, Meeting, Motion, NamedVote
from members.models import Body, User
from tests.e2e.pages import log_in, press, room_code_url, scan_and_check_in
from tests.meetings.minutes_helpers import first_item, hold_meeting

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
MEMBER = "yanzushu"


def _meeting(*, present: int = 0, open_session: bool = False, convene: bool = True) -> Meeting:
    """A Leading Group special meeting an hour from now, convened, check-in open, the first
    ``present`` members (in seat order, not 阎祖书) checked in by the Office."""
    clerk = User.objects.get(username="demo-clerk")
    leader = User.objects.get(username="sunqixin")
    meeting = services.draft_meeting(
        actor=clerk,
        body=Body.objects.get(kind=Body.Kind.LEADING_GROUP),
        kind=Meeting.Kind.LG_SPECIAL,
        title="信息化工作领导小组专题会议（会场端到端测试）",
        starts_at=timezone.localtime().replace(second=0, microsecond=0) + dt.timedelta(hours=1),
        location="行政楼第三会议室",
    )
    first_item(meeting, clerk=clerk)
    if not convene:
        return meeting
    meeting = services.convene_meeting(actor=leader, meeting=meeting)
    services.set_check_in_open(actor=clerk, meeting=meeting, is_open=True)
    members = meeting.expected_members.exclude(person__username=MEMBER).order_by("order")
    for member in members[:present]:
        services.check_in(actor=clerk, member=member, by_office=True)
    if open_session:
        services.open_meeting(actor=clerk, meeting=meeting)
    return meeting


def _motion(meeting: Meeting) -> Motion:
    leader = User.objects.get(username="sunqixin")
    return services.create_motion(actor=leader, item=meeting.items.get(), text="同意立项建议")


def test_the_office_records_a_show_of_hands(open_page, demo_logins):
    meeting = _meeting(present=12, open_session=True)
    motion = services.open_vote(
        actor=User.objects.get(username="sunqixin"), motion=_motion(meeting)
    )
    page = open_page(**DESKTOP)
    log_in(page, "demo-clerk")

    page.goto(motion.get_absolute_url())
    with page.expect_navigation():
        page.locator("#record-hands").click()
    rows = page.locator("#show-of-hands tr.hand")
    expect(rows).to_have_count(12)
    for i in range(10):
        rows.nth(i).locator("input[value=yes]").check()
    rows.nth(10).locator("input[value=no]").check()
    with page.expect_navigation():
        page.locator("#show-of-hands button[type=submit]").click()

    expect(page.locator(".messages li.success")).to_be_visible()
    expect(page).to_have_url(re.compile(rf"{motion.get_absolute_url()}$"))
    assert NamedVote.objects.filter(motion=motion, recorded_by__username="demo-clerk").count() == 11
    press(page, reverse("meetings:motion_close", args=[motion.pk]))
    expect(page.locator("#result .verdict.passed")).to_be_visible()  # 10 of 16: 9 needed
    expect(page.locator("#result .badge.by-office")).to_have_count(11)


def test_a_phone_sees_a_vote_open_without_reloading(open_page, demo_logins):
    meeting = _meeting(present=11, open_session=True)
    motion = _motion(meeting)
    phone = open_page(**PHONE)
    log_in(phone, MEMBER)
    phone.goto(meeting.get_absolute_url())
    expect(phone.locator("#open-votes .vote-open")).to_have_count(0)
    phone.evaluate("window.notReloaded = true")

    leader = open_page(**DESKTOP)
    log_in(leader, "sunqixin")
    leader.goto(motion.get_absolute_url())
    press(leader, reverse("meetings:motion_open", args=[motion.pk]))

    # htmx polls the quorum panel every 3 s; the open vote comes with it, out of band.
    link = phone.locator(f"#open-votes a[href='{motion.get_absolute_url()}']")
    expect(link).to_be_visible(timeout=8_000)
    assert phone.evaluate("window.notReloaded") is True
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    with phone.expect_navigation():
        link.click()
    expect(phone.locator("#vote-panel")).to_be_visible()


def test_a_member_checks_in_with_the_rooms_qr_code(open_page, demo_logins):
    meeting = _meeting()
    office = open_page(**DESKTOP)
    log_in(office, "demo-clerk")
    office.goto(meeting.get_absolute_url())
    with office.expect_navigation():
        office.locator("#room-screen").click()
    expect(office.locator("#room-code .qr svg")).to_be_visible()

    phone = open_page(**PHONE)
    log_in(phone, MEMBER)
    phone.goto(meeting.get_absolute_url())
    expect(phone.locator("#my-attendance .check-in-hint")).to_be_visible()
    expect(phone.locator("#my-attendance form[action$='/check-in/']")).to_have_count(0)
    scan_and_check_in(phone, room_code_url(office, meeting.pk))

    expect(phone.locator("#my-attendance strong.ok")).to_be_visible()
    mine = ExpectedMember.objects.get(meeting=meeting, person__username=MEMBER)
    assert list(mine.history.values_list("kind", flat=True)) == ["check_in_qr"]
    # The room's screen counts them without a reload.
    expect(office.locator("#room-code strong.present")).to_have_text("1", timeout=15_000)


def test_a_member_on_leave_withdraws_it_before_checking_in(open_page, demo_logins):
    meeting = _meeting()
    mine = ExpectedMember.objects.get(meeting=meeting, person__username=MEMBER)
    services.answer_attendance(actor=mine.person, member=mine, response="leave", reason="赴京")
    office = open_page(**DESKTOP)
    log_in(office, "demo-clerk")
    phone = open_page(**PHONE)
    log_in(phone, MEMBER)

    phone.goto(room_code_url(office, meeting.pk))
    expect(phone.locator("#check-in-scan .flag")).to_contain_text("赴京")
    with phone.expect_navigation():
        phone.locator("#check-in-scan form button[type=submit]").click()  # withdraw the leave
    expect(phone).to_have_url(re.compile(r"/check-in/"))
    with phone.expect_navigation():
        phone.locator("#check-in-scan form button[type=submit]").click()  # check in

    expect(phone.locator("#my-attendance strong.ok")).to_be_visible()
    assert list(mine.history.values_list("kind", "reason")) == [
        ("leave", "赴京"),
        ("withdraw_leave", ""),
        ("check_in_qr", ""),
    ]


@pytest.fixture
def closed_meeting(demo_logins) -> Meeting:
    clerk = User.objects.get(username="demo-clerk")
    leader = User.objects.get(username="sunqixin")
    meeting = _meeting()
    return hold_meeting(meeting, clerk=clerk, leader=leader, present=12)


def test_submitting_the_minutes_keeps_the_text(open_page, closed_meeting):
    minutes = closed_meeting.minutes.get()
    page = open_page(**DESKTOP)
    log_in(page, "demo-clerk")
    page.goto(minutes.get_absolute_url())

    page.locator("#edit textarea[name=narrative]").fill("会议听取了立项建议的汇报。")
    with page.expect_navigation():
        page.locator("#edit button[name=submit]").click()

    expect(page.locator(".messages li.success")).to_have_count(2)
    minutes.refresh_from_db()
    assert (minutes.status, minutes.narrative) == (
        Minutes.Status.SUBMITTED,
        "会议听取了立项建议的汇报。",
    )
    expect(page.locator("#document")).to_contain_text("会议听取了立项建议的汇报。")
    with page.expect_navigation():
        page.locator("#withdraw button[type=submit]").click()
    minutes.refresh_from_db()
    assert minutes.status == Minutes.Status.DRAFT


def test_irreversible_steps_ask_to_confirm_on_a_phone_without_javascript(
    browser, live_server, demo_logins
):
    meeting = _meeting(convene=False)
    context = browser.new_context(
        base_url=live_server.url,
        viewport=PHONE,
        locale="zh-CN",
        java_script_enabled=False,
    )
    try:
        page = context.new_page()
        log_in(page, "sunqixin")
        page.goto(meeting.get_absolute_url())
        action = reverse("meetings:meeting_convene", args=[meeting.pk])
        form = page.locator(f"form[action='{action}']")

        form.locator("button[type=submit]").click()  # not ticked: the browser holds the form
        page.wait_for_timeout(300)
        meeting.refresh_from_db()
        assert meeting.status == Meeting.Status.DRAFT

        form.locator("input[name=confirmed]").check()
        with page.expect_navigation():
            form.locator("button[type=submit]").click()
        expect(page.locator(".messages li.success")).to_be_visible()
        meeting.refresh_from_db()
        assert meeting.status == Meeting.Status.CONVENED
    finally:
        context.close()


def test_a_closed_meeting_is_frozen(open_page, closed_meeting):
    page = open_page(**DESKTOP)
    log_in(page, "demo-clerk")

    page.goto(closed_meeting.get_absolute_url())

    expect(page.locator(".meeting-head .status")).to_have_class(re.compile(r"\bstatus-closed\b"))
    expect(page.locator("input[type=file]")).to_have_count(0)
    expect(page.locator(".item-edit")).to_have_count(0)
    expect(page.locator("form[action$='/remove/']")).to_have_count(0)
    expect(
        page.locator(f"form[action='{reverse('meetings:agenda_add', args=[closed_meeting.pk])}']")
    ).to_have_count(0)
