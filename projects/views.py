"""Pages and steps of the project cycle. Each POST view fetches through projects.permissions
(404 for what the person may not see, 403 for a step not theirs), then takes its step with
infogov.steps.post_step. Templates get the steps possible now (projects.rules.steps_in), never
a status to compare."""

from collections.abc import Callable
from functools import partial
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import F, Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from infogov.steps import post_step, run_step
from meetings.models import Meeting
from meetings.rules import MeetingStatus
from members.models import Body, Unit
from members.panels import Panel
from projects import exports, forms, permissions, rules, services
from projects.models import Assignment, Call, Milestone, Proposal
from projects.rules import Actor, Step

# --- Helpers --------------------------------------------------------------------------------


def _proposal_for(request: HttpRequest, pk: int, step: Step) -> Proposal:
    """The proposal if visible (else 404) and ``step``'s actor is the person (else 403)."""
    proposal = permissions.get_proposal_for_user_or_404(request.user, pk)
    if rules.WHO[step] not in permissions.who(request.user).actors(proposal):
        raise PermissionDenied
    return proposal


def _proposal_step(
    step: Step,
    service: Callable[..., Any],
    success: Any,
    form_class: type | None = None,
    form_kwargs: Callable[[Proposal], dict] | None = None,
) -> Callable[[HttpRequest, int], HttpResponse]:
    """A POST view for ``step`` on a proposal: fetch, bind ``form_class``, call ``service``."""

    @login_required
    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        proposal = _proposal_for(request, pk, step)
        form = None
        if form_class is not None:
            extra = form_kwargs(proposal) if form_kwargs else {}
            form = form_class(request.POST, request.FILES, **extra)
        return post_step(
            request,
            partial(service, actor=request.user, proposal=proposal),
            success=str(success),
            then=proposal,
            form=form,
        )

    view.__name__ = f"proposal_{step}"
    return view


def _requested(proposals: list[Proposal]) -> int:
    return sum(p.requested for p in proposals)


def _with_scores(queryset):
    """Proposals with ``requested`` and their submitted sheets, in two queries."""
    return queryset.with_requested().prefetch_related(
        Prefetch(
            "assignments",
            queryset=Assignment.objects.filter(state=Assignment.State.SUBMITTED).only(
                "proposal_id", "total"
            ),
            to_attr="sheets",
        )
    )


def _summaries(proposals: list[Proposal], *, during_review: bool) -> None:
    """Each proposal's review summary; while its review is open only for the Office and the
    Work Group (``during_review``): an expert sees no one else's scores (Art. 11)."""
    for proposal in proposals:
        hidden = proposal.status == rules.ProposalStatus.IN_REVIEW and not during_review
        totals = () if hidden else tuple(s.total for s in proposal.sheets)
        proposal.summary = rules.ReviewSummary(totals=totals)


# --- The dashboard panel (members.panels) -----------------------------------------------------


def dashboard_panel(request: HttpRequest) -> Panel | None:
    """What waits for the person in the project cycle: their sheets and their unit's drafts."""
    who = permissions.who(request.user)
    if not who.any_role:
        return None
    if not who.expert:
        return Panel("projects/_panel.html", {"project_reviews": []})
    waiting = list(
        Assignment.objects.filter(
            expert_id=who.user_id,
            state__in=[Assignment.State.ASSIGNED, Assignment.State.OPEN],
            proposal__status=rules.ProposalStatus.IN_REVIEW,
        ).select_related("proposal")
    )
    return Panel("projects/_panel.html", {"project_reviews": waiting})


# --- Calls ------------------------------------------------------------------------------------


@login_required
def index(request: HttpRequest) -> HttpResponse:
    if not permissions.can_view_projects(request.user):
        raise Http404
    who = permissions.who(request.user)
    assignments = Assignment.objects.filter(expert=request.user).select_related(
        "proposal__call", "proposal__unit"
    )
    mine = Proposal.objects.filter(unit__in=who.units).select_related("call", "unit")
    return render(
        request,
        "projects/index.html",
        {
            "calls": Call.objects.all(),
            "assignments": assignments,
            "mine": mine,
            "can_open_call": permissions.can_open_call(request.user),
        },
    )


