"""Attendance (Art. 12, R-MEET-3): the Office opens and closes check-in and shows the room's
QR code; an expected member answers (attend, or leave with a reason) and checks in, on their
phone by that code or by the Office's hand; the Office undoes a check-in. As in meetings.views,
each POST view fetches through permissions and takes its step with infogov.steps.post_step."""

from functools import partial

import segno
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from infogov.steps import post_step, run_step
from meetings import permissions, rules, services
from meetings.forms import AnswerForm
from meetings.models import ExpectedMember
from meetings.rules import MeetingStep
from members.http import SignedInRequest

# --- Check-in, opened and closed by the Office ----------------------------------------------------


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


# --- Expected members' answers and check-in -------------------------------------------------------


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
