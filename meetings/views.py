"""Pages and steps of a meeting. Each POST view fetches through meetings.permissions, then takes
its step with infogov.steps.post_step: bind the form, call the service, message, redirect.
Every MeetingError becomes a message. Templates get the steps possible now (meetings.rules.may,
and who may take them), never a status to compare. The voting page and a vote's steps are in
views_votes.py."""

from functools import partial
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise, SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from infogov.steps import post_step, run_step
from meetings import compliance, permissions, rules, services
from meetings.forms import (
    AgendaItemForm,
    AnswerForm,
    AttendeeForm,
    ConfirmForm,
    DecisionForm,
    MaterialForm,
    MeetingForm,
    MotionForm,
    MoveForm,
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


# --- Helpers ------------------------------------------------------------------------------------


def _meeting_for(request: SignedInRequest, pk: int, step: MeetingStep) -> Meeting:
    """The meeting if visible (else 404) and ``step`` is the person's to take (else 403)."""
    meeting = permissions.get_meeting_for_user_or_404(request.user, pk)
    permissions.require(WHO[step](request.user, meeting.body_id))
    return meeting


def _item_for(request: SignedInRequest, pk: int, step: MeetingStep) -> AgendaItem:
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


# --- Meetings -----------------------------------------------------------------------------------


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
    meeting = _meeting_for(request, pk, MeetingStep.RESCHEDULE)
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
    meeting = _meeting_for(request, pk, MeetingStep.CONVENE)
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
    meeting = _meeting_for(request, pk, MeetingStep.POSTPONE)
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
    meeting = _meeting_for(request, pk, MeetingStep.CANCEL)
    return post_step(
        request,
        partial(services.cancel_meeting, actor=request.user, meeting=meeting),
        success=_("Meeting cancelled."),
        then=meeting,
        form=ReasonForm(request.POST),
    )


@login_required
@require_POST
def agenda_add(request: SignedInRequest, pk: int) -> HttpResponse:
    meeting = _meeting_for(request, pk, MeetingStep.ADD_ITEM)
    return post_step(
        request,
        partial(services.add_agenda_item, actor=request.user, meeting=meeting),
        success=_("Agenda item added."),
        then=meeting,
        form=AgendaItemForm(request.POST),
    )


@login_required
@require_POST
def attendee_invite(request: SignedInRequest, pk: int) -> HttpResponse:
    meeting = _meeting_for(request, pk, MeetingStep.INVITE_ATTENDEE)
    return post_step(
        request,
        partial(services.invite_attendee, actor=request.user, meeting=meeting),
        success=_("Non-voting attendee invited."),
        then=meeting,
        form=AttendeeForm(request.POST),
    )


def _check_in_toggle(request: SignedInRequest, pk: int, *, is_open: bool) -> HttpResponse:
    meeting = permissions.get_meeting_for_user_or_404(request.user, pk)
    permissions.require(permissions.can_manage(request.user, meeting.body_id))
    return post_step(
        request,
        partial(services.set_check_in_open, actor=request.user, meeting=meeting, is_open=is_open),
        success=_("Check-in is open.") if is_open else _("Check-in is closed."),
        then=meeting,
    )


@login_required
@require_POST
def check_in_open(request: SignedInRequest, pk: int) -> HttpResponse:
    return _check_in_toggle(request, pk, is_open=True)


@login_required
@require_POST
def check_in_close(request: SignedInRequest, pk: int) -> HttpResponse:
    return _check_in_toggle(request, pk, is_open=False)


@login_required
@require_POST
def meeting_open(request: SignedInRequest, pk: int) -> HttpResponse:
    meeting = _meeting_for(request, pk, MeetingStep.OPEN_MEETING)
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
    meeting = _meeting_for(request, pk, MeetingStep.CLOSE_MEETING)
    return post_step(
        request,
        lambda confirmed: services.close_meeting(actor=request.user, meeting=meeting),
        success=_("The meeting is closed."),
        then=meeting,
        form=ConfirmForm(request.POST),
    )


# --- Attendance of expected members -------------------------------------------------------------


def _expected_member_for(
    request: SignedInRequest, member_pk: int, *, self_allowed: bool
) -> tuple[ExpectedMember, bool]:
    """The expected member and whether the Office acts; the member may act for themself."""
    member = permissions.get_expected_member_for_user_or_404(request.user, member_pk)
    by_office = permissions.can_manage(request.user, member.meeting.body_id)
    permissions.require(by_office or (self_allowed and member.person_id == request.user.pk))
    return member, by_office


@login_required
@require_POST
def attendance_answer(request: SignedInRequest, member_pk: int) -> HttpResponse:
    member, _by_office = _expected_member_for(request, member_pk, self_allowed=True)
    return post_step(
        request,
        partial(services.answer_attendance, actor=request.user, member=member),
        success=_("Answer recorded."),
        then=member.meeting,
        form=AnswerForm(request.POST),
        allow_next=True,
    )


@login_required
@require_POST
def attendance_check_in(request: SignedInRequest, member_pk: int) -> HttpResponse:
    member, by_office = _expected_member_for(request, member_pk, self_allowed=True)
    return post_step(
        request,
        partial(
            services.check_in,
            actor=request.user,
            member=member,
            by_office=by_office,
            code=request.POST.get("code", ""),
        ),
        success=_("%(name)s is checked in.") % {"name": member.person},
        then=member.meeting,
        allow_next=True,
    )


@login_required
def room_screen(request: SignedInRequest, pk: int) -> HttpResponse:
    """The room's screen: the QR code members scan to check in, changing every 30 s. htmx
    reloads the code; without JavaScript the page reloads itself."""
    meeting = permissions.get_meeting_for_user_or_404(request.user, pk)
    permissions.require(permissions.can_manage(request.user, meeting.body_id))
    url = request.build_absolute_uri(
        reverse("meetings:check_in_scan", args=[services.check_in_code(meeting)])
    )
    context = {
        "meeting": meeting,
        "qr_svg": segno.make(url, error="m").svg_inline(scale=8, dark="#000", light="#fff"),
        "check_in_url": url,
        "refresh_seconds": rules.CHECK_IN_CODE_SECONDS // 3,
        "check_in_open": meeting.check_in_open and rules.may(MeetingStep.CHECK_IN, meeting.status),
        "numbers": services.attendance(meeting),
    }
    if request.htmx:
        return render(request, "meetings/room_screen.html#room-code", context)
    return render(request, "meetings/room_screen.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def check_in_scan(request: SignedInRequest, code: str) -> HttpResponse:
    """Where the room's QR code leads: a signed-in member's phone checks them in (POST); the
    page asks first (GET), and a member on leave is asked to withdraw the leave."""
    try:
        meeting_id = services.meeting_of_check_in_code(code)
    except services.MeetingError as error:
        return render(request, "meetings/check_in_scan.html", {"error": str(error)}, status=400)
    meeting = permissions.get_meeting_for_user_or_404(request.user, meeting_id)
    mine = permissions.expected_member(request.user, meeting)
    if request.method == "POST" and mine is not None:
        member = mine
        outcome = run_step(
            request,
            lambda: services.check_in(actor=request.user, member=member, code=code),
            success=_("%(name)s is checked in.") % {"name": mine.person},
        )
        if outcome.done:
            return redirect(meeting)
        mine = permissions.expected_member(request.user, meeting)
    context = {
        "meeting": meeting,
        "mine": mine,
        "code": code,
        "on_leave": mine is not None and mine.response == ExpectedMember.Response.LEAVE,
        "here": request.path,
    }
    return render(request, "meetings/check_in_scan.html", context)


@login_required
@require_POST
def attendance_undo(request: SignedInRequest, member_pk: int) -> HttpResponse:
    member, _by_office = _expected_member_for(request, member_pk, self_allowed=False)
    return post_step(
        request,
        partial(services.undo_check_in, actor=request.user, member=member),
        success=_("%(name)s is no longer counted as present.") % {"name": member.person},
        then=member.meeting,
        allow_next=True,
    )


# --- Agenda items: materials, motions, decisions ------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def agenda_edit(request: SignedInRequest, pk: int) -> HttpResponse:
    item = _item_for(request, pk, MeetingStep.EDIT_AGENDA)
    initial = {
        "title": item.title,
        "description": item.description,
        "presenter_unit": item.presenter_unit_id,
        "is_major": item.is_major,
    }
    form = AgendaItemForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        outcome = run_step(
            request,
            lambda: services.edit_agenda_item(actor=request.user, item=item, **data),
            success=_("Agenda item saved."),
        )
        if outcome.done:
            return redirect(item.meeting)
    return render(request, "meetings/agenda_form.html", {"form": form, "item": item})


@login_required
@require_POST
def agenda_move(request: SignedInRequest, pk: int) -> HttpResponse:
    item = _item_for(request, pk, MeetingStep.EDIT_AGENDA)
    return post_step(
        request,
        lambda direction: services.move_agenda_item(
            actor=request.user, item=item, up=direction == "up"
        ),
        success=_("Agenda item moved."),
        then=item.meeting,
        form=MoveForm(request.POST),
    )


@login_required
@require_POST
def agenda_remove(request: SignedInRequest, pk: int) -> HttpResponse:
    item = _item_for(request, pk, MeetingStep.EDIT_AGENDA)
    return post_step(
        request,
        partial(services.remove_agenda_item, actor=request.user, item=item),
        success=_("Agenda item removed."),
        then=item.meeting,
    )


@login_required
@require_POST
def material_remove(request: SignedInRequest, pk: int) -> HttpResponse:
    material = permissions.get_material_for_user_or_404(request.user, pk)
    permissions.require(permissions.can_manage(request.user, material.item.meeting.body_id))
    return post_step(
        request,
        partial(services.remove_material, actor=request.user, material=material),
        success=_("Material removed."),
        then=material.item.meeting,
    )


@login_required
@require_POST
def attendee_remove(request: SignedInRequest, pk: int) -> HttpResponse:
    attendee = permissions.get_attendee_for_user_or_404(request.user, pk)
    permissions.require(permissions.can_manage(request.user, attendee.meeting.body_id))
    return post_step(
        request,
        partial(services.remove_attendee, actor=request.user, attendee=attendee),
        success=_("Invitation withdrawn."),
        then=attendee.meeting,
    )


@login_required
@require_POST
def material_upload(request: SignedInRequest, pk: int) -> HttpResponse:
    item = _item_for(request, pk, MeetingStep.ADD_MATERIAL)
    return post_step(
        request,
        lambda file: services.add_material(actor=request.user, item=item, upload=file),
        success=_("Material uploaded."),
        then=item.meeting,
        form=MaterialForm(request.POST, request.FILES),
    )


@login_required
def material_download(request: SignedInRequest, pk: int) -> FileResponse:
    material = permissions.get_material_for_user_or_404(request.user, pk)
    try:
        handle = material.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(
        handle, as_attachment=True, filename=material.name, content_type=material.content_type
    )


@login_required
@require_POST
def motion_add(request: SignedInRequest, pk: int) -> HttpResponse:
    item = _item_for(request, pk, MeetingStep.PUT_MOTION)
    return post_step(
        request,
        partial(services.create_motion, actor=request.user, item=item),
        success=_("Motion added; its method and passing rule are now fixed."),
        then=item.meeting,
        form=MotionForm(request.POST),
    )


@login_required
@require_POST
def decision_record(request: SignedInRequest, pk: int) -> HttpResponse:
    item = _item_for(request, pk, MeetingStep.DECIDE)
    closed = item.motions.filter(status=MotionStatus.CLOSED)
    return post_step(
        request,
        partial(services.record_decision, actor=request.user, item=item),
        success=_("Decision recorded."),
        then=item.meeting,
        form=DecisionForm(request.POST, motions=closed),
    )


# --- Notifications ------------------------------------------------------------------------------


@login_required
def notification_list(request: SignedInRequest) -> HttpResponse:
    notifications = list(
        Notification.objects.filter(recipient=request.user).select_related("meeting")[:100]
    )
    services.mark_notifications_read(user=request.user)
    return render(request, "meetings/notification_list.html", {"notifications": notifications})
