from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from infogov.validators import sane_date
from members.models import Role, UnitRole, User
from members.ordering import PersonChoiceField


class DateInput(forms.DateInput):
    """A browser date picker. Its value must be ISO (yyyy-mm-dd) whatever the language:
    Chinese's localized 2026/11/29 is invalid for <input type=date>, so the initial date
    would be dropped and the required field would block the form."""

    input_type = "date"

    def __init__(self, attrs=None, format="%Y-%m-%d"):
        super().__init__(attrs=attrs, format=format)


class LabelledForm(forms.Form):
    """A form rendered in many table rows: no element ids (they would repeat), so each
    widget carries its label as aria-label and placeholder instead."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", False)
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("aria-label", field.label)
            if isinstance(field.widget, forms.TextInput):
                field.widget.attrs.setdefault("placeholder", field.label)


class DocumentForm(LabelledForm):
    """R-ORG-4: the appointment document an administrator cites for a leader's or deputy's
    seat (文号 and date); the other seats need none, and their rows do not show the fields."""

    document_number = forms.CharField(
        label=_("Document number (文号)"), max_length=60, required=False
    )
    document_date = forms.DateField(
        label=_("Document date"), required=False, widget=DateInput, validators=[sane_date]
    )


class FillSeatForm(DocumentForm):
    person = PersonChoiceField(label=_("Person"), queryset=User.objects.filter(is_active=True))
    started_on = forms.DateField(
        label=_("From"), initial=timezone.localdate, widget=DateInput, validators=[sane_date]
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class VacateSeatForm(DocumentForm):
    ended_on = forms.DateField(
        label=_("First day no longer held"),
        initial=timezone.localdate,
        widget=DateInput,
        validators=[sane_date],
    )
    # 免职 cannot be undone (R-ORG-1: the history keeps it): the Office ticks to confirm.
    confirmed = forms.BooleanField(
        label=_("I confirm the removal"),
        error_messages={"required": _("Tick “I confirm” to take this step.")},
    )


class AddSeatForm(LabelledForm):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    ex_officio = forms.CharField(label=_("Held by virtue of"), max_length=100, required=False)


class AddUnitSeatForm(LabelledForm):
    role = forms.ChoiceField(label=_("Role"), choices=UnitRole.choices, initial=UnitRole.LIAISON)
