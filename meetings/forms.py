"""Forms read and check input only; every change goes through meetings.services."""

from typing import cast

from django import forms
from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from infogov.forms import PlainSelect
from infogov.validators import no_line_break, sane_date
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
from members.forms import LabelledForm
from members.models import Body, Unit, User
from members.ordering import PersonChoiceField


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class ScheduleFields(forms.Form):
    """Title, time and place, shared by drafting and rescheduling."""

    # The title and the place make the invitation mail's subject: no line breaks.
    title = forms.CharField(label=_("Title"), max_length=200, validators=[no_line_break])
    starts_at = forms.DateTimeField(
        label=_("Starts at"), widget=DateTimeLocalInput, validators=[sane_date]
    )
    ends_at = forms.DateTimeField(
        label=_("Ends at"), required=False, widget=DateTimeLocalInput, validators=[sane_date]
    )
    location = forms.CharField(label=_("Place"), max_length=200, validators=[no_line_break])

    def clean(self):
        data = super().clean()
        assert data is not None  # Form.clean returns cleaned_data
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
        cast(forms.ModelChoiceField, self.fields["body"]).queryset = bodies


class RescheduleForm(ScheduleFields):
    pass


class ReasonForm(forms.Form):
    # A reason for putting off or calling off a meeting goes into the mail's subject.
    reason = forms.CharField(label=_("Reason"), max_length=500, validators=[no_line_break])


class AgendaItemForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    presenter_unit = forms.ModelChoiceField(
        label=_("Presented by"), queryset=Unit.objects.all(), required=False, widget=PlainSelect
    )
    is_major = forms.BooleanField(
        label=_("Major matter (decided only by a vote, Art. 13)"), required=False
    )


class AttendeeForm(LabelledForm):
    """Rendered bare in the Office's meeting page: each widget carries its label (aria-label),
    or the person <select> has no accessible name (WCAG 4.1.2)."""

    person = PersonChoiceField(
        label=_("Person"), queryset=User.objects.filter(is_active=True), widget=PlainSelect
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
    method = forms.ChoiceField(label=_("Method"), choices=Motion.Method.choices, widget=PlainSelect)
    threshold = forms.ChoiceField(
        label=_("Yes votes needed"), choices=THRESHOLD_CHOICES, widget=PlainSelect
    )
    basis = forms.ChoiceField(label=_("of"), choices=BASIS_CHOICES, widget=PlainSelect)


class DecisionForm(forms.Form):
    text = forms.CharField(label=_("Decision"), widget=forms.Textarea(attrs={"rows": 3}))
    motion = forms.ModelChoiceField(label=_("Vote"), queryset=Motion.objects.none(), required=False)
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[("", _("As the vote says")), *Decision.Outcome.choices],
        required=False,
        widget=PlainSelect,
    )
    forward_to = forms.ChoiceField(
        label=_("Forward to (Art. 14)"),
        choices=Decision.Forward.choices,
        required=False,
        widget=PlainSelect,
    )

    def __init__(self, *args, motions: QuerySet[Motion], **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["motion"]).queryset = motions


VOTE_CHOICES: dict[str, Promise] = dict(CHOICES)


class ScrutineersForm(forms.Form):
    """Opening a secret ballot: the chair names two or three present voting members."""

    scrutineers = forms.ModelMultipleChoiceField(
        label=_("Scrutineers (监票人)"),
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Two or three present voting members; any two of them count the ballot."),
    )

    def __init__(self, *args, motion: Motion, **kwargs):
        super().__init__(*args, **kwargs)
        present = ExpectedMember.objects.filter(meeting_id=motion.item.meeting_id, present=True)
        cast(
            forms.ModelMultipleChoiceField, self.fields["scrutineers"]
        ).queryset = User.objects.filter(pk__in=present.values("person_id")).order_by(
            "full_name", "username"
        )

    def clean_scrutineers(self):
        people = list(self.cleaned_data["scrutineers"])
        if not 2 <= len(people) <= 3:
            raise forms.ValidationError(_("Name two or three scrutineers."))
        return people


class PasswordForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class PaperCountForm(forms.Form):
    yes = forms.IntegerField(label=pgettext_lazy("vote choice", "Yes"), min_value=0)
    no = forms.IntegerField(label=pgettext_lazy("vote choice", "No"), min_value=0)
    abstain = forms.IntegerField(label=_("Abstain"), min_value=0)


class ConfirmForm(forms.Form):
    """An irreversible step: the person ticks "I confirm" (works without JavaScript)."""

    confirmed = forms.BooleanField(
        label=_("Confirmation"),
        error_messages={"required": _("Tick “I confirm” to take this step.")},
    )


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", _("Up")), ("down", _("Down"))])
