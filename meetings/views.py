"""Pages and steps of a meeting. Each POST view: fetch through permissions, bind the form, call
the service, message, redirect. Every MeetingError becomes a message (409 on the vote)."""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from infogov.forms import errors_as_message
from meetings import compliance, page_cache, permissions, rules, services
from meetings.forms import (
    VOTE_CHOICES,
    AgendaItemForm,
    AnswerForm,
    AttendeeForm,
    DecisionForm,
    MaterialForm,
    MeetingForm,
    MotionForm,
    ReasonForm,
    RescheduleForm,
)
from meetings.ics import meeting_ics
from meetings.minutes.views import minutes_of_meeting
from meetings.models import AgendaItem, ExpectedMember, Meeting, Motion, Notification
from meetings.rules import KINDS_BY_BODY
from meetings.services import MeetingError
from members.models import Body, Role, User

ROLE_LABELS = dict(Role.choices)
CURRENT = [
    Meeting.Status.DRAFT,
    Meeting.Status.CONVENED,
    Meeting.Status.IN_SESSION,
    Meeting.Status.POSTPONED,
]


# --- Helpers ------------------------------------------------------------------------------------


def _run(request: HttpRequest, action: Callable[[], object], success: str) -> bool:
    """Run a service call; a refusal becomes an error message and changes nothing."""
    try:
        action()
    except MeetingError as error:
        messages.error(request, str(error))
        return False
    messages.success(request, success)
    return True


Allowed = Callable[[User, Body | int], bool]


def _meeting_for(request: HttpRequest, pk: int, allowed: Allowed) -> Meeting:
    """The meeting if visible (else 404) and the step ``allowed(user, body)`` (else 403)."""
    meeting = permissions.get_meeting_for_user_or_404(request.user, pk)
    permissions.require(allowed(request.user, meeting.body_id))
    return meeting


def _item_for(request: HttpRequest, pk: int, allowed: Allowed) -> AgendaItem:
    item = permissions.get_item_for_user_or_404(request.user, pk)
    permissions.require(allowed(request.user, item.meeting.body))
    return item


def _motion_for(request: HttpRequest, pk: int, allowed: Allowed) -> Motion:
    motion = permissions.get_motion_for_user_or_404(request.user, pk)
    permissions.require(allowed(request.user, motion.item.meeting.body_id))
    return motion


def _back(request: HttpRequest, default: str) -> HttpResponseRedirect:
    """Redirect to a same-site ``next`` if given, otherwise to ``default``."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(target)
    return HttpResponseRedirect(default)


def _draftable_bodies(user: User) -> list[Body]:
    """Bodies that hold meetings (Art. 12) and whose meetings ``user`` organises."""
    bodies = Body.objects.filter(kind__in=list(KINDS_BY_BODY))
    return [body for body in bodies if permissions.can_manage(user, body)]


# --- Meetings -----------------------------------------------------------------------------------


@login_required
def meeting_list(request: HttpRequest) -> HttpResponse:
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
def meeting_new(request: HttpRequest) -> HttpResponse:
    bodies = _draftable_bodies(request.user)
    permissions.require(bool(bodies))
    queryset = Body.objects.filter(pk__in=[body.pk for body in bodies])
    form = MeetingForm(request.POST if request.method == "POST" else None, bodies=queryset)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.draft_meeting(actor=request.user, **form.cleaned_data)
        except MeetingError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Meeting drafted."))
            return redirect(meeting)
    return render(request, "meetings/meeting_form.html", {"form": form, "meeting": None})


@login_required
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_for(request, pk, permissions.can_manage)
    initial = {
        "title": meeting.title,
        "starts_at": meeting.starts_at,
        "ends_at": meeting.ends_at,
        "location": meeting.location,
    }
    form = RescheduleForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.reschedule_meeting(actor=request.user, meeting=meeting, **form.cleaned_data)
        except MeetingError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Meeting rescheduled."))
            return redirect(meeting)
    return render(request, "meetings/meeting_form.html", {"form": form, "meeting": meeting})


def _agenda(meeting: Meeting) -> list[AgendaItem]:
    """The items with their materials, motions and decision, in three queries."""
    items = list(
        meeting.items.select_related("decision", "presenter_unit").prefetch_related(
            "materials", Prefetch("motions", queryset=Motion.objects.order_by("id"))
        )
    )
    for item in items:
        motions = item.motions.all()
        item.pending_vote = any(
            m.status in (Motion.Status.DRAFT, Motion.Status.OPEN) for m in motions
        )
        item.closed_motions = [m for m in motions if m.status == Motion.Status.CLOSED]
        item.is_decided = hasattr(item, "decision")
    return items


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The meeting page: the shared fragments come from page_cache, so a page costs the same
    few queries whatever the number of members or items; only "my attendance" is the person's."""
    meeting = permissions.get_meeting_for_user_or_404(request.user, pk)
    flags = _flags(request.user, meeting)

    def mine() -> dict:
        return {"meeting": meeting, "mine": permissions.expected_member(request.user, meeting)}

    token = get_token(request)  # one masked token for every form of the page, top bar too
    page = _page(request, meeting, flags, page_cache.SHARED, personal=mine, token=token)
    context = {"meeting": meeting, "page": page, "csrf_token": token, **flags}
    return render(request, page_cache.TEMPLATE, context)


