"""Forms of followup: they bind and clean input; the services decide."""

import datetime as dt

from django import forms
from django.forms.models import ModelChoiceIterator
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from followup.models import Finding, Forwarding, Inspection, Item, Milestone
from followup.rules import ItemStatus, Light, Source
from meetings.models import Decision, Meeting
from members.models import Unit, User

DATE = forms.DateInput(attrs={"type": "date"})


def people():
    return User.objects.filter(is_active=True).select_related("unit").order_by("full_name")


class PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj}（{obj.unit}）" if obj.unit_id else str(obj)


class PlainSelect(forms.Select):
    """A select written out here from its choices, not through Django's templates, which
    include two more for every option: the ledger's filters and its meeting picker are on the
    Office's everyday page, where so rendered they cost a third of it (bench/run.py, followup
    ledger). Flat choices only, no optgroups."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = {str(v) for v in self.format_value(value)}
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((v, " selected" if str(v) in chosen else "", label) for v, label in self.choices),
        )
        attrs = flatatt(self.build_attrs(self.attrs, attrs))
        return format_html('<select name="{}"{}>{}</select>', name, attrs, options)


class ShortListIterator(ModelChoiceIterator):
    """The options in one plain query. Django's own reads them through a server-side cursor
    on PostgreSQL (declare, fetch, close: three statements), which for the dozen units or
    coming meetings of a picker costs more than the rows themselves."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


class ShortListChoiceField(forms.ModelChoiceField):
    iterator = ShortListIterator


class FilterForm(forms.Form):
    """The ledger's filters; every field optional."""

    unit = ShortListChoiceField(
        Unit.objects.all(), label=_("lead unit"), required=False, widget=PlainSelect
    )
    status = forms.ChoiceField(
        label=_("status"),
        choices=[("", "—"), *ItemStatus.choices],
        required=False,
        widget=PlainSelect,
    )
    light = forms.ChoiceField(
        label=_("light"), choices=[("", "—"), *Light.choices], required=False, widget=PlainSelect
    )
    source = forms.ChoiceField(
        label=_("source"), choices=[("", "—"), *Source.choices], required=False, widget=PlainSelect
    )
    month = forms.DateField(
        label=_("due month"),
        required=False,
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )


class ItemForm(forms.Form):
    """The Office opens an item from a decision, a forwarding or an instruction."""

    source = forms.ChoiceField(
        label=_("source"),
        choices=[
            (s, label)
            for s, label in Source.choices
            if s in ("decision", "forwarding", "instruction")
        ],
    )
    decision = forms.ModelChoiceField(
        Decision.objects.select_related("item__meeting").order_by("-decided_at"),
        label=_("decision"),
        required=False,
    )
    forwarding = forms.ModelChoiceField(
        Forwarding.objects.select_related("decision"), label=_("forwarding"), required=False
    )
    instructed_by = PersonChoice(people(), label=_("instructed by"), required=False)
    title = forms.CharField(label=pgettext_lazy("heading", "title"), max_length=200)
    description = forms.CharField(
        label=_("what is to be done"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    lead_unit = forms.ModelChoiceField(Unit.objects.all(), label=_("lead unit"))
    co_units = forms.ModelMultipleChoiceField(
        Unit.objects.all(), label=_("co-units"), required=False, widget=forms.CheckboxSelectMultiple
    )
    responsible = PersonChoice(people(), label=_("responsible person"))
    supervisor = PersonChoice(people(), label=_("supervising leader"), required=False)
    due_date = forms.DateField(label=_("due date"), widget=DATE)
    parent = forms.ModelChoiceField(
        Item.objects.filter(parent__isnull=True).exclude(status__in=["closed", "cancelled"]),
        label=_("part of"),
        required=False,
    )
    weight = forms.IntegerField(label=_("weight"), min_value=1, max_value=100, initial=1)


class TextForm(forms.Form):
    text = forms.CharField(
        label=_("text"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}))


class ReportForm(forms.Form):
    text = forms.CharField(label=_("what has been done"), widget=forms.Textarea(attrs={"rows": 3}))
    percent = forms.IntegerField(label=_("progress (%)"), min_value=0, max_value=100)
    attachment = forms.FileField(label=_("attachment"), required=False)
    milestone = forms.ModelChoiceField(
        Milestone.objects.none(), label=_("milestone reached"), required=False
    )

    def __init__(self, *args, item: Item, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["milestone"].queryset = item.milestones.filter(done_on__isnull=True)
        self.fields["percent"].initial = item.percent


class ExtensionForm(forms.Form):
    new_due_date = forms.DateField(label=_("new due date"), widget=DATE)
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}))


class DecideExtensionForm(forms.Form):
    approve = forms.TypedChoiceField(
        choices=[("1", _("Approve")), ("0", _("Refuse"))], coerce=lambda v: v == "1"
    )


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("milestone"), max_length=200)
    due_date = forms.DateField(label=_("due date"), widget=DATE)


class ForwardingForm(forms.Form):
    sent_on = forms.DateField(label=_("sent on"), required=False, widget=DATE)
    their_meeting_on = forms.DateField(label=_("their meeting's date"), required=False, widget=DATE)
    outcome = forms.ChoiceField(label=_("outcome"), choices=Forwarding.Outcome.choices)
    document_number = forms.CharField(
        label=_("their document number"), max_length=60, required=False
    )


class InspectionForm(forms.Form):
    kind = forms.ChoiceField(
        label=pgettext_lazy("follow-up", "kind"), choices=Inspection.Kind.choices
    )
    title = forms.CharField(label=pgettext_lazy("heading", "title"), max_length=200)
    held_on = forms.DateField(label=_("date"), widget=DATE)
    inspectors = forms.CharField(label=_("inspectors"), max_length=300)
    units = forms.ModelMultipleChoiceField(
        Unit.objects.all(), label=_("units inspected"), widget=forms.CheckboxSelectMultiple
    )


class FindingForm(forms.Form):
    unit = forms.ModelChoiceField(Unit.objects.none(), label=_("unit"))
    severity = forms.ChoiceField(label=_("severity"), choices=Finding.Severity.choices)
    text = forms.CharField(label=_("finding"), widget=forms.Textarea(attrs={"rows": 2}))
    responsible = PersonChoice(people(), label=_("responsible person"))
    due_date = forms.DateField(label=_("due date"), widget=DATE)

    def __init__(self, *args, inspection: Inspection, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = inspection.units.all()


class AgendaForm(forms.Form):
    """The Office puts the follow-up report on a coming meeting's agenda."""

    meeting = ShortListChoiceField(Meeting.objects.none(), label=_("meeting"), widget=PlainSelect)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Labelled by title and date; the report reads the body's id only.
        self.fields["meeting"].queryset = Meeting.objects.filter(
            status__in=[Meeting.Status.DRAFT, Meeting.Status.CONVENED, Meeting.Status.POSTPONED]
        )


def first_of_month(value: dt.date | None) -> dt.date | None:
    return value.replace(day=1) if value else None
