"""The services of meetings: convening, attendance, quorum gates, votes and decisions
(Art. 12-14; R-MEET-1..3, R-VOTE-2..5), each with its audit entry."""

import datetime as dt
from collections import Counter

import pytest
from django.core import mail
from django.utils import timezone

from infogov.models import AuditEntry
from meetings import services
from meetings.models import (
    AgendaItem,
    Attendee,
    Decision,
    ExpectedMember,
    Meeting,
    Motion,
    NamedVote,
    Notification,
    QuorumCheck,
)
from meetings.rules import Attendance, Basis, Threshold
from meetings.services import InvalidTransition, MeetingError, QuorumNotMet
from members import services as roster_services
from members.models import Role, Seat, User
from tests.meetings import ballot_helpers

pytestmark = pytest.mark.usefixtures("english")

# The Leading Group of the annex (R-ORG-3): 16 seated voting members.
LEADING_GROUP = {
    "sunqixin",
    "zhaoman",
    "mabohu",
    "lili",
    "yanzushu",
    "chenyulin",
    "huoxuexi",
    "weigehong",
    "wangwenbo",
    "liuweijun",
    "huxinsheng",
    "zhangsuiping",
    "hansujian",
    "daijun",
    "liuxiping",
    "yangjiarong",
}
TITLE = "2026年度全体会议"
PLACE = "行政楼第一会议室"
NO_QUORUM_10_OF_16 = r"No quorum: 10 of 16 members present, 11 needed \(Art\. 12"


def _expected(meeting: Meeting) -> list[ExpectedMember]:
    return list(meeting.expected_members.select_related("person").order_by("order"))


def _audit(obj) -> list[AuditEntry]:
    return list(AuditEntry.objects.for_object(obj).order_by("id"))


def _last_audit(action: str) -> AuditEntry:
    return AuditEntry.objects.filter(action=action).latest("id")


def _motion(meeting: Meeting, actor: User, *, is_major: bool = False, **options) -> Motion:
    item = services.add_agenda_item(
        actor=actor, meeting=meeting, title="2026年信息化建设项目", is_major=is_major
    )
    return services.create_motion(actor=actor, item=item, text="同意立项", **options)


def _open_motion(meeting: Meeting, actor: User, **options) -> Motion:
    motion = _motion(meeting, actor, **options)
    return ballot_helpers.open_vote(actor=actor, motion=motion)


def _vote(meeting: Meeting, motion: Motion, choices: list[str]) -> None:
    """The first ``len(choices)`` present expected members vote, in seat order."""
    voters = [m.person for m in _expected(meeting) if m.present]
    for voter, choice in zip(voters, choices, strict=False):
        services.cast_vote(voter=voter, motion=motion, choice=choice)


def _ics(message) -> tuple[str, str, list[str]]:
    (attachment,) = message.attachments
    content = attachment.content
    if isinstance(content, bytes):
        content = content.decode()
    return attachment.filename, attachment.mimetype, content.splitlines()


# --- Drafting and convening (Art. 12, R-MEET-1, R-MEET-3) ---------------------------------------


def test_draft_meeting_is_audited(draft, office_clerk):
    assert draft.status == Meeting.Status.DRAFT
    assert draft.created_by == office_clerk
    (entry,) = _audit(draft)
    assert entry.action == "meeting.drafted"
    assert entry.actor == office_clerk
    assert entry.after == {
        "status": "draft",
        "starts_at": draft.starts_at.isoformat(),
        "location": PLACE,
    }


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ("work_group", Meeting.Kind.LG_PLENARY),
        ("work_group", Meeting.Kind.LG_SPECIAL),
        ("leading_group", Meeting.Kind.WG_SPECIAL),
        ("office", Meeting.Kind.LG_SPECIAL),
    ],
)
def test_draft_meeting_refuses_a_kind_the_body_does_not_hold(
    roster, office_clerk, starts_at, body, kind
):
    body = getattr(roster, body)
    with pytest.raises(MeetingError, match="does not hold this kind of meeting"):
        services.draft_meeting(
            actor=office_clerk,
            body=body,
            kind=kind,
            title=TITLE,
            starts_at=starts_at,
            location=PLACE,
        )
    assert Meeting.objects.count() == 0


def test_draft_meeting_refuses_an_end_before_the_start(roster, office_clerk, starts_at):
    with pytest.raises(MeetingError, match="A meeting must end after it starts"):
        services.draft_meeting(
            actor=office_clerk,
            body=roster.work_group,
            kind=Meeting.Kind.WG_SPECIAL,
            title=TITLE,
            starts_at=starts_at,
            ends_at=starts_at,
            location=PLACE,
        )


@pytest.mark.parametrize("who", ["office_clerk", "member", "outsider"])
def test_only_the_leader_or_a_deputy_can_convene(request, draft, who):
    # Art. 12 / R-MEET-1: the Office organises, but does not convene.
    actor = request.getfixturevalue(who)
    with pytest.raises(
        MeetingError,
        match=r"Only the leader or a deputy leader of .* can convene it \(Art\. 12\)\.",
    ):
        services.convene_meeting(actor=actor, meeting=draft)
    draft.refresh_from_db()
    assert draft.status == Meeting.Status.DRAFT
    assert draft.convened_at is None
    assert ExpectedMember.objects.count() == 0
    assert Notification.objects.count() == 0


def test_the_deputy_convenes_and_the_leader_chairs(draft, deputy, leader):
    meeting = services.convene_meeting(actor=deputy, meeting=draft)
    assert meeting.status == Meeting.Status.CONVENED
    assert meeting.convened_by == deputy
    assert meeting.chair == leader
    entry = _last_audit("meeting.convened")
    assert entry.actor == deputy
    assert entry.before == {"status": "draft"}
    assert entry.after["status"] == "convened"
    assert entry.after["expected"] == [m.person_id for m in _expected(meeting)]


def test_convening_is_by_a_leader_or_deputy_of_that_body(
    roster, office_clerk, starts_at, leader, deputy
):
    # 孙其信 leads the Leading Group but sits in no seat of the Work Group; 赵曼 leads it.
    wg = services.draft_meeting(
        actor=office_clerk,
        body=roster.work_group,
        kind=Meeting.Kind.WG_SPECIAL,
        title="工作组专题会",
        starts_at=starts_at,
        location=PLACE,
    )
    with pytest.raises(MeetingError, match="can convene it"):
        services.add_agenda_item(actor=leader, meeting=wg, title="审议事项")
        services.convene_meeting(actor=leader, meeting=wg)
    services.add_agenda_item(actor=deputy, meeting=wg, title="审议事项")
    wg = services.convene_meeting(actor=deputy, meeting=wg)
    assert wg.expected_members.count() == 9
    assert wg.chair == deputy


