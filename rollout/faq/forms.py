"""Forms of the FAQ: asking a question, answering and publishing it, entries, categories.

Lengths are checked on the server with the count in the error (no `maxlength` that would
cut a pasted text short silently); the services check again.
"""

from __future__ import annotations

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from rollout.models import FaqCategory, FaqEntry, Question

MAX_QUESTION_TEXT = Question._meta.get_field("text").max_length
MAX_FAQ_QUESTION = FaqEntry._meta.get_field("question_de").max_length
MAX_ANSWER = FaqEntry._meta.get_field("answer_de").max_length
MARKDOWN_HELP = _(
    "Blank lines separate paragraphs. Simple Markdown works: **bold**, *italic*, lists "
    "with “-”, links as [text](https://…)."
)


class _Limit(MaxLengthValidator):
    message = _("This text has %(show_value)d characters; at most %(limit_value)d are allowed.")


def _text(
    label: str | Promise,
    limit: int,
    *,
    required: bool = True,
    rows: int = 6,
    help_text: str | Promise = "",
) -> forms.CharField:
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput()
    return forms.CharField(
        label=label,
        required=required,
        widget=widget,
        validators=[_Limit(limit)],
        help_text=help_text,
    )


def category_label(category: FaqCategory) -> str:
    """Return the category's name in the current language (German where no English)."""
    if translation.get_language() == "en" and category.name_en:
        return category.name_en
    return category.name_de


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: FaqCategory) -> str:
        return category_label(obj)


class QuestionForm(forms.Form):
    text = _text(_("Your question"), MAX_QUESTION_TEXT, rows=6)
    category = CategoryChoiceField(
        queryset=FaqCategory.objects.all(),
        required=False,
        label=_("Topic (optional)"),
        empty_label=_("I don't know"),
    )
    anonymous = forms.BooleanField(
        required=False,
        label=_("Ask anonymously"),
        help_text=_(
            "Your name is not stored with the question, not even for the FAQ team. You then "
            "get a private link once, right after sending: keep it, it is the only way to "
            "read the answer. We cannot mail you."
        ),
    )


class AnswerForm(forms.Form):
    answer = _text(_("Answer"), MAX_ANSWER, rows=8, help_text=MARKDOWN_HELP)


class _EntryTexts(forms.Form):
    category = CategoryChoiceField(queryset=FaqCategory.objects.all(), label=_("Category"))
    question_de = _text(_("Question (German)"), MAX_FAQ_QUESTION, rows=2)
    answer_de = _text(_("Answer (German)"), MAX_ANSWER, rows=10, help_text=MARKDOWN_HELP)
    question_en = _text(_("Question (English)"), MAX_FAQ_QUESTION, required=False, rows=2)
    answer_en = _text(_("Answer (English)"), MAX_ANSWER, required=False, rows=10)

    def clean(self) -> dict:
        data = super().clean()
        question_en, answer_en = data.get("question_en", ""), data.get("answer_en", "")
        if "question_en" in data and "answer_en" in data and bool(question_en) != bool(answer_en):
            self.add_error(
                "answer_en" if question_en else "question_en",
                _("Give the English question and answer together, or neither."),
            )
        return data


class PublishForm(_EntryTexts):
    """Publish a question as an FAQ entry: prefilled with the question and its answer."""


class EntryForm(_EntryTexts):
    published = forms.BooleanField(
        required=False, initial=True, label=_("Published (visible to everyone)")
    )


class EntryEditForm(_EntryTexts):
    reviewed = forms.BooleanField(
        required=False,
        initial=True,
        label=_("I have checked the whole answer: mark it as reviewed today"),
    )


class CategoryForm(forms.ModelForm):
    class Meta:
        model = FaqCategory
        fields = ["name_de", "name_en", "order"]
        widgets = {"order": forms.NumberInput(attrs={"min": 0, "max": 1000})}

    def clean_order(self) -> int:
        order = self.cleaned_data["order"]
        if order is None or order > 1000:
            raise forms.ValidationError(_("Enter a number between 0 and 1000."))
        return order