@login_required
def call_new(request: HttpRequest) -> HttpResponse:
    if not permissions.can_view_projects(request.user):
        raise Http404
    if not permissions.can_open_call(request.user):
        raise PermissionDenied
    form = forms.CallForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = run_step(
            request,
            lambda: services.open_call(actor=request.user, **form.cleaned_data),
            success=_("The call is open."),
        )
        if outcome.done:
            return redirect(outcome.result)
    return render(request, "projects/call_form.html", {"form": form})


@login_required
def call_detail(request: HttpRequest, pk: int) -> HttpResponse:
    call = permissions.get_call_for_user_or_404(request.user, pk)
    who = permissions.who(request.user)
    proposals = list(
        _with_scores(permissions.visible_proposals(request.user, call.proposals.all()))
        .select_related("unit")
        .order_by(F("rank").asc(nulls_last=True), "id")
    )
    _summaries(proposals, during_review=who.sees_every_proposal)
    today = timezone.localdate()
    meetings = Meeting.objects.filter(
        body__kind=Body.Kind.LEADING_GROUP,
        status__in=[MeetingStatus.DRAFT, MeetingStatus.CONVENED, MeetingStatus.IN_SESSION],
    ).order_by("starts_at")
    return render(
        request,
        "projects/call_detail.html",
        {
            "call": call,
            "proposals": proposals,
            "requested_total": _requested(proposals),
            "recommended_total": sum(p.recommended_fen or 0 for p in proposals),
            "is_open": services._window(call, today) is not None,
            "can_propose": bool(who.units) and services._window(call, today) is not None,
            "can_put_on_agenda": who.work_group,
            "agenda_form": forms.AgendaForm(meetings=meetings) if who.work_group else None,
            "can_see_overview": who.sees_approved,
            "units": who.units,
        },
    )


@login_required
@require_POST
def call_agenda(request: HttpRequest, pk: int) -> HttpResponse:
    call = permissions.get_call_for_user_or_404(request.user, pk)
    if not permissions.who(request.user).work_group:
        raise PermissionDenied
    meetings = Meeting.objects.filter(body__kind=Body.Kind.LEADING_GROUP)
    return post_step(
        request,
        partial(services.put_on_agenda, actor=request.user, call=call),
        success=_("The recommendation is on the Leading Group's agenda."),
        then=call,
        form=forms.AgendaForm(request.POST, meetings=meetings),
    )


@login_required
def overview(request: HttpRequest, pk: int) -> HttpResponse:
    call = permissions.get_call_for_user_or_404(request.user, pk)
    if not permissions.can_see_overview(request.user):
        raise PermissionDenied
    figures = exports.overview(call)
    return render(request, "projects/overview.html", {"call": call, "figures": figures})


