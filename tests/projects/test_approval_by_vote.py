"""Art. 7 (3): a project is approved only by its agenda item's passed motion. Every other path
that could set "approved" is tried and refused; a passed motion approves exactly the listed
projects at the listed amounts, a failed one none."""

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction

from meetings import services as meeting_services
from projects import services
from projects.models import Proposal
from projects.rules import ProposalStatus as S
from projects.services import ProjectError
from tests.projects.conftest import reviewed, vote

pytestmark = pytest.mark.usefixtures("english")


def _state(pk):
    return Proposal.objects.values_list("status", "approved_fen", "approval_motion").get(pk=pk)


def test_a_passed_motion_approves_exactly_the_listed_projects_and_amounts(
    call, liaison, office_clerk, experts, recommended, lg_meeting, leader
):
    left_out = reviewed(call, liaison, office_clerk, experts, "未推荐")
    request = services.put_on_agenda(actor=office_clerk, call=call, meeting=lg_meeting)
    later = reviewed(call, liaison, office_clerk, experts, "后推荐")
    services.recommend(
        actor=office_clerk, proposal=later, rank=2, recommended_fen=1_00, reason="少"
    )

    motion = vote(lg_meeting, request.item, leader, yes=True)

    assert motion.passed is True
    assert _state(recommended.pk) == (S.APPROVED, 280_000_00, motion.pk)
    assert _state(left_out.pk) == (S.REVIEWED, None, None)
    assert _state(later.pk) == (S.RECOMMENDED, None, None)
    assert request.item.is_major is True


def test_a_failed_motion_approves_none(recommended, call, lg_meeting, office_clerk, leader):
    request = services.put_on_agenda(actor=office_clerk, call=call, meeting=lg_meeting)

    motion = vote(lg_meeting, request.item, leader, yes=False)

    assert motion.passed is False
    assert _state(recommended.pk) == (S.NOT_APPROVED, None, None)


def test_an_uncounted_motion_decides_nothing(recommended, call, lg_meeting, office_clerk, leader):
    request = services.put_on_agenda(actor=office_clerk, call=call, meeting=lg_meeting)
    motion = meeting_services.create_motion(actor=leader, item=request.item, text="同意")
    meeting_services.open_vote(actor=leader, motion=motion)

    with pytest.raises(ProjectError, match="counted vote"):
        services.apply_motion_result(motion=motion)
    assert _state(recommended.pk) == (S.ON_AGENDA, None, None)


def test_a_motion_of_another_item_decides_nothing(
    recommended, call, lg_meeting, office_clerk, leader
):
    services.put_on_agenda(actor=office_clerk, call=call, meeting=lg_meeting)
    other = meeting_services.add_agenda_item(actor=office_clerk, meeting=lg_meeting, title="其他")

    vote(lg_meeting, other, leader, yes=True)

    assert _state(recommended.pk) == (S.ON_AGENDA, None, None)


def test_a_decided_request_is_not_decided_again(approved, lg_meeting, leader):
    motion = approved.approval_motion
    with pytest.raises(ProjectError, match="already decided"):
        services.apply_motion_result(motion=motion)


def test_only_the_leading_group_approves(recommended, call, roster, office_clerk, deputy):
    from django.utils import timezone

    from meetings.models import Meeting

    work_group_meeting = meeting_services.draft_meeting(
        actor=office_clerk,
        body=roster.work_group,
        kind=Meeting.Kind.WG_SPECIAL,
        title="工作组会议",
        starts_at=timezone.now(),
        location="会议室",
    )
    with pytest.raises(ProjectError, match="Leading Group"):
        services.put_on_agenda(actor=office_clerk, call=call, meeting=work_group_meeting)


@pytest.mark.parametrize("person", ["leader", "deputy", "office_clerk", "liaison", "admin"])
def test_no_person_takes_the_approve_step(
    request, recommended, call, lg_meeting, office_clerk, person
):
    services.put_on_agenda(actor=office_clerk, call=call, meeting=lg_meeting)
    actor = request.getfixturevalue(person)
    proposal = Proposal.objects.get(pk=recommended.pk)
    for step in (services.Step.APPROVE, services.Step.DECLINE):
        with pytest.raises(ProjectError, match="Only the Leading Group's vote"):
            services._check(step, proposal, actor)
    with pytest.raises(ValueError):
        services.update_proposal(actor=actor, proposal=proposal, status=S.APPROVED)
    assert _state(recommended.pk) == (S.ON_AGENDA, None, None)


def test_the_database_refuses_approved_without_its_motion(recommended):
    with pytest.raises(IntegrityError), transaction.atomic():
        Proposal.objects.filter(pk=recommended.pk).update(status=S.APPROVED, approved_fen=1)


def test_the_admin_changes_nothing(client, admin, recommended):
    client.force_login(admin)
    url = f"/admin/projects/proposal/{recommended.pk}/change/"

    response = client.post(url, {"status": S.APPROVED, "approved_fen": "1"})

    assert response.status_code == 403
    assert _state(recommended.pk) == (S.RECOMMENDED, None, None)


def test_no_view_sets_the_status(client, recommended, call, lg_meeting, office_clerk, liaison):
    services.put_on_agenda(actor=office_clerk, call=call, meeting=lg_meeting)
    for person in (office_clerk, liaison):
        client.force_login(person)
        for path in ("edit/", "recommend/", "submit/", "funding/", "tender/"):
            client.post(
                f"/projects/proposals/{recommended.pk}/{path}",
                {"status": S.APPROVED, "approved_fen": "1", "rank": "1", "recommended_fen": "1"},
            )
    assert _state(recommended.pk) == (S.ON_AGENDA, None, None)


def test_no_management_command_approves(recommended, call, lg_meeting, office_clerk):
    services.put_on_agenda(actor=office_clerk, call=call, meeting=lg_meeting)
    call_command("check_project_milestones")
    assert _state(recommended.pk) == (S.ON_AGENDA, None, None)


def test_a_secret_ballot_approves_when_counted_not_when_closed(
    recommended, call, lg_meeting, office_clerk, leader
):
    """A secret ballot's totals exist only once two scrutineers count it (meetings.ballots):
    closing it decides nothing, the count approves."""
    from meetings.models import Motion
    from tests.meetings import ballot_helpers

    request = services.put_on_agenda(actor=office_clerk, call=call, meeting=lg_meeting)
    motion = meeting_services.create_motion(
        actor=leader, item=request.item, text="同意立项建议", method=Motion.Method.SECRET
    )
    ballot_helpers.open_vote(actor=leader, motion=motion)
    for member in lg_meeting.expected_members.filter(present=True).select_related("person"):
        meeting_services.cast_vote(voter=member.person, motion=motion, choice="yes")

    closed = meeting_services.close_vote(actor=leader, motion=motion)
    assert (closed.status, closed.counted) == (Motion.Status.CLOSED, "")
    assert _state(recommended.pk) == (S.ON_AGENDA, None, None)

    counted = ballot_helpers.count(closed)

    assert counted.passed is True
    assert _state(recommended.pk) == (S.APPROVED, 280_000_00, motion.pk)
