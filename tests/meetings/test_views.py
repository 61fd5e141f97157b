"""The meeting pages and steps, through the test client: what each shows, what each changes,
and how refusals answer (a message and a redirect; 409 on the vote endpoint)."""

import pytest
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from meetings import services
from meetings.ballots.models import Ballot
from meetings.models import (
    AgendaItem,
    BallotReceipt,
    Decision,
    ExpectedMember,
    Material,
    Meeting,
    Motion,
    NamedVote,
    Notification,
    QuorumCheck,
)
from meetings.rules import Basis, Threshold
from members.models import User
from tests.html import messages_after, messages_of, strip_csrf
from tests.meetings import ballot_helpers

pytestmark = pytest.mark.usefixtures("english_pages")


@pytest.fixture
def item(convened, office_clerk) -> AgendaItem:
    return services.add_agenda_item(actor=office_clerk, meeting=convened, title="审议立项建议")


def _open_motion(item, leader, method=Motion.Method.NAMED, **rule) -> Motion:
    motion = services.create_motion(actor=leader, item=item, text="同意", method=method, **rule)
    return ballot_helpers.open_vote(actor=leader, motion=motion)


def _vote_url(motion: Motion) -> str:
    return reverse("meetings:cast_vote", args=[motion.pk])


# --- The vote endpoint's contract ---------------------------------------------------------------


def test_a_counted_vote_redirects_to_the_motion_page(client, session, item, leader, member):
    motion = _open_motion(item, leader)
    client.force_login(member)

    response = client.post(_vote_url(motion), {"choice": "yes"})

    assert response.status_code == 302
    assert response["Location"] == motion.get_absolute_url()
    assert list(NamedVote.objects.values_list("voter__username", "choice")) == [("yanzushu", "yes")]
    assert messages_after(client, response) == ["Your vote has been counted."]


def test_a_second_vote_is_refused_with_409_and_the_page(client, session, item, leader, member):
    motion = _open_motion(item, leader)
    client.force_login(member)
    client.post(_vote_url(motion), {"choice": "yes"}, follow=True)

    response = client.post(_vote_url(motion), {"choice": "no"})

    assert response.status_code == 409
    assert messages_of(response) == ["You have already voted on this motion."]
    assert b'class="motion-text"' in response.content
    assert list(NamedVote.objects.values_list("choice", flat=True)) == ["yes"]


@pytest.mark.parametrize("choice", ["maybe", "", "YES"])
def test_an_invalid_choice_is_refused_with_409(client, session, item, leader, member, choice):
    motion = _open_motion(item, leader)
    client.force_login(member)

    response = client.post(_vote_url(motion), {"choice": choice})

    assert response.status_code == 409
    assert messages_of(response) == ["Choose yes, no or abstain."]
    assert NamedVote.objects.count() == 0


def test_a_member_not_checked_in_is_refused_with_409(client, session, item, leader, roster):
    motion = _open_motion(item, leader)
    absent = User.objects.get(username="yangjiarong")
    client.force_login(absent)

    response = client.post(_vote_url(motion), {"choice": "yes"})

    assert response.status_code == 409
    assert messages_of(response) == ["Only seated members who are checked in can vote."]
    assert NamedVote.objects.count() == 0


def test_a_vote_after_the_close_is_refused_with_409(client, session, item, leader, member):
    motion = _open_motion(item, leader)
    ballot_helpers.close_and_count(actor=leader, motion=motion)
    client.force_login(member)

    response = client.post(_vote_url(motion), {"choice": "yes"})

    assert response.status_code == 409
    assert messages_of(response) == ["This vote is closed; your vote was not counted."]
    assert b"This vote is closed." in response.content


def test_a_person_who_cannot_see_the_meeting_gets_404(client, session, item, leader, outsider):
    motion = _open_motion(item, leader)
    client.force_login(outsider)

    response = client.post(_vote_url(motion), {"choice": "yes"})

    assert response.status_code == 404
    assert NamedVote.objects.count() == 0


def test_a_refusal_tells_an_outsider_nothing_but_404(client, session, item, leader, outsider):
    # The vote is taken before the motion is read through permissions: a refused vote on a
    # motion the person cannot see is a 404 with no message, open or closed.
    motion = _open_motion(item, leader)
    ballot_helpers.close_and_count(actor=leader, motion=motion)
    client.force_login(outsider)

    response = client.post(_vote_url(motion), {"choice": "maybe"})

    assert response.status_code == 404
    assert messages_of(client.get(reverse("dashboard"))) == []


