"""The voting page and the steps of a vote (Art. 13): the phone-first page members vote on, the
vote endpoint, and opening, closing and deferring a vote. As in meetings.views, each POST view
fetches through permissions and takes its step with infogov.steps; templates get the steps
possible now."""

from functools import partial

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from infogov.steps import post_step, run_step
from meetings import permissions, rules, services
from meetings.forms import VOTE_CHOICES, ConfirmForm, ReasonForm
from meetings.models import Motion
from meetings.rules import MeetingStep, MotionStatus, MotionStep
from meetings.views import PAGE_CACHE_SECONDS


def _motion_for(request: HttpRequest, pk: int) -> Motion:
    """A motion whose steps (open, close, defer) the person takes: those who chair."""
    motion = permissions.get_motion_for_user_or_404(request.user, pk)
    permissions.require(permissions.can_chair(request.user, motion.item.meeting.body_id))
    return motion


def _render_motion(request: HttpRequest, motion: Motion, *, status: int = 200) -> HttpResponse:
    meeting = motion.item.meeting
    user = request.user
    view = services.voter_view(motion, user)
    numbers, me, has_voted = view.numbers, view.me, view.has_voted
    steps = {
        **rules.steps_in(motion.status, MotionStep),
        **rules.steps_in(meeting.status, [MeetingStep.CHECK_IN]),
    }
    # R-VOTE-4: only a present expected member votes, once.
    may_vote = rules.may_vote(expected=me is not None, present=me is not None and me.present)
    can_vote = steps[MotionStep.CAST] and may_vote and not has_voted
    choice = request.GET.get("choice", "")
    closed = motion.status == MotionStatus.CLOSED
    context = {
        "motion": motion,
        "item": motion.item,
        "meeting": meeting,
        "numbers": numbers,
        "me": me,
        "has_voted": has_voted,
        "my_choice": VOTE_CHOICES.get(view.my_choice) if view.my_choice else None,
        "can_vote": can_vote,
        "confirm": choice if can_vote and choice in VOTE_CHOICES else None,
        "confirm_label": VOTE_CHOICES.get(choice),
        "choices": VOTE_CHOICES.items(),
        "required": rules.required_before_vote(
            basis=rules.Basis(motion.basis),
            threshold=rules.Threshold(motion.threshold),
            expected=numbers.expected,
            present=numbers.present,
        ),
        "voted": view.voted if steps[MotionStep.CAST] else None,
        "pending": motion.status in rules.PENDING_MOTION,
        "closed": closed,
        "deferred": motion.status == MotionStatus.DEFERRED,
        "steps": steps,
        "cache_seconds": PAGE_CACHE_SECONDS,  # of the quorum panel the chair sees
        "can_chair": permissions.can_chair(user, meeting.body_id),
        "reason_form": ReasonForm(auto_id=False),
        "named_votes": None,
        "can_record_hands": motion.method == Motion.Method.NAMED
        and rules.may(MotionStep.RECORD_HANDS, motion.status),
    }
    # R-VOTE-5: named choices are shown only once the vote is closed, never before.
    if closed and motion.method == Motion.Method.NAMED:
        cast = {
            voter: (choice, by is not None)
            for voter, choice, by in motion.named_votes.values_list(
                "voter_id", "choice", "recorded_by"
            )
        }
        context["named_votes"] = [
            (
                member,
                VOTE_CHOICES.get(cast.get(member.person_id, (None,))[0]),
                cast.get(member.person_id, (None, False))[1],
            )
            for member in meeting.expected_members.select_related("person")
        ]
    if request.method == "GET" and request.htmx and request.htmx.target == "vote-panel":
        response = render(request, "meetings/motion_detail.html#vote-panel", context)
        if not context["pending"]:
            response["HX-Refresh"] = "true"  # the result is on the full page
        return response
    return render(request, "meetings/motion_detail.html", context, status=status)


@login_required
def motion_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The phone-first voting page; ?choice= asks to confirm; htmx polls its vote panel."""
    motion = permissions.get_motion_for_user_or_404(request.user, pk)
    return _render_motion(request, motion)


@login_required
@require_POST
def cast_vote(request: HttpRequest, pk: int) -> HttpResponse:
    """The vote endpoint: 302 to the motion page when counted, 409 with the page when refused,
    404 for a motion the person may not see. Who may vote (R-VOTE-4) the service decides."""
    motion = permissions.get_motion_for_user_or_404(request.user, pk)
    outcome = run_step(
        request,
        lambda: services.cast_vote(
            voter=request.user, motion=motion, choice=request.POST.get("choice", "")
        ),
        success=_("Your vote has been counted."),
    )
    if not outcome.done:
        # Read the motion afresh: the refusal may be news (just closed).
        motion = permissions.get_motion_for_user_or_404(request.user, pk)
        return _render_motion(request, motion, status=409)
    return redirect(motion)


@login_required
@require_POST
def motion_open(request: HttpRequest, pk: int) -> HttpResponse:
    motion = _motion_for(request, pk)
    return post_step(
        request,
        partial(services.open_vote, actor=request.user, motion=motion),
        success=_("Voting is open."),
        then=motion,
    )


@login_required
@require_POST
def motion_close(request: HttpRequest, pk: int) -> HttpResponse:
    motion = _motion_for(request, pk)
    return post_step(
        request,
        lambda confirmed: services.close_vote(actor=request.user, motion=motion),
        success=_("Voting is closed and counted."),
        then=motion,
        form=ConfirmForm(request.POST),
    )


@login_required
@require_http_methods(["GET", "POST"])
def show_of_hands(request: HttpRequest, pk: int) -> HttpResponse:
    """Art. 13: the Office (or the chair) records a show of hands in the room: each present
    member who has not voted from a phone, with their choice."""
    motion = _motion_for(request, pk)
    meeting = motion.item.meeting
    voted = set(motion.named_votes.values_list("voter_id", flat=True))
    members = [
        m
        for m in meeting.expected_members.filter(present=True).select_related("person")
        if m.person_id not in voted
    ]
    if request.method == "POST":
        choices = {
            m.person_id: request.POST[f"choice-{m.person_id}"]
            for m in members
            if request.POST.get(f"choice-{m.person_id}")
        }
        outcome = run_step(
            request,
            lambda: services.record_show_of_hands(
                actor=request.user, motion=motion, choices=choices
            ),
            success=_("Show of hands recorded."),
        )
        if outcome.done:
            return redirect(motion)
    context = {
        "motion": motion,
        "item": motion.item,
        "meeting": meeting,
        "members": members,
        "choices": VOTE_CHOICES.items(),
        "can_record": motion.method == Motion.Method.NAMED
        and rules.may(MotionStep.RECORD_HANDS, motion.status),
    }
    return render(request, "meetings/show_of_hands.html", context)


@login_required
@require_POST
def motion_defer(request: HttpRequest, pk: int) -> HttpResponse:
    motion = _motion_for(request, pk)
    return post_step(
        request,
        partial(services.defer_vote, actor=request.user, motion=motion),
        success=_("The vote is deferred."),
        then=motion,
        form=ReasonForm(request.POST),
    )
