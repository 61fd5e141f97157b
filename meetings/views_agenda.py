"""The agenda's steps (Art. 12-14): items added, edited, moved and removed, their materials,
the non-voting attendees (列席) invited and withdrawn, a motion put on an item and the item's
decision. As in meetings.views, each POST view fetches through permissions (meeting_for,
item_for: visible, and the person's step) and takes its step with infogov.steps.post_step."""

from functools import partial

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from infogov.steps import post_step, run_step
from meetings import permissions, services
from meetings.forms import (
    AgendaItemForm,
    AttendeeForm,
    DecisionForm,
    MaterialForm,
    MotionForm,
    MoveForm,
)
from meetings.rules import MeetingStep, MotionStatus
from meetings.views import item_for, meeting_for
from members.http import SignedInRequest

# --- Items and attendees --------------------------------------------------------------------------


@login_required
@require_POST
def agenda_add(request: SignedInRequest, pk: int) -> HttpResponse:
    meeting = meeting_for(request, pk, MeetingStep.ADD_ITEM)
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
    meeting = meeting_for(request, pk, MeetingStep.INVITE_ATTENDEE)
    return post_step(
        request,
        partial(services.invite_attendee, actor=request.user, meeting=meeting),
        success=_("Non-voting attendee invited."),
        then=meeting,
        form=AttendeeForm(request.POST),
    )


# --- Items, their materials, motions and decisions ------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def agenda_edit(request: SignedInRequest, pk: int) -> HttpResponse:
    item = item_for(request, pk, MeetingStep.EDIT_AGENDA)
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
    item = item_for(request, pk, MeetingStep.EDIT_AGENDA)
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
    item = item_for(request, pk, MeetingStep.EDIT_AGENDA)
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
    item = item_for(request, pk, MeetingStep.ADD_MATERIAL)
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
    item = item_for(request, pk, MeetingStep.PUT_MOTION)
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
    item = item_for(request, pk, MeetingStep.DECIDE)
    closed = item.motions.filter(status=MotionStatus.CLOSED)
    return post_step(
        request,
        partial(services.record_decision, actor=request.user, item=item),
        success=_("Decision recorded."),
        then=item.meeting,
        form=DecisionForm(request.POST, motions=closed),
    )
