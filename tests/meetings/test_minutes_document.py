"""The minutes document agrees with itself (R-MIN-1): 实到 is the number of names under 出席,
nobody is listed twice, and the time of day is named as Chinese names it."""

import datetime as dt
import re

import pytest
from django.utils import timezone, translation
from hypothesis import given
from hypothesis import strategies as st

from infogov.templatetags.chinese_time import chinese_time, period_of_day
from meetings import services
from meetings.minutes import documents, pdf
from meetings.models import Meeting

pytestmark = pytest.mark.usefixtures("english")


def _count(line: str, word: str) -> int:
    return int(line.split(word, 1)[1].split("人", 1)[0])


def test_present_count_is_the_number_of_names_even_after_late_check_ins(
    convened, office_clerk, leader, check_in_first
):
    members = list(convened.expected_members.order_by("order"))
    for member in members[14:]:
        services.answer_attendance(
            actor=office_clerk, member=member, response="leave", reason="出差"
        )
    check_in_first(convened, 12)
    services.open_meeting(actor=leader, meeting=convened)
    for member in members[12:14]:  # two arrive after the meeting opened with 12
        services.check_in(actor=office_clerk, member=member, by_office=True)
    services.close_meeting(actor=leader, meeting=convened)

    document = documents.build_document(convened.minutes.get())

    assert _count(document.quorum_line, "实到") == len(document.present) == 14
    assert _count(document.quorum_line, "应到会成员") == 16
    assert len(document.on_leave) == 2
    assert document.quorum_line.endswith("会议有效。")


def test_a_voting_member_invited_as_attendee_is_listed_once(
    draft, office_clerk, leader, member, outsider, check_in_first
):
    services.invite_attendee(actor=office_clerk, meeting=draft, person=member)
    services.invite_attendee(actor=office_clerk, meeting=draft, person=outsider)
    meeting = services.convene_meeting(actor=leader, meeting=draft)
    check_in_first(meeting, 16)
    services.open_meeting(actor=leader, meeting=meeting)
    services.close_meeting(actor=leader, meeting=meeting)

    document = documents.build_document(meeting.minutes.get())

    names = [entry.split("（")[0] for entry in (*document.present, *document.attending)]
    assert len(names) == len(set(names)) == 17
    assert document.attending == (outsider.full_name,)


def test_the_rendered_pdf_counts_the_names_it_lists(
    draft, office_clerk, leader, member, outsider, check_in_first, tmp_path
):
    """Read back from the PDF: 实到 equals the names under 出席, and no name appears twice."""
    from tests.meetings.test_pdf import compact, text_of

    services.invite_attendee(actor=office_clerk, meeting=draft, person=member)
    services.invite_attendee(actor=office_clerk, meeting=draft, person=outsider)
    meeting = services.convene_meeting(actor=leader, meeting=draft)
    members = list(meeting.expected_members.order_by("order"))
    services.answer_attendance(
        actor=office_clerk, member=members[15], response="leave", reason="病假"
    )
    check_in_first(meeting, 12)
    services.open_meeting(actor=leader, meeting=meeting)
    for late in members[12:15]:
        services.check_in(actor=office_clerk, member=late, by_office=True)
    services.close_meeting(actor=leader, meeting=meeting)
    path = tmp_path / "minutes.pdf"
    path.write_bytes(pdf.render_minutes(documents.build_document(meeting.minutes.get())).data)

    text = compact(text_of(path))
    present = re.search(r"实到(\d+)人", text)
    listed = re.search(r"出席：(.+?)请假：(.+?)列席：(.+?)(?:分送|扫码)", text)
    assert present and listed, text
    present_names = [re.sub(r"（.*?）", "", name) for name in listed[1].split("、")]
    everyone = present_names + [
        re.sub(r"（.*?）", "", n) for g in listed.groups()[1:] for n in g.split("、")
    ]
    assert int(present[1]) == len(present_names) == 15
    assert len(everyone) == len(set(everyone)) == 17


@pytest.mark.parametrize(
    ("hour", "period"),
    [
        (0, "凌晨"),
        (3, "凌晨"),
        (5, "凌晨"),
        (6, "上午"),
        (11, "上午"),
        (12, "中午"),
        (13, "下午"),
        (17, "下午"),
        (18, "晚上"),
        (23, "晚上"),
    ],
)
def test_the_chinese_periods_of_the_day(hour, period):
    assert period_of_day(hour) == period


@given(st.integers(min_value=0, max_value=23))
def test_every_hour_has_exactly_one_period(hour):
    assert period_of_day(hour) in {"凌晨", "上午", "中午", "下午", "晚上"}
    assert (period_of_day(hour) == "凌晨") == (hour < 6)


def test_the_time_filter_says_lingchen_at_3_36():
    at = dt.datetime(2026, 11, 11, 3, 36, tzinfo=timezone.get_current_timezone())
    with translation.override("zh-hans"):
        assert chinese_time(at) == "凌晨3:36"
        assert chinese_time(at.replace(hour=14, minute=5)) == "下午2:05"
    with translation.override("en"):
        assert chinese_time(at) == "03:36"


def test_a_meeting_before_dawn_is_dated_lingchen_in_the_minutes(
    roster, office_clerk, leader, check_in_first
):
    day = timezone.localdate() + dt.timedelta(days=3)
    starts = dt.datetime.combine(day, dt.time(3, 36), tzinfo=timezone.get_current_timezone())
    meeting = services.draft_meeting(
        actor=office_clerk,
        body=roster.leading_group,
        kind=Meeting.Kind.LG_SPECIAL,
        title="抢修专题会",
        starts_at=starts,
        location="网络中心机房",
    )
    services.add_agenda_item(actor=office_clerk, meeting=meeting, title="网络故障处置")
    meeting = services.convene_meeting(actor=leader, meeting=meeting)
    check_in_first(meeting, 16)
    services.open_meeting(actor=leader, meeting=meeting)
    services.close_meeting(actor=leader, meeting=meeting)

    document = documents.build_document(meeting.minutes.get())

    assert f"{day.month}月{day.day}日凌晨" in document.meeting_line


def test_the_demo_plenary_carries_the_times_of_its_own_day(roster, monkeypatch):
    """Check-ins, the quorum log, votes and their audit entries are of the meeting's day, not
    of the day the demo was loaded."""
    from infogov.models import AuditEntry
    from meetings.demo import load_demo_meetings
    from meetings.models import ExpectedMember, NamedVote, QuorumCheck
    from members.demo import load_demo
    from tests.meetings.minutes_helpers import use_fake_signing

    use_fake_signing(monkeypatch)
    load_demo()
    load_demo_meetings()

    plenary = Meeting.objects.get(kind=Meeting.Kind.LG_PLENARY)
    day = timezone.localtime(plenary.starts_at).date()
    assert day < timezone.localdate()
    check_ins = ExpectedMember.objects.filter(meeting=plenary, present=True)
    stamps = [
        *check_ins.values_list("checked_in_at", flat=True),
        *QuorumCheck.objects.filter(meeting=plenary).values_list("at", flat=True),
        *NamedVote.objects.filter(motion__item__meeting=plenary).values_list("cast_at", flat=True),
        plenary.opened_at,
        plenary.closed_at,
    ]
    assert len(stamps) == 14 + QuorumCheck.objects.filter(meeting=plenary).count() + 14 + 2
    assert {timezone.localtime(at).date() for at in stamps} == {day}
    assert all(at <= plenary.starts_at for at in check_ins.values_list("checked_in_at", flat=True))
    audit = AuditEntry.objects.filter(action="attendance.checked_in", at__date=day)
    assert audit.count() == 14
