"""Pages of 督办: the ledger, an item with its timeline and steps, the new-item form, the
decisions to follow up, forwardings, inspections, the monthly report and the exports."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from followup import export, ledger, permissions, rules, services
from followup.forms import (
    AgendaForm,
    DecideExtensionForm,
    ExtensionForm,
    FilterForm,
    FindingForm,
    ForwardingForm,
    InspectionForm,
    ItemForm,
    MilestoneForm,
    ReasonForm,
    ReportForm,
    TextForm,
    first_of_month,
)
from followup.models import Extension, Forwarding, Inspection, Item
from followup.rules import ItemStep, Part
from followup.workdays import load_calendar
from infogov.forms import errors_as_message
from infogov.steps import post_step, run_step
from meetings.models import Decision

PAGE_SIZE = 50
# How long the ledger's cached rows may show a name edited in the roster (a unit, a person):
# every change to an item moves the ledger's revision on, and so the rows' cache key.
ROWS_CACHE_SECONDS = 300


def _filters(request: HttpRequest) -> tuple[FilterForm, ledger.Filters]:
    form = FilterForm(request.GET or None)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        return form, ledger.Filters(
            unit=data["unit"].pk if data["unit"] else None,
            status=data["status"],
            light=data["light"],
            source=data["source"],
            month=first_of_month(data["month"]),
        )
    return form, ledger.Filters()


@login_required
def item_list(request: HttpRequest) -> HttpResponse:
    """督办台账: the items the person sees, filtered, 50 a page. The rows are cached under
    the ledger's revision (ledger.revision), and read only when they are not."""
    if not permissions.can_view_ledger(request.user):
        raise Http404
    form, filters = _filters(request)
    today, calendar = timezone.localdate(), load_calendar()
    number = request.GET.get("page", "")

    def page():
        items = ledger.ledger(request.user, filters, today=today, calendar=calendar)
        return Paginator(items, PAGE_SIZE).get_page(number)

    office = permissions.can_create(request.user)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "followup/item_list.html",
        {
            "form": form,
            "page": SimpleLazyObject(page),
            "page_number": number,
            "rows_key": ledger.revision(request.user, today=today, calendar=calendar),
            "rows_seconds": ROWS_CACHE_SECONDS,
            "query": query.urlencode(),
            "can_create": office,
            "agenda_form": AgendaForm() if office else None,
            "sees_all": permissions.capacity(request.user).sees_all,
        },
    )


@login_required
def item_export(request: HttpRequest) -> HttpResponse:
    """The ledger as .xlsx, with the filters applied."""
    if not permissions.can_view_ledger(request.user):
        raise Http404
    _form, filters = _filters(request)
    items = ledger.ledger(request.user, filters)
    name = f"督办台账-{timezone.localdate():%Y%m%d}.xlsx"
    return export.xlsx_response(lambda path: export.write_ledger(path, items), name)


def _steps(request: HttpRequest, item: Item) -> dict[str, bool]:
    return rules.steps_now(item.status, permissions.actors(request.user, item))


@login_required
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = permissions.get_item_for_user_or_404(request.user, pk)
    today = timezone.localdate()
    milestones = list(item.milestones.all())
    behind = any(m.done_on is None and m.due_date < today for m in milestones)
    children = list(item.children.select_related("lead_unit").order_by("due_date", "id"))
    steps = _steps(request, item)
    pending = item.extensions.filter(status=Extension.Status.PENDING).first()
    may_decide = (
        pending is not None
        and steps[ItemStep.DECIDE_EXTENSION]
        and rules.art16_may_approve_extension(
            applicant_id=pending.requested_by_id, approver_id=request.user.pk
        )
    )
    context = {
        "item": item,
        "light": rules.art16_light(
            status=item.status,
            due=item.due_date,
            today=today,
            calendar=load_calendar(),
            milestone_behind=behind,
        ),
        "overdue": rules.art16_overdue(status=item.status, due=item.due_date, today=today),
        "events": item.events.select_related("actor", "milestone"),
        "milestones": milestones,
        "children": children,
        "rolled_up": rules.rolled_up_percent(Part(c.weight, c.percent) for c in children),
        "co_units": list(item.co_units.all()),
        "pending_extension": pending,
        "may_decide_extension": may_decide,
        "steps": steps,
        "can_add_milestone": permissions.can_create(request.user) and not item.is_finished,
        "report_form": ReportForm(item=item),
        "extension_form": ExtensionForm(),
        "milestone_form": MilestoneForm(),
    }
    return render(request, "followup/item_detail.html", context)