def test_a_vote_on_no_such_motion_gets_404(client, session, member):
    client.force_login(member)

    response = client.post(reverse("meetings:cast_vote", kwargs={"pk": 999999}), {"choice": "yes"})

    assert response.status_code == 404
    assert NamedVote.objects.count() == 0


def test_the_vote_endpoint_takes_only_post(client, session, item, leader, member):
    motion = _open_motion(item, leader)
    client.force_login(member)

    assert client.get(_vote_url(motion), {"choice": "yes"}).status_code == 405
    assert NamedVote.objects.count() == 0


def test_the_vote_endpoint_stays_lean(
    client, session, item, leader, member, django_assert_num_queries
):
    motion = _open_motion(item, leader)
    client.force_login(member)
    client.get(reverse("dashboard"))  # as any request after the first, the permissions are cached
    # The view: the session, the person; the motion is not read through permissions before a
    # counted vote (the service's seat check is stricter). The service, in one transaction (a
    # savepoint here, in the test's): on PostgreSQL the lock timeout with the motion's shared
    # vote lock, in one round trip; the motion with the voter's seat, read after the lock; the
    # vote in a savepoint of its own; the audit entry (linked into the chain after the commit,
    # which the test's transaction never reaches: infogov.audit).
    queries = 9 if connection.vendor == "sqlite" else 10

    with django_assert_num_queries(queries):
        response = client.post(_vote_url(motion), {"choice": "yes"})

    assert response.status_code == 302


def test_a_secret_ballot_leaves_a_receipt_and_a_ballot(client, session, item, leader, member):
    motion = _open_motion(item, leader, method=Motion.Method.SECRET)
    client.force_login(member)

    response = client.post(_vote_url(motion), {"choice": "no"})

    assert response.status_code == 302
    assert list(BallotReceipt.objects.values_list("voter__username", flat=True)) == ["yanzushu"]
    (ballot,) = Ballot.objects.filter(motion=motion)
    # The tracker goes back in a cookie for the motion's pages, not in a message or the session.
    assert response.cookies[f"ballot_tracker_{motion.pk}"].value == ballot.tracker
    assert ballot.tracker not in str(dict(client.session))
    page = client.get(motion.get_absolute_url())
    assert ballot.tracker.encode() in page.content
    assert b"Your ballot has been cast." in page.content


# --- The motion page ----------------------------------------------------------------------------


def test_the_required_number_is_shown_before_voting_opens(client, session, item, leader, member):
    motion = services.create_motion(actor=leader, item=item, text="同意")
    client.force_login(member)

    response = client.get(motion.get_absolute_url())

    assert b"16 expected: 9 yes votes needed" in response.content
    assert b"more than half of members who should attend vote yes" in response.content
    assert b"Voting has not opened yet. You are checked in." in response.content


def test_two_thirds_of_those_present_is_shown_from_the_present_count(
    client, session, item, leader, member
):
    motion = services.create_motion(
        actor=leader, item=item, text="同意", basis=Basis.PRESENT, threshold=Threshold.TWO_THIRDS
    )
    client.force_login(member)

    response = client.get(motion.get_absolute_url())

    assert b"15 present: 10 yes votes needed" in response.content


def test_one_tap_leads_to_a_confirmation_that_posts_the_vote(client, session, item, leader, member):
    motion = _open_motion(item, leader)
    client.force_login(member)

    page = client.get(motion.get_absolute_url())
    confirm = client.post(reverse("meetings:vote_confirm", args=[motion.pk]), {"choice": "abstain"})

    assert page.content.count(b'class="button big vote vote-') == 3
    assert b"?choice=" not in page.content
    assert b'name="choice" value="yes"' in page.content
    assert f'action="{reverse("meetings:vote_confirm", args=[motion.pk])}"'.encode() in page.content
    assert b"You chose Abstain" in confirm.content
    assert f'action="{_vote_url(motion)}"'.encode() in confirm.content
    assert b'name="choice" value="abstain"' in confirm.content
    assert NamedVote.objects.count() == 0


