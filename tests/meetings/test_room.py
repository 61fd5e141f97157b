"""Issue 13, the room: a show of hands recorded by the Office, votes that announce themselves,
check-in with the room's QR code, minutes that keep their text, confirmed irreversible steps,
and closed meetings that take no more changes."""

import time

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from infogov.models import AuditEntry
from meetings import services
from meetings.minutes.documents import build_document
from meetings.minutes.models import Minutes
from meetings.models import (
    AgendaItem,
    AttendanceEvent,
    Attendee,
    ExpectedMember,
    Material,
    Meeting,
    Motion,
    NamedVote,
    Notification,
)
from meetings.rules import CHECK_IN_CODE_VALID_SECONDS
from meetings.services import MeetingError
from members.models import User
from tests.html import messages_after
from tests.meetings import ballot_helpers
from tests.meetings.minutes_helpers import hold_meeting, submitted_minutes


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def _named(meeting: Meeting, leader: User) -> Motion:
    item = services.add_agenda_item(actor=leader, meeting=meeting, title="审议举手事项")
    motion = services.create_motion(actor=leader, item=item, text="同意举手事项")
    return services.open_vote(actor=leader, motion=motion)


def _present(meeting: Meeting) -> list[ExpectedMember]:
    return list(meeting.expected_members.filter(present=True).order_by("order"))


# --- 1. A show of hands -------------------------------------------------------------------------


def test_the_office_records_a_show_of_hands_counted_with_the_phones(
    session, office_clerk, leader, english
):
    motion = _named(session, leader)
    present = _present(session)  # 15 of 16
    services.cast_vote(voter=present[0].person, motion=motion, choice="yes")  # from a phone

    recorded = services.record_show_of_hands(
        actor=office_clerk,
        motion=motion,
        choices={m.person_id: "yes" for m in present[1:9]} | {present[9].person_id: "no"},
    )
    motion = services.close_vote(actor=leader, motion=motion)

    assert recorded == 9
    assert (motion.yes, motion.no, motion.abstain, motion.passed) == (9, 1, 0, True)
    assert NamedVote.objects.filter(motion=motion, recorded_by=office_clerk).count() == 9
    assert NamedVote.objects.get(motion=motion, voter=present[0].person).recorded_by is None
    assert AuditEntry.objects.filter(action="vote.show_of_hands").count() == 1


@pytest.mark.parametrize(
    ("who", "message"),
    [
        ("absent", "Only members who are checked in can be recorded."),
        ("voted", "A member who has voted cannot be recorded again."),
        ("nobody", "Record at least one member's choice."),
    ],
)
def test_a_show_of_hands_refuses_the_absent_and_the_voted(
    session, office_clerk, leader, english, who, message
):
    motion = _named(session, leader)
    present = _present(session)
    services.cast_vote(voter=present[0].person, motion=motion, choice="yes")
    absent = session.expected_members.get(present=False)
    choices = {
        "absent": {absent.person_id: "yes"},
        "voted": {present[0].person_id: "no"},
        "nobody": {},
    }[who]

    with pytest.raises(MeetingError, match=message):
        services.record_show_of_hands(actor=office_clerk, motion=motion, choices=choices)
    assert NamedVote.objects.filter(motion=motion).count() == 1


def test_a_secret_ballot_is_not_taken_by_hands(session, office_clerk, leader, english):
    item = services.add_agenda_item(actor=leader, meeting=session, title="无记名事项")
    motion = services.create_motion(actor=leader, item=item, text="同意", method="secret")
    ballot_helpers.open_vote(actor=leader, motion=motion)
    member = _present(session)[0]

    with pytest.raises(MeetingError, match="not taken by a show of hands"):
        services.record_show_of_hands(
            actor=office_clerk, motion=motion, choices={member.person_id: "yes"}
        )


def test_the_minutes_say_which_votes_the_office_recorded(convened, office_clerk, leader):
    meeting = hold_meeting(convened, clerk=office_clerk, leader=leader)
    # hold_meeting's named vote came from phones: none says it was recorded by the Office.
    document = build_document(meeting.minutes.get())
    assert "办公室记录" not in str(document)


