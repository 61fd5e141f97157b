"""The meeting page and its polled parts, and the steps of a meeting itself (draft, reschedule,
convene, postpone, cancel, open, close), with the helpers its sibling view modules share:
views_attendance.py (check-in, answers, the room's screen), views_agenda.py (items, materials,
attendees, motions, decisions), views_votes.py (the voting page and a vote's steps) and
views_calendar.py. Each POST view fetches through meetings.permissions, then takes its step with
infogov.steps.post_step: bind the form, call the service, message, redirect. Every MeetingError
becomes a message. Templates get the steps possible now (meetings.rules.may, and who may take
them), never a status to compare."""

from functools import partial
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import Promise, SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from infogov.steps import post_step, run_step
from meetings import compliance, permissions, rules, services
from meetings.forms import (
    AgendaItemForm,
    AttendeeForm,
    ConfirmForm,
    DecisionForm,
    MeetingForm,
    MotionForm,
    ReasonForm,
    RescheduleForm,
)
from meetings.ics import meeting_ics
from meetings.minutes.views import minutes_of_meeting
from meetings.models import AgendaItem, ExpectedMember, Meeting, Motion, Notification
from meetings.permissions import Allowed
from meetings.rules import KINDS_BY_BODY, MeetingStatus, MeetingStep, MotionStatus
from members.http import SignedInRequest
from members.models import Body, Role, User

ROLE_LABELS = dict(Role.choices)
ANSWER_LABELS = dict(ExpectedMember.Response.choices)
CURRENT = [
    MeetingStatus.DRAFT,
    MeetingStatus.CONVENED,
    MeetingStatus.IN_SESSION,
    MeetingStatus.POSTPONED,
]
# Who takes each step of a meeting; whether its status allows the step is rules.may's to say.
# Answering and checking in are each member's own, and the Office's for them.
WHO: dict[MeetingStep, Allowed] = {
    MeetingStep.RESCHEDULE: permissions.can_manage,
    MeetingStep.CONVENE: permissions.can_convene,
    MeetingStep.POSTPONE: permissions.can_chair,
    MeetingStep.CANCEL: permissions.can_chair,
    MeetingStep.ADD_ITEM: permissions.can_manage,
    MeetingStep.INVITE_ATTENDEE: permissions.can_manage,
    MeetingStep.ADD_MATERIAL: permissions.can_manage,
    MeetingStep.EDIT_AGENDA: permissions.can_manage,
    MeetingStep.OPEN_MEETING: permissions.can_chair,
    MeetingStep.CLOSE_MEETING: permissions.can_chair,
    MeetingStep.PUT_MOTION: permissions.can_chair,
    MeetingStep.OPEN_VOTE: permissions.can_chair,
    MeetingStep.DECIDE: permissions.can_chair,
}
# How long a cached part of the meeting page may show a name edited in the roster (a person,
# a unit): everything of the meeting itself moves its revision on, and so its cache key.
PAGE_CACHE_SECONDS = 300
# The steps of the meeting page's Actions box.
ACTIONS = (
    MeetingStep.CONVENE,
    MeetingStep.RESCHEDULE,
    MeetingStep.OPEN_MEETING,
    MeetingStep.CLOSE_MEETING,
    MeetingStep.POSTPONE,
    MeetingStep.CANCEL,
)


# --- Helpers --------------------------------------------------------------------------------------


def meeting_for(request: SignedInRequest, pk: int, step: MeetingStep) -> Meeting:
    """The meeting if visible (else 404) and ``step`` is the person's to take (else 403)."""
    meeting = permissions.get_meeting_for_user_or_404(request.user, pk)
    permissions.require(WHO[step](request.user, meeting.body_id))
    return meeting


def item_for(request: SignedInRequest, pk: int, step: MeetingStep) -> AgendaItem:
    """The agenda item if visible (else 404) and ``step`` is the person's to take (else 403)."""
    item = permissions.get_item_for_user_or_404(request.user, pk)
    permissions.require(WHO[step](request.user, item.meeting.body_id))
    return item


def _draftable_bodies(user: User) -> list[Body]:
    """Bodies that hold meetings (Art. 12) and whose meetings ``user`` organises."""
    bodies = Body.objects.filter(kind__in=list(KINDS_BY_BODY))
    return [body for body in bodies if permissions.can_manage(user, body)]


def _flags(user: User, meeting: Meeting) -> dict[str, bool]:
    return {
        "can_manage": permissions.can_manage(user, meeting.body_id),
        "can_convene": permissions.can_convene(user, meeting.body_id),
        "can_chair": permissions.can_chair(user, meeting.body_id),
    }


def _steps(user: User, meeting: Meeting) -> dict[str, bool]:
    """{step: whether ``user`` may take it now}: the meeting's status allows it and, for the
    steps of WHO, the person may. Answering and checking in depend on the status only."""
    steps = rules.steps_in(meeting.status, MeetingStep)
    for step, allowed in WHO.items():
        steps[step] = steps[step] and allowed(user, meeting.body_id)
    return steps