def test_the_page_says_how_many_have_voted_and_that_i_have(client, session, item, leader, member):
    motion = _open_motion(item, leader)
    services.cast_vote(voter=leader, motion=motion, choice="yes")
    client.force_login(member)
    client.post(_vote_url(motion), {"choice": "no"})

    response = client.get(motion.get_absolute_url())

    assert b"2 of 16 have voted" in response.content
    assert b"You have voted: No." in response.content
    assert b'class="button big vote' not in response.content


def test_a_member_not_checked_in_is_told_to_scan_the_rooms_code(
    client, convened, item, leader, office_clerk, roster
):
    services.set_check_in_open(actor=office_clerk, meeting=convened, is_open=True)
    motion = services.create_motion(actor=leader, item=item, text="同意")
    client.force_login(User.objects.get(username="yanzushu"))

    response = client.get(motion.get_absolute_url())

    assert b"Not eligible yet: check in to vote." in response.content
    # Issue 13: a phone checks in with the room's code, not with a button anyone can press.
    assert b"To check in, scan the code on the room" in response.content
    mine = convened.expected_members.get(person__username="yanzushu")
    assert reverse("meetings:attendance_check_in", args=[mine.pk]).encode() not in response.content


def test_named_choices_are_hidden_until_the_vote_closes(
    client, session, item, leader, deputy, member, office_clerk
):
    motion = _open_motion(item, leader)
    for voter, choice in [(deputy, "no"), (leader, "yes")]:
        services.cast_vote(voter=voter, motion=motion, choice=choice)
    client.force_login(member)

    while_open = client.get(motion.get_absolute_url())
    client.force_login(office_clerk)
    office_while_open = client.get(motion.get_absolute_url())
    ballot_helpers.close_and_count(actor=leader, motion=motion)
    client.force_login(member)
    after_close = client.get(motion.get_absolute_url())

    for page in (while_open, office_while_open):
        assert b'class="named-vote"' not in page.content
        assert "孙其信: Yes".encode() not in page.content
    assert after_close.content.count(b'class="named-vote"') == 16
    assert "孙其信: Yes".encode() in after_close.content
    assert "赵曼: No".encode() in after_close.content
    assert b"Not passed" in after_close.content
    assert b"(16): yes votes needed 9, received 1." in after_close.content


def test_a_closed_secret_ballot_shows_only_counts(client, session, item, leader, deputy, member):
    motion = _open_motion(item, leader, method=Motion.Method.SECRET)
    services.cast_vote(voter=deputy, motion=motion, choice="yes")
    ballot_helpers.close_and_count(actor=leader, motion=motion)
    client.force_login(member)

    response = client.get(motion.get_absolute_url())

    assert b'class="named-vote"' not in response.content
    assert "赵曼: Yes".encode() not in response.content
    assert b"Secret ballot: only the counts are known" in response.content
    assert b"The count was verified" in response.content
    assert reverse("meetings:ballot_box", args=[motion.pk]).encode() in response.content


def test_the_chair_sees_the_quorum_and_the_vote_buttons(client, session, item, leader, member):
    motion = services.create_motion(actor=leader, item=item, text="同意")
    client.force_login(leader)
    chair_page = client.get(motion.get_absolute_url())
    client.force_login(member)
    member_page = client.get(motion.get_absolute_url())

    assert reverse("meetings:motion_open", args=[motion.pk]).encode() in chair_page.content
    assert b'id="quorum-panel"' in chair_page.content
    assert reverse("meetings:motion_open", args=[motion.pk]).encode() not in member_page.content


def test_only_the_chair_gets_the_defer_form_on_the_voting_page(
    client, session, item, leader, member
):
    motion = _open_motion(item, leader)
    defer = reverse("meetings:motion_defer", args=[motion.pk]).encode()

    client.force_login(leader)
    chair_page = client.get(motion.get_absolute_url())
    client.force_login(member)
    member_page = client.get(motion.get_absolute_url())

    assert defer in chair_page.content and b'name="reason"' in chair_page.content
    assert defer not in member_page.content and b'name="reason"' not in member_page.content


