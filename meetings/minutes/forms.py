"""The minutes' forms: they read and check input only; every change goes through
meetings.minutes.services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from members.models import Unit


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