def _flags(user: User, meeting: Meeting) -> dict[str, bool]:
    can_manage = permissions.can_manage(user, meeting.body_id)
    can_convene = permissions.can_convene(user, meeting.body_id)
    return {
        "can_manage": can_manage,
        "can_convene": can_convene,
        "can_chair": can_manage or can_convene,  # permissions.can_chair, without asking twice
    }


def _page(
    request: HttpRequest, meeting: Meeting, flags: dict, names: tuple, personal=None, token=None
):
    """The fragments ``names`` of the meeting page (and the viewer's own, given ``personal``),
    by name with "_" for "-"; their forms carry ``token`` (by default, a new one)."""
    fragments = page_cache.fragments(
        request,
        meeting,
        page_cache.role_of(**flags),
        lambda: _shared_context(meeting, **flags),
        names,
        personal=personal,
        token=token,
    )
    return {name.replace("-", "_"): html for name, html in fragments.items()}


def _shared_context(meeting: Meeting, *, can_manage: bool, can_convene: bool, can_chair: bool):
    """What the shared fragments show: the same for everyone with these permissions. The Office
    sees (and works) every expected member's row; everyone else loads the list on demand
    (meeting_members), which keeps the page small."""
    numbers = services.attendance(meeting)
    context = {
        "meeting": meeting,
        "numbers": numbers,
        "expected": _expected(meeting) if can_manage else [],
        "expected_count": numbers.expected,
        "all_members": can_manage,
        "attendees": meeting.attendees.select_related("person"),
        "items": _agenda(meeting),
        "checks": meeting.quorum_checks.select_related("motion"),
        "minutes": minutes_of_meeting(meeting),
        "can_manage": can_manage,
        "can_convene": can_convene,
        "can_chair": can_chair,
    }
    # The forms repeat on the page (one per item), so their fields carry no ids.
    if can_manage:
        context["agenda_form"] = AgendaItemForm()
        context["attendee_form"] = AttendeeForm(auto_id=False)
    if can_chair:
        context["reason_form"] = ReasonForm(auto_id=False)
        context["motion_form"] = MotionForm(auto_id=False)
        context["decision_form"] = DecisionForm(auto_id=False, motions=Motion.objects.none())
    return context


def _expected(meeting: Meeting, person: User | None = None) -> list:
    members = meeting.expected_members.select_related("person__unit")
    if person is not None:
        members = members.filter(person_id=person.pk)
    expected = list(members)
    for member in expected:
        member.role_label = ROLE_LABELS.get(member.role, member.role)
    return expected


@login_required
def quorum_panel(request: HttpRequest, pk: int) -> HttpResponse:
    """The quorum panel, polled by htmx while the meeting runs. The Office's copy also
    carries the attendance table (swapped out of band), so its check-in buttons stay true."""
    meeting = permissions.get_meeting_for_user_or_404(request.user, pk)
    flags = _flags(request.user, meeting)
    names = ("quorum-panel", "attendance-table-oob") if flags["can_manage"] else ("quorum-panel",)
    return HttpResponse("".join(_page(request, meeting, flags, names).values()))


@login_required
def meeting_members(request: HttpRequest, pk: int) -> HttpResponse:
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
    }
    return render(request, "meetings/meeting_detail.html#attendance-table", context)