def test_opening_closing_and_deferring_from_the_motion_page(client, session, item, leader):
    motion = services.create_motion(actor=leader, item=item, text="同意")
    client.force_login(leader)

    opened = client.post(reverse("meetings:motion_open", args=[motion.pk]))
    closed = client.post(reverse("meetings:motion_close", args=[motion.pk]), {"confirmed": "on"})

    assert opened["Location"] == closed["Location"] == motion.get_absolute_url()
    motion.refresh_from_db()
    assert (motion.status, motion.yes, motion.required, motion.passed) == ("closed", 0, 9, False)
    assert list(QuorumCheck.objects.values_list("gate", "present", "passed")) == [
        ("open_meeting", 15, True),
        ("open_vote", 15, True),
        ("close_vote", 15, True),
    ]


def test_deferring_needs_a_reason(client, session, item, leader):
    motion = services.create_motion(actor=leader, item=item, text="同意")
    client.force_login(leader)

    url = reverse("meetings:motion_defer", args=[motion.pk])

    refused = messages_after(client, client.post(url, {"reason": ""}))
    deferred = messages_after(client, client.post(url, {"reason": "分歧"}))

    assert refused == ["Reason: This field is required."]
    assert deferred == ["The vote is deferred."]
    motion.refresh_from_db()
    assert (motion.status, motion.deferred_reason) == ("deferred", "分歧")


def test_the_vote_panel_alone_answers_htmx(client, session, item, leader, member):
    motion = _open_motion(item, leader)
    client.force_login(member)

    response = client.get(
        motion.get_absolute_url(), headers={"HX-Request": "true", "HX-Target": "vote-panel"}
    )

    content = response.content.decode()
    assert content.lstrip().startswith('<section class="card vote-panel" id="vote-panel"')
    assert "<html" not in content
    assert "0 of 16 have voted" in content


PANEL = {"HX-Request": "true", "HX-Target": "vote-panel"}


@pytest.mark.parametrize("method", [Motion.Method.NAMED, Motion.Method.SECRET])
def test_a_poll_of_the_vote_panel_reads_only_what_the_panel_shows(
    client, session, item, leader, member, django_assert_num_queries, method
):
    """Session, person, motion, attendance, votes: not a secret ballot's scrutineers, nor (the
    vote just closed, every phone polling once more) the 16 named votes, only a reload."""
    motion = _open_motion(item, leader, method=method)
    client.force_login(member)
    client.get(reverse("dashboard"))  # the permissions are cached from here on
    client.post(_vote_url(motion), {"choice": "yes"})

    with django_assert_num_queries(5):
        open_panel = client.get(motion.get_absolute_url(), headers=PANEL)
    ballot_helpers.close_and_count(actor=leader, motion=motion)
    with django_assert_num_queries(5):
        closed_panel = client.get(motion.get_absolute_url(), headers=PANEL)
    page = client.get(motion.get_absolute_url())

    assert "1 of 16 have voted" in open_panel.content.decode()
    assert closed_panel["HX-Refresh"] == "true"
    if method == Motion.Method.NAMED:
        assert page.content.decode().count('class="named-vote"') == 16
    else:
        assert 'class="scrutineer-names"' in page.content.decode()


# --- The meeting page ---------------------------------------------------------------------------


def test_the_quorum_panel_polls_and_answers_htmx_alone(client, convened, member):
    client.force_login(member)
    url = reverse("meetings:quorum_panel", args=[convened.pk])

    page = client.get(convened.get_absolute_url())
    panel = client.get(url, headers={"HX-Request": "true"})

    # It polls with the revision the page was rendered at (the Office's table, sent again
    # only once it moved on).
    assert f'hx-get="{url}?revision='.encode() in page.content
    assert b'hx-trigger="every 3s"' in page.content
    content = panel.content.decode()
    assert content.lstrip().startswith('<section id="quorum-panel"')
    assert content.rstrip().endswith("</section>")
    assert "<html" not in content and "<header" not in content
    assert "Not quorate: 11 more members needed — votes cannot open or close." in content


def test_the_offices_poll_also_refreshes_the_attendance_table(
    client, convened, office_clerk, member, check_in_first
):
    url = reverse("meetings:quorum_panel", args=[convened.pk])
    client.force_login(office_clerk)
    check_in_first(convened, 3)

    office = client.get(url, headers={"HX-Request": "true"}).content.decode()
    client.force_login(member)
    members = client.get(url, headers={"HX-Request": "true"}).content.decode()

    assert '<section class="card" id="attendance" hx-swap-oob="true">' in office
    assert office.count('data-present="1"') == 3
    assert office.count('data-present="0"') == 13
    assert 'id="attendance"' not in members


