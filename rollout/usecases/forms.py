"""Forms of the use-case library: the use case with its risk check, the review steps,
comments, files and the overview's filters.

Long texts are checked on the server, with the count in the error, instead of a `maxlength`
that would silently cut a pasted text short.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils import formats
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from portal.models import Department, User
from rollout.common.files import DocumentField
from rollout.models import UseCase
from rollout.usecases.risk import QUESTIONS, questionnaire_answers

MAX_TEXT = 5000
MAX_CONTRIBUTORS = 20
_MAX_HOURS = Decimal("99999.9")  # max_digits=6, decimal_places=1
_YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class _LongTextLimit(MaxLengthValidator):
    message = _("This text has %(show_value)d characters; at most %(limit_value)d are allowed.")


def long_text(
    label: str | Promise,
    *,
    limit: int = MAX_TEXT,
    required: bool = True,
    rows: int = 5,
    help_text: str | Promise = "",
) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        widget=forms.Textarea(attrs={"rows": rows}),
        validators=[_LongTextLimit(limit)],
        help_text=help_text,
    )


class HoursField(forms.Field):
    """Hours per week, typed German style ("2,5") or plain ("2.5"); one decimal at most."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "maxlength": 12})
    default_error_messages = {
        "invalid": _("Enter hours as a number with at most one decimal place, e.g. 2.5."),
        "negative": _("Hours saved cannot be negative."),
        "too_large": _("This number of hours is too large."),
    }

    def to_python(self, value) -> Decimal | None:
        text = str(value or "").strip().replace("\u00a0", "").replace(" ", "")
        if not text:
            return None
        if text.startswith("-"):
            raise forms.ValidationError(self.error_messages["negative"], code="negative")
        if not re.fullmatch(r"\d{1,7}([.,]\d)?", text):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        try:
            hours = Decimal(text.replace(",", "."))
        except InvalidOperation:  # pragma: no cover - the pattern lets only numbers through
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if hours > _MAX_HOURS:
            raise forms.ValidationError(self.error_messages["too_large"], code="too_large")
        return hours

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return formats.number_format(value, 1, use_l10n=True)
        return value