def test_convening_snapshots_exactly_the_sixteen_seated_voting_members(
    draft, leader, office_clerk, outsider
):
    # A 列席 attendee invited before convening is never expected (R-MEET-3).
    services.invite_attendee(actor=office_clerk, meeting=draft, person=outsider, note="列席")
    meeting = services.convene_meeting(actor=leader, meeting=draft)
    expected = _expected(meeting)
    assert {m.person.username for m in expected} == LEADING_GROUP
    assert Counter(m.role for m in expected) == {Role.LEADER: 1, Role.DEPUTY: 1, Role.MEMBER: 14}
    assert [m.order for m in expected] == list(range(16))
    assert expected[0].person == leader
    assert not meeting.expected_members.filter(person__in=[office_clerk, outsider]).exists()
    assert services.attendance(meeting) == Attendance(expected=16, present=0, on_leave=0)


def test_a_member_seated_after_convening_is_not_expected(roster, convened, office_clerk, leader):
    newcomer = User.objects.create(username="newcomer", full_name="新委员")
    seat = roster_services.add_seat(actor=office_clerk, body=roster.leading_group, role=Role.MEMBER)
    roster_services.fill_seat(actor=office_clerk, seat=seat, person=newcomer)

    assert convened.expected_members.count() == 16
    assert not convened.expected_members.filter(person=newcomer).exists()
    # A meeting convened now sees the new member: the snapshot is taken at convening.
    later = services.draft_meeting(
        actor=office_clerk,
        body=roster.leading_group,
        kind=Meeting.Kind.LG_SPECIAL,
        title="专题会",
        starts_at=convened.starts_at + dt.timedelta(days=1),
        location=PLACE,
    )
    services.add_agenda_item(actor=leader, meeting=later, title="审议事项")
    later = services.convene_meeting(actor=leader, meeting=later)
    assert later.expected_members.count() == 17


def test_a_seat_vacated_after_convening_keeps_the_snapshot(roster, convened, office_clerk):
    seat = Seat.objects.get(body=roster.leading_group, appointments__person__username="yangjiarong")
    roster_services.vacate_seat(actor=office_clerk, seat=seat)

    assert convened.expected_members.count() == 16
    assert convened.expected_members.filter(person__username="yangjiarong").exists()
    assert services.attendance(convened).expected == 16


def test_convening_notifies_each_expected_member_and_mails_an_invitation(
    draft, leader, office_clerk, django_capture_on_commit_callbacks
):
    emails = {"sunqixin": "sun@example.edu", "zhaoman": "zhao@example.edu", "lili": "li@e.edu"}
    for username, email in emails.items():
        User.objects.filter(username=username).update(email=email)
    office_clerk.email = "clerk@example.edu"
    office_clerk.save(update_fields=["email"])

    with django_capture_on_commit_callbacks(execute=True):
        meeting = services.convene_meeting(actor=leader, meeting=draft)

    notifications = Notification.objects.filter(meeting=meeting)
    assert {n.recipient.username for n in notifications} == LEADING_GROUP
    assert notifications.count() == 16
    when = draft.starts_at.strftime("%Y-%m-%d %H:%M")
    assert {n.text for n in notifications} == {f"Convened: {TITLE}, {when}, {PLACE}"}

    (message,) = mail.outbox
    assert sorted(message.bcc) == sorted(emails.values())
    assert message.to == []
    assert message.subject == f"Convened: {TITLE}, {when}, {PLACE}"
    filename, mimetype, lines = _ics(message)
    assert filename == "meeting.ics"
    assert mimetype == "text/calendar; method=REQUEST"
    assert "METHOD:REQUEST" in lines
    assert f"UID:{meeting.ics_uid}@infogov" in lines
    assert "SEQUENCE:0" in lines
    assert "STATUS:CONFIRMED" in lines