def test_the_quorum_panel_turns_quorate_at_eleven_of_sixteen(client, convened, check_in_first):
    check_in_first(convened, 11)
    client.force_login(User.objects.get(username="yanzushu"))

    response = client.get(reverse("meetings:quorum_panel", args=[convened.pk]))

    numbers = response.context["numbers"]
    assert (numbers.expected, numbers.present, numbers.needed, numbers.absent) == (16, 11, 11, 5)
    assert b"Quorate: 11 of 16 present, 11 needed." in response.content


def test_the_detail_page_shows_the_meeting_and_my_attendance(client, convened, member):
    client.force_login(member)

    response = client.get(convened.get_absolute_url())

    assert response.status_code == 200
    assert response.context["mine"].person == member
    assert b"16 expected members" in response.content
    assert b'id="my-attendance"' in response.content
    assert reverse("meetings:meeting_convene", args=[convened.pk]).encode() not in response.content
    assert b"Undo check-in" not in response.content  # Office buttons are for the Office


def test_the_office_sees_answer_for_check_in_and_undo(client, convened, office_clerk):
    services.check_in(actor=office_clerk, member=convened.expected_members.first(), by_office=True)
    client.force_login(office_clerk)

    response = client.get(convened.get_absolute_url())

    assert response.content.count(b"Undo check-in") == 1
    assert response.content.count(b"Answer for them") == 15
    assert response.context["can_manage"] is True
    assert response.context["can_convene"] is False


# The meeting page: session, person, meeting, the viewer's own attendance, quorum numbers,
# items, materials, motions, unread notifications, attendees, quorum checks, the votes open now
# (issue 13: cached under the meeting's revision, as the quorum panel) (and for the Office its
# expected members and the people and units of its forms). A first view also reads the
# person's permissions, which later views find cached, and the meeting's body and chair, for
# its head, which every later view finds cached; a member's later view finds the page's other
# parts cached too (session, person, meeting, own attendance, unread notifications). None of
# them grows with the number of members.
@pytest.mark.parametrize(("role", "first", "later"), [("office_clerk", 18, 14), ("member", 15, 5)])
@pytest.mark.parametrize("expected_members", [16, 500])
def test_the_detail_page_query_count_does_not_grow_with_members(
    request,
    client,
    convened,
    office_clerk,
    item,
    leader,
    django_assert_num_queries,
    expected_members,
    role,
    first,
    later,
):
    services.create_motion(actor=leader, item=item, text="同意")
    services.add_material(actor=office_clerk, item=item, upload=ContentFile(b"x", name="note.txt"))
    extra = User.objects.bulk_create(
        User(username=f"m{i}", full_name=f"委员{i}", password=make_password(None))
        for i in range(expected_members - 16)
    )
    ExpectedMember.objects.bulk_create(
        ExpectedMember(meeting=convened, person=person, role="member", order=100 + i)
        for i, person in enumerate(extra)
    )
    client.force_login(request.getfixturevalue(role))

    with django_assert_num_queries(first):
        response = client.get(convened.get_absolute_url())
    with django_assert_num_queries(later):
        again = client.get(convened.get_absolute_url())

    # The Office gets every row; a member gets their own attendance and the link to load all.
    rows = expected_members if role == "office_clerk" else 0
    for page in (response, again):
        assert page.content.count(b'<tr class="expected"') == rows
        assert (f"Show all {expected_members} members".encode() in page.content) is (rows == 0)
    assert strip_csrf(again.content) == strip_csrf(response.content)


def test_a_member_loads_every_row_on_demand(client, convened, member, django_assert_num_queries):
    client.force_login(member)
    page = client.get(convened.get_absolute_url())
    url = reverse("meetings:meeting_members", args=[convened.pk])

    # Session, person, meeting, the expected members (the permissions are cached).
    with django_assert_num_queries(4):
        response = client.get(url, headers={"HX-Request": "true"})

    assert f'hx-get="{url}"'.encode() in page.content
    assert page.content.count(b'<tr class="expected"') == 0
    content = response.content.decode()
    assert content.lstrip().startswith('<section class="card" id="attendance">')
    assert "<html" not in content
    assert content.count('<tr class="expected"') == 16
    assert "16 expected members" in content and "Show all" not in content
    assert "Undo check-in" not in content


