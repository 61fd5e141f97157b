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


# --- Minutes (Art. 15-16) -----------------------------------------------------------------------


class MinutesForm(forms.Form):
    """What the Office writes; the facts come from the meeting's record (R-MIN-1)."""

    title = forms.CharField(label=_("Title"), max_length=200)
    narrative = forms.CharField(
        label=_("Narrative"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_(
            "One paragraph a line. A line starting with 一、 is a heading, （一） a subheading, "
            "1. or （1） a third-level heading; every other line is a paragraph."
        ),
    )
    distribution = forms.ModelMultipleChoiceField(
        label=_("Units concerned (Art. 16)"),
        queryset=Unit.objects.order_by("order", "code"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The issued minutes are sent to these units; their people can read them."),
    )


class ReturnMinutesForm(forms.Form):
    comments = forms.CharField(
        label=_("Comments for the Office"), widget=forms.Textarea(attrs={"rows": 4})
    )


class SignMinutesForm(forms.Form):
    # R-MIN-3: only the signer controls the key at the moment of signing, so the leader
    # proves it is them again, whatever the session says.
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


MAX_VERIFY_BYTES = 20 * 1024 * 1024


class VerifyNumberForm(forms.Form):
    number = forms.CharField(
        label=_("Document number"),
        max_length=60,
        widget=forms.TextInput(attrs={"placeholder": "信息化纪要〔2026〕3号"}),
    )


class VerifyFileForm(forms.Form):
    file = forms.FileField(
        label=_("PDF file"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_VERIFY_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(limit)d MB; minutes are far smaller.")
                % {"limit": MAX_VERIFY_BYTES // (1024 * 1024)}
            )
        return upload
