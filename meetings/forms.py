"""Forms read and check input only; every change goes through meetings.services."""

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from meetings import rules
from meetings.models import (
    BASIS_CHOICES,
    CHOICES,
    THRESHOLD_CHOICES,
    Decision,
    ExpectedMember,
    Meeting,
    Motion,
)
from members.models import Body, Unit, User


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class ScheduleFields(forms.Form):
    """Title, time and place, shared by drafting and rescheduling."""

    title = forms.CharField(label=_("Title"), max_length=200)
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=DateTimeLocalInput)
    ends_at = forms.DateTimeField(label=_("Ends at"), required=False, widget=DateTimeLocalInput)
    location = forms.CharField(label=_("Place"), max_length=200)

    def clean(self):
        data = super().clean()
        starts_at, ends_at = data.get("starts_at"), data.get("ends_at")
        if starts_at and not rules.ends_after_start(starts_at=starts_at, ends_at=ends_at):
            self.add_error("ends_at", _("A meeting must end after it starts."))
        return data


class MeetingForm(ScheduleFields):
    body = forms.ModelChoiceField(label=_("Body"), queryset=Body.objects.none(), empty_label=None)
    kind = forms.ChoiceField(label=_("Kind"), choices=Meeting.Kind.choices)

    field_order = ["body", "kind", "title", "starts_at", "ends_at", "location"]

    def __init__(self, *args, bodies: QuerySet[Body], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = bodies


class RescheduleForm(ScheduleFields):
    pass


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)


class AgendaItemForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    presenter_unit = forms.ModelChoiceField(
        label=_("Presented by"), queryset=Unit.objects.all(), required=False
    )
    is_major = forms.BooleanField(
        label=_("Major matter (decided only by a vote, Art. 13)"), required=False
    )


class AttendeeForm(forms.Form):
    person = forms.ModelChoiceField(
        label=_("Person"), queryset=User.objects.filter(is_active=True).order_by("full_name")
    )
    note = forms.CharField(label=_("Capacity"), max_length=200, required=False)


class AnswerForm(forms.Form):
    response = forms.ChoiceField(
        label=_("Answer"),
        choices=[
            (ExpectedMember.Response.ATTEND, _("Will attend")),
            (ExpectedMember.Response.LEAVE, _("Leave of absence")),
        ],
    )
    reason = forms.CharField(label=_("Reason for leave"), max_length=300, required=False)


class MaterialForm(forms.Form):
    file = forms.FileField(label=_("File"))


class MotionForm(forms.Form):
    text = forms.CharField(label=_("Motion"), max_length=500)
    method = forms.ChoiceField(label=_("Method"), choices=Motion.Method.choices)
    threshold = forms.ChoiceField(label=_("Yes votes needed"), choices=THRESHOLD_CHOICES)
    basis = forms.ChoiceField(label=_("of"), choices=BASIS_CHOICES)


class DecisionForm(forms.Form):
    text = forms.CharField(label=_("Decision"), widget=forms.Textarea(attrs={"rows": 3}))
    motion = forms.ModelChoiceField(label=_("Vote"), queryset=Motion.objects.none(), required=False)
    forward_to = forms.ChoiceField(
        label=_("Forward to (Art. 14)"), choices=Decision.Forward.choices, required=False
    )

    def __init__(self, *args, motions: QuerySet[Motion], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["motion"].queryset = motions


VOTE_CHOICES = dict(CHOICES)


class ConfirmForm(forms.Form):
    """An irreversible step: the person ticks "I confirm" (works without JavaScript)."""

    confirmed = forms.BooleanField(
        label=_("Confirmation"),
        error_messages={"required": _("Tick “I confirm” to take this step.")},
    )


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", _("Up")), ("down", _("Down"))])
