"""Forms of the project cycle. Money is entered in yuan (two decimals) and handed to the
services as integer fen; never a float."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from members.models import User
from projects.models import Acceptance, Category, Proposal
from projects.rules import CRITERIA, CRITERIA_LABELS, SCORE_MAX, TenderMethod


class YuanField(forms.DecimalField):
    """An amount in yuan with at most two decimals, cleaned to integer fen."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", Decimal(0))
        super().__init__(max_digits=14, decimal_places=2, **kwargs)

    def clean(self, value):
        amount = super().clean(value)
        return None if amount is None else int(amount * 100)


class DateInput(forms.DateInput):
    input_type = "date"


class CallForm(forms.Form):
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
    title = forms.CharField(label=pgettext_lazy("project", "title"), max_length=200)
    guidelines = forms.CharField(label=_("guidelines"), widget=forms.Textarea, required=False)
    opens_on = forms.DateField(label=_("opens on"), widget=DateInput)
    closes_on = forms.DateField(label=_("closes on"), widget=DateInput)
    envelope_fen = YuanField(label=_("budget envelope (yuan)"))
    topup_opens_on = forms.DateField(label=_("top-up opens on"), widget=DateInput, required=False)
    topup_closes_on = forms.DateField(label=_("top-up closes on"), widget=DateInput, required=False)
    topup_cap_fen = YuanField(label=_("top-up cap (yuan)"), required=False)


class ProposalForm(forms.ModelForm):
    class Meta:
        model = Proposal
        fields = [
            "title",
            "category",
            "need",
            "objectives",
            "content",
            "schedule",
            "security_level",
            "funding_source",
            "attachment",
        ]
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in ("need", "objectives", "content", "schedule")
        }


class BudgetLineForm(forms.Form):
    category = forms.CharField(label=_("budget category"), max_length=60)
    item = forms.CharField(label=pgettext_lazy("budget line", "item"), max_length=200)
    quantity = forms.IntegerField(label=_("quantity"), min_value=1, max_value=1_000_000)
    unit_price_fen = YuanField(label=_("unit price (yuan)"))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}))


class AssignExpertsForm(forms.Form):
    experts = forms.ModelMultipleChoiceField(
        label=_("experts"), queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, experts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["experts"].queryset = User.objects.filter(pk__in=[e.pk for e in experts])


class DeclareForm(forms.Form):
    conflict = forms.TypedChoiceField(
        label=_("conflict of interest"),
        choices=[("0", _("I have no conflict of interest")), ("1", _("I have a conflict"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("conflict of interest"), required=False, max_length=500)


class SheetForm(forms.Form):
    opinion = forms.CharField(label=_("opinion"), widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, weight in CRITERIA:
            self.fields[name] = forms.IntegerField(
                label=f"{CRITERIA_LABELS[name]} (×{weight})", min_value=0, max_value=SCORE_MAX
            )
        self.order_fields([name for name, _w in CRITERIA] + ["opinion"])


class RecommendForm(forms.Form):
    rank = forms.IntegerField(label=_("rank"), min_value=1, max_value=999)
    recommended_fen = YuanField(label=_("recommended amount (yuan)"))
    reason = forms.CharField(label=_("reason for a cut"), required=False, max_length=1000)


class AgendaForm(forms.Form):
    meeting = forms.ModelChoiceField(label=_("Leading Group meeting"), queryset=None)

    def __init__(self, *args, meetings=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = meetings


class AllocationForm(forms.Form):
    amount_fen = YuanField(label=_("amount (yuan)"))
    allocated_on = forms.DateField(label=_("date"), widget=DateInput)
    note = forms.CharField(label=_("note"), required=False, max_length=200)


class TenderForm(forms.Form):
    method = forms.ChoiceField(
        label=pgettext_lazy("tender", "method"), choices=TenderMethod.choices
    )
    tendered_on = forms.DateField(label=_("date"), widget=DateInput)
    winner = forms.CharField(label=_("winner"), max_length=200)
    contract_fen = YuanField(label=_("contract amount (yuan)"))


class AcceptanceForm(forms.Form):
    stage = forms.ChoiceField(label=_("stage"), choices=Acceptance.Stage.choices)
    accepted_on = forms.DateField(label=_("date"), widget=DateInput)
    passed = forms.BooleanField(label=_("passed"), required=False)
    report = forms.FileField(label=_("report"), required=False)
    note = forms.CharField(label=_("note"), required=False, max_length=1000)


class GoLiveForm(forms.Form):
    live_on = forms.DateField(label=_("live since"), widget=DateInput)
    filing_number = forms.CharField(label=_("等保 filing number"), required=False, max_length=60)


class MilestoneForm(forms.Form):
    title = forms.CharField(label=pgettext_lazy("project", "title"), max_length=200)
    due_on = forms.DateField(label=_("due on"), widget=DateInput)


class ProgressForm(forms.Form):
    report = forms.CharField(label=_("progress report"), widget=forms.Textarea(attrs={"rows": 2}))
    done_on = forms.DateField(label=_("done on"), widget=DateInput, required=False)


__all__ = ["Category"]
