"""Forms for the decision log and ethics reviews; their checks mirror the database's."""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms
from django.utils import formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from rollout.models import EthicsReview, Phase, Programme, UseCase

_MAX_EUR = Decimal("9999999999.99")  # max_digits=12, decimal_places=2


def parse_euro(text: str, *, decimal_comma: bool = True) -> Decimal:
    """Read an amount as people type it: "12.500,00", "12500", "12.500,- €", "12,500.00".

    With both separators, the last one is the decimal mark; a single one followed by one or
    two digits is too. "12.500" (three digits after one separator) is read the way of the
    interface language (`decimal_comma`). Raises ValueError for anything else.
    """
    cleaned = re.sub(r"(?i)\s|€|eur", "", text.replace("\u00a0", ""))
    cleaned = re.sub(r",-+$", "", cleaned)
    if not re.fullmatch(r"\d+([.,]\d+)*", cleaned):
        raise ValueError(text)
    marks = re.findall(r"[.,]", cleaned)
    decimal_mark = None
    if marks:
        last, tail = marks[-1], cleaned.rsplit(marks[-1], 1)[1]
        single = len(marks) == 1
        if len(set(marks)) == 2 or (single and (len(tail) != 3 or (last == ",") == decimal_comma)):
            decimal_mark = last
    whole, fraction = cleaned.rsplit(decimal_mark, 1) if decimal_mark else (cleaned, "")
    if len(fraction) > 2:
        raise ValueError(text)
    if re.search(r"[.,]", whole) and not re.fullmatch(r"\d{1,3}([.,]\d{3})+", whole):
        raise ValueError(text)
    if len(set(re.findall(r"[.,]", whole))) > 1:
        raise ValueError(text)
    digits = re.sub(r"[.,]", "", whole)
    return Decimal(f"{digits}.{fraction or '0'}").quantize(Decimal("0.01"))


class EuroField(forms.Field):
    """An amount in euros, typed German style or plain; shown in the interface's format."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "maxlength": 30})
    default_error_messages = {
        "invalid": _("Enter an amount in euros, for example 12,500.00 or 12500."),
        "negative": _("The budget cannot be negative."),
        "too_large": _("This amount is too large."),
    }

    def to_python(self, value) -> Decimal | None:
        text = str(value or "").strip()
        if not text:
            return None
        if text.startswith("-") or len(text) > 30:
            code = "negative" if text.startswith("-") else "invalid"
            raise forms.ValidationError(self.error_messages[code], code=code)
        try:
            amount = parse_euro(text, decimal_comma=not (get_language() or "de").startswith("en"))
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if amount > _MAX_EUR:
            raise forms.ValidationError(self.error_messages["too_large"], code="too_large")
        return amount

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return formats.number_format(value, 2, use_l10n=True, force_grouping=True)
        return value


class _DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class DecisionForm(forms.Form):
    """A steering-committee decision, with the phases and use cases it concerns."""

    title = forms.CharField(label=_("Decision"), max_length=300)
    decided_on = forms.DateField(label=_("Date"), widget=_DateInput())
    rationale = forms.CharField(label=_("Rationale"), widget=forms.Textarea(attrs={"rows": 5}))
    budget_eur = EuroField(
        label=_("Budget (EUR)"),
        required=False,
        help_text=_("Leave empty if the decision has no budget."),
    )
    risks = forms.CharField(
        label=_("Risks"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    phases = forms.ModelMultipleChoiceField(
        label=_("Phases"),
        queryset=Phase.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    use_cases = forms.ModelMultipleChoiceField(
        label=_("Use cases"),
        queryset=UseCase.objects.order_by("title", "pk"),
        widget=forms.SelectMultiple(attrs={"size": 8}),
        required=False,
        help_text=_("The use cases the decision concerns (several: hold Ctrl or ⌘)."),
    )

    def __init__(self, *args, programme: Programme, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["phases"].queryset = programme.phases.order_by("number")
        if self.initial and "use_cases" not in self.initial:
            # An edit whose view did not pass the current links: leave them as they are
            # instead of offering an empty selection that would clear them on save.
            del self.fields["use_cases"]


class EthicsReviewForm(forms.Form):
    subject = forms.CharField(
        label=_("Subject"),
        max_length=300,
        help_text=_("The use or tool under review."),
    )
    fairness = forms.CharField(
        label=_("Fairness"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    bias = forms.CharField(
        label=_("Bias"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    staff_effects = forms.CharField(
        label=_("Effects on staff"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=EthicsReview.Outcome.choices,
        initial=EthicsReview.Outcome.PENDING,
    )
    conditions = forms.CharField(
        label=_("Conditions"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Required when the outcome is “approved with conditions”."),
    )
    reviewed_on = forms.DateField(
        label=_("Reviewed on"),
        widget=_DateInput(),
        required=False,
        help_text=_("Required once the board has decided."),
    )
    phase = forms.ModelChoiceField(label=_("Phase"), queryset=Phase.objects.none(), required=False)

    def __init__(self, *args, programme: Programme, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["phase"].queryset = programme.phases.order_by("number")

    def clean(self) -> dict:
        cleaned = super().clean()
        outcome = cleaned.get("outcome")
        conditions = (cleaned.get("conditions") or "").strip()
        cleaned["conditions"] = conditions
        if outcome == EthicsReview.Outcome.CONDITIONS and not conditions:
            self.add_error("conditions", _("State the conditions under which the use is approved."))
        reviewed_on = cleaned.get("reviewed_on")
        decided = outcome and outcome != EthicsReview.Outcome.PENDING
        if decided and reviewed_on is None and "reviewed_on" not in self.errors:
            self.add_error("reviewed_on", _("A decided review needs the date of the review."))
        if reviewed_on and reviewed_on > timezone.localdate():
            self.add_error("reviewed_on", _("The review date cannot lie in the future."))
        return cleaned