@login_required
def meeting_invite(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = permissions.get_meeting_for_user_or_404(request.user, pk)
    cancelled = meeting.status == Meeting.Status.CANCELLED
    response = HttpResponse(
        meeting_ics(meeting, cancel=cancelled), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.ics"'
    return response


@login_required
@require_POST
def meeting_convene(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_for(request, pk, permissions.can_convene)
    _run(
        request,
        lambda: services.convene_meeting(actor=request.user, meeting=meeting),
        _("Meeting convened; the expected members have been notified."),
    )
    return redirect(meeting)


def _set_aside(request: HttpRequest, pk: int, service, success: str) -> HttpResponse:
    meeting = _meeting_for(request, pk, permissions.can_chair)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, errors_as_message(form))
    else:
        _run(
            request,
            lambda: service(actor=request.user, meeting=meeting, **form.cleaned_data),
            success,
        )
    return redirect(meeting)


@login_required
@require_POST
def meeting_postpone(request: HttpRequest, pk: int) -> HttpResponse:
    return _set_aside(request, pk, services.postpone_meeting, _("Meeting postponed."))


@login_required
@require_POST
def meeting_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _set_aside(request, pk, services.cancel_meeting, _("Meeting cancelled."))


@login_required
@require_POST
def agenda_add(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_for(request, pk, permissions.can_manage)
    form = AgendaItemForm(request.POST)
    if not form.is_valid():
        messages.error(request, errors_as_message(form))
    else:
        _run(
            request,
            lambda: services.add_agenda_item(
                actor=request.user, meeting=meeting, **form.cleaned_data
            ),
            _("Agenda item added."),
        )
    return redirect(meeting)


@login_required
@require_POST
def attendee_invite(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_for(request, pk, permissions.can_manage)
    form = AttendeeForm(request.POST)
    if not form.is_valid():
        messages.error(request, errors_as_message(form))
    else:
        _run(
            request,
            lambda: services.invite_attendee(
                actor=request.user, meeting=meeting, **form.cleaned_data
            ),
            _("Non-voting attendee invited."),
        )
    return redirect(meeting)


def _check_in_toggle(request: HttpRequest, pk: int, is_open: bool) -> HttpResponse:
    meeting = _meeting_for(request, pk, permissions.can_manage)
    _run(
        request,
        lambda: services.set_check_in_open(actor=request.user, meeting=meeting, is_open=is_open),
        _("Check-in is open.") if is_open else _("Check-in is closed."),
    )
    return redirect(meeting)


@login_required
@require_POST
def check_in_open(request: HttpRequest, pk: int) -> HttpResponse:
    return _check_in_toggle(request, pk, True)


@login_required
@require_POST
def check_in_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _check_in_toggle(request, pk, False)


@login_required
@require_POST
def meeting_open(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_for(request, pk, permissions.can_chair)
    _run(
        request,
        lambda: services.open_meeting(actor=request.user, meeting=meeting),
        _("The meeting is open."),
    )
    return redirect(meeting)


@login_required
@require_POST
def meeting_close(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_for(request, pk, permissions.can_chair)
    _run(
        request,
        lambda: services.close_meeting(actor=request.user, meeting=meeting),
        _("The meeting is closed."),
    )
    return redirect(meeting)


# --- Attendance of expected members -------------------------------------------------------------


def _expected_member_for(
    request: HttpRequest, member_pk: int, *, self_allowed: bool
) -> tuple[ExpectedMember, bool]:
    """The expected member and whether the Office acts; the member may act for themself."""
    member = permissions.get_expected_member_for_user_or_404(request.user, member_pk)
    by_office = permissions.can_manage(request.user, member.meeting.body)
    permissions.require(by_office or (self_allowed and member.person_id == request.user.pk))
    return member, by_office


@login_required
@require_POST
def attendance_answer(request: HttpRequest, member_pk: int) -> HttpResponse:
    member, _by_office = _expected_member_for(request, member_pk, self_allowed=True)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, errors_as_message(form))
    else:
        _run(
            request,
            lambda: services.answer_attendance(
                actor=request.user, member=member, **form.cleaned_data
            ),
            _("Answer recorded."),
        )
    return _back(request, member.meeting.get_absolute_url())


@login_required
@require_POST
def attendance_check_in(request: HttpRequest, member_pk: int) -> HttpResponse:
    member, by_office = _expected_member_for(request, member_pk, self_allowed=True)
    _run(
        request,
        lambda: services.check_in(actor=request.user, member=member, by_office=by_office),
        _("%(name)s is checked in.") % {"name": member.person},
    )
    return _back(request, member.meeting.get_absolute_url())


@login_required
@require_POST
def attendance_undo(request: HttpRequest, member_pk: int) -> HttpResponse:
    member, _by_office = _expected_member_for(request, member_pk, self_allowed=False)
    _run(
        request,
        lambda: services.undo_check_in(actor=request.user, member=member),
        _("%(name)s is no longer counted as present.") % {"name": member.person},
    )
    return _back(request, member.meeting.get_absolute_url())


# --- Agenda items: materials, motions, decisions ------------------------------------------------


@login_required
@require_POST
def material_upload(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item_for(request, pk, permissions.can_manage)
    form = MaterialForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, errors_as_message(form))
    else:
        _run(
            request,
            lambda: services.add_material(
                actor=request.user, item=item, upload=form.cleaned_data["file"]
            ),
            _("Material uploaded."),
        )
    return redirect(item.meeting)


@login_required
def material_download(request: HttpRequest, pk: int) -> FileResponse:
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
def motion_add(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item_for(request, pk, permissions.can_chair)
    form = MotionForm(request.POST)
    if not form.is_valid():
        messages.error(request, errors_as_message(form))
    else:
        _run(
            request,
            lambda: services.create_motion(actor=request.user, item=item, **form.cleaned_data),
            _("Motion added; its method and passing rule are now fixed."),
        )
    return redirect(item.meeting)


@login_required
@require_POST
def decision_record(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item_for(request, pk, permissions.can_chair)
    form = DecisionForm(request.POST, motions=item.motions.filter(status=Motion.Status.CLOSED))
    if not form.is_valid():
        messages.error(request, errors_as_message(form))
    else:
        _run(
            request,
            lambda: services.record_decision(actor=request.user, item=item, **form.cleaned_data),
            _("Decision recorded."),
        )
    return redirect(item.meeting)


# --- Votes --------------------------------------------------------------------------------------


def _render_motion(request: HttpRequest, motion: Motion, *, status: int = 200) -> HttpResponse:
    meeting = motion.item.meeting
    user = request.user
    view = services.voter_view(motion, user)
    numbers, me, has_voted = view.numbers, view.me, view.has_voted
    is_open = motion.status == Motion.Status.OPEN
    can_vote = is_open and me is not None and me.present and not has_voted
    choice = request.GET.get("choice", "")
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
        "voted": view.voted if is_open else None,
        "can_chair": permissions.can_chair(user, meeting.body_id),
        "reason_form": ReasonForm(auto_id=False),
        "named_votes": None,
    }
    # R-VOTE-5: named choices are shown only once the vote is closed, never before.
    if motion.status == Motion.Status.CLOSED and motion.method == Motion.Method.NAMED:
        cast = dict(motion.named_votes.values_list("voter_id", "choice"))
        context["named_votes"] = [
            (member, VOTE_CHOICES.get(cast.get(member.person_id)))
            for member in meeting.expected_members.select_related("person")
        ]
    if request.method == "GET" and request.htmx and request.htmx.target == "vote-panel":
        response = render(request, "meetings/motion_detail.html#vote-panel", context)
        if motion.status not in (Motion.Status.DRAFT, Motion.Status.OPEN):
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
    """The vote endpoint: 302 to the motion page when counted, 409 when refused, 404 unseen.

    A counted vote needs no separate visibility check: the service counts only a present
    expected member of a meeting in session, whom can_view lets see it (and login_required an
    active user). Any refusal, or no such motion, asks can_view first, so an unseen motion
    still answers 404 and never tells why a vote was refused.
    """
    try:
        services.cast_vote_by_id(
            voter=request.user, motion_id=pk, choice=request.POST.get("choice", "")
        )
    except (MeetingError, Motion.DoesNotExist) as error:
        # Read the motion afresh: 404 if unseen; the refusal may be news (just closed).
        motion = permissions.get_motion_for_user_or_404(request.user, pk)
        messages.error(request, str(error))
        return _render_motion(request, motion, status=409)
    messages.success(request, _("Your vote has been counted."))
    return redirect("meetings:motion_detail", pk=pk)


@login_required
@require_POST
def motion_open(request: HttpRequest, pk: int) -> HttpResponse:
    motion = _motion_for(request, pk, permissions.can_chair)
    _run(
        request,
        lambda: services.open_vote(actor=request.user, motion=motion),
        _("Voting is open."),
    )
    return redirect(motion)


@login_required
@require_POST
def motion_close(request: HttpRequest, pk: int) -> HttpResponse:
    motion = _motion_for(request, pk, permissions.can_chair)
    _run(
        request,
        lambda: services.close_vote(actor=request.user, motion=motion),
        _("Voting is closed and counted."),
    )
    return redirect(motion)


@login_required
@require_POST
def motion_defer(request: HttpRequest, pk: int) -> HttpResponse:
    motion = _motion_for(request, pk, permissions.can_chair)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, errors_as_message(form))
    else:
        _run(
            request,
            lambda: services.defer_vote(actor=request.user, motion=motion, **form.cleaned_data),
            _("The vote is deferred."),
        )
    return redirect(motion)


# --- Notifications ------------------------------------------------------------------------------


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    notifications = list(
        Notification.objects.filter(recipient=request.user).select_related("meeting")[:100]
    )
    services.mark_notifications_read(user=request.user)
    return render(request, "meetings/notification_list.html", {"notifications": notifications})