def test_the_draft_button_is_for_the_office(client, roster, office_clerk, member):
    client.force_login(office_clerk)
    office = client.get(reverse("meetings:meeting_list"))
    client.force_login(member)
    plain = client.get(reverse("meetings:meeting_list"))

    assert reverse("meetings:meeting_new").encode() in office.content
    assert reverse("meetings:meeting_new").encode() not in plain.content


def test_the_office_drafts_a_meeting(client, roster, office_clerk):
    client.force_login(office_clerk)
    bodies = client.get(reverse("meetings:meeting_new")).context["form"].fields["body"].queryset

    response = client.post(
        reverse("meetings:meeting_new"),
        {
            "body": roster.leading_group.pk,
            "kind": "lg_special",
            "title": "专题会",
            "starts_at": "2031-03-05T14:30",
            "ends_at": "2031-03-05T16:30",
            "location": "第三会议室",
        },
    )

    assert set(bodies) == {roster.leading_group, roster.work_group}
    meeting = Meeting.objects.get()
    assert response["Location"] == meeting.get_absolute_url()
    assert (meeting.status, meeting.created_by) == ("draft", office_clerk)
    assert meeting.starts_at.isoformat() == "2031-03-05T06:30:00+00:00"  # 14:30 in Shanghai


def test_a_kind_the_body_does_not_hold_is_refused_with_a_message(client, roster, office_clerk):
    client.force_login(office_clerk)

    response = client.post(
        reverse("meetings:meeting_new"),
        {
            "body": roster.work_group.pk,
            "kind": "lg_plenary",
            "title": "全体会议",
            "starts_at": "2031-03-05T14:30",
            "location": "第三会议室",
        },
    )

    assert response.status_code == 200
    assert messages_of(response) == [f"{roster.work_group} does not hold this kind of meeting."]
    assert Meeting.objects.count() == 0


def test_an_end_before_the_start_is_a_form_error(client, roster, office_clerk):
    client.force_login(office_clerk)

    response = client.post(
        reverse("meetings:meeting_new"),
        {
            "body": roster.leading_group.pk,
            "kind": "lg_special",
            "title": "专题会",
            "starts_at": "2031-03-05T14:30",
            "ends_at": "2031-03-05T13:30",
            "location": "第三会议室",
        },
    )

    assert response.context["form"].errors == {"ends_at": ["A meeting must end after it starts."]}
    assert Meeting.objects.count() == 0


def test_the_leader_convenes_from_the_page(client, draft, leader):
    client.force_login(leader)

    response = client.post(
        reverse("meetings:meeting_convene", args=[draft.pk]), {"confirmed": "on"}
    )

    draft.refresh_from_db()
    assert draft.status == "convened"
    assert draft.expected_members.count() == 16
    assert messages_after(client, response) == [
        "Meeting convened; the expected members have been notified."
    ]


def test_opening_without_quorum_is_refused_and_recorded(client, convened, check_in_first, leader):
    check_in_first(convened, 10)
    client.force_login(leader)

    response = client.post(
        reverse("meetings:meeting_open", args=[convened.pk]), {"confirmed": "on"}
    )

    assert messages_after(client, response) == [
        "No quorum: 10 of 16 members present, 11 needed (Art. 12: more than two-thirds)."
    ]
    convened.refresh_from_db()
    assert convened.status == "convened"
    assert list(QuorumCheck.objects.values_list("present", "passed")) == [(10, False)]


def test_a_member_checks_in_once_check_in_is_open(client, convened, member, office_clerk):
    mine = convened.expected_members.get(person=member)
    url = reverse("meetings:attendance_check_in", args=[mine.pk])
    client.force_login(member)

    too_early = messages_after(client, client.post(url))
    services.set_check_in_open(actor=office_clerk, meeting=convened, is_open=True)
    no_code = messages_after(client, client.post(url))
    code = services.check_in_code(convened)
    checked_in = client.post(url, {"next": "https://evil.example/", "code": code})

    assert too_early == ["Check-in has not been opened yet."]
    assert no_code == ["Scan the code on the room's screen to check in."]
    assert checked_in["Location"] == convened.get_absolute_url()  # no foreign redirect
    mine.refresh_from_db()
    assert mine.present is True
    assert mine.checked_in_by == member