@login_required
def ledger(request: HttpRequest, pk: int) -> HttpResponse:
    call = permissions.get_call_for_user_or_404(request.user, pk)
    if not permissions.can_see_overview(request.user):
        raise PermissionDenied
    response = HttpResponse(
        exports.ledger_xlsx(call),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="ledger-{call.year}.xlsx"'
    return response


@login_required
def approval_notice(request: HttpRequest, pk: int) -> HttpResponse:
    call = permissions.get_call_for_user_or_404(request.user, pk)
    if not permissions.can_see_overview(request.user):
        raise PermissionDenied
    pdf = exports.approval_notice_pdf(call)
    if pdf is None:
        raise Http404
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="approval-{call.year}.pdf"'
    return response


# --- Proposals --------------------------------------------------------------------------------


@login_required
def proposal_new(request: HttpRequest, pk: int) -> HttpResponse:
    call = permissions.get_call_for_user_or_404(request.user, pk)
    who = permissions.who(request.user)
    if not who.units:
        raise PermissionDenied
    form = forms.ProposalForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        # The unit the person acts for; a person acts for one unit in practice.
        unit = Unit.objects.filter(pk__in=who.units).order_by("order", "pk").first()
        outcome = run_step(
            request,
            lambda: services.create_proposal(
                actor=request.user, call=call, unit=unit, **form.cleaned_data
            ),
            success=_("The draft is saved: add its budget lines, then submit it."),
        )
        if outcome.done:
            return redirect(outcome.result)
    return render(request, "projects/proposal_form.html", {"form": form, "call": call})


@login_required
def proposal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal_for(request, pk, Step.EDIT)
    form = forms.ProposalForm(request.POST or None, request.FILES or None, instance=proposal)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.changed_data}
        outcome = run_step(
            request,
            lambda: services.update_proposal(actor=request.user, proposal=proposal, **data),
            success=_("Saved."),
        )
        if outcome.done:
            return redirect(proposal)
    return render(request, "projects/proposal_form.html", {"form": form, "call": proposal.call})


@login_required
def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = permissions.get_proposal_for_user_or_404(request.user, pk)
    who = permissions.who(request.user)
    actors = who.actors(proposal)
    steps = rules.steps_in(proposal.status, actors)
    lines = list(proposal.budget_lines.all())
    sees_scores = who.sees_every_proposal and proposal.status != rules.ProposalStatus.IN_REVIEW
    context = {
        "proposal": proposal,
        "lines": lines,
        "requested": sum(line.amount_fen for line in lines),
        "steps": steps,
        "summary": services.review_summary(proposal) if who.sees_every_proposal else None,
        "sheets": proposal.assignments.select_related("expert") if sees_scores else None,
        "assignments": (
            proposal.assignments.select_related("expert") if Actor.OFFICE in actors else None
        ),
        "allocations": proposal.allocations.all(),
        "acceptances": proposal.acceptances.all(),
        "tender": getattr(proposal, "tender", None),
        "milestones": proposal.milestones.all(),
        "line_form": forms.BudgetLineForm(),
        "reason_form": forms.ReasonForm(),
        "recommend_form": forms.RecommendForm(),
        "allocation_form": forms.AllocationForm(),
        "tender_form": forms.TenderForm(),
        "acceptance_form": forms.AcceptanceForm(),
        "go_live_form": forms.GoLiveForm(),
        "milestone_form": forms.MilestoneForm(),
        "progress_form": forms.ProgressForm(),
    }
    if steps[Step.ASSIGN_EXPERTS]:
        context["experts_form"] = forms.AssignExpertsForm(experts=_eligible(proposal))
    return render(request, "projects/proposal_detail.html", context)


def _eligible(proposal: Proposal):
    """Seated experts who may review ``proposal``: never one of its unit (回避)."""
    return [
        expert
        for expert in services.seated_experts()
        if rules.art11_may_review(expert_unit_id=expert.unit_id, proposal_unit_id=proposal.unit_id)
    ]


def _add_line(*, actor, proposal, **data):
    return services.add_budget_line(actor=actor, proposal=proposal, **data)


def _assign(*, actor, proposal, experts):
    return services.assign_experts(actor=actor, proposal=proposal, experts=list(experts))


