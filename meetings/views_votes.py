"""The voting page and the steps of a vote (Art. 13): the phone-first page members vote on, the
confirm step and the vote endpoint (both POST: a choice is never in a URL), opening, closing
and deferring a vote, and a secret ballot's count, paper totals and published box. As in
meetings.views, each POST view fetches through permissions and takes its step with
infogov.steps; templates get the steps possible now."""

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from infogov.steps import StepRefused, post_step, run_step
from meetings import permissions, rules, services
from meetings.ballots import keys
from meetings.ballots.models import Ballot, PaperCount, Scrutineer, ScrutineerKey
from meetings.forms import (
    VOTE_CHOICES,
    ConfirmForm,
    PaperCountForm,
    PasswordForm,
    ReasonForm,
    ScrutineersForm,
)
from meetings.models import Motion
from meetings.rules import MeetingStep, MotionStatus, MotionStep
from meetings.views import PAGE_CACHE_SECONDS
from members.http import SignedInRequest


def _motion_for(request: SignedInRequest, pk: int) -> Motion:
    """A motion whose steps (open, close, defer) the person takes: those who chair."""
    motion = permissions.get_motion_for_user_or_404(request.user, pk)
    permissions.require(permissions.can_chair(request.user, motion.item.meeting.body_id))
    return motion


# A secret ballot's tracker goes back to the voter's browser in a cookie on the vote's
# redirect, never into the session, a message or a URL (which the server keeps or logs).
TRACKER_COOKIE = "ballot_tracker_%d"
TRACKER_SECONDS = 7 * 24 * 3600


def tracker_of(request: HttpRequest, motion: Motion) -> str | None:
    value = request.COOKIES.get(TRACKER_COOKIE % motion.pk, "")
    return value if len(value) == 64 and all(c in "0123456789abcdef" for c in value) else None


def _render_motion(
    request: SignedInRequest, motion: Motion, *, status: int = 200, confirm: str = ""
) -> HttpResponse:
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
    choice = confirm
    closed = motion.status == MotionStatus.CLOSED
    secret = motion.method == Motion.Method.SECRET
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
        "voted": view.voted if steps[MotionStep.CAST] else None,
        "pending": motion.status in rules.PENDING_MOTION,
        "closed": closed,
        "deferred": motion.status == MotionStatus.DEFERRED,
        "steps": steps,
        "secret": secret,
        "tracker": tracker_of(request, motion) if secret else None,
    }
    if request.method == "GET" and request.htmx and request.htmx.target == "vote-panel":
        # The panel, as htmx polls it: what it shows and nothing more (no scrutineers, no
        # named votes, no chair's forms).
        response = render(request, "meetings/motion_detail.html#vote-panel", context)
        if not context["pending"]:
            response["HX-Refresh"] = "true"  # the result is on the full page
        return response
    context |= {
        "required": rules.required_before_vote(
            basis=rules.Basis(motion.basis),
            threshold=rules.Threshold(motion.threshold),
            expected=numbers.expected,
            present=numbers.present,
        ),
        "cache_seconds": PAGE_CACHE_SECONDS,  # of the quorum panel the chair sees
        "can_chair": permissions.can_chair(user, meeting.body_id),
        "named_votes": None,
        "counted": motion.counted,
        "scrutineers": (list(motion.scrutineers.select_related("person")) if secret else []),
        "scrutineers_form": (
            ScrutineersForm(motion=motion, auto_id="scrutineer-%s")
            if secret and steps[MotionStep.OPEN]
            else None
        ),
        "can_record_hands": motion.method == Motion.Method.NAMED
        and rules.may(MotionStep.RECORD_HANDS, motion.status),
    }
    if context["can_chair"]:
        context["reason_form"] = ReasonForm(auto_id=False)
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
                VOTE_CHOICES.get(cast.get(member.person_id, ("",))[0] or ""),
                cast.get(member.person_id, (None, False))[1],
            )
            for member in meeting.expected_members.select_related("person")
        ]
    return render(request, "meetings/motion_detail.html", context, status=status)


@login_required
def motion_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    """The phone-first voting page; htmx polls its vote panel."""
    motion = permissions.get_motion_for_user_or_404(request.user, pk)
    return _render_motion(request, motion)