def test_check_in_from_the_motion_page_returns_there(client, convened, member, office_clerk, item):
    services.set_check_in_open(actor=office_clerk, meeting=convened, is_open=True)
    motion = services.create_motion(actor=office_clerk, item=item, text="同意")
    mine = convened.expected_members.get(person=member)
    client.force_login(member)

    response = client.post(
        reverse("meetings:attendance_check_in", args=[mine.pk]),
        {"next": motion.get_absolute_url(), "code": services.check_in_code(convened)},
    )

    assert response["Location"] == motion.get_absolute_url()


def test_leave_needs_a_reason_and_then_counts_as_on_leave(client, convened, member):
    mine = convened.expected_members.get(person=member)
    url = reverse("meetings:attendance_answer", args=[mine.pk])
    client.force_login(member)

    refused = messages_after(client, client.post(url, {"response": "leave", "reason": " "}))
    granted = messages_after(client, client.post(url, {"response": "leave", "reason": "出差"}))

    assert refused == ["A leave of absence needs a reason."]
    assert granted == ["Answer recorded."]
    mine.refresh_from_db()
    assert (mine.response, mine.leave_reason) == ("leave", "出差")
    assert services.attendance(convened).on_leave == 1


def test_the_office_undoes_a_check_in(client, convened, member, office_clerk):
    mine = convened.expected_members.get(person=member)
    services.check_in(actor=office_clerk, member=mine, by_office=True)
    client.force_login(office_clerk)

    client.post(reverse("meetings:attendance_undo", args=[mine.pk]))

    mine.refresh_from_db()
    assert mine.present is False


def test_a_decision_is_recorded_and_its_forwarding_shown(client, session, item, leader):
    motion = _open_motion(item, leader)
    # Art. 14: only an approved decision is forwarded, so the vote passes: 9 of 16 say yes.
    present = session.expected_members.filter(present=True).exclude(person=leader)
    for member in present.select_related("person").order_by("order")[:8]:
        services.cast_vote(voter=member.person, motion=motion, choice="yes")
    services.cast_vote(voter=leader, motion=motion, choice="yes")
    ballot_helpers.close_and_count(actor=leader, motion=motion)
    client.force_login(leader)

    client.post(
        reverse("meetings:decision_record", args=[item.pk]),
        {"text": "报校长办公会审定。", "motion": motion.pk, "forward_to": "presidents_office"},
    )
    page = client.get(session.get_absolute_url())

    decision = Decision.objects.get()
    assert (decision.motion, decision.forward_to) == (motion, "presidents_office")
    assert decision.outcome == Decision.Outcome.APPROVED
    assert b"Forwarded to President&#x27;s Office Meeting (Art. 14)" in page.content


def test_a_failed_vote_cannot_be_forwarded_through_the_page(client, session, item, leader):
    motion = _open_motion(item, leader)
    services.close_vote(actor=leader, motion=motion)  # no yes vote: not adopted
    client.force_login(leader)

    response = client.post(
        reverse("meetings:decision_record", args=[item.pk]),
        {
            "text": "原则同意……报校长办公会审定",
            "motion": motion.pk,
            "forward_to": "presidents_office",
        },
    )

    assert messages_after(client, response) == ["A matter not adopted is not forwarded (Art. 14)."]
    assert Decision.objects.count() == 0


def test_a_decision_cannot_name_another_items_vote(client, session, item, leader, office_clerk):
    other = services.add_agenda_item(actor=office_clerk, meeting=session, title="议题二")
    motion = _open_motion(other, leader)
    ballot_helpers.close_and_count(actor=leader, motion=motion)
    client.force_login(leader)

    response = client.post(
        reverse("meetings:decision_record", args=[item.pk]), {"text": "同意", "motion": motion.pk}
    )

    assert messages_after(client, response) == [
        "Vote: Select a valid choice. That choice is not one of the available choices."
    ]
    assert Decision.objects.count() == 0


def test_the_invitation_downloads_as_ics(client, convened, member):
    client.force_login(member)

    response = client.get(reverse("meetings:meeting_invite", args=[convened.pk]))

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="meeting-{convened.pk}.ics"'
    assert f"UID:{convened.ics_uid}@infogov".encode() in response.content


# --- Materials ----------------------------------------------------------------------------------