# Each step: its form (or None) and the service it calls with the form's cleaned data.
STEPS = {
    ItemStep.ASSIGN: (
        None,
        services.assign_item,
        gettext_lazy("Assigned: the units have been told."),
    ),
    ItemStep.ACKNOWLEDGE: (None, services.acknowledge_item, gettext_lazy("Acknowledged.")),
    ItemStep.REPORT: (ReportForm, services.report_progress, gettext_lazy("Progress reported.")),
    ItemStep.REQUEST_COMPLETION: (
        TextForm,
        services.request_completion,
        gettext_lazy("Completion requested: the Office will decide."),
    ),
    ItemStep.CLOSE: (TextForm, services.close_item, gettext_lazy("Closed.")),
    ItemStep.RETURN: (ReasonForm, services.return_item, gettext_lazy("Returned to the unit.")),
    ItemStep.CANCEL: (ReasonForm, services.cancel_item, gettext_lazy("Cancelled.")),
    ItemStep.REQUEST_EXTENSION: (
        ExtensionForm,
        services.request_extension,
        gettext_lazy("Extension requested: the Work Group's leaders will decide."),
    ),
    ItemStep.REMIND: (None, services.remind_item, gettext_lazy("Reminder sent.")),
}


@login_required
@require_POST
def item_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """One step of an item, from its page."""
    try:
        item_step_ = ItemStep(step.replace("-", "_"))
        form_class, service, success = STEPS[item_step_]
    except (ValueError, KeyError):
        raise Http404 from None
    item = permissions.get_item_for_user_or_404(request.user, pk)
    permissions.require(request.user, item_step_, item)
    form = None
    if form_class is ReportForm:
        form = ReportForm(request.POST, request.FILES, item=item)
    elif form_class is not None:
        form = form_class(request.POST)
    return post_step(
        request,
        lambda **data: service(actor=request.user, item=item, **data),
        success=str(success),
        then=item,
        form=form,
    )