@login_required
@require_POST
@never_cache
def vote_confirm(request: SignedInRequest, pk: int) -> HttpResponse:
    """The confirm step: the chosen button posts here and the page asks to confirm; nothing
    is changed (a POST so that the choice is in no URL, no log and no history)."""
    motion = permissions.get_motion_for_user_or_404(request.user, pk)
    choice = request.POST.get("choice", "")
    return _render_motion(request, motion, confirm=choice if choice in VOTE_CHOICES else "")


@login_required
@require_POST
def cast_vote(request: SignedInRequest, pk: int) -> HttpResponse:
    """The vote endpoint: 302 to the motion page when counted, 409 with the page when refused,
    404 for a motion the person may not see. Who may vote (R-VOTE-4) the service decides.

    The vote is taken before the motion is read through permissions: the service lets only a
    checked-in expected member of a meeting in session vote, and every such member may see
    the meeting (permissions.can_view), so a counted vote needs no other check. A refused
    one is answered only after it (404 to whoever may not see the motion, so that a refusal
    says nothing about a motion they cannot see); this is why the view does not take its step
    through run_step, which would leave the refusal's message for the next page."""
    try:
        tracker = services.cast_vote(
            voter=request.user, motion=Motion(pk=pk), choice=request.POST.get("choice", "")
        )
    except Motion.DoesNotExist:
        raise Http404 from None
    except StepRefused as error:
        # Read the motion afresh: the refusal may be news (just closed).
        motion = permissions.get_motion_for_user_or_404(request.user, pk)
        messages.error(request, str(error))
        return _render_motion(request, motion, status=409)
    messages.success(
        request, _("Your ballot has been cast.") if tracker else _("Your vote has been counted.")
    )
    response = HttpResponseRedirect(reverse("meetings:motion_detail", kwargs={"pk": pk}))
    if tracker:
        response.set_cookie(
            TRACKER_COOKIE % pk,
            tracker,
            max_age=TRACKER_SECONDS,
            path=response.url,
            secure=request.is_secure(),
            httponly=True,
            samesite="Strict",
        )
    return response


@login_required
@require_POST
def motion_open(request: SignedInRequest, pk: int) -> HttpResponse:
    motion = _motion_for(request, pk)
    secret = motion.method == Motion.Method.SECRET
    return post_step(
        request,
        partial(services.open_vote, actor=request.user, motion=motion),
        success=_("Voting is open."),
        then=motion,
        form=ScrutineersForm(request.POST, motion=motion) if secret else None,
    )


@login_required
@require_POST
def motion_close(request: SignedInRequest, pk: int) -> HttpResponse:
    motion = _motion_for(request, pk)
    return post_step(
        request,
        lambda confirmed: services.close_vote(actor=request.user, motion=motion),
        success=(
            _("Voting is closed; the scrutineers count the ballots.")
            if motion.method == Motion.Method.SECRET
            else _("Voting is closed and counted.")
        ),
        then=motion,
        form=ConfirmForm(request.POST),
    )


@login_required
@require_http_methods(["GET", "POST"])
def show_of_hands(request: SignedInRequest, pk: int) -> HttpResponse:
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
def motion_defer(request: SignedInRequest, pk: int) -> HttpResponse:
    motion = _motion_for(request, pk)
    return post_step(
        request,
        partial(services.defer_vote, actor=request.user, motion=motion),
        success=_("The vote is deferred."),
        then=motion,
        form=ReasonForm(request.POST),
    )


# --- A secret ballot's count (meetings.ballots) -------------------------------------------------


def _secret_for(request: SignedInRequest, pk: int) -> Motion:
    motion = permissions.get_motion_for_user_or_404(request.user, pk)
    if motion.method != Motion.Method.SECRET:
        raise Http404
    return motion