def test_convening_sends_no_mail_when_nobody_has_an_address(
    draft, leader, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.convene_meeting(actor=leader, meeting=draft)
    assert mail.outbox == []
    assert Notification.objects.count() == 16


def test_mail_waits_for_the_commit(draft, leader):
    User.objects.filter(username="sunqixin").update(email="sun@example.edu")
    services.convene_meeting(actor=leader, meeting=draft)
    # The test's transaction never commits: no invitation for a change that may roll back.
    assert mail.outbox == []


def test_rescheduling_a_convened_meeting_sends_an_updated_invitation(
    convened, office_clerk, django_capture_on_commit_callbacks
):
    User.objects.filter(username="zhaoman").update(email="zhao@example.edu")
    new_start = convened.starts_at + dt.timedelta(days=2, hours=5)
    with django_capture_on_commit_callbacks(execute=True):
        meeting = services.reschedule_meeting(
            actor=office_clerk, meeting=convened, starts_at=new_start, location="图书馆报告厅"
        )

    assert meeting.ics_sequence == 1
    assert meeting.status == Meeting.Status.CONVENED
    when = timezone.localtime(new_start).strftime("%Y-%m-%d %H:%M")
    changed = f"Changed: {TITLE}, {when}, 图书馆报告厅"
    assert Notification.objects.filter(meeting=meeting, text=changed).count() == 16
    (message,) = mail.outbox
    assert message.bcc == ["zhao@example.edu"]
    assert message.subject == changed
    _filename, mimetype, lines = _ics(message)
    assert mimetype == "text/calendar; method=REQUEST"
    assert "SEQUENCE:1" in lines
    assert f"UID:{meeting.ics_uid}@infogov" in lines
    assert "LOCATION:图书馆报告厅" in lines
    entry = _last_audit("meeting.rescheduled")
    assert entry.before["location"] == PLACE
    assert entry.after == {
        "status": "convened",
        "starts_at": new_start.isoformat(),
        "location": "图书馆报告厅",
    }


def test_rescheduling_to_the_same_time_and_place_sends_nothing(
    convened, office_clerk, django_capture_on_commit_callbacks
):
    User.objects.filter(username="zhaoman").update(email="zhao@example.edu")
    with django_capture_on_commit_callbacks(execute=True):
        meeting = services.reschedule_meeting(
            actor=office_clerk, meeting=convened, starts_at=convened.starts_at, location=PLACE
        )
    assert meeting.ics_sequence == 0
    assert mail.outbox == []
    assert Notification.objects.filter(text__startswith="Changed").count() == 0


def test_rescheduling_a_draft_tells_nobody(draft, office_clerk):
    meeting = services.reschedule_meeting(
        actor=office_clerk,
        meeting=draft,
        starts_at=draft.starts_at + dt.timedelta(days=1),
        location=PLACE,
    )
    assert meeting.ics_sequence == 0
    assert Notification.objects.count() == 0


@pytest.mark.parametrize("service", [services.postpone_meeting, services.cancel_meeting])
@pytest.mark.parametrize("reason", ["", "   "])
def test_postponing_or_cancelling_needs_a_reason(convened, office_clerk, service, reason):
    with pytest.raises(MeetingError, match="Give a reason"):
        service(actor=office_clerk, meeting=convened, reason=reason)
    convened.refresh_from_db()
    assert convened.status == Meeting.Status.CONVENED
    assert convened.ics_sequence == 0


def test_postponing_a_convened_meeting_withdraws_the_invitation(
    convened, office_clerk, django_capture_on_commit_callbacks
):
    User.objects.filter(username="lili").update(email="li@example.edu")
    with django_capture_on_commit_callbacks(execute=True):
        meeting = services.postpone_meeting(
            actor=office_clerk, meeting=convened, reason=" 组长出差 "
        )
    assert meeting.status == Meeting.Status.POSTPONED
    assert meeting.status_reason == "组长出差"
    assert meeting.ics_sequence == 1
    (message,) = mail.outbox
    assert message.subject == f"Postponed: {TITLE} (组长出差)"
    _filename, mimetype, lines = _ics(message)
    assert mimetype == "text/calendar; method=CANCEL"
    assert "METHOD:CANCEL" in lines
    assert "STATUS:CANCELLED" in lines
    assert "SEQUENCE:1" in lines
    entry = _last_audit("meeting.postponed")
    assert entry.after["reason"] == "组长出差"
    assert entry.before["status"] == "convened"


def test_a_postponed_meeting_is_convened_again_by_rescheduling(convened, office_clerk):
    services.postpone_meeting(actor=office_clerk, meeting=convened, reason="组长出差")
    meeting = services.reschedule_meeting(
        actor=office_clerk,
        meeting=convened,
        starts_at=convened.starts_at + dt.timedelta(days=7),
        location=PLACE,
    )
    assert meeting.status == Meeting.Status.CONVENED
    assert meeting.ics_sequence == 2
    assert meeting.expected_members.count() == 16


def test_a_postponed_draft_stays_a_draft_when_rescheduled(draft, office_clerk, leader):
    # Only the leader or a deputy convenes (R-MEET-1): a new date does not convene a draft.
    services.postpone_meeting(actor=office_clerk, meeting=draft, reason="时间未定")
    meeting = services.reschedule_meeting(
        actor=office_clerk,
        meeting=draft,
        starts_at=draft.starts_at + dt.timedelta(days=7),
        location=PLACE,
    )
    assert meeting.status == Meeting.Status.DRAFT
    assert meeting.convened_at is None
    services.add_agenda_item(actor=leader, meeting=meeting, title="审议事项")
    meeting = services.convene_meeting(actor=leader, meeting=meeting)
    assert meeting.expected_members.count() == 16


def test_cancelling_a_postponed_meeting(convened, office_clerk):
    services.postpone_meeting(actor=office_clerk, meeting=convened, reason="组长出差")
    meeting = services.cancel_meeting(actor=office_clerk, meeting=convened, reason="议题已撤回")
    assert meeting.status == Meeting.Status.CANCELLED
    assert meeting.status_reason == "议题已撤回"
    assert _last_audit("meeting.cancelled").before["status"] == "postponed"


def test_a_meeting_is_named_by_its_local_date(roster, office_clerk, leader):
    # 07:30 in Shanghai is the evening before in UTC: the name gives the local date.
    day = timezone.localdate() + dt.timedelta(days=10)
    starts_at = dt.datetime.combine(day, dt.time(7, 30), tzinfo=timezone.get_current_timezone())
    meeting = services.draft_meeting(
        actor=office_clerk,
        body=roster.leading_group,
        kind=Meeting.Kind.LG_SPECIAL,
        title="早会",
        starts_at=starts_at,
        location=PLACE,
    )
    services.add_agenda_item(actor=leader, meeting=meeting, title="审议事项")
    services.convene_meeting(actor=leader, meeting=meeting)
    assert str(Meeting.objects.get(pk=meeting.pk)) == f"早会（{day:%Y-%m-%d}）"
    assert _last_audit("meeting.convened").object_repr == f"早会（{day:%Y-%m-%d}）"


# --- Attendance ---------------------------------------------------------------------------------


def test_leave_needs_a_reason(convened, member):
    expected = convened.expected_members.get(person=member)
    with pytest.raises(MeetingError, match="A leave of absence needs a reason"):
        services.answer_attendance(actor=member, member=expected, response="leave", reason=" ")
    expected.refresh_from_db()
    assert expected.response == ExpectedMember.Response.PENDING


def test_leave_with_a_reason_is_recorded(convened, member):
    expected = convened.expected_members.get(person=member)
    expected = services.answer_attendance(
        actor=member, member=expected, response="leave", reason="出差"
    )
    assert expected.response == ExpectedMember.Response.LEAVE
    assert expected.leave_reason == "出差"
    assert expected.answered_by == member
    (entry,) = _audit(expected)
    assert entry.action == "attendance.answered"
    assert (entry.before, entry.after) == (
        {"response": "pending"},
        {"response": "leave", "reason": "出差"},
    )
    assert services.attendance(convened) == Attendance(expected=16, present=0, on_leave=1)


def test_an_answer_is_attend_or_leave(convened, member):
    expected = convened.expected_members.get(person=member)
    with pytest.raises(MeetingError, match="Answer attend or leave"):
        services.answer_attendance(actor=member, member=expected, response="maybe")


def test_a_member_checks_in_only_once_check_in_is_opened(convened, member, office_clerk):
    expected = convened.expected_members.get(person=member)
    with pytest.raises(MeetingError, match="Check-in has not been opened yet"):
        services.check_in(actor=member, member=expected)

    services.set_check_in_open(actor=office_clerk, meeting=convened, is_open=True)
    expected = services.check_in(
        actor=member, member=expected, code=services.check_in_code(convened)
    )

    assert expected.present is True
    assert expected.checked_in_by == member
    assert expected.response == ExpectedMember.Response.ATTEND
    assert _last_audit("meeting.check_in_opened").actor == office_clerk
    assert [e.action for e in _audit(expected)] == ["attendance.checked_in"]


def test_the_office_checks_members_in_before_check_in_is_opened(convened, member, office_clerk):
    expected = convened.expected_members.get(person=member)
    expected = services.check_in(actor=office_clerk, member=expected, by_office=True)
    assert expected.present is True
    assert expected.checked_in_by == office_clerk


def test_checking_in_twice_is_refused(convened, member, office_clerk):
    expected = convened.expected_members.get(person=member)
    services.check_in(actor=office_clerk, member=expected, by_office=True)
    with pytest.raises(MeetingError, match="阎祖书 is already checked in"):
        services.check_in(actor=office_clerk, member=expected, by_office=True)


def test_a_member_on_leave_who_arrives_is_present(convened, member, office_clerk):
    expected = convened.expected_members.get(person=member)
    services.answer_attendance(actor=member, member=expected, response="leave", reason="出差")
    expected = services.check_in(actor=office_clerk, member=expected, by_office=True)
    assert (expected.response, expected.leave_reason) == ("attend", "")
    assert services.attendance(convened) == Attendance(expected=16, present=1, on_leave=0)


# --- Quorum gates (Art. 12, R-MEET-2) -----------------------------------------------------------


def test_meeting_cannot_open_with_ten_of_sixteen_present(convened, office_clerk, check_in_first):
    check_in_first(convened, 10)

    with pytest.raises(QuorumNotMet, match=NO_QUORUM_10_OF_16) as failed:
        services.open_meeting(actor=office_clerk, meeting=convened)

    (check,) = QuorumCheck.objects.filter(meeting=convened)
    assert check == failed.value.check
    assert (check.gate, check.passed, check.present, check.expected, check.needed) == (
        QuorumCheck.Gate.OPEN_MEETING,
        False,
        10,
        16,
        11,
    )
    assert check.by == office_clerk
    convened.refresh_from_db()
    assert convened.status == Meeting.Status.CONVENED
    assert convened.opened_at is None
    assert not AuditEntry.objects.filter(action="meeting.opened").exists()


def test_meeting_opens_with_eleven_of_sixteen_present(convened, office_clerk, check_in_first):
    check_in_first(convened, 11)

    meeting = services.open_meeting(actor=office_clerk, meeting=convened)

    assert meeting.status == Meeting.Status.IN_SESSION
    assert meeting.opened_at is not None
    (check,) = QuorumCheck.objects.filter(meeting=convened)
    assert (check.gate, check.passed, check.present, check.expected, check.needed) == (
        QuorumCheck.Gate.OPEN_MEETING,
        True,
        11,
        16,
        11,
    )
    entry = _last_audit("meeting.opened")
    assert entry.after == {"status": "in_session", "present": 11, "expected": 16}


def test_members_on_leave_still_count_in_expected(convened, office_clerk, check_in_first):
    for expected in _expected(convened)[10:]:
        services.answer_attendance(
            actor=office_clerk, member=expected, response="leave", reason="公务"
        )
    check_in_first(convened, 10)
    assert services.attendance(convened) == Attendance(expected=16, present=10, on_leave=6)

    # 10 of the 10 not on leave are present, still not more than two-thirds of 16.
    with pytest.raises(QuorumNotMet, match=NO_QUORUM_10_OF_16):
        services.open_meeting(actor=office_clerk, meeting=convened)


def test_a_member_on_leave_is_neither_present_nor_absent(convened, office_clerk, check_in_first):
    members = _expected(convened)
    for expected in members[13:]:
        services.answer_attendance(
            actor=office_clerk, member=expected, response="leave", reason="公务"
        )
    check_in_first(convened, 11)
    numbers = services.attendance(convened)
    assert numbers == Attendance(expected=16, present=11, on_leave=3)
    assert numbers.absent == 2
    meeting = services.open_meeting(actor=office_clerk, meeting=convened)
    assert meeting.status == Meeting.Status.IN_SESSION


def test_a_meeting_opens_only_once(in_session, office_clerk):
    with pytest.raises(InvalidTransition, match="Not possible while the meeting is In session"):
        services.open_meeting(actor=office_clerk, meeting=in_session)


def test_a_vote_opens_only_while_the_meeting_is_in_session(convened, office_clerk, check_in_first):
    check_in_first(convened, 16)
    motion = _motion(convened, office_clerk)
    with pytest.raises(InvalidTransition, match="Votes open only while the meeting is in session"):
        ballot_helpers.open_vote(actor=office_clerk, motion=motion)
    motion.refresh_from_db()
    assert motion.status == Motion.Status.DRAFT
    assert QuorumCheck.objects.count() == 0


def test_a_vote_cannot_open_without_quorum(in_session, office_clerk):
    motion = _motion(in_session, office_clerk, method=Motion.Method.SECRET)
    for expected in _expected(in_session)[10:]:
        services.undo_check_in(actor=office_clerk, member=expected)

    with pytest.raises(QuorumNotMet, match=NO_QUORUM_10_OF_16):
        ballot_helpers.open_vote(actor=office_clerk, motion=motion)

    motion.refresh_from_db()
    assert motion.status == Motion.Status.DRAFT
    assert motion.ballot_key is None and not motion.scrutineers.exists()
    check = QuorumCheck.objects.latest("id")
    assert (check.gate, check.motion, check.passed, check.present) == (
        QuorumCheck.Gate.OPEN_VOTE,
        motion,
        False,
        10,
    )


def test_a_vote_cannot_close_after_members_leave_below_quorum(in_session, office_clerk):
    motion = _open_motion(in_session, office_clerk)
    _vote(in_session, motion, ["yes"] * 10)
    members = _expected(in_session)
    for expected in members[10:]:
        services.undo_check_in(actor=office_clerk, member=expected)
    assert [e.action for e in _audit(members[15])] == [
        "attendance.checked_in",
        "attendance.left",
    ]

    with pytest.raises(QuorumNotMet, match=NO_QUORUM_10_OF_16):
        ballot_helpers.close_and_count(actor=office_clerk, motion=motion)

    motion.refresh_from_db()
    assert motion.status == Motion.Status.OPEN
    assert (motion.yes, motion.passed) == (None, None)
    check = QuorumCheck.objects.latest("id")
    assert (check.gate, check.motion, check.passed, check.present, check.expected) == (
        QuorumCheck.Gate.CLOSE_VOTE,
        motion,
        False,
        10,
        16,
    )

    # Back to quorum: one member returns, and the vote closes.
    services.check_in(actor=office_clerk, member=members[15], by_office=True)
    motion = ballot_helpers.close_and_count(actor=office_clerk, motion=motion)
    assert motion.status == Motion.Status.CLOSED
    assert (motion.present, motion.yes, motion.required, motion.passed) == (11, 10, 9, True)
    assert QuorumCheck.objects.latest("id").passed is True


def test_one_vote_is_open_at_a_time(in_session, office_clerk):
    _open_motion(in_session, office_clerk)
    second = _motion(in_session, office_clerk)
    with pytest.raises(MeetingError, match="Another vote is open; close it first"):
        ballot_helpers.open_vote(actor=office_clerk, motion=second)


# --- Casting votes (R-VOTE-1, R-VOTE-2, R-VOTE-4) -----------------------------------------------


@pytest.mark.parametrize("who", ["absent member", "列席 attendee", "office clerk", "outsider"])
def test_only_present_expected_members_vote(convened, office_clerk, outsider, check_in_first, who):
    check_in_first(convened, 15)
    services.open_meeting(actor=office_clerk, meeting=convened)
    services.invite_attendee(actor=office_clerk, meeting=convened, person=outsider, note="列席")
    Attendee.objects.filter(person=outsider).update(present=True)
    motion = _open_motion(convened, office_clerk)
    voter = {
        "absent member": _expected(convened)[15].person,
        "列席 attendee": outsider,
        "office clerk": office_clerk,
        "outsider": User.objects.create(username="passerby", full_name="路人"),
    }[who]

    with pytest.raises(MeetingError, match="Only seated members who are checked in can vote"):
        services.cast_vote(voter=voter, motion=motion, choice="yes")

    assert NamedVote.objects.count() == 0
    assert not AuditEntry.objects.filter(action="vote.cast").exists()


@pytest.mark.parametrize("method", [Motion.Method.NAMED, Motion.Method.SECRET])
def test_a_member_votes_once(in_session, office_clerk, member, method):
    motion = _open_motion(in_session, office_clerk, method=method)
    services.cast_vote(voter=member, motion=motion, choice="yes")

    with pytest.raises(MeetingError, match="You have already voted on this motion"):
        services.cast_vote(voter=member, motion=motion, choice="no")

    assert services.voted_count(motion) == 1
    if method == Motion.Method.NAMED:
        assert services.counts(motion) == {"yes": 1}
    else:  # one ballot, unreadable until counted: no counts to show
        assert services.counts(motion) == {}
        assert motion.ballots.count() == 1
    assert AuditEntry.objects.filter(action="vote.cast").count() == 1


@pytest.mark.parametrize("choice", ["maybe", "", "YES", "against"])
def test_an_invalid_choice_is_refused(in_session, office_clerk, member, choice):
    motion = _open_motion(in_session, office_clerk)
    with pytest.raises(MeetingError, match="Choose yes, no or abstain"):
        services.cast_vote(voter=member, motion=motion, choice=choice)
    assert services.voted_count(motion) == 0


def test_a_vote_after_the_close_is_not_counted(in_session, office_clerk, member, leader):
    motion = _open_motion(in_session, office_clerk)
    services.cast_vote(voter=leader, motion=motion, choice="yes")
    ballot_helpers.close_and_count(actor=office_clerk, motion=motion)

    with pytest.raises(MeetingError, match="This vote is closed; your vote was not counted"):
        services.cast_vote(voter=member, motion=motion, choice="yes")

    motion.refresh_from_db()
    assert (motion.yes, motion.no, motion.abstain) == (1, 0, 0)
    assert services.voted_count(motion) == 1


def test_a_vote_before_it_opens_is_refused(in_session, office_clerk, member):
    motion = _motion(in_session, office_clerk)
    with pytest.raises(MeetingError, match="This vote is not open"):
        services.cast_vote(voter=member, motion=motion, choice="yes")


def test_named_votes_store_each_choice(in_session, office_clerk):
    motion = _open_motion(in_session, office_clerk)
    _vote(in_session, motion, ["yes", "no", "abstain", "yes"])
    members = _expected(in_session)
    assert set(NamedVote.objects.filter(motion=motion).values_list("voter", "choice")) == {
        (members[0].person_id, "yes"),
        (members[1].person_id, "no"),
        (members[2].person_id, "abstain"),
        (members[3].person_id, "yes"),
    }
    entry = AuditEntry.objects.filter(action="vote.cast", actor=members[1].person).get()
    assert entry.after == {"choice": "no"}


# --- Closing votes (R-VOTE-3) -------------------------------------------------------------------


def _closed(motion: Motion) -> tuple:
    return (
        motion.status,
        motion.expected,
        motion.present,
        motion.yes,
        motion.no,
        motion.abstain,
        motion.base,
        motion.required,
        motion.passed,
    )


@pytest.mark.parametrize(("yes", "passed"), [(9, True), (8, False)])
def test_more_than_half_of_the_sixteen_expected_is_nine(in_session, office_clerk, yes, passed):
    motion = _open_motion(in_session, office_clerk)
    _vote(in_session, motion, ["yes"] * yes + ["no"] * (16 - yes))

    motion = ballot_helpers.close_and_count(actor=office_clerk, motion=motion)

    assert _closed(motion) == ("closed", 16, 16, yes, 16 - yes, 0, 16, 9, passed)
    entry = _last_audit("vote.closed")
    assert entry.after == {
        "yes": yes,
        "no": 16 - yes,
        "abstain": 0,
        "base": 16,
        "required": 9,
        "passed": passed,
    }
    check = QuorumCheck.objects.latest("id")
    assert (check.gate, check.motion, check.passed) == ("close_vote", motion, True)


def test_the_expected_basis_counts_those_absent(convened, office_clerk, check_in_first):
    # 12 of 16 present, 8 yes: a majority of those present, not of those expected.
    check_in_first(convened, 12)
    services.open_meeting(actor=office_clerk, meeting=convened)
    motion = _open_motion(convened, office_clerk)
    _vote(convened, motion, ["yes"] * 8 + ["no"] * 4)
    motion = ballot_helpers.close_and_count(actor=office_clerk, motion=motion)
    assert _closed(motion) == ("closed", 16, 12, 8, 4, 0, 16, 9, False)


def test_abstentions_are_not_yes(in_session, office_clerk):
    motion = _open_motion(in_session, office_clerk)
    _vote(in_session, motion, ["yes"] * 8 + ["abstain"] * 8)
    motion = ballot_helpers.close_and_count(actor=office_clerk, motion=motion)
    assert _closed(motion) == ("closed", 16, 16, 8, 0, 8, 16, 9, False)


@pytest.mark.parametrize(("yes", "passed"), [(7, True), (6, False)])
def test_the_present_basis_takes_those_present(convened, office_clerk, check_in_first, yes, passed):
    check_in_first(convened, 12)
    services.open_meeting(actor=office_clerk, meeting=convened)
    motion = _open_motion(convened, office_clerk, basis=Basis.PRESENT)
    _vote(convened, motion, ["yes"] * yes + ["no"] * (12 - yes))
    motion = ballot_helpers.close_and_count(actor=office_clerk, motion=motion)
    assert _closed(motion) == ("closed", 16, 12, yes, 12 - yes, 0, 12, 7, passed)


@pytest.mark.parametrize(
    ("choices", "required", "passed"),
    [
        (["yes"] * 6 + ["no"] * 4, 6, True),
        (["yes"] * 5 + ["no"] * 5, 6, False),
        (["yes"] * 5 + ["no"] * 3 + ["abstain"] * 2, 6, False),
        (["yes"] * 5 + ["no"] * 4, 5, True),
    ],
)
def test_the_cast_basis_takes_the_votes_cast(
    convened, office_clerk, check_in_first, choices, required, passed
):
    check_in_first(convened, 12)
    services.open_meeting(actor=office_clerk, meeting=convened)
    motion = _open_motion(convened, office_clerk, basis=Basis.CAST)
    _vote(convened, motion, choices)
    motion = ballot_helpers.close_and_count(actor=office_clerk, motion=motion)
    counts = Counter(choices)
    assert _closed(motion) == (
        "closed",
        16,
        12,
        counts["yes"],
        counts["no"],
        counts["abstain"],
        len(choices),
        required,
        passed,
    )


def test_no_votes_cast_never_pass(in_session, office_clerk):
    motion = _open_motion(in_session, office_clerk, basis=Basis.CAST)
    motion = ballot_helpers.close_and_count(actor=office_clerk, motion=motion)
    assert _closed(motion) == ("closed", 16, 16, 0, 0, 0, 0, 1, False)


@pytest.mark.parametrize(("yes", "passed"), [(11, True), (10, False)])
def test_two_thirds_of_sixteen_expected_is_eleven(in_session, office_clerk, yes, passed):
    motion = _open_motion(in_session, office_clerk, threshold=Threshold.TWO_THIRDS)
    _vote(in_session, motion, ["yes"] * yes + ["no"] * (16 - yes))
    motion = ballot_helpers.close_and_count(actor=office_clerk, motion=motion)
    assert _closed(motion) == ("closed", 16, 16, yes, 16 - yes, 0, 16, 11, passed)


@pytest.mark.parametrize(("yes", "passed"), [(9, True), (8, False)])
def test_a_secret_vote_is_counted_like_a_named_one(in_session, office_clerk, yes, passed):
    motion = _open_motion(in_session, office_clerk, method=Motion.Method.SECRET)
    _vote(in_session, motion, ["yes"] * yes + ["abstain"] * (16 - yes))
    motion = ballot_helpers.close_and_count(actor=office_clerk, motion=motion)
    assert _closed(motion) == ("closed", 16, 16, yes, 0, 16 - yes, 16, 9, passed)
    assert NamedVote.objects.count() == 0


def test_an_unknown_passing_rule_is_refused(in_session, office_clerk):
    item = services.add_agenda_item(actor=office_clerk, meeting=in_session, title="议题")
    with pytest.raises(MeetingError, match="Unknown voting method or passing rule"):
        services.create_motion(actor=office_clerk, item=item, text="同意", basis="everyone")


@pytest.mark.parametrize("reason", ["", "  "])
def test_deferring_a_vote_needs_a_reason(in_session, office_clerk, reason):
    motion = _open_motion(in_session, office_clerk)
    with pytest.raises(MeetingError, match="Give a reason"):
        services.defer_vote(actor=office_clerk, motion=motion, reason=reason)
    motion.refresh_from_db()
    assert motion.status == Motion.Status.OPEN


def test_a_deferred_vote_cannot_be_closed(in_session, office_clerk, member):
    # R-VOTE-5: 暂缓表决 when opinions are sharply divided.
    motion = _open_motion(in_session, office_clerk)
    services.cast_vote(voter=member, motion=motion, choice="no")
    motion = services.defer_vote(actor=office_clerk, motion=motion, reason="意见分歧较大")
    assert (motion.status, motion.deferred_reason) == (Motion.Status.DEFERRED, "意见分歧较大")

    with pytest.raises(InvalidTransition, match="This vote is not open"):
        ballot_helpers.close_and_count(actor=office_clerk, motion=motion)
    with pytest.raises(MeetingError, match="This vote is not open"):
        services.cast_vote(voter=member, motion=motion, choice="yes")

    motion.refresh_from_db()
    assert (motion.status, motion.yes, motion.passed) == (Motion.Status.DEFERRED, None, None)
    entry = _last_audit("vote.deferred")
    assert (entry.before, entry.after) == ({"status": "open"}, {"reason": "意见分歧较大"})
    # The item may be put to a new vote later.
    again = services.create_motion(actor=office_clerk, item=motion.item, text="再次表决")
    assert again.status == Motion.Status.DRAFT


# --- Decisions and closing (Art. 13-14) ---------------------------------------------------------


def test_a_major_item_is_not_decided_without_a_vote(in_session, office_clerk):
    item = services.add_agenda_item(
        actor=office_clerk, meeting=in_session, title="年度重大项目", is_major=True
    )
    with pytest.raises(
        MeetingError, match=r"A major matter is decided only by a vote \(Art\. 13\)"
    ):
        services.record_decision(actor=office_clerk, item=item, text="同意")
    assert Decision.objects.count() == 0


def test_a_major_item_is_decided_by_its_closed_vote_and_forwarded(in_session, office_clerk):
    motion = _open_motion(in_session, office_clerk, is_major=True)
    _vote(in_session, motion, ["yes"] * 12 + ["no"] * 4)
    motion = ballot_helpers.close_and_count(actor=office_clerk, motion=motion)

    decision = services.record_decision(
        actor=office_clerk,
        item=motion.item,
        text="  同意立项，报校长办公会审议。 ",
        motion=motion,
        forward_to=Decision.Forward.PRESIDENTS_OFFICE,
    )

    decision.refresh_from_db()
    assert decision.motion == motion
    assert decision.text == "同意立项，报校长办公会审议。"
    assert decision.forward_to == "presidents_office"
    assert decision.recorded_by == office_clerk
    (entry,) = _audit(decision)
    assert entry.action == "decision.recorded"
    assert entry.after == {
        "motion": motion.pk,
        "passed": True,
        "forward_to": "presidents_office",
        "outcome": "approved",
    }
    assert decision.outcome == Decision.Outcome.APPROVED


def _failed_major_vote(in_session, office_clerk):
    motion = _open_motion(in_session, office_clerk, is_major=True)
    # 8 of 16 expected: not more than half (R-VOTE-3).
    _vote(in_session, motion, ["yes"] * 8 + ["no"] * 8)
    motion = services.close_vote(actor=office_clerk, motion=motion)
    assert motion.passed is False
    return motion


def test_an_approving_decision_on_a_failed_vote_is_refused(in_session, office_clerk, english):
    motion = _failed_major_vote(in_session, office_clerk)
    before = AuditEntry.objects.count()

    with pytest.raises(MeetingError, match=r"The vote did not pass: the decision cannot approve"):
        services.record_decision(
            actor=office_clerk,
            item=motion.item,
            text="原则同意……报校长办公会审定",
            motion=motion,
            outcome=Decision.Outcome.APPROVED,
        )
    assert (Decision.objects.count(), AuditEntry.objects.count()) == (0, before)


def test_a_failed_vote_is_not_adopted_and_cannot_be_forwarded(in_session, office_clerk, english):
    motion = _failed_major_vote(in_session, office_clerk)

    with pytest.raises(MeetingError, match=r"A matter not adopted is not forwarded \(Art\. 14\)"):
        services.record_decision(
            actor=office_clerk,
            item=motion.item,
            text="原则同意……报校长办公会审定",
            motion=motion,
            forward_to=Decision.Forward.PRESIDENTS_OFFICE,
        )
    decision = services.record_decision(
        actor=office_clerk, item=motion.item, text="不予通过。", motion=motion
    )

    assert (decision.outcome, decision.forward_to) == (Decision.Outcome.NOT_ADOPTED, "")
    assert _audit(decision)[0].after["outcome"] == "not_adopted"


def test_the_database_refuses_a_forwarded_decision_not_adopted(in_session, office_clerk):
    from django.db import IntegrityError, transaction

    item = services.add_agenda_item(actor=office_clerk, meeting=in_session, title="通报")
    with pytest.raises(IntegrityError), transaction.atomic():
        Decision.objects.create(
            item=item,
            text="x",
            outcome=Decision.Outcome.NOT_ADOPTED,
            forward_to=Decision.Forward.PRESIDENTS_OFFICE,
        )


def test_a_minor_item_may_be_not_adopted_without_a_vote(in_session, office_clerk):
    item = services.add_agenda_item(actor=office_clerk, meeting=in_session, title="通报")
    decision = services.record_decision(
        actor=office_clerk, item=item, text="暂不采纳。", outcome=Decision.Outcome.NOT_ADOPTED
    )
    assert decision.outcome == Decision.Outcome.NOT_ADOPTED


def test_an_open_vote_cannot_back_a_decision(in_session, office_clerk):
    motion = _open_motion(in_session, office_clerk, is_major=True)
    with pytest.raises(MeetingError, match="Choose a closed vote of this item"):
        services.record_decision(actor=office_clerk, item=motion.item, text="同意", motion=motion)


def test_an_item_is_decided_once(in_session, office_clerk):
    item = services.add_agenda_item(actor=office_clerk, meeting=in_session, title="通报")
    services.record_decision(actor=office_clerk, item=item, text="知悉")
    with pytest.raises(MeetingError, match="This item has been decided"):
        services.record_decision(actor=office_clerk, item=item, text="再次知悉")
    with pytest.raises(MeetingError, match="This item has been decided"):
        services.create_motion(actor=office_clerk, item=item, text="表决")
    assert Decision.objects.filter(item=item).count() == 1


def test_an_unknown_forward_is_refused(in_session, office_clerk):
    item = services.add_agenda_item(actor=office_clerk, meeting=in_session, title="通报")
    with pytest.raises(MeetingError, match="Unknown body to forward to"):
        services.record_decision(actor=office_clerk, item=item, text="知悉", forward_to="senate")


def test_a_meeting_cannot_close_while_a_vote_is_open(in_session, office_clerk):
    motion = _open_motion(in_session, office_clerk)
    with pytest.raises(MeetingError, match="Close the open votes first"):
        services.close_meeting(actor=office_clerk, meeting=in_session)
    in_session.refresh_from_db()
    assert in_session.status == Meeting.Status.IN_SESSION

    ballot_helpers.close_and_count(actor=office_clerk, motion=motion)
    meeting = services.close_meeting(actor=office_clerk, meeting=in_session)
    assert meeting.status == Meeting.Status.CLOSED
    assert meeting.closed_at is not None
    entry = _last_audit("meeting.closed")
    assert (entry.before, entry.after) == ({"status": "in_session"}, {"status": "closed"})


# --- The audit trail ----------------------------------------------------------------------------


def test_every_step_of_a_meeting_is_audited(
    roster, office_clerk, deputy, member, outsider, starts_at
):
    start = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first()
    meeting = services.draft_meeting(
        actor=office_clerk,
        body=roster.leading_group,
        kind=Meeting.Kind.LG_SPECIAL,
        title="专题会",
        starts_at=starts_at,
        location=PLACE,
    )
    services.reschedule_meeting(
        actor=office_clerk, meeting=meeting, starts_at=starts_at, location="图书馆"
    )
    services.add_agenda_item(actor=deputy, meeting=meeting, title="审议事项")
    services.convene_meeting(actor=deputy, meeting=meeting)
    services.invite_attendee(actor=office_clerk, meeting=meeting, person=outsider)
    members = _expected(meeting)
    services.answer_attendance(actor=members[15].person, member=members[15], response="attend")
    services.set_check_in_open(actor=office_clerk, meeting=meeting, is_open=True)
    code = services.check_in_code(meeting)
    for expected in members[:12]:
        services.check_in(actor=expected.person, member=expected, code=code)
    services.undo_check_in(actor=office_clerk, member=members[11])
    services.open_meeting(actor=office_clerk, meeting=meeting)
    motion = _open_motion(meeting, office_clerk, is_major=True)
    _vote(meeting, motion, ["yes"] * 11)
    motion = ballot_helpers.close_and_count(actor=office_clerk, motion=motion)
    services.record_decision(actor=office_clerk, item=motion.item, text="同意", motion=motion)
    deferred = _motion(meeting, office_clerk)
    services.defer_vote(actor=office_clerk, motion=deferred, reason="意见分歧")
    services.set_check_in_open(actor=office_clerk, meeting=meeting, is_open=False)
    services.close_meeting(actor=office_clerk, meeting=meeting)

    other = services.draft_meeting(
        actor=office_clerk,
        body=roster.leading_group,
        kind=Meeting.Kind.LG_SPECIAL,
        title="另一次专题会",
        starts_at=starts_at,
        location=PLACE,
    )
    services.postpone_meeting(actor=office_clerk, meeting=other, reason="时间冲突")
    services.cancel_meeting(actor=office_clerk, meeting=other, reason="议题撤回")

    actions = list(
        AuditEntry.objects.filter(id__gt=start or 0).order_by("id").values_list("action", flat=True)
    )
    assert actions == [
        "meeting.drafted",
        "meeting.rescheduled",
        "agenda.added",
        "meeting.convened",
        "meeting.attendee_invited",
        "attendance.answered",
        "meeting.check_in_opened",
        *["attendance.checked_in"] * 12,
        "attendance.left",
        "meeting.opened",
        "agenda.added",
        "motion.created",
        "vote.opened",
        *["vote.cast"] * 11,
        "vote.closed",
        "decision.recorded",
        "agenda.added",
        "motion.created",
        "vote.deferred",
        "meeting.check_in_closed",
        "meeting.closed",
        "minutes.drafted",
        "meeting.drafted",
        "meeting.postponed",
        "meeting.cancelled",
    ]
    casts = AuditEntry.objects.filter(action="vote.cast").order_by("id")
    assert [e.actor for e in casts] == [m.person for m in members[:11]]
    assert {e.object_id for e in casts} == {str(motion.pk)}


def test_the_audit_entry_of_a_secret_vote_holds_no_choice(in_session, office_clerk, member):
    motion = _open_motion(in_session, office_clerk, method=Motion.Method.SECRET)
    services.cast_vote(voter=member, motion=motion, choice="no")

    entry = AuditEntry.objects.get(action="vote.cast")
    assert entry.actor == member
    assert (entry.object_type, entry.object_id) == ("meetings.Motion", str(motion.pk))
    assert entry.before is None
    assert entry.after is None


def test_agenda_items_are_numbered_in_order(bare_draft, office_clerk):
    titles = ["通报", "审议", "其他"]
    for title in titles:
        services.add_agenda_item(actor=office_clerk, meeting=bare_draft, title=title)
    assert list(AgendaItem.objects.filter(meeting=bare_draft).values_list("order", "title")) == [
        (1, "通报"),
        (2, "审议"),
        (3, "其他"),
    ]


@pytest.mark.parametrize("method", [Motion.Method.NAMED, Motion.Method.SECRET])
def test_the_voter_view_tells_each_person_their_own_state(
    convened, office_clerk, leader, member, deputy, check_in_first, method
):
    absent_member = convened.expected_members.exclude(person__in=[leader, member, deputy])
    absent_member = absent_member.order_by("-order").first()
    services.answer_attendance(
        actor=absent_member.person, member=absent_member, response="leave", reason="出差"
    )
    check_in_first(convened, 14)  # the last two seats are not checked in
    meeting = services.open_meeting(actor=office_clerk, meeting=convened)
    item = services.add_agenda_item(actor=office_clerk, meeting=meeting, title="议题")
    motion = services.create_motion(actor=leader, item=item, text="同意", method=method)
    motion = ballot_helpers.open_vote(actor=leader, motion=motion)
    services.cast_vote(voter=member, motion=motion, choice="no")

    voted = services.voter_view(motion, member)
    not_yet = services.voter_view(motion, leader)
    away = services.voter_view(motion, absent_member.person)
    outside = services.voter_view(motion, office_clerk)

    assert voted.numbers == Attendance(expected=16, present=14, on_leave=1)
    assert voted.numbers == services.attendance(meeting)
    assert (voted.has_voted, voted.voted) == (True, 1)
    assert voted.my_choice == ("no" if method == Motion.Method.NAMED else None)  # R-VOTE-1
    assert voted.me.pk == ExpectedMember.objects.get(meeting=meeting, person=member).pk
    assert voted.me.present is True
    assert (not_yet.has_voted, not_yet.my_choice, not_yet.me.present) == (False, None, True)
    assert (away.has_voted, away.me.present) == (False, False)
    assert (outside.me, outside.has_voted, outside.voted) == (None, False, 1)


def test_the_voter_view_follows_a_check_in_and_its_undoing(
    convened, office_clerk, leader, check_in_first
):
    # The attendance is cached under the meeting's revision, which a check-in moves on: the
    # page read after it (the motion read afresh, as each request reads it) shows it.
    check_in_first(convened, 14)
    meeting = services.open_meeting(actor=office_clerk, meeting=convened)
    item = services.add_agenda_item(actor=office_clerk, meeting=meeting, title="议题")
    motion = services.create_motion(actor=leader, item=item, text="同意")
    ballot_helpers.open_vote(actor=leader, motion=motion)
    late = meeting.expected_members.filter(present=False).select_related("person").first()

    def fresh_view():
        fresh = Motion.objects.select_related("item__meeting").get(pk=motion.pk)
        return services.voter_view(fresh, late.person)

    before = fresh_view()
    assert (before.numbers.present, before.me.present) == (14, False)
    assert fresh_view() == before  # from the cache, the same

    member = services.check_in(actor=office_clerk, member=late, by_office=True)
    after = fresh_view()
    assert (after.numbers.present, after.me.present) == (15, True)

    services.undo_check_in(actor=office_clerk, member=member)
    undone = fresh_view()
    assert (undone.numbers.present, undone.me.present) == (14, False)
