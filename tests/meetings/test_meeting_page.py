"""The meeting page: after every service that changes the meeting, each kind of viewer sees the
change at once, exactly the page a render with an empty cache gives; its forms carry the
viewer's own CSRF token, the Office's parts never reach anyone else, and the quorum poll
follows check-ins."""

import re

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from meetings import services
from meetings.minutes import services as minutes_services
from meetings.minutes.models import Minutes
from meetings.models import Meeting, Motion
from members.models import Unit
from tests.html import strip_csrf
from tests.meetings import ballot_helpers
from tests.meetings.conftest import PASSWORD
from tests.meetings.minutes_helpers import use_fake_signing


def _get(client: Client, meeting: Meeting) -> bytes | None:
    """The page as ``client`` gets it, or None while they may not see it (a draft)."""
    response = client.get(meeting.get_absolute_url())
    if response.status_code == 404 and meeting.status == Meeting.Status.DRAFT:
        return None
    assert response.status_code == 200
    return strip_csrf(response.content)


@pytest.fixture
def viewers(office_clerk, leader, member) -> dict[str, Client]:
    """The Office (manages), the leader (convenes) and a plain member: three roles."""
    clients = {}
    for name, person in (("office", office_clerk), ("leader", leader), ("member", member)):
        clients[name] = Client()
        clients[name].force_login(person)
    return clients


def test_every_change_reaches_every_viewer_at_once(
    draft, office_clerk, leader, member, viewers, monkeypatch, django_capture_on_commit_callbacks
):
    use_fake_signing(monkeypatch)
    netc = Unit.objects.get(code="netc")
    state: dict = {"meeting": draft}

    def meeting() -> Meeting:
        return Meeting.objects.get(pk=draft.pk)

    def expected(n: int):
        return meeting().expected_members.select_related("person").order_by("order")[n]

    def mine():
        return meeting().expected_members.get(person=member)

    def add_item():
        state["item"] = services.add_agenda_item(
            actor=office_clerk, meeting=meeting(), title="审议立项", presenter_unit=netc
        )

    def motion(method=Motion.Method.NAMED):
        state["motion"] = services.create_motion(
            actor=leader, item=state["item"], text="同意立项", method=method
        )

    def check_in_all():
        for n in range(16):
            if not expected(n).present:
                services.check_in(actor=office_clerk, member=expected(n), by_office=True)

    def refused_gate():
        for n in range(6):
            services.undo_check_in(actor=office_clerk, member=expected(n))
        with pytest.raises(services.QuorumNotMet):
            ballot_helpers.open_vote(actor=leader, motion=state["motion"])
        check_in_all()

    def sign():
        with django_capture_on_commit_callbacks(execute=True):
            minutes_services.request_signature(
                actor=leader, minutes=state["minutes"], password=PASSWORD
            )

    def minutes() -> Minutes:
        return meeting().minutes.order_by("pk").last()

    steps = [
        ("add an item", add_item),
        (
            "invite an attendee",
            lambda: services.invite_attendee(
                actor=office_clerk, meeting=meeting(), person=office_clerk, note="记录"
            ),
        ),
        (
            "reschedule",
            lambda: services.reschedule_meeting(
                actor=office_clerk, meeting=meeting(), starts_at=draft.starts_at, location="图书馆"
            ),
        ),
        ("convene", lambda: services.convene_meeting(actor=leader, meeting=meeting())),
        (
            "postpone",
            lambda: services.postpone_meeting(actor=leader, meeting=meeting(), reason="时间冲突"),
        ),
        (
            "reschedule back",
            lambda: services.reschedule_meeting(
                actor=office_clerk, meeting=meeting(), starts_at=draft.starts_at, location="行政楼"
            ),
        ),
        (
            "answer leave",
            lambda: services.answer_attendance(
                actor=office_clerk, member=expected(15), response="leave", reason="出差"
            ),
        ),
        (
            "answer attend",
            lambda: services.answer_attendance(actor=member, member=mine(), response="attend"),
        ),
        (
            "open check-in",
            lambda: services.set_check_in_open(actor=office_clerk, meeting=meeting(), is_open=True),
        ),
        (
            "member checks in",
            lambda: services.check_in(
                actor=member, member=mine(), code=services.check_in_code(meeting())
            ),
        ),
        ("undo check-in", lambda: services.undo_check_in(actor=office_clerk, member=mine())),
        ("everyone checks in", check_in_all),
        (
            "close check-in",
            lambda: services.set_check_in_open(
                actor=office_clerk, meeting=meeting(), is_open=False
            ),
        ),
        ("open the meeting", lambda: services.open_meeting(actor=office_clerk, meeting=meeting())),
        (
            "add material",
            lambda: services.add_material(
                actor=office_clerk, item=state["item"], upload=ContentFile(b"x", name="plan.txt")
            ),
        ),
        ("create a motion", motion),
        ("a refused gate", refused_gate),
        ("open the vote", lambda: ballot_helpers.open_vote(actor=leader, motion=state["motion"])),
        (
            "a vote is cast",
            lambda: services.cast_vote(voter=member, motion=state["motion"], choice="yes"),
        ),
        (
            "close the vote",
            lambda: ballot_helpers.close_and_count(actor=leader, motion=state["motion"]),
        ),
        (
            "record the decision",
            lambda: services.record_decision(
                actor=office_clerk,
                item=state["item"],
                text="同意。",
                motion=Motion.objects.get(pk=state["motion"].pk),
            ),
        ),
        ("another item", add_item),
        ("a secret motion", lambda: motion(Motion.Method.SECRET)),
        (
            "defer it",
            lambda: services.defer_vote(actor=leader, motion=state["motion"], reason="再议"),
        ),
        (
            "close the meeting",
            lambda: services.close_meeting(actor=office_clerk, meeting=meeting()),
        ),
        (
            "edit the minutes",
            lambda: minutes_services.edit_minutes(
                actor=office_clerk,
                minutes=minutes(),
                title="会议纪要（修改）",
                narrative="会议认为。",
            ),
        ),
        (
            "submit the minutes",
            lambda: minutes_services.submit_minutes(actor=office_clerk, minutes=minutes()),
        ),
        (
            "return them",
            lambda: minutes_services.return_minutes(
                actor=leader, minutes=minutes(), comments="请补充。"
            ),
        ),
        (
            "submit again",
            lambda: state.update(
                minutes=minutes_services.submit_minutes(actor=office_clerk, minutes=minutes())
            ),
        ),
        ("sign and issue", sign),
        (
            "start a correction",
            lambda: minutes_services.start_correction(
                actor=office_clerk, issued=minutes().issued.get()
            ),
        ),
    ]
    for name, step in steps:
        served_before = {who: _get(c, meeting()) for who, c in viewers.items()}  # now cached
        step()
        served = {who: _get(c, meeting()) for who, c in viewers.items()}
        cache.clear()
        fresh = {who: _get(c, meeting()) for who, c in viewers.items()}
        for who in viewers:
            assert served[who] == fresh[who], f"{who} got a stale page after: {name}"
        if name != "a vote is cast":  # the meeting page shows no running count
            assert served["office"] != served_before["office"], f"nothing shown of: {name}"