@login_required
@never_cache
def motion_count(request: SignedInRequest, pk: int) -> HttpResponse:
    """The counting page: who the scrutineers are and who has confirmed; a scrutineer
    confirms with their password; the Office may record paper totals instead."""
    motion = _secret_for(request, pk)
    scrutineers = list(motion.scrutineers.select_related("person"))
    mine = next((s for s in scrutineers if s.person_id == request.user.pk), None)
    paper = PaperCount.objects.filter(motion=motion).first()
    context = {
        "motion": motion,
        "meeting": motion.item.meeting,
        "scrutineers": scrutineers,
        "mine": mine,
        "confirmed": sum(1 for s in scrutineers if s.partial is not None),
        "needed": rules.SCRUTINEERS_TO_COUNT,
        "closed": motion.status == MotionStatus.CLOSED,
        "paper": paper,
        "password_form": PasswordForm(auto_id="count-%s"),
        "paper_form": PaperCountForm(auto_id="paper-%s"),
        "can_record_paper": permissions.can_manage(request.user, motion.item.meeting.body_id),
    }
    return render(request, "meetings/motion_count.html", context)


@login_required
@require_POST
def motion_count_confirm(request: SignedInRequest, pk: int) -> HttpResponse:
    motion = _secret_for(request, pk)
    return post_step(
        request,
        partial(services.count_secret, actor=request.user, motion=motion),
        success=_("Your part of the count is recorded."),
        then=reverse("meetings:motion_count", args=[motion.pk]),
        form=PasswordForm(request.POST),
    )


@login_required
@require_POST
def motion_paper(request: SignedInRequest, pk: int) -> HttpResponse:
    motion = _secret_for(request, pk)
    permissions.require(permissions.can_manage(request.user, motion.item.meeting.body_id))
    return post_step(
        request,
        partial(services.record_paper_count, actor=request.user, motion=motion),
        success=_("Paper totals recorded; two scrutineers confirm them."),
        then=reverse("meetings:motion_count", args=[motion.pk]),
        form=PaperCountForm(request.POST),
    )


@login_required
@require_POST
def motion_paper_confirm(request: SignedInRequest, pk: int) -> HttpResponse:
    motion = _secret_for(request, pk)
    return post_step(
        request,
        partial(services.confirm_paper_count, actor=request.user, motion=motion),
        success=_("You have confirmed the paper totals."),
        then=reverse("meetings:motion_count", args=[motion.pk]),
        form=PasswordForm(request.POST),
    )


@login_required
def ballot_box(request: SignedInRequest, pk: int) -> HttpResponse:
    """The published box of a counted secret ballot, for those who see the meeting: the key,
    the commitments, every ballot under its tracker (in tracker order), the partial
    decryptions and the totals; ``manage.py verify_ballot`` recomputes it all."""
    motion = _secret_for(request, pk)
    if motion.counted != Motion.Counted.CRYPTO:
        raise Http404
    context = {
        "motion": motion,
        "meeting": motion.item.meeting,
        "key": bytes(motion.ballot_key or b"").hex(),
        "scrutineers": [
            {
                "person": s.person,
                "index": s.index,
                "commitment": bytes(s.commitment).hex(),
                "partial": bytes(s.partial).hex() if s.partial is not None else "",
                "proof": bytes(s.partial_proof).hex() if s.partial_proof is not None else "",
            }
            for s in motion.scrutineers.select_related("person")
        ],
        "ballots": [
            (tracker, bytes(data).hex())
            for tracker, data in Ballot.objects.filter(motion=motion)
            .order_by("tracker")
            .values_list("tracker", "data")
        ],
        "receipts": motion.receipts.count(),
        "tracker": tracker_of(request, motion),
    }
    return render(request, "meetings/ballot_box.html", context)


@login_required
@never_cache
def ballot_key(request: SignedInRequest) -> HttpResponse:
    """A person's ballot key: made with their password (it is made when a password is set,
    and rewrapped when it is changed); made anew if lost. Being named a scrutineer needs one."""
    if request.method == "POST":
        form = PasswordForm(request.POST)

        def make(password: str) -> None:
            if not request.user.check_password(password):
                raise services.MeetingError(_("Wrong password."))
            keys.make_key(request.user, password)

        return post_step(
            request,
            make,
            success=_("Your ballot key is ready."),
            then="meetings:ballot_key",
            form=form,
        )
    row = ScrutineerKey.objects.filter(person=request.user).first()
    pending = Scrutineer.objects.filter(person=request.user, sealed_share__isnull=False).exists()
    return render(
        request,
        "meetings/ballot_key.html",
        {"key": row, "pending": pending, "form": PasswordForm(auto_id="key-%s")},
    )