def test_the_show_of_hands_page_records_and_the_minutes_say_so(
    client, session, office_clerk, leader
):
    motion = _named(session, leader)
    present = _present(session)
    client.force_login(office_clerk)
    url = reverse("meetings:show_of_hands", args=[motion.pk])

    page = client.get(url)
    response = client.post(
        url, {f"choice-{m.person_id}": "yes" for m in present[:10]} | {"choice-999999": "no"}
    )

    assert page.status_code == 200
    assert page.content.count(b'<tr class="hand"') == 15
    assert messages_after(client, response) == ["Show of hands recorded."]
    assert NamedVote.objects.filter(motion=motion, recorded_by=office_clerk).count() == 10
    services.close_vote(actor=leader, motion=motion)
    closed = client.get(motion.get_absolute_url())
    assert closed.content.count(b'class="badge by-office"') == 10
    services.close_meeting(actor=leader, meeting=session)
    lines = [
        vote
        for item in build_document(session.minutes.get()).items
        for vote in item.votes
        if vote.motion == "同意举手事项"
    ]
    assert lines[0].method_label == "举手表决（其中10票为现场举手，由办公室记录）"
    assert all(name.endswith("（现场举手，办公室记录）") for name in lines[0].names_by_choice[0][1])


# --- 2. A vote that opens tells the members -----------------------------------------------------


def test_opening_a_vote_notifies_every_expected_member_in_the_portal_and_by_mail(
    session, leader, django_capture_on_commit_callbacks
):
    User.objects.filter(username="yanzushu").update(email="yan@example.edu")
    before = Notification.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        motion = _named(session, leader)

    texts = set(Notification.objects.filter(pk__gt=0).values_list("text", flat=True)[:1000])
    assert Notification.objects.count() - before == 16
    assert "Voting is open: 同意举手事项" in texts
    assert [m.bcc for m in mail.outbox] == [["yan@example.edu"]]
    assert motion.get_absolute_url() in mail.outbox[0].body


def test_the_polled_quorum_panel_carries_the_open_votes(client, session, leader, member):
    client.force_login(member)
    url = reverse("meetings:quorum_panel", args=[session.pk])

    before = client.get(url).content.decode()
    motion = _named(session, leader)
    after = client.get(url).content.decode()

    assert 'id="open-votes"' in before and 'hx-swap-oob="true"' in before
    assert motion.get_absolute_url() not in before
    assert f'href="{motion.get_absolute_url()}"' in after


def test_the_meeting_page_polls_while_the_session_runs(client, session, member):
    client.force_login(member)

    page = client.get(session.get_absolute_url()).content.decode()

    assert 'hx-trigger="every 3s"' in page
    assert 'id="open-votes"' in page


# --- 3. Check-in with the room's code -----------------------------------------------------------


@pytest.fixture
def open_check_in(convened, office_clerk) -> Meeting:
    return services.set_check_in_open(actor=office_clerk, meeting=convened, is_open=True)


def _mine(meeting: Meeting, person: User) -> ExpectedMember:
    return meeting.expected_members.get(person=person)


def test_a_member_checks_in_with_the_rooms_code(open_check_in, member):
    code = services.check_in_code(open_check_in)

    checked = services.check_in(actor=member, member=_mine(open_check_in, member), code=code)

    assert checked.present is True
    assert list(checked.history.values_list("kind", flat=True)) == ["check_in_qr"]


@pytest.mark.parametrize(
    ("age", "ok"),
    [
        (0, True),
        (CHECK_IN_CODE_VALID_SECONDS - 31, True),
        (CHECK_IN_CODE_VALID_SECONDS + 31, False),
    ],
)
def test_the_rooms_code_is_short_lived(open_check_in, member, english, age, ok):
    code = services.check_in_code(open_check_in, at=time.time() - age)
    mine = _mine(open_check_in, member)

    if ok:
        assert services.check_in(actor=member, member=mine, code=code).present is True
    else:
        with pytest.raises(MeetingError, match="expired"):
            services.check_in(actor=member, member=mine, code=code)


def test_the_code_rotates_every_thirty_seconds():
    meeting = Meeting(pk=7)
    start = 1_800_000_000  # a multiple of 30

    codes = [services.check_in_code(meeting, at=start + s) for s in (0, 29, 30, 59, 60)]

    assert codes[0] == codes[1] != codes[2] == codes[3] != codes[4]


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("", "Scan the code"),
        ("7:forged:code", "not a check-in code"),
    ],
)
def test_self_check_in_needs_a_true_code(open_check_in, member, english, code, message):
    with pytest.raises(MeetingError, match=message):
        services.check_in(actor=member, member=_mine(open_check_in, member), code=code)
    assert _mine(open_check_in, member).present is False


