"""Who may open each meeting page and take each step: a grid of (url, role) → status.
The minutes' pages (Art. 15-16) are in the same grid; the public verification page answers
everyone, anonymous visitors included.

An object a person may not see answers 404, a step they may see but not take answers 403,
and anonymous visitors are sent to log in. A refused request changes nothing: no row, no
audit entry. The roles are the named people of tests/meetings/conftest.py plus a superuser,
who holds no seat and therefore sees no meeting (members/permissions.py).
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import get_resolver, resolve, reverse

from infogov.models import AuditEntry
from meetings import services
from meetings.minutes import services as minutes_services
from meetings.minutes.models import DocumentCounter, IssuedMinutes, Minutes, ReadReceipt
from meetings.models import (
    AgendaItem,
    Attendee,
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
from members.models import User
from tests.meetings import ballot_helpers
from tests.meetings.conftest import PASSWORD
from tests.meetings.minutes_helpers import (
    first_item,
    hold_meeting,
    submitted_minutes,
    use_fake_signing,
)

ROLES = ["anonymous", "outsider", "member", "deputy", "leader", "office_clerk", "admin"]
LOGIN = "login"  # an anonymous visitor is redirected to the login page


@dataclass
class World:
    draft: Meeting  # a Leading Group special meeting, drafted, not convened
    convened: Meeting  # the plenary, convened, check-in open, nobody present
    item: AgendaItem  # of the plenary, with a material and a motion not yet open
    bare_item: AgendaItem  # of the plenary, nothing on it
    motion: Motion
    material: Material
    mine: ExpectedMember  # 阎祖书's row in the plenary
    other: ExpectedMember  # 马博虎's row in the plenary
    outsider: User
    attendee: Attendee  # 访客 invited to the draft as 列席
    issued: IssuedMinutes  # the minutes of a closed special meeting, sent to NETC and Finance
    minutes: Minutes  # a correction of them, submitted to the leader
    secret: Motion  # a secret ballot on the bare item, not yet open


@pytest.fixture
def world(
    roster,
    convened,
    office_clerk,
    leader,
    outsider,
    monkeypatch,
    django_capture_on_commit_callbacks,
) -> World:
    draft = services.draft_meeting(
        actor=office_clerk,
        body=roster.leading_group,
        kind=Meeting.Kind.LG_SPECIAL,
        title="专题会（草稿）",
        starts_at=convened.starts_at,
        location="行政楼第三会议室",
    )
    item = services.add_agenda_item(actor=office_clerk, meeting=convened, title="议题一")
    bare_item = services.add_agenda_item(actor=office_clerk, meeting=convened, title="议题二")
    material = services.add_material(
        actor=office_clerk, item=item, upload=ContentFile(b"agenda", name="note.txt")
    )
    motion = services.create_motion(actor=leader, item=item, text="同意议题一")
    services.set_check_in_open(actor=office_clerk, meeting=convened, is_open=True)
    # Minutes: rendering and signing are stand-ins here (the preview renders on every request).
    use_fake_signing(monkeypatch)
    special = services.draft_meeting(
        actor=office_clerk,
        body=roster.leading_group,
        kind=Meeting.Kind.LG_SPECIAL,
        title="专题会（已闭会）",
        starts_at=convened.starts_at,
        location="行政楼第二会议室",
    )
    first_item(special, clerk=office_clerk)
    special = services.convene_meeting(actor=leader, meeting=special)
    special = hold_meeting(special, clerk=office_clerk, leader=leader)
    with django_capture_on_commit_callbacks(execute=True):
        minutes_services.request_signature(
            actor=leader, minutes=submitted_minutes(special, clerk=office_clerk), password=PASSWORD
        )
    issued = IssuedMinutes.objects.get()
    correction = minutes_services.start_correction(actor=office_clerk, issued=issued)
    correction = minutes_services.submit_minutes(actor=office_clerk, minutes=correction)
    attendee = services.invite_attendee(actor=office_clerk, meeting=draft, person=outsider)
    return World(
        attendee=attendee,
        draft=draft,
        convened=convened,
        item=item,
        bare_item=bare_item,
        motion=motion,
        material=material,
        mine=convened.expected_members.get(person__username="yanzushu"),
        other=convened.expected_members.get(person__username="mabohu"),
        outsider=outsider,
        issued=issued,
        minutes=correction,
        secret=services.create_motion(
            actor=leader, item=bare_item, text="无记名投票", method=Motion.Method.SECRET
        ),
    )


def snapshot() -> tuple:
    """Everything a step could change."""
    return (
        AuditEntry.objects.count(),
        QuorumCheck.objects.count(),
        list(
            Meeting.objects.order_by("id").values_list(
                "id", "status", "check_in_open", "title", "starts_at", "location", "ics_sequence"
            )
        ),
        list(
            ExpectedMember.objects.order_by("id").values_list(
                "id", "response", "leave_reason", "present"
            )
        ),
        list(Motion.objects.order_by("id").values_list("id", "status")),
        AgendaItem.objects.count(),
        Attendee.objects.count(),
        Material.objects.count(),
        Decision.objects.count(),
        NamedVote.objects.count(),
        BallotReceipt.objects.count(),
        Notification.objects.count(),
        list(
            Minutes.objects.order_by("id").values_list(
                "id", "status", "title", "narrative", "comments"
            )
        ),
        IssuedMinutes.objects.count(),
        list(DocumentCounter.objects.values_list("last", flat=True)),
        ReadReceipt.objects.count(),
    )


# (name, method, url from the world, POST data from the world, expected status per role in
# the order of ROLES). 302 is a step taken (the service may still refuse it with a message).
GRID = [
    # Pages
    ("list", "GET", lambda w: reverse("meetings:meeting_list"), None,
     [LOGIN, 200, 200, 200, 200, 200, 200]),
    ("new", "GET", lambda w: reverse("meetings:meeting_new"), None,
     [LOGIN, 403, 403, 403, 403, 200, 403]),
    ("detail", "GET", lambda w: w.convened.get_absolute_url(), None,
     [LOGIN, 404, 200, 200, 200, 200, 404]),
    ("draft detail", "GET", lambda w: w.draft.get_absolute_url(), None,
     [LOGIN, 404, 404, 200, 200, 200, 404]),
    ("edit", "GET", lambda w: reverse("meetings:meeting_edit", args=[w.convened.pk]), None,
     [LOGIN, 404, 403, 403, 403, 200, 404]),
    ("quorum", "GET", lambda w: reverse("meetings:quorum_panel", args=[w.convened.pk]), None,
     [LOGIN, 404, 200, 200, 200, 200, 404]),
    ("members", "GET", lambda w: reverse("meetings:meeting_members", args=[w.convened.pk]), None,
     [LOGIN, 404, 200, 200, 200, 200, 404]),
    ("ics", "GET", lambda w: reverse("meetings:meeting_invite", args=[w.convened.pk]), None,
     [LOGIN, 404, 200, 200, 200, 200, 404]),
    ("draft ics", "GET", lambda w: reverse("meetings:meeting_invite", args=[w.draft.pk]), None,
     [LOGIN, 404, 404, 200, 200, 200, 404]),
    ("motion", "GET", lambda w: w.motion.get_absolute_url(), None,
     [LOGIN, 404, 200, 200, 200, 200, 404]),
    ("material", "GET", lambda w: reverse("meetings:material_download", args=[w.material.pk]), None,
     [LOGIN, 404, 200, 200, 200, 200, 404]),
    ("notifications", "GET", lambda w: reverse("meetings:notification_list"), None,
     [LOGIN, 200, 200, 200, 200, 200, 200]),
    # A calendar feed opens by its secret alone (tests/meetings/test_calendar.py): a wrong one
    # is 404 to everyone, signed in or not.
    ("calendar feed", "GET", lambda w: reverse("meetings:calendar_feed", args=["wrong"]), None,
     [404, 404, 404, 404, 404, 404, 404]),
    # Steps on the meeting
    ("draft", "POST", lambda w: reverse("meetings:meeting_new"),
     lambda w: {"body": w.convened.body_id, "kind": "lg_special", "title": "新会议",
                "starts_at": "2031-03-05T09:30", "location": "会议室"},
     [LOGIN, 403, 403, 403, 403, 302, 403]),
    ("reschedule", "POST", lambda w: reverse("meetings:meeting_edit", args=[w.convened.pk]),
     lambda w: {"title": "改期", "starts_at": "2031-03-05T09:30", "location": "另一会议室"},
     [LOGIN, 404, 403, 403, 403, 302, 404]),
    ("convene", "POST", lambda w: reverse("meetings:meeting_convene", args=[w.draft.pk]),
     lambda w: {"confirmed": "on"}, [LOGIN, 404, 404, 302, 302, 403, 404]),
    ("postpone", "POST", lambda w: reverse("meetings:meeting_postpone", args=[w.convened.pk]),
     lambda w: {"reason": "时间冲突"}, [LOGIN, 404, 403, 302, 302, 302, 404]),
    ("cancel", "POST", lambda w: reverse("meetings:meeting_cancel", args=[w.convened.pk]),
     lambda w: {"reason": "取消"}, [LOGIN, 404, 403, 302, 302, 302, 404]),
    ("agenda", "POST", lambda w: reverse("meetings:agenda_add", args=[w.convened.pk]),
     lambda w: {"title": "新议题"}, [LOGIN, 404, 403, 403, 403, 302, 404]),
    ("invite", "POST", lambda w: reverse("meetings:attendee_invite", args=[w.convened.pk]),
     lambda w: {"person": w.outsider.pk}, [LOGIN, 404, 403, 403, 403, 302, 404]),
    ("check-in open", "POST", lambda w: reverse("meetings:check_in_open", args=[w.convened.pk]),
     lambda w: {}, [LOGIN, 404, 403, 403, 403, 302, 404]),
    ("check-in close", "POST",
     lambda w: reverse("meetings:check_in_close", args=[w.convened.pk]),
     lambda w: {}, [LOGIN, 404, 403, 403, 403, 302, 404]),
    ("open", "POST", lambda w: reverse("meetings:meeting_open", args=[w.convened.pk]),
     lambda w: {"confirmed": "on"}, [LOGIN, 404, 403, 302, 302, 302, 404]),
    ("close", "POST", lambda w: reverse("meetings:meeting_close", args=[w.convened.pk]),
     lambda w: {"confirmed": "on"}, [LOGIN, 404, 403, 302, 302, 302, 404]),
    # Attendance: the member for themself, the Office for anyone
    ("answer for another", "POST",
     lambda w: reverse("meetings:attendance_answer", args=[w.other.pk]),
     lambda w: {"response": "leave", "reason": "出差"}, [LOGIN, 404, 403, 403, 403, 302, 404]),
    ("answer for self", "POST",
     lambda w: reverse("meetings:attendance_answer", args=[w.mine.pk]),
     lambda w: {"response": "leave", "reason": "出差"}, [LOGIN, 404, 302, 403, 403, 302, 404]),
    ("check in self", "POST",
     lambda w: reverse("meetings:attendance_check_in", args=[w.mine.pk]),
     lambda w: {}, [LOGIN, 404, 302, 403, 403, 302, 404]),
    ("check in another", "POST",
     lambda w: reverse("meetings:attendance_check_in", args=[w.other.pk]),
     lambda w: {}, [LOGIN, 404, 403, 403, 403, 302, 404]),
    ("undo", "POST", lambda w: reverse("meetings:attendance_undo", args=[w.mine.pk]),
     lambda w: {}, [LOGIN, 404, 403, 403, 403, 302, 404]),
    # Items, motions, decisions
    ("upload", "POST", lambda w: reverse("meetings:material_upload", args=[w.item.pk]),
     lambda w: {"file": ContentFile(b"x", name="more.txt")},
     [LOGIN, 404, 403, 403, 403, 302, 404]),
    ("motion add", "POST", lambda w: reverse("meetings:motion_add", args=[w.bare_item.pk]),
     lambda w: {"text": "同意", "method": "named", "basis": "expected",
                "threshold": "more_than_half"},
     [LOGIN, 404, 403, 302, 302, 302, 404]),
    ("motion open", "POST", lambda w: reverse("meetings:motion_open", args=[w.motion.pk]),
     lambda w: {}, [LOGIN, 404, 403, 302, 302, 302, 404]),
    ("motion close", "POST", lambda w: reverse("meetings:motion_close", args=[w.motion.pk]),
     lambda w: {"confirmed": "on"}, [LOGIN, 404, 403, 302, 302, 302, 404]),
    ("motion defer", "POST", lambda w: reverse("meetings:motion_defer", args=[w.motion.pk]),
     lambda w: {"reason": "意见分歧较大"}, [LOGIN, 404, 403, 302, 302, 302, 404]),
    ("decision", "POST", lambda w: reverse("meetings:decision_record", args=[w.bare_item.pk]),
     lambda w: {"text": "同意。"}, [LOGIN, 404, 403, 302, 302, 302, 404]),
    # The vote endpoint: a motion not yet open refuses every visible voter with 409.
    ("vote", "POST", lambda w: reverse("meetings:cast_vote", args=[w.motion.pk]),
     lambda w: {"choice": "yes"}, [LOGIN, 404, 409, 409, 409, 409, 404]),
    # The confirm step renders the page asking to confirm and changes nothing.
    ("vote confirm", "POST", lambda w: reverse("meetings:vote_confirm", args=[w.motion.pk]),
     lambda w: {"choice": "yes"}, [LOGIN, 404, 200, 200, 200, 200, 404]),
    # A secret ballot's count: seen with the meeting; the steps refuse a ballot not closed.
    ("count", "GET", lambda w: reverse("meetings:motion_count", args=[w.secret.pk]), None,
     [LOGIN, 404, 200, 200, 200, 200, 404]),
    ("count confirm", "POST",
     lambda w: reverse("meetings:motion_count_confirm", args=[w.secret.pk]),
     lambda w: {"password": "x"}, [LOGIN, 404, 302, 302, 302, 302, 404]),
    ("paper", "POST", lambda w: reverse("meetings:motion_paper", args=[w.secret.pk]),
     lambda w: {"yes": 1, "no": 0, "abstain": 0}, [LOGIN, 404, 403, 403, 403, 302, 404]),
    ("paper confirm", "POST",
     lambda w: reverse("meetings:motion_paper_confirm", args=[w.secret.pk]),
     lambda w: {"password": "x"}, [LOGIN, 404, 302, 302, 302, 302, 404]),
    # The box is published once counted: not before.
    ("box", "GET", lambda w: reverse("meetings:ballot_box", args=[w.secret.pk]), None,
     [LOGIN, 404, 404, 404, 404, 404, 404]),
    ("ballot key", "GET", lambda w: reverse("meetings:ballot_key"), None,
     [LOGIN, 200, 200, 200, 200, 200, 200]),
    ("ballot key make", "POST", lambda w: reverse("meetings:ballot_key"),
     lambda w: {"password": "wrong"}, [LOGIN, 302, 302, 302, 302, 302, 302]),
    # Minutes (Art. 15-16): seen with the meeting; the Office drafts, only the leader signs.
    ("minutes", "GET", lambda w: w.minutes.get_absolute_url(), None,
     [LOGIN, 404, 200, 200, 200, 200, 404]),
    ("minutes progress", "GET",
     lambda w: reverse("meetings:minutes_progress", args=[w.minutes.pk]), None,
     [LOGIN, 404, 200, 200, 200, 200, 404]),
    ("minutes preview", "GET",
     lambda w: reverse("meetings:minutes_preview", args=[w.minutes.pk]), None,
     [LOGIN, 404, 200, 200, 200, 200, 404]),
    ("minutes edit", "POST", lambda w: reverse("meetings:minutes_edit", args=[w.minutes.pk]),
     lambda w: {"title": "改", "narrative": "改"}, [LOGIN, 404, 403, 403, 403, 302, 404]),
    ("minutes submit", "POST",
     lambda w: reverse("meetings:minutes_submit", args=[w.minutes.pk]),
     lambda w: {}, [LOGIN, 404, 403, 403, 403, 302, 404]),
    ("minutes return", "POST",
     lambda w: reverse("meetings:minutes_return", args=[w.minutes.pk]),
     lambda w: {"comments": "请修改"}, [LOGIN, 404, 403, 403, 302, 403, 404]),
    ("minutes sign", "POST", lambda w: reverse("meetings:minutes_sign", args=[w.minutes.pk]),
     lambda w: {"password": PASSWORD}, [LOGIN, 404, 403, 403, 302, 403, 404]),
    # Issued minutes: also seen by people of the units they were sent to (not these roles).
    ("issued", "GET", lambda w: w.issued.get_absolute_url(), None,
     [LOGIN, 404, 200, 200, 200, 200, 404]),
    ("issued pdf", "GET", lambda w: reverse("meetings:issued_pdf", args=[w.issued.pk]), None,
     [LOGIN, 404, 200, 200, 200, 200, 404]),
    ("issued correct", "POST",
     lambda w: reverse("meetings:issued_correct", args=[w.issued.pk]),
     lambda w: {}, [LOGIN, 404, 403, 403, 403, 302, 404]),
    # Issue 13: the room (QR check-in, show of hands), the agenda before the session.
    ("room screen", "GET", lambda w: reverse("meetings:room_screen", args=[w.convened.pk]), None,
     [LOGIN, 404, 403, 403, 403, 200, 404]),
    ("scan", "GET",
     lambda w: reverse("meetings:check_in_scan", args=[services.check_in_code(w.convened)]),
     None, [LOGIN, 404, 200, 200, 200, 200, 404]),
    ("scan check in", "POST",
     lambda w: reverse("meetings:check_in_scan", args=[services.check_in_code(w.convened)]),
     lambda w: {}, [LOGIN, 404, 302, 302, 302, 200, 404]),
    ("hands", "GET", lambda w: reverse("meetings:show_of_hands", args=[w.motion.pk]), None,
     [LOGIN, 404, 403, 200, 200, 200, 404]),
    ("hands record", "POST", lambda w: reverse("meetings:show_of_hands", args=[w.motion.pk]),
     lambda w: {f"choice-{w.mine.person_id}": "yes"}, [LOGIN, 404, 403, 200, 200, 200, 404]),
    ("item edit", "GET", lambda w: reverse("meetings:agenda_edit", args=[w.item.pk]), None,
     [LOGIN, 404, 403, 403, 403, 200, 404]),
    ("item save", "POST", lambda w: reverse("meetings:agenda_edit", args=[w.item.pk]),
     lambda w: {"title": "议题一（改）"}, [LOGIN, 404, 403, 403, 403, 302, 404]),
    ("item move", "POST", lambda w: reverse("meetings:agenda_move", args=[w.bare_item.pk]),
     lambda w: {"direction": "up"}, [LOGIN, 404, 403, 403, 403, 302, 404]),
    ("item remove", "POST", lambda w: reverse("meetings:agenda_remove", args=[w.bare_item.pk]),
     lambda w: {}, [LOGIN, 404, 403, 403, 403, 302, 404]),
    ("material remove", "POST",
     lambda w: reverse("meetings:material_remove", args=[w.material.pk]),
     lambda w: {}, [LOGIN, 404, 403, 403, 403, 302, 404]),
    ("attendee remove", "POST",
     lambda w: reverse("meetings:attendee_remove", args=[w.attendee.pk]),
     lambda w: {}, [LOGIN, 404, 404, 403, 403, 302, 404]),
    ("minutes withdraw", "POST",
     lambda w: reverse("meetings:minutes_withdraw", args=[w.minutes.pk]),
     lambda w: {}, [LOGIN, 404, 403, 403, 403, 302, 404]),
    # Public: printed on every issued PDF.
    ("verify", "GET", lambda w: reverse("meetings:verify"), None, [200] * 7),
    ("verify number", "GET",
     lambda w: f"{reverse('meetings:verify')}?number={w.issued.number}", None, [200] * 7),
]  # fmt: skip


def _ask(client, person, method, url, data) -> tuple[object, bool]:
    """Make one request as ``person``, report its outcome and whether it changed anything,
    then roll every change back so that the next role meets the same world."""
    with transaction.atomic():
        if person is not None:
            client.force_login(person)
        before = snapshot()
        response = client.get(url) if method == "GET" else client.post(url, data)
        changed = snapshot() != before
        client.logout()
        transaction.set_rollback(True)
    if response.status_code == 302 and response["Location"].startswith(reverse("login")):
        return LOGIN, changed
    return response.status_code, changed


@pytest.mark.parametrize(
    ("method", "url", "data", "statuses"),
    [pytest.param(*row[1:], id=row[0]) for row in GRID],
)
def test_meeting_permission_grid(request, client, world, method, url, data, statuses):
    wrong = []
    for role, expected in zip(ROLES, statuses, strict=True):
        person = None if role == "anonymous" else request.getfixturevalue(role)

        outcome, changed = _ask(client, person, method, url(world), data(world) if data else {})

        if outcome != expected:
            wrong.append(f"{role}: {outcome}, expected {expected}")
        elif changed and expected in (LOGIN, 403, 404, 409):
            wrong.append(f"{role}: refused with {outcome} but something changed")
    assert wrong == []


def test_the_meeting_list_shows_only_the_meetings_each_person_may_see(
    client, world, member, office_clerk, outsider
):
    listed = {}
    for person in (member, office_clerk, outsider):
        client.force_login(person)
        response = client.get(reverse("meetings:meeting_list"))
        listed[person.username] = {m.pk for m in response.context["upcoming"]}
        past = {m.pk for m in response.context["past"]}  # the closed meeting of the minutes
        assert response.content.count(b'<tr class="meeting"') == len(listed[person.username]) + len(
            past
        )
        assert past == ({world.minutes.meeting_id} if person != outsider else set())

    assert listed == {
        "yanzushu": {world.convened.pk},
        "clerk": {world.convened.pk, world.draft.pk},
        "outsider": set(),
    }


def test_a_non_voting_attendee_sees_the_meeting_but_takes_no_step(
    client, world, office_clerk, outsider
):
    services.invite_attendee(actor=office_clerk, meeting=world.convened, person=outsider)
    client.force_login(outsider)
    before = snapshot()

    page = client.get(world.convened.get_absolute_url())
    check_in = client.post(reverse("meetings:attendance_check_in", args=[world.mine.pk]))
    vote = client.post(reverse("meetings:cast_vote", args=[world.motion.pk]), {"choice": "yes"})

    assert (page.status_code, check_in.status_code, vote.status_code) == (200, 403, 409)
    assert snapshot() == before


def test_a_get_on_a_step_is_not_allowed(client, world, office_clerk):
    client.force_login(office_clerk)
    before = snapshot()

    response = client.get(reverse("meetings:meeting_open", args=[world.convened.pk]))

    assert response.status_code == 405
    assert snapshot() == before


def test_votes_are_read_only_in_the_admin_and_ballots_cannot_be_ordered_together(
    client, admin, in_session, leader, deputy, member
):
    item = services.add_agenda_item(actor=leader, meeting=in_session, title="议题")
    motion = services.create_motion(actor=leader, item=item, text="同意", method="secret")
    ballot_helpers.open_vote(actor=leader, motion=motion)
    for voter in (member, leader, deputy):  # neither this order nor its reverse is by name
        services.cast_vote(voter=voter, motion=motion, choice="yes")
    client.force_login(admin)
    before = snapshot()

    pages = {
        name: client.get(reverse(f"admin:meetings_{name}_changelist"))
        for name in ("ballotreceipt", "ballot", "scrutineer", "namedvote", "motion")
    }
    add = client.get(reverse("admin:meetings_ballotreceipt_add"))
    reordered = client.get(reverse("admin:meetings_ballotreceipt_changelist"), {"o": "-0"})

    assert [page.status_code for page in pages.values()] == [200] * 5
    assert add.status_code == 403
    receipts = pages["ballotreceipt"].context["cl"]
    assert receipts.list_display == ["motion", "voter"]
    # R-VOTE-1: nothing of the uncounted ballot: no ballots, no scrutineers, no totals.
    assert list(pages["ballot"].context["cl"].result_list) == []
    assert list(pages["scrutineer"].context["cl"].result_list) == []
    change = client.get(reverse("admin:meetings_motion_change", args=[motion.pk]))
    assert change.status_code == 200
    assert motion.ballots.count() == 3
    for page in (pages["ballotreceipt"], pages["ballot"], reordered):
        assert b"_selected_action" not in page.content  # no checkboxes carrying row ids
        assert b"/change/" not in page.content  # no links to single rows
    # Whatever the URL asks, receipts come by name within the motion, not in casting order.
    names = [r.voter.full_name for r in reordered.context["cl"].result_list]
    assert names == list(
        User.objects.filter(pk__in=[member.pk, leader.pk, deputy.pk])
        .order_by("full_name")
        .values_list("full_name", flat=True)
    )
    assert snapshot() == before


def test_the_grid_covers_every_meetings_url(world):
    (meetings,) = [
        p for p in get_resolver().url_patterns if getattr(p, "namespace", "") == "meetings"
    ]
    named = {f"meetings:{pattern.name}" for pattern in meetings.url_patterns}
    covered = {resolve(urlsplit(url(world)).path).view_name for _, _, url, *_ in GRID}
    assert len(named) == 57
    assert covered == named


@pytest.mark.parametrize(
    "name", ["meetings:meeting_detail", "meetings:quorum_panel", "meetings:motion_detail"]
)
def test_an_unknown_or_impossible_id_is_404(client, convened, member, name):
    client.force_login(member)

    path = reverse(name, args=[convened.pk + 1000])
    assert client.get(path).status_code == 404
    # Past the largest id: not a path of the site at all (infogov.converters).
    for pk in (2**63, 10**30):
        assert client.get(path.replace(str(convened.pk + 1000), str(pk))).status_code == 404