def test_the_forms_carry_the_viewers_own_token(convened, leader, deputy):
    """After the leader's view, the deputy (who may do the same) posts a form of their page
    with the token it carries, through the CSRF check."""
    first = Client(enforce_csrf_checks=True)
    first.force_login(leader)
    first.get(convened.get_absolute_url())
    second = Client(enforce_csrf_checks=True)
    second.force_login(deputy)
    page = second.get(convened.get_absolute_url()).content.decode()

    postpone = reverse("meetings:meeting_postpone", args=[convened.pk])
    tokens = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page))
    assert len(tokens) == 1  # one token for the page: its forms and the top bar's
    token = tokens.pop()
    response = second.post(postpone, {"reason": "时间冲突", "csrfmiddlewaretoken": token})

    assert response.status_code == 302
    assert Meeting.objects.get(pk=convened.pk).status == Meeting.Status.POSTPONED


def test_a_member_never_gets_the_office_parts(client, convened, office_clerk, member):
    office = Client()
    office.force_login(office_clerk)
    office_page = office.get(convened.get_absolute_url()).content.decode()
    client.force_login(member)
    member_page = client.get(convened.get_absolute_url()).content.decode()

    someone_else = convened.expected_members.exclude(person=member).first()
    for office_only in (
        reverse("meetings:agenda_add", args=[convened.pk]),
        reverse("meetings:check_in_open", args=[convened.pk]),
        reverse("meetings:attendance_check_in", args=[someone_else.pk]),
    ):
        assert office_only in office_page
        assert office_only not in member_page


def test_each_language_has_its_own_page(client, convened, member):
    client.force_login(member)
    chinese = client.get(convened.get_absolute_url(), headers={"accept-language": "zh-hans"})
    english = client.get(convened.get_absolute_url(), headers={"accept-language": "en"})

    assert "法定人数" in chinese.content.decode()
    assert "Quorum" in english.content.decode()
    assert "法定人数" not in english.content.decode()


def test_the_quorum_poll_follows_check_ins(client, convened, office_clerk, member):
    url = reverse("meetings:quorum_panel", args=[convened.pk])
    client.force_login(office_clerk)
    before = client.get(url).content.decode()
    services.check_in(actor=office_clerk, member=convened.expected_members.first(), by_office=True)
    after = client.get(url).content.decode()

    assert '<strong class="present">0</strong>' in before
    assert '<strong class="present">1</strong>' in after
    # The Office's copy carries the attendance table out of band, with the new check-in.
    assert 'id="attendance" hx-swap-oob="true"' in after
    undo = reverse("meetings:attendance_undo", args=[convened.expected_members.first().pk])
    assert undo not in before
    assert after.count(undo) == 1
    member_client = Client()
    member_client.force_login(member)
    # A member's copy carries only the open votes out of band (issue 13), not the table.
    assert 'id="attendance"' not in member_client.get(url).content.decode()
    assert 'id="open-votes"' in member_client.get(url).content.decode()


def _poll_url(html: str) -> str:
    """Where the quorum panel in ``html`` polls, with the revision its page was rendered at."""
    match = re.search(r'id="quorum-panel"[^>]*hx-get="([^"]+)"', html)
    assert match is not None
    return match.group(1)


def test_the_offices_poll_carries_the_table_only_once_the_meeting_changed(
    client, convened, office_clerk, django_assert_num_queries
):
    client.force_login(office_clerk)
    poll = _poll_url(client.get(convened.get_absolute_url()).content.decode())

    unchanged = client.get(poll).content.decode()
    # Session, person, meeting (the panels are cached): the page's table is still true, and
    # is neither read nor sent.
    with django_assert_num_queries(3):
        assert client.get(poll).content.decode() == unchanged
    first = convened.expected_members.order_by("order").first()
    services.check_in(actor=office_clerk, member=first, by_office=True)
    changed = client.get(poll).content.decode()

    assert 'id="quorum-panel"' in unchanged
    assert 'id="attendance"' not in unchanged
    assert 'id="attendance" hx-swap-oob="true"' in changed
    assert reverse("meetings:attendance_undo", args=[first.pk]) in changed
    # The new panel polls with the new revision: its table is the one just sent.
    assert _poll_url(changed) != poll
    assert 'id="attendance"' not in client.get(_poll_url(changed)).content.decode()
