"""The glossary page's form: the company's synonym rules, checked line by line."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from rollout.search.synonyms import GlossaryError, parse

MAX_GLOSSARY_CHARS = 50_000  # some 1,000 rules: far more than a company's own words


class GlossaryForm(forms.Form):
    text = forms.CharField(
        label=_("Your company's synonyms"),
        required=False,
        max_length=MAX_GLOSSARY_CHARS,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "false", "class": "mono"}),
        help_text=_(
            "One rule per line. “a, b, c”: each term finds the others. “a, b => c”: typing a "
            "or b also finds c, not the other way round. A term has at most three words; "
            "“#” starts a comment."
        ),
    )
    use_built_in = forms.BooleanField(
        label=_("Also use the built-in list of general workplace terms"), required=False
    )

    def clean_text(self) -> str:
        text = self.cleaned_data["text"]  # a NUL byte is refused by the field itself
        try:
            parse(text)
        except GlossaryError as e:
            raise forms.ValidationError(str(e).splitlines()) from e
        return text