def _expected(meeting: Meeting) -> list[tuple[ExpectedMember, str | Promise, str | Promise]]:
    """The attendance table's rows: each expected member, with their person and unit, and the
    labels of their seat and answer (looked up here once, not per row by get_*_display)."""
    return [
        (
            member,
            ROLE_LABELS.get(member.role, member.role),
            ANSWER_LABELS.get(member.response, member.response),
        )
        for member in meeting.expected_members.select_related("person__unit")
    ]


def _attendance_context(user: User, meeting: Meeting) -> dict[str, Any]:
    """What the quorum panel and the attendance table show. The Office sees (and works) every
    expected member's row; everyone else loads the list on demand (meeting_members), which
    keeps the page small. The rows are read only if the table is rendered."""
    flags = _flags(user, meeting)
    # Read only if a part that shows them is rendered, not when it comes from the cache.
    numbers = SimpleLazyObject(lambda: services.attendance(meeting))
    return {
        "meeting": meeting,
        "numbers": numbers,
        # The votes open now: the page's open-votes part, refreshed with the quorum panel.
        "open_votes": SimpleLazyObject(
            lambda: list(
                Motion.objects.filter(
                    item__meeting=meeting, status=MotionStatus.OPEN
                ).select_related("item")
            )
        ),
        "expected": SimpleLazyObject(lambda: _expected(meeting)) if flags["can_manage"] else [],
        "expected_count": lambda: numbers.expected,
        "all_members": flags["can_manage"],
        "steps": _steps(user, meeting),
        "cache_seconds": PAGE_CACHE_SECONDS,
        **flags,
    }


def _agenda(meeting: Meeting) -> list[AgendaItem]:
    """The items with their materials, motions and decision, in three queries."""
    items = list(
        meeting.items.select_related("decision", "presenter_unit").prefetch_related(
            "materials", Prefetch("motions", queryset=Motion.objects.order_by("id"))
        )
    )
    for item in items:
        motions = item.motions.all()
        item.pending_vote = any(m.status in rules.PENDING_MOTION for m in motions)
        item.closed_motions = [m for m in motions if m.status == MotionStatus.CLOSED]
        item.is_decided = hasattr(item, "decision")
    return items


# --- Meetings -------------------------------------------------------------------------------------


@login_required
def meeting_list(request: SignedInRequest) -> HttpResponse:
    visible = permissions.visible_meetings(request.user).select_related("body")
    return render(
        request,
        "meetings/meeting_list.html",
        {
            "upcoming": visible.filter(status__in=CURRENT).order_by("starts_at", "id"),
            "past": visible.exclude(status__in=CURRENT).order_by("-starts_at", "-id")[:50],
            "can_draft": bool(_draftable_bodies(request.user)),
            "plenary_flag": compliance.plenary_flag(request.user),
        },
    )


@login_required
def meeting_new(request: SignedInRequest) -> HttpResponse:
    bodies = _draftable_bodies(request.user)
    permissions.require(bool(bodies))
    queryset = Body.objects.filter(pk__in=[body.pk for body in bodies])
    form = MeetingForm(request.POST if request.method == "POST" else None, bodies=queryset)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        outcome = run_step(
            request,
            lambda: services.draft_meeting(actor=request.user, **data),
            success=_("Meeting drafted."),
        )
        if outcome.done:
            if rules.art12_start_has_passed(starts_at=data["starts_at"], now=timezone.now()):
                messages.warning(
                    request,
                    _(
                        "The start time has passed: the meeting cannot be convened until it "
                        "is rescheduled."
                    ),
                )
            return redirect(outcome.result)
    return render(request, "meetings/meeting_form.html", {"form": form, "meeting": None})


@login_required
def meeting_edit(request: SignedInRequest, pk: int) -> HttpResponse:
    meeting = meeting_for(request, pk, MeetingStep.RESCHEDULE)
    initial = {
        "title": meeting.title,
        "starts_at": meeting.starts_at,
        "ends_at": meeting.ends_at,
        "location": meeting.location,
    }
    form = RescheduleForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        outcome = run_step(
            request,
            lambda: services.reschedule_meeting(actor=request.user, meeting=meeting, **data),
            success=_("Meeting rescheduled."),
        )
        if outcome.done:
            return redirect(meeting)
    return render(request, "meetings/meeting_form.html", {"form": form, "meeting": meeting})