class UseCaseForm(forms.Form):
    """A use case; with `with_risk`, the EU AI Act questionnaire (at intake) too."""

    title = forms.CharField(label=_("Title"), max_length=200)
    department = forms.ModelChoiceField(
        label=_("Team / department"), queryset=Department.objects.all(), required=False
    )
    problem = long_text(
        _("Problem"), help_text=_("What takes time or goes wrong today? Up to 5,000 characters.")
    )
    solution = long_text(
        _("How AI helps"), help_text=_("What does the AI do, and what do people still do?")
    )
    assistant = forms.ChoiceField(
        label=_("Portal assistant used"),
        choices=[("", _("none – another tool")), *UseCase.Assistant.choices],
        required=False,
    )
    tool = forms.CharField(label=_("Other tool"), max_length=200, required=False)
    personal_data = forms.BooleanField(label=_("Involves personal data"), required=False)
    customer_data = forms.BooleanField(label=_("Involves customer data"), required=False)
    confidential_data = forms.BooleanField(label=_("Involves confidential data"), required=False)
    hours_saved_estimate = HoursField(
        label=_("Estimated hours saved per week"), required=False, help_text=_("e.g. 2.5")
    )
    hours_saved_measured = HoursField(
        label=_("Measured hours saved per week"),
        required=False,
        help_text=_("Fill in once measured in the pilot."),
    )
    contributors = forms.CharField(
        label=_("Contributors"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Email addresses of colleagues who maintain it with you, one per line."),
    )

    def __init__(self, *args, with_risk: bool = True, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.with_risk = with_risk
        if with_risk:
            for key, _risk, question, example in QUESTIONS:
                self.fields[f"risk_{key}"] = forms.ChoiceField(
                    label=question,
                    choices=_YES_NO,
                    widget=forms.RadioSelect,
                    help_text=example,
                    error_messages={"required": _("Answer this question.")},
                )

    def risk_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith("risk_")]

    def other_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if not name.startswith("risk_")]

    def clean_title(self) -> str:
        title = " ".join(self.cleaned_data["title"].split())
        if not title:
            raise forms.ValidationError(_("Give the use case a title."))
        return title

    def clean_contributors(self) -> list[User]:
        addresses = {
            a.lower() for a in re.split(r"[\s,;]+", self.cleaned_data["contributors"]) if a
        }
        if len(addresses) > MAX_CONTRIBUTORS:
            raise forms.ValidationError(_("At most %(n)s contributors.") % {"n": MAX_CONTRIBUTORS})
        people = list(User.objects.filter(email__in=addresses, is_active=True).order_by("name"))
        unknown = addresses - {p.email.lower() for p in people}
        if unknown:
            raise forms.ValidationError(
                _("No active person has this address: %(list)s")
                % {"list": ", ".join(sorted(unknown))}
            )
        return people

    def service_values(self) -> dict:
        """Return the cleaned data as the use-case services take it."""
        data = {k: v for k, v in self.cleaned_data.items() if not k.startswith("risk_")}
        if self.with_risk:
            data["risk_answers"] = questionnaire_answers(
                **{key: self.cleaned_data[f"risk_{key}"] == "yes" for key, *_r in QUESTIONS}
            )
        return data

    @staticmethod
    def initial_for(use_case: UseCase) -> dict:
        initial = {
            name: getattr(use_case, name)
            for name in (
                "title",
                "department",
                "problem",
                "solution",
                "assistant",
                "tool",
                "personal_data",
                "customer_data",
                "confidential_data",
                "hours_saved_estimate",
                "hours_saved_measured",
            )
        }
        initial["contributors"] = "\n".join(p.email for p in use_case.contributors.all())
        for key, *_rest in QUESTIONS:
            if key in use_case.risk_answers:
                initial[f"risk_{key}"] = "yes" if use_case.risk_answers[key] else "no"
        return initial


class StepForm(forms.Form):
    """A pipeline step; `reason_required` for parking and rejecting."""

    expected = forms.CharField(widget=forms.HiddenInput, required=False)
    comment = long_text(_("Comment"), limit=2000, required=False, rows=3)

    def __init__(self, *args, reason_required: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if reason_required:
            self.fields["comment"].label = _("Reason")
            self.fields["comment"].required = True
            self.fields["comment"].error_messages["required"] = _(
                "Say why: a reason is required for this step."
            )


class ValidationForm(forms.Form):
    quality_ok = forms.BooleanField(label=_("Results are of sufficient quality"), required=False)
    data_protection_ok = forms.BooleanField(label=_("Data protection is respected"), required=False)
    it_security_ok = forms.BooleanField(label=_("IT security is respected"), required=False)
    staff_effects_ok = forms.BooleanField(
        label=_("Effects on staff are acceptable"), required=False
    )
    notes = long_text(_("Notes"), limit=3000, required=False, rows=4)


class SignoffForm(forms.Form):
    note = long_text(_("Note"), limit=2000, required=False, rows=3)


class CommentForm(forms.Form):
    body = long_text(_("Comment"), limit=3000, rows=3)


class AttachmentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    file = DocumentField()


class FilterForm(forms.Form):
    """The overview's filters; a value that is not offered is ignored, not an error page."""

    q = forms.CharField(required=False, max_length=200)
    status = forms.ChoiceField(choices=[("", ""), *UseCase.Status.choices], required=False)
    department = forms.ModelChoiceField(queryset=Department.objects.all(), required=False)
    risk = forms.ChoiceField(choices=[("", ""), *UseCase.Risk.choices], required=False)
    assistant = forms.ChoiceField(
        choices=[("", ""), ("none", "none"), *UseCase.Assistant.choices], required=False
    )
    mine = forms.BooleanField(required=False)
    sort = forms.ChoiceField(choices=[("updated", ""), ("votes", "")], required=False)

    def values(self) -> dict:
        """Return the valid filters; invalid ones count as not set."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return {name: cleaned.get(name) for name in self.fields if name not in self.errors}