def test_a_code_of_another_meeting_does_not_check_in(open_check_in, draft, member, english):
    with pytest.raises(MeetingError, match="another meeting"):
        services.check_in(
            actor=member,
            member=_mine(open_check_in, member),
            code=services.check_in_code(Meeting(pk=open_check_in.pk + 100)),
        )


def test_a_member_on_leave_withdraws_it_first_and_the_history_keeps_both(
    open_check_in, member, english
):
    mine = _mine(open_check_in, member)
    services.answer_attendance(actor=member, member=mine, response="leave", reason="赴京")
    code = services.check_in_code(open_check_in)

    with pytest.raises(MeetingError, match="withdraw the leave first"):
        services.check_in(actor=member, member=mine, code=code)
    services.answer_attendance(actor=member, member=mine, response="attend")
    mine = services.check_in(actor=member, member=mine, code=code)

    assert mine.present is True
    assert list(mine.history.values_list("kind", "reason")) == [
        ("leave", "赴京"),
        ("withdraw_leave", ""),
        ("check_in_qr", ""),
    ]


def test_the_office_still_checks_in_by_hand_and_the_leave_stays_in_the_history(
    convened, office_clerk, member
):
    mine = _mine(convened, member)
    services.answer_attendance(actor=office_clerk, member=mine, response="leave", reason="赴京")

    mine = services.check_in(actor=office_clerk, member=mine, by_office=True)

    assert mine.present is True
    assert list(mine.history.values_list("kind", "reason")) == [
        ("leave", "赴京"),
        ("withdraw_leave", ""),
        ("check_in", ""),
    ]


def test_the_room_screen_shows_a_qr_code_of_the_scan_url(client, open_check_in, office_clerk):
    client.force_login(office_clerk)

    page = client.get(reverse("meetings:room_screen", args=[open_check_in.pk]))
    fragment = client.get(
        reverse("meetings:room_screen", args=[open_check_in.pk]), headers={"HX-Request": "true"}
    )

    assert page.status_code == 200
    assert b"<svg" in page.content
    assert page.context["check_in_url"].startswith("http://testserver/check-in/")
    assert fragment.content.lstrip().startswith(b'<section class="card room-code"')


def test_scanning_asks_then_checks_in(client, open_check_in, member):
    client.force_login(member)
    url = reverse("meetings:check_in_scan", args=[services.check_in_code(open_check_in)])

    asked = client.get(url)
    done = client.post(url)

    assert asked.status_code == 200
    assert _mine(open_check_in, member).present is True
    assert messages_after(client, done) == ["阎祖书 is checked in."]


def test_scanning_an_old_code_says_so_and_changes_nothing(client, open_check_in, member):
    client.force_login(member)
    old = services.check_in_code(open_check_in, at=time.time() - 600)

    response = client.post(reverse("meetings:check_in_scan", args=[old]))

    assert response.status_code == 400
    assert b"expired" in response.content
    assert _mine(open_check_in, member).present is False


def test_scanning_while_on_leave_offers_to_withdraw_it(client, open_check_in, member):
    services.answer_attendance(
        actor=member, member=_mine(open_check_in, member), response="leave", reason="赴京"
    )
    client.force_login(member)
    url = reverse("meetings:check_in_scan", args=[services.check_in_code(open_check_in)])

    page = client.post(url)

    assert page.status_code == 200
    assert b"Withdraw my leave" in page.content
    assert _mine(open_check_in, member).present is False


# --- 4. Minutes: submitting keeps the text; withdrawing; the Office is told ----------------------


@pytest.fixture
def closed(convened, office_clerk, leader) -> Meeting:
    return hold_meeting(convened, clerk=office_clerk, leader=leader)