@login_required
def meeting_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    """The meeting page: the same queries whatever the number of members or items. Its head
    is cached under the meeting's revision (its body and chair are read only to render it);
    for those who see no form on it (the members), so are its parts but their own attendance
    and the minutes."""
    meeting = permissions.get_meeting_for_user_or_404(request.user, pk)
    context = _attendance_context(request.user, meeting)
    steps = context["steps"]
    context |= {
        "mine": permissions.expected_member(request.user, meeting),
        "attendance_shown": meeting.status != MeetingStatus.DRAFT,
        "has_actions": any(steps[step] for step in ACTIONS),
        "cached": not (context["can_manage"] or context["can_chair"]),
        # Read only for the parts rendered, not for those that come from the cache.
        "attendees": SimpleLazyObject(lambda: list(meeting.attendees.select_related("person"))),
        "items": SimpleLazyObject(lambda: _agenda(meeting)),
        "checks": SimpleLazyObject(lambda: list(meeting.quorum_checks.select_related("motion"))),
        "minutes": minutes_of_meeting(meeting),
    }
    # The forms repeat on the page (one per item), so their fields carry no ids.
    if context["can_manage"]:
        context["agenda_form"] = AgendaItemForm()
        context["attendee_form"] = AttendeeForm(auto_id=False)
    if context["can_chair"]:
        context["reason_form"] = ReasonForm(auto_id=False)
        context["motion_form"] = MotionForm(auto_id=False)
        context["decision_form"] = DecisionForm(auto_id=False, motions=Motion.objects.none())
    return render(request, "meetings/meeting_detail.html", context)


@login_required
def quorum_panel(request: SignedInRequest, pk: int) -> HttpResponse:
    """The quorum panel, polled by htmx while the meeting runs. The Office's copy also
    carries the attendance table (swapped out of band), so its check-in buttons stay true,
    whenever the meeting has changed since the copy on the page: the poll sends back the
    revision that copy was rendered at, and every change moves it on (services.lock_meeting)."""
    meeting = permissions.get_meeting_for_user_or_404(request.user, pk)
    context = _attendance_context(request.user, meeting)
    context["table_too"] = context["can_manage"] and request.GET.get("revision") != str(
        meeting.revision
    )
    return render(request, "meetings/meeting_detail.html#quorum-poll", context)


@login_required
def meeting_members(request: SignedInRequest, pk: int) -> HttpResponse:
    """Every expected member's attendance: the meeting page's table, loaded by htmx on demand
    for those who are not the Office (one query for the members, however many)."""
    meeting = permissions.get_meeting_for_user_or_404(request.user, pk)
    expected = _expected(meeting)
    context = {
        "meeting": meeting,
        "expected": expected,
        "expected_count": len(expected),
        "all_members": True,
        "can_manage": permissions.can_manage(request.user, meeting.body_id),
        "steps": rules.steps_in(meeting.status, MeetingStep),
    }
    return render(request, "meetings/meeting_detail.html#attendance-table", context)


@login_required
def meeting_invite(request: SignedInRequest, pk: int) -> HttpResponse:
    meeting = permissions.get_meeting_for_user_or_404(request.user, pk, related=("body",))
    cancelled = meeting.status == MeetingStatus.CANCELLED
    response = HttpResponse(
        meeting_ics(meeting, cancel=cancelled), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.ics"'
    return response


@login_required
@require_POST
def meeting_convene(request: SignedInRequest, pk: int) -> HttpResponse:
    meeting = meeting_for(request, pk, MeetingStep.CONVENE)
    return post_step(
        request,
        lambda confirmed: services.convene_meeting(actor=request.user, meeting=meeting),
        success=_("Meeting convened; the expected members have been notified."),
        then=meeting,
        form=ConfirmForm(request.POST),
    )


@login_required
@require_POST
def meeting_postpone(request: SignedInRequest, pk: int) -> HttpResponse:
    meeting = meeting_for(request, pk, MeetingStep.POSTPONE)
    return post_step(
        request,
        partial(services.postpone_meeting, actor=request.user, meeting=meeting),
        success=_("Meeting postponed."),
        then=meeting,
        form=ReasonForm(request.POST),
    )


@login_required
@require_POST
def meeting_cancel(request: SignedInRequest, pk: int) -> HttpResponse:
    meeting = meeting_for(request, pk, MeetingStep.CANCEL)
    return post_step(
        request,
        partial(services.cancel_meeting, actor=request.user, meeting=meeting),
        success=_("Meeting cancelled."),
        then=meeting,
        form=ReasonForm(request.POST),
    )


@login_required
@require_POST
def meeting_open(request: SignedInRequest, pk: int) -> HttpResponse:
    meeting = meeting_for(request, pk, MeetingStep.OPEN_MEETING)
    return post_step(
        request,
        lambda confirmed: services.open_meeting(actor=request.user, meeting=meeting),
        success=_("The meeting is open."),
        then=meeting,
        form=ConfirmForm(request.POST),
    )


@login_required
@require_POST
def meeting_close(request: SignedInRequest, pk: int) -> HttpResponse:
    meeting = meeting_for(request, pk, MeetingStep.CLOSE_MEETING)
    return post_step(
        request,
        lambda confirmed: services.close_meeting(actor=request.user, meeting=meeting),
        success=_("The meeting is closed."),
        then=meeting,
        form=ConfirmForm(request.POST),
    )


# --- Notifications --------------------------------------------------------------------------------


@login_required
def notification_list(request: SignedInRequest) -> HttpResponse:
    notifications = list(
        Notification.objects.filter(recipient=request.user).select_related("meeting")[:100]
    )
    services.mark_notifications_read(user=request.user)
    return render(request, "meetings/notification_list.html", {"notifications": notifications})
