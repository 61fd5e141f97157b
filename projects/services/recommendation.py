"""Recommendation (立项建议, Art. 8 (3)): the Work Group ranks a reviewed proposal and
recommends an amount within the call's envelope (a cut needs a reason) or does not recommend it,
and puts the recommended proposals on a Leading Group meeting's agenda as one major item, whose
motion will decide exactly these proposals at these amounts (Art. 7 (3)).
"""

from django.db import transaction
from django.utils.translation import gettext as _

from meetings import services as meeting_services
from meetings.models import Meeting
from members.models import Body, User
from projects import rules
from projects.models import ApprovalRequest, Call, Proposal, RequestLine
from projects.rules import ProposalStatus, Step
from projects.services._common import ProjectError, _check, _lock, _move, _reason, yuan
from projects.services.proposals import requested_fen

_COUNTED = (
    ProposalStatus.RECOMMENDED,
    ProposalStatus.ON_AGENDA,
    *sorted(rules.APPROVED_STATUSES),
)


@transaction.atomic
def recommend(
    *, actor: User, proposal: Proposal, rank: int, recommended_fen: int, reason: str = ""
) -> Proposal:
    """立项建议: the Work Group ranks the proposal and recommends an amount within the envelope;
    a cut needs a reason."""
    proposal = _lock(proposal)
    after = _check(Step.RECOMMEND, proposal, actor)
    Call.objects.select_for_update().get(pk=proposal.call_id)  # one recommendation at a time
    if not rules.art8_cut_needs_reason(
        requested_fen=requested_fen(proposal), recommended_fen=recommended_fen, reason=reason
    ):
        raise ProjectError(_("Recommend at most the amount requested; give a reason for any cut."))
    others = (
        Proposal.objects.filter(call=proposal.call, status__in=_COUNTED)
        .exclude(pk=proposal.pk)
        .values_list("recommended_fen", flat=True)
    )
    if not rules.art8_within_envelope(
        recommended_fen=[*(x or 0 for x in others), recommended_fen],
        envelope_fen=proposal.call.envelope_fen,
    ):
        raise ProjectError(_("The recommended amounts would exceed the call's envelope."))
    _move(
        proposal,
        after,
        actor,
        "projects.recommended",
        rank=rank,
        recommended_fen=recommended_fen,
        recommendation_reason=reason.strip(),
    )
    return proposal


@transaction.atomic
def reject(*, actor: User, proposal: Proposal, reason: str) -> Proposal:
    """The Work Group does not recommend the proposal, and says why."""
    proposal = _lock(proposal)
    after = _check(Step.REJECT, proposal, actor)
    _move(proposal, after, actor, "projects.rejected", recommendation_reason=_reason(reason))
    return proposal


@transaction.atomic
def put_on_agenda(*, actor: User, call: Call, meeting: Meeting) -> ApprovalRequest:
    """The recommended proposals of ``call`` go to a Leading Group meeting as one major agenda
    item (Art. 7 (3)); its motion will decide exactly these, at these amounts."""
    if meeting.body.kind != Body.Kind.LEADING_GROUP:
        raise ProjectError(_("Projects are approved by the Leading Group (Art. 7 (3))."))
    proposals = list(
        Proposal.objects.select_for_update(of=("self",))
        .filter(call=call, status=ProposalStatus.RECOMMENDED)
        .select_related("unit")
        .order_by("rank", "id")
    )
    if not proposals:
        raise ProjectError(_("No recommended proposal waits for the Leading Group."))
    for proposal in proposals:
        _check(Step.PUT_ON_AGENDA, proposal, actor)
    total = sum(p.recommended_fen for p in proposals)
    item = meeting_services.add_agenda_item(
        actor=actor,
        meeting=meeting,
        title=_("%(year)s informatization projects and budgets") % {"year": call.year},
        description="\n".join(
            f"{p.rank}. {p.unit} · {p.title} · {yuan(p.recommended_fen)}" for p in proposals
        )
        + "\n"
        + _("Total: %(total)s") % {"total": yuan(total)},
        is_major=True,
    )
    request = ApprovalRequest.objects.create(call=call, item=item, created_by=actor)
    RequestLine.objects.bulk_create(
        RequestLine(request=request, proposal=p, amount_fen=p.recommended_fen) for p in proposals
    )
    for proposal in proposals:
        _move(proposal, ProposalStatus.ON_AGENDA, actor, "projects.put_on_agenda")
    return request