def test_submitting_saves_the_text_first(client, closed, office_clerk):
    minutes = closed.minutes.get()
    client.force_login(office_clerk)

    response = client.post(
        reverse("meetings:minutes_edit", args=[minutes.pk]),
        {"title": "纪要", "narrative": "会议听取了汇报。", "submit": "1"},
    )

    minutes.refresh_from_db()
    assert (minutes.status, minutes.narrative) == (Minutes.Status.SUBMITTED, "会议听取了汇报。")
    assert messages_after(client, response) == [
        "Minutes saved.",
        "Submitted to the leader for signature.",
    ]


def test_the_office_withdraws_a_submission_before_it_is_signed(client, closed, office_clerk):
    minutes = submitted_minutes(closed, clerk=office_clerk)
    client.force_login(office_clerk)

    response = client.post(reverse("meetings:minutes_withdraw", args=[minutes.pk]))
    withdrawn = messages_after(client, response)
    again = client.post(reverse("meetings:minutes_withdraw", args=[minutes.pk]))

    minutes.refresh_from_db()
    assert minutes.status == Minutes.Status.DRAFT
    assert withdrawn == ["Submission withdrawn: the minutes are a draft again."]
    assert messages_after(client, again) == ["Not possible while the minutes are Draft."]


def test_the_office_is_told_when_the_leader_returns_the_minutes(closed, office_clerk, leader):
    from meetings.minutes import services as minutes_services

    minutes = submitted_minutes(closed, clerk=office_clerk)

    minutes_services.return_minutes(actor=leader, minutes=minutes, comments="请补充")

    assert list(
        Notification.objects.filter(recipient=office_clerk).values_list("text", flat=True)
    ) == [f"Minutes returned by the leader: {minutes.title}"]


# --- 5. Confirmations; convening needs an agenda and a date ahead ------------------------------


@pytest.mark.parametrize(
    "step", ["meeting_convene", "meeting_open", "meeting_close", "motion_close"]
)
def test_an_irreversible_step_without_i_confirm_changes_nothing(
    client, draft, session, leader, step
):
    target = {
        "meeting_convene": lambda: draft.pk,
        "meeting_open": lambda: session.pk,
        "meeting_close": lambda: session.pk,
        "motion_close": lambda: _named(session, leader).pk,
    }[step]()
    client.force_login(leader)
    before = (
        AuditEntry.objects.count(),
        list(Meeting.objects.values_list("status")),
        list(Motion.objects.values_list("status")),
    )

    response = client.post(reverse(f"meetings:{step}", args=[target]))

    assert messages_after(client, response) == ["Confirmation: Tick “I confirm” to take this step."]
    assert before == (
        AuditEntry.objects.count(),
        list(Meeting.objects.values_list("status")),
        list(Motion.objects.values_list("status")),
    )


def test_the_meeting_page_asks_to_confirm_without_javascript(client, draft, leader):
    client.force_login(leader)

    page = client.get(draft.get_absolute_url()).content.decode()

    form = page[page.index(reverse("meetings:meeting_convene", args=[draft.pk])) :]
    form = form[: form.index("</form>")]
    assert '<input type="checkbox" name="confirmed" value="on" required>' in form


def test_a_meeting_without_an_agenda_is_not_convened(bare_draft, leader, english):
    with pytest.raises(MeetingError, match="no agenda item yet"):
        services.convene_meeting(actor=leader, meeting=bare_draft)
    bare_draft.refresh_from_db()
    assert bare_draft.status == Meeting.Status.DRAFT


def test_a_meeting_whose_date_has_passed_is_not_convened(draft, leader, office_clerk, english):
    past = timezone.now() - timezone.timedelta(hours=1)
    Meeting.objects.filter(pk=draft.pk).update(starts_at=past)

    with pytest.raises(MeetingError, match="The date has passed"):
        services.convene_meeting(actor=leader, meeting=draft)


def test_drafting_a_meeting_in_the_past_warns(client, roster, office_clerk):
    client.force_login(office_clerk)

    response = client.post(
        reverse("meetings:meeting_new"),
        {
            "body": roster.leading_group.pk,
            "kind": "lg_special",
            "title": "补记的会议",
            "starts_at": "2020-03-05T09:30",
            "location": "会议室",
        },
    )

    assert messages_after(client, response) == [
        "Meeting drafted.",
        "The start time has passed: the meeting cannot be convened until it is rescheduled.",
    ]