budget_line_add = _proposal_step(
    Step.EDIT, _add_line, gettext_lazy("The budget line is added."), forms.BudgetLineForm
)
proposal_submit = _proposal_step(
    Step.SUBMIT, services.submit_proposal, gettext_lazy("The proposal is submitted and locked.")
)
proposal_return = _proposal_step(
    Step.RETURN,
    services.return_proposal,
    gettext_lazy("The proposal is returned to its unit."),
    forms.ReasonForm,
)
experts_assign = _proposal_step(
    Step.ASSIGN_EXPERTS,
    _assign,
    gettext_lazy("The experts are assigned."),
    forms.AssignExpertsForm,
    lambda proposal: {"experts": services.seated_experts()},
)
review_close = _proposal_step(
    Step.CLOSE_REVIEW, services.close_review, gettext_lazy("The review is closed.")
)
proposal_recommend = _proposal_step(
    Step.RECOMMEND,
    services.recommend,
    gettext_lazy("The proposal is recommended."),
    forms.RecommendForm,
)
proposal_reject = _proposal_step(
    Step.REJECT, services.reject, gettext_lazy("The proposal is not recommended."), forms.ReasonForm
)
allocation_add = _proposal_step(
    Step.FUND,
    services.record_allocation,
    gettext_lazy("The allocation is recorded."),
    forms.AllocationForm,
)
tender_record = _proposal_step(
    Step.TENDER, services.record_tender, gettext_lazy("The tender is recorded."), forms.TenderForm
)
go_live = _proposal_step(
    Step.GO_LIVE,
    services.record_go_live,
    gettext_lazy("The go-live is recorded."),
    forms.GoLiveForm,
)
milestone_add = _proposal_step(
    Step.REPORT_PROGRESS,
    services.add_milestone,
    gettext_lazy("The milestone is added."),
    forms.MilestoneForm,
)


@login_required
@require_POST
def acceptance_record(request: HttpRequest, pk: int) -> HttpResponse:
    """初验 or 终验: the stage says which step it is (both State Assets', Art. 10 (4))."""
    step = Step.FINAL_ACCEPTANCE if request.POST.get("stage") == "final" else Step.FIRST_ACCEPTANCE
    proposal = _proposal_for(request, pk, step)
    return post_step(
        request,
        partial(services.record_acceptance, actor=request.user, proposal=proposal),
        success=_("The acceptance is recorded."),
        then=proposal,
        form=forms.AcceptanceForm(request.POST, request.FILES),
    )


@login_required
@require_POST
def progress_report(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        milestone = Milestone.objects.get(pk=pk)
    except Milestone.DoesNotExist:
        raise Http404 from None
    proposal = _proposal_for(request, milestone.proposal_id, Step.REPORT_PROGRESS)
    return post_step(
        request,
        partial(services.report_progress, actor=request.user, milestone=milestone),
        success=_("The progress is reported."),
        then=proposal,
        form=forms.ProgressForm(request.POST),
    )


# --- Expert review (Art. 11) ------------------------------------------------------------------


@login_required
def assignment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The expert's own assignment: the proposal, the declaration, then the sheet."""
    assignment = permissions.get_assignment_for_user_or_404(request.user, pk)
    proposal = assignment.proposal
    return render(
        request,
        "projects/assignment_detail.html",
        {
            "assignment": assignment,
            "proposal": proposal,
            "lines": list(proposal.budget_lines.all()),
            "in_review": proposal.status == rules.ProposalStatus.IN_REVIEW,
            "may_declare": assignment.state == Assignment.State.ASSIGNED,
            "may_score": assignment.state == Assignment.State.OPEN,
            "declare_form": forms.DeclareForm(),
            "sheet_form": forms.SheetForm(),
        },
    )


@login_required
@require_POST
def assignment_declare(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = permissions.get_assignment_for_user_or_404(request.user, pk)
    return post_step(
        request,
        partial(services.declare_interest, actor=request.user, assignment=assignment),
        success=_("Your declaration is recorded."),
        then=assignment,
        form=forms.DeclareForm(request.POST),
    )


@login_required
@require_POST
def assignment_submit(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = permissions.get_assignment_for_user_or_404(request.user, pk)
    return post_step(
        request,
        partial(services.submit_sheet, actor=request.user, assignment=assignment),
        success=_("Your scoring sheet is submitted."),
        then=assignment,
        form=forms.SheetForm(request.POST),
    )