@login_required
@require_POST
def extension_decide(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        extension = Extension.objects.get(pk=pk)
    except Extension.DoesNotExist:
        raise Http404 from None
    item = permissions.get_item_for_user_or_404(request.user, extension.item_id)
    permissions.require(request.user, ItemStep.DECIDE_EXTENSION, item)
    return post_step(
        request,
        lambda approve: services.decide_extension(
            actor=request.user, extension=extension, approve=approve
        ),
        success=_("Extension decided."),
        then=item,
        form=DecideExtensionForm(request.POST),
    )


@login_required
@require_POST
def milestone_add(request: HttpRequest, pk: int) -> HttpResponse:
    item = permissions.get_item_for_user_or_404(request.user, pk)
    if not permissions.can_create(request.user):
        raise permissions.PermissionDenied
    return post_step(
        request,
        lambda **data: services.add_milestone(actor=request.user, item=item, **data),
        success=_("Milestone added."),
        then=item,
        form=MilestoneForm(request.POST),
    )


@login_required
def item_new(request: HttpRequest) -> HttpResponse:
    """The Office opens an item: from a decision (?decision=), a forwarding or an instruction."""
    permissions.require_office(request.user)
    if request.method == "POST":
        form = ItemForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            outcome = run_step(
                request,
                lambda: services.create_item(actor=request.user, **data),
                success=_("Item drafted: check it, then assign it."),
            )
            if outcome.done:
                return redirect(outcome.result)
        else:
            messages.error(request, errors_as_message(form))
    else:
        form = ItemForm(initial=_initial(request))
    return render(request, "followup/item_form.html", {"form": form})


def _initial(request: HttpRequest) -> dict:
    initial = {"weight": 1}
    decision = Decision.objects.filter(pk=request.GET.get("decision") or 0).first()
    if decision is not None:
        initial |= {"source": "decision", "decision": decision.pk, "title": decision.text[:200]}
    parent = Item.objects.filter(pk=request.GET.get("parent") or 0).first()
    if parent is not None:
        initial |= {
            "parent": parent.pk,
            "source": parent.source if parent.source in ("decision", "instruction") else "decision",
            "decision": parent.decision_id,
            "due_date": parent.due_date,
        }
    return initial


@login_required
def decision_list(request: HttpRequest) -> HttpResponse:
    """Decisions (Art. 16) and how many items each already has: where the Office starts."""
    permissions.require_office(request.user)
    decisions = (
        Decision.objects.select_related("item__meeting__body", "motion")
        .annotate(items=Count("followup_items"))
        .order_by("-decided_at", "-id")[:100]
    )
    return render(request, "followup/decision_list.html", {"decisions": decisions})


@login_required
@require_POST
def agenda_add(request: HttpRequest) -> HttpResponse:
    """Into the next meeting: the follow-up report as an agenda item."""
    permissions.require_office(request.user)
    form = AgendaForm(request.POST)
    meeting = None
    if form.is_valid():
        meeting = form.cleaned_data["meeting"]
    return post_step(
        request,
        lambda meeting: services.add_followup_report(actor=request.user, meeting=meeting),
        success=_("The follow-up report is on the agenda."),
        then=meeting or "followup:item_list",
        form=form,
    )


# --- Forwardings (Art. 14) ------------------------------------------------------------------


def _require_sees_all(request: HttpRequest) -> None:
    if not permissions.capacity(request.user).sees_all:
        raise Http404


@login_required
def forwarding_list(request: HttpRequest) -> HttpResponse:
    _require_sees_all(request)
    forwardings = Forwarding.objects.select_related("decision__item__meeting").order_by(
        "outcome", "-id"
    )
    return render(request, "followup/forwarding_list.html", {"forwardings": forwardings})


@login_required
def forwarding_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_sees_all(request)
    try:
        forwarding = Forwarding.objects.select_related("decision__item__meeting").get(pk=pk)
    except Forwarding.DoesNotExist:
        raise Http404 from None
    office = permissions.can_create(request.user)
    if request.method == "POST":
        if not office:
            raise permissions.PermissionDenied
        return post_step(
            request,
            lambda **data: services.update_forwarding(
                actor=request.user, forwarding=forwarding, **data
            ),
            success=_("Forwarding updated."),
            then=forwarding,
            form=ForwardingForm(request.POST),
        )
    form = ForwardingForm(
        initial={
            "sent_on": forwarding.sent_on,
            "their_meeting_on": forwarding.their_meeting_on,
            "outcome": forwarding.outcome,
            "document_number": forwarding.document_number,
        }
    )
    return render(
        request,
        "followup/forwarding_detail.html",
        {
            "forwarding": forwarding,
            "form": form if office else None,
            "items": forwarding.items.select_related("lead_unit"),
            "can_create": office,
        },
    )


# --- Inspections (Art. 8 (4)(5)) ------------------------------------------------------------


@login_required
def inspection_list(request: HttpRequest) -> HttpResponse:
    _require_sees_all(request)
    can_record = permissions.can_record_inspection(request.user)
    if request.method == "POST":
        if not can_record:
            raise permissions.PermissionDenied
        form = InspectionForm(request.POST)
        if form.is_valid():
            outcome = run_step(
                request,
                lambda: services.record_inspection(actor=request.user, **form.cleaned_data),
                success=_("Inspection recorded: add its findings."),
            )
            if outcome.done:
                return redirect(outcome.result)
        else:
            messages.error(request, errors_as_message(form))
        return redirect("followup:inspection_list")
    inspections = Inspection.objects.annotate(n_findings=Count("findings")).order_by("-held_on")
    return render(
        request,
        "followup/inspection_list.html",
        {
            "inspections": inspections,
            "form": InspectionForm() if can_record else None,
        },
    )


@login_required
def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = permissions.get_inspection_for_user_or_404(request.user, pk)
    can_record = permissions.can_record_inspection(request.user)
    findings = inspection.findings.select_related("unit", "item")
    return render(
        request,
        "followup/inspection_detail.html",
        {
            "inspection": inspection,
            "units": list(inspection.units.all()),
            "findings": findings,
            "form": FindingForm(inspection=inspection) if can_record else None,
        },
    )


@login_required
@require_POST
def finding_add(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = permissions.get_inspection_for_user_or_404(request.user, pk)
    if not permissions.can_record_inspection(request.user):
        raise permissions.PermissionDenied
    return post_step(
        request,
        lambda **data: services.add_finding(actor=request.user, inspection=inspection, **data),
        success=_("Finding recorded: its rectification item is assigned to the unit."),
        then=inspection,
        form=FindingForm(request.POST, inspection=inspection),
    )


# --- The monthly report ---------------------------------------------------------------------


def _month(request: HttpRequest) -> dt.date:
    text = request.GET.get("month", "")
    try:
        return dt.datetime.strptime(text, "%Y-%m").date()
    except ValueError:
        return timezone.localdate().replace(day=1)


@login_required
def report(request: HttpRequest) -> HttpResponse:
    """督办月报: per unit, completion %, overdue %, average days to close, with a chart."""
    if not permissions.can_view_ledger(request.user):
        raise Http404
    month = _month(request)
    rows = ledger.monthly_report(request.user, month)
    chart = {
        "labels": [r.unit for r in rows],
        "completion": [r.completion_percent for r in rows],
        "overdue": [r.overdue_percent for r in rows],
        "completion_label": _("Completion (%)"),
        "overdue_label": _("Overdue (%)"),
    }
    return render(
        request,
        "followup/report.html",
        {"month": month, "rows": rows, "chart": chart},
    )


@login_required
def report_export(request: HttpRequest) -> HttpResponse:
    if not permissions.can_view_ledger(request.user):
        raise Http404
    month = _month(request)
    rows = ledger.monthly_report(request.user, month)
    return export.xlsx_response(
        lambda path: export.write_report(path, month, rows), f"督办月报-{month:%Y-%m}.xlsx"
    )


@login_required
def attachment(request: HttpRequest, pk: int, event: int) -> HttpResponse:
    """A progress report's attachment, to whoever sees the item."""
    item = permissions.get_item_for_user_or_404(request.user, pk)
    found = item.events.filter(pk=event).exclude(attachment="").first()
    if found is None:
        raise Http404
    return FileResponse(found.attachment.open("rb"), as_attachment=True)