def test_vacating_a_seat_needs_i_confirm(client, roster, office_clerk):
    seat = roster.leading_group.seats.filter(appointments__ended_on__isnull=True).first()
    client.force_login(office_clerk)

    client.post(f"/seats/{seat.pk}/vacate/", {"ended_on": "2025-10-01"})

    assert seat.appointments.filter(ended_on__isnull=True).count() == 1


# --- 6. Frozen once closed; editable before the session ------------------------------------------


def test_a_closed_meeting_takes_no_upload(closed, office_clerk, english):
    item = closed.items.first()

    with pytest.raises(MeetingError, match="Not possible while the meeting is Closed"):
        services.add_material(actor=office_clerk, item=item, upload=ContentFile(b"x", name="a.txt"))


def test_a_closed_meeting_page_offers_no_upload_and_no_edit(client, closed, office_clerk):
    client.force_login(office_clerk)

    page = client.get(closed.get_absolute_url()).content.decode()

    assert 'type="file"' not in page
    assert "/edit/" not in page.replace(f"/meetings/{closed.pk}/edit/", "")
    assert "/remove/" not in page


def test_items_are_edited_reordered_and_removed_before_the_session(draft, office_clerk, english):
    first = draft.items.get()
    second = services.add_agenda_item(actor=office_clerk, meeting=draft, title="二")
    third = services.add_agenda_item(actor=office_clerk, meeting=draft, title="三")

    services.move_agenda_item(actor=office_clerk, item=third, up=True)
    services.edit_agenda_item(actor=office_clerk, item=first, title="一（改）")
    with pytest.raises(MeetingError, match="already first"):
        services.move_agenda_item(actor=office_clerk, item=first, up=True)
    services.remove_agenda_item(actor=office_clerk, item=second)

    assert list(draft.items.order_by("order").values_list("order", "title")) == [
        (1, "一（改）"),
        (2, "三"),
    ]
    assert Notification.objects.count() == 0  # not convened: nobody to tell


def test_after_convening_a_change_tells_the_members(convened, office_clerk, outsider):
    material = services.add_material(
        actor=office_clerk, item=convened.items.get(), upload=ContentFile(b"x", name="a.txt")
    )
    attendee = services.invite_attendee(actor=office_clerk, meeting=convened, person=outsider)
    before = Notification.objects.count()

    services.remove_material(actor=office_clerk, material=material)
    services.remove_attendee(actor=office_clerk, attendee=attendee)

    assert Notification.objects.count() - before == 17 + 16  # the attendee is told, then gone
    assert Material.objects.count() == Attendee.objects.count() == 0


def test_an_item_with_a_motion_is_not_removed(convened, office_clerk, leader, english):
    item = convened.items.get()
    services.create_motion(actor=leader, item=item, text="同意")

    with pytest.raises(MeetingError, match="has a motion"):
        services.remove_agenda_item(actor=office_clerk, item=item)
    assert AgendaItem.objects.filter(pk=item.pk).exists()


def test_in_session_the_agenda_is_the_record(session, office_clerk, english):
    with pytest.raises(MeetingError, match="Not possible while the meeting is In session"):
        services.remove_agenda_item(actor=office_clerk, item=session.items.first())


def test_the_item_pages_edit_move_and_remove(client, draft, office_clerk):
    first = draft.items.get()
    second = services.add_agenda_item(actor=office_clerk, meeting=draft, title="二")
    client.force_login(office_clerk)

    edit = client.get(reverse("meetings:agenda_edit", args=[first.pk]))
    saved = client.post(reverse("meetings:agenda_edit", args=[first.pk]), {"title": "一"})
    moved = client.post(reverse("meetings:agenda_move", args=[second.pk]), {"direction": "up"})
    removed = client.post(reverse("meetings:agenda_remove", args=[first.pk]))

    assert edit.status_code == 200
    assert [saved.status_code, moved.status_code, removed.status_code] == [302, 302, 302]
    assert list(draft.items.values_list("order", "title")) == [(1, "二")]


def test_history_rows_are_kept_in_order(convened, office_clerk, member):
    mine = _mine(convened, member)
    services.check_in(actor=office_clerk, member=mine, by_office=True)
    services.undo_check_in(actor=office_clerk, member=mine)

    assert list(AttendanceEvent.objects.values_list("kind", flat=True)) == ["check_in", "left"]