def test_a_material_is_uploaded_and_downloaded_as_an_attachment(
    client, convened, item, office_clerk, member
):
    client.force_login(office_clerk)

    response = client.post(
        reverse("meetings:material_upload", args=[item.pk]),
        {"file": SimpleUploadedFile("方案.pdf", b"%PDF-1.4 demo", content_type="text/html")},
    )

    assert messages_after(client, response) == ["Material uploaded."]
    material = Material.objects.get()
    assert (material.name, material.size, material.content_type) == (
        "方案.pdf",
        13,
        "application/pdf",  # from the extension, not from what the browser claimed
    )
    client.force_login(member)
    download = client.get(reverse("meetings:material_download", args=[material.pk]))
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    assert b"".join(download.streaming_content) == b"%PDF-1.4 demo"


def test_a_file_of_another_type_is_refused_with_a_message(client, convened, item, office_clerk):
    client.force_login(office_clerk)

    response = client.post(
        reverse("meetings:material_upload", args=[item.pk]),
        {"file": SimpleUploadedFile("run.exe", b"MZ")},
    )

    [message] = messages_after(client, response)
    assert message.startswith("Files of this type cannot be uploaded; allowed: pdf, docx")
    assert Material.objects.count() == 0


def test_a_file_over_the_limit_is_refused_with_a_message(
    client, convened, item, office_clerk, monkeypatch
):
    monkeypatch.setattr(services.agenda, "MAX_MATERIAL_BYTES", 1024 * 1024)
    client.force_login(office_clerk)

    response = client.post(
        reverse("meetings:material_upload", args=[item.pk]),
        {"file": SimpleUploadedFile("big.pdf", b"x" * (1024 * 1024 + 1))},
    )

    assert messages_after(client, response) == ["The file is 1.0 MB; at most 1 MB can be uploaded."]
    assert Material.objects.count() == 0


# --- Notifications ------------------------------------------------------------------------------


def test_notifications_are_counted_in_the_header_and_read_on_view(client, convened, member):
    client.force_login(member)

    page = client.get(reverse("meetings:meeting_list"))
    listing = client.get(reverse("meetings:notification_list"))
    again = client.get(reverse("meetings:meeting_list"))

    assert b'<span class="count" title="unread">1</span>' in page.content
    assert [n.text for n in listing.context["notifications"]] == [
        Notification.objects.get(recipient=member).text
    ]
    assert b'class="unread"' in listing.content
    assert Notification.objects.filter(recipient=member, read_at__isnull=True).count() == 0
    assert b'class="count"' not in again.content


# The voting page: session, person, the motion with its item, meeting and body, the attendance
# with the voter's own seat, the votes with the voter's own, the unread notifications. The
# same for 16 and for 500 expected members, open or not, voted or not.
@pytest.mark.parametrize("expected_members", [16, 500])
@pytest.mark.parametrize("method", [Motion.Method.NAMED, Motion.Method.SECRET])
def test_the_voting_page_query_count_does_not_grow_with_members(
    client, session, item, leader, member, django_assert_num_queries, expected_members, method
):
    extra = User.objects.bulk_create(
        User(username=f"m{i}", full_name=f"委员{i}", password=make_password(None))
        for i in range(expected_members - 16)
    )
    ExpectedMember.objects.bulk_create(
        ExpectedMember(meeting=session, person=person, role="member", order=100 + i, present=True)
        for i, person in enumerate(extra)
    )
    motion = _open_motion(item, leader, method=method)
    client.force_login(member)
    client.get(reverse("dashboard"))  # the permissions are cached from here on
    # A secret ballot's page also names its scrutineers: one query more. The attendance is
    # read once per revision of the meeting (a vote does not move it): the page after the
    # vote takes it from the cache.
    queries = 6 if method == Motion.Method.NAMED else 7

    with django_assert_num_queries(queries):
        before = client.get(motion.get_absolute_url())
    client.post(_vote_url(motion), {"choice": "yes"})
    with django_assert_num_queries(queries - 1):
        after = client.get(motion.get_absolute_url())

    present = 15 + expected_members - 16
    assert before.context["numbers"].expected == expected_members
    assert before.context["numbers"].present == present
    assert (before.context["can_vote"], before.context["voted"]) == (True, 0)
    assert (after.context["has_voted"], after.context["voted"]) == (True, 1)
    assert after.context["can_vote"] is False
