from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.models import Role, User


class DateInput(forms.DateInput):
    input_type = "date"


class FillSeatForm(forms.Form):
    person = forms.ModelChoiceField(
        label=_("Person"), queryset=User.objects.filter(is_active=True).order_by("full_name")
    )
    started_on = forms.DateField(label=_("From"), initial=timezone.localdate, widget=DateInput)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class VacateSeatForm(forms.Form):
    ended_on = forms.DateField(
        label=_("First day no longer held"), initial=timezone.localdate, widget=DateInput
    )


class AddSeatForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    ex_officio = forms.CharField(label=_("Held by virtue of"), max_length=100, required=False)
