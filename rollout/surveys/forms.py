"""Forms of the pulse surveys (survey and questions, the answer form) and the feedback box."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.models import Department
from portal.roles import Role
from rollout.models import FeedbackMessage, Phase, Programme, Survey, SurveyQuestion
from rollout.surveys.results import LIKERT_LABELS
from rollout.surveys.services import MAX_CHOICES, MAX_QUESTIONS, MAX_TEXT, QuestionSpec

Kind = SurveyQuestion.Kind
Audience = Survey.Audience
_DATETIME = "%Y-%m-%dT%H:%M"


class _DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format=_DATETIME)


class SurveyForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Introduction"),
        max_length=3000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown above the questions: what the survey is for."),
    )
    opens_at = forms.DateTimeField(
        label=_("Opens"), widget=_DateTimeInput(), input_formats=[_DATETIME, "%Y-%m-%d %H:%M"]
    )
    closes_at = forms.DateTimeField(
        label=_("Closes"), widget=_DateTimeInput(), input_formats=[_DATETIME, "%Y-%m-%d %H:%M"]
    )
    audience = forms.ChoiceField(label=_("For"), choices=Audience.choices)
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.order_by("name"),
        required=False,
        help_text=_("Only when the survey is for one department."),
    )
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[("", "—"), *Role.choices],
        required=False,
        help_text=_("Only when the survey is for one role."),
    )
    phase = forms.ModelChoiceField(label=_("Phase"), queryset=Phase.objects.none(), required=False)
    series = forms.CharField(
        label=_("Series"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"list": "series-names"}),
        help_text=_(
            "Repeated surveys share a series, named as people should read it (for example "
            "“AI mood survey”): their results are compared over time, question by question "
            "through the questions' keys."
        ),
    )

    def __init__(self, *args: Any, programme: Programme | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if programme is not None:
            self.fields["phase"].queryset = programme.phases.order_by("number")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        opens, closes = cleaned.get("opens_at"), cleaned.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", _("The survey must close after it opens."))
        audience = cleaned.get("audience")
        if audience == Audience.DEPARTMENT and not cleaned.get("department"):
            self.add_error("department", _("Choose the department the survey is for."))
        if audience == Audience.ROLE and not cleaned.get("role"):
            self.add_error("role", _("Choose the role the survey is for."))
        return cleaned


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices, initial=Kind.LIKERT)
    text = forms.CharField(label=_("Question"), max_length=300)
    choices = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Single choice only: one answer per line."),
    )
    key = forms.SlugField(
        label=_("Key"),
        max_length=50,
        required=False,
        help_text=_(
            "The same key in every survey of a series asks the same thing (e.g. “confidence”)."
        ),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        lines = [line.strip() for line in (cleaned.get("choices") or "").splitlines()]
        lines = [line for line in lines if line]
        if cleaned.get("kind") == Kind.CHOICE:
            if not 2 <= len(lines) <= MAX_CHOICES:
                self.add_error("choices", _("Give 2 to 20 choices, one per line."))
            elif any(len(line) > 200 for line in lines):
                self.add_error("choices", _("A choice can be at most 200 characters long."))
            elif len(set(lines)) != len(lines):
                self.add_error("choices", _("Each choice may appear only once."))
        cleaned["choice_list"] = tuple(lines) if cleaned.get("kind") == Kind.CHOICE else ()
        return cleaned

    def spec(self) -> QuestionSpec:
        c = self.cleaned_data
        return QuestionSpec(c["kind"], c["text"].strip(), c["choice_list"], c.get("key") or "")


class _QuestionFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        specs = self.specs()
        if not specs:
            raise forms.ValidationError(_("A survey needs at least one question."))
        keys = [s.key for s in specs if s.key]
        if len(keys) != len(set(keys)):
            raise forms.ValidationError(
                _("Each key may be used by one question of the survey only.")
            )

    def specs(self) -> list[QuestionSpec]:
        """Return the questions in form order: existing rows unless deleted, new rows if filled."""
        initial = self.initial_form_count()
        return [
            form.spec()
            for i, form in enumerate(self.forms)
            if (i < initial or form.has_changed())
            and not self._should_delete_form(form)
            and form.cleaned_data
        ]


QuestionFormSet = forms.formset_factory(
    QuestionForm,
    formset=_QuestionFormSet,
    extra=3,
    can_delete=True,
    max_num=MAX_QUESTIONS,
    validate_max=True,
    absolute_max=MAX_QUESTIONS,
)


def question_initial(questions: list[SurveyQuestion]) -> list[dict[str, str]]:
    return [
        {"kind": q.kind, "text": q.text, "choices": "\n".join(q.choices or []), "key": q.key}
        for q in questions
    ]


class _Options(forms.RadioSelect):
    """Radio buttons in a row (a scale), marked for the stylesheet."""

    def __init__(self) -> None:
        super().__init__(attrs={"class": "scale-options"})


class AnswerForm(forms.Form):
    """One field per question, `q<id>`: likert 1–5, scale or recommendation 0–10, one choice,
    free text.

    Closed questions need an answer; free text is always optional.
    """

    def __init__(self, *args: Any, questions: list[SurveyQuestion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for q in questions:
            self.fields[f"q{q.pk}"] = self._field(q)

    @staticmethod
    def _field(q: SurveyQuestion) -> forms.Field:
        if q.kind == Kind.TEXT:
            return forms.CharField(
                label=q.text,
                required=False,
                max_length=MAX_TEXT,
                widget=forms.Textarea(attrs={"rows": 4, "maxlength": MAX_TEXT}),
                help_text=_("Optional. Please do not write anything that identifies you."),
            )
        if q.kind == Kind.CHOICE:
            choices = [(c, c) for c in q.choices or []]
            return forms.ChoiceField(label=q.text, choices=choices, widget=forms.RadioSelect)
        if q.kind == Kind.LIKERT:
            choices = [(v, label) for v, label in LIKERT_LABELS.items()]
            help_text = ""
        elif q.kind == Kind.NPS:
            choices = [(v, str(v)) for v in range(11)]
            help_text = _("0 = not at all likely, 10 = extremely likely")
        else:
            choices = [(v, str(v)) for v in range(11)]
            help_text = _("0 = not at all, 10 = completely")
        return forms.TypedChoiceField(
            label=q.text, choices=choices, coerce=int, widget=_Options(), help_text=help_text
        )

    def answers(self) -> dict[int, int | str | None]:
        return {q.pk: self.cleaned_data.get(f"q{q.pk}") for q in self.questions}


class FeedbackForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What is it?"),
        choices=FeedbackMessage.Kind.choices,
        widget=forms.RadioSelect,
        initial=FeedbackMessage.Kind.IDEA,
    )
    text = forms.CharField(
        label=_("Your message"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 8, "maxlength": MAX_TEXT}),
    )
