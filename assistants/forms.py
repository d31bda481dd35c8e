"""Forms of the assistants: what a person submits, checked before any job exists."""

from __future__ import annotations

import unicodedata
from operator import attrgetter

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assistants import report_schema
from assistants.captions import MAX_NAME, rename_speakers, text_speakers
from assistants.ingest import TranscriptError, clean_pasted_text, transcript_from_upload
from assistants.kinds import reserved_templates
from assistants.llm import ContextTooSmall
from assistants.models import ProtocolTemplate
from assistants.schema import LIMITS
from assistants.services.protocols import TranscriptPlan, protocol_plan
from portal.models import User
from portal.widgets import PeopleSelectMultiple

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_PARTICIPANTS = 50
MAX_PARTICIPANT_NAME = LIMITS["participant"]  # what a protocol stores per name
MAX_SPEAKERS = 60  # rename fields shown in the preview


def _number(value: int) -> str:
    return f"{value:,}".replace(",", ".")


class ProtocolForm(forms.Form):
    title = forms.CharField(label=_("Meeting title"), max_length=200)
    meeting_date = forms.DateField(
        label=_("Meeting date"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    participants_known = forms.ModelMultipleChoiceField(
        label=_("Participants from the directory"),
        required=False,
        queryset=User.objects.filter(is_active=True).select_related("department").order_by("name"),
        widget=PeopleSelectMultiple(attrs={"size": 8}),
        help_text=_("Hold Ctrl (Cmd on a Mac) to pick several."),
    )
    participants_other = forms.CharField(
        label=_("Further participants"),
        required=False,
        max_length=1000,
        help_text=_("Names separated by commas, e.g. guests from outside the company."),
    )
    template = forms.ModelChoiceField(
        label=_("Template"),
        # Set in __init__: templates of other job kinds (they have their own pages) left out.
        queryset=ProtocolTemplate.objects.none(),
        empty_label=None,
    )
    output_language = forms.ChoiceField(
        label=_("Language of the protocol"), choices=settings.LANGUAGES
    )
    transcript = forms.CharField(
        label=_("Notes or transcript"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "false"}),
    )
    upload = forms.FileField(
        label=_("… or upload a file"),
        required=False,
        help_text=_("Text (.txt), Teams or Zoom export (.vtt, .srt) or Word (.docx), up to 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".txt,.vtt,.srt,.docx"}),
    )

    # The transcript of a recording this protocol is made from (its quotes then link to
    # the moment they were said); checked against the person in the view.
    from_transcript = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Filled by clean(): the text as read (an upload's too, so a form shown again keeps
        # it), its speakers and what the job will take. The preview shows them.
        self.transcript_text: str | None = None
        self.speakers: list[tuple[str, int]] = []
        self.turns = 0
        self.plan: TranscriptPlan | None = None
        self.rename_errors: list[str] = []
        templates = ProtocolTemplate.objects.filter(is_current=True)
        self.fields["template"].queryset = templates.exclude(key__in=reserved_templates())
        # current versions only: the version number would say nothing here
        self.fields["template"].label_from_instance = attrgetter("name")
        # The results-only protocol is what most meetings need; it is preselected.
        default = self.fields["template"].queryset.filter(key="ergebnisprotokoll").first()
        if default is not None:
            self.fields["template"].initial = default.pk

    def clean_participants_other(self) -> list[str]:
        """Split the names at commas; refuse (never cut) an over-long or garbled one."""
        text = unicodedata.normalize("NFC", self.cleaned_data["participants_other"])
        if any(unicodedata.category(char)[0] == "C" for char in text):
            raise forms.ValidationError(
                _(
                    "The names contain control characters (such as line breaks or invisible "
                    "characters). Please type them again."
                )
            )
        names = [" ".join(name.split()) for name in text.split(",")]
        too_long = [name for name in names if len(name) > MAX_PARTICIPANT_NAME]
        if too_long:
            raise forms.ValidationError(
                [
                    _("The name “%(name)s…” is too long: at most %(max)d characters per person.")
                    % {"name": name[:30], "max": MAX_PARTICIPANT_NAME}
                    for name in too_long
                ]
            )
        return [name for name in names if name]

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if upload and upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        return upload

    def clean(self) -> dict:
        cleaned = super().clean()
        text, upload = cleaned.get("transcript", ""), cleaned.get("upload")
        if upload and text.strip():
            raise forms.ValidationError(_("Either paste text or upload a file, not both."))
        try:
            transcript = (
                transcript_from_upload(upload.name, upload.read())
                if upload
                else clean_pasted_text(text)
            )
        except TranscriptError as e:
            self.add_error("upload" if upload else "transcript", str(e))
            return cleaned
        transcript = self._renamed(transcript)
        self.transcript_text = transcript
        self.speakers = text_speakers(transcript)[:MAX_SPEAKERS]
        self.turns = sum(1 for line in transcript.split("\n") if line.strip())
        field = "upload" if upload else "transcript"
        if len(transcript) > settings.TRANSCRIPT_MAX_CHARS:
            over = len(transcript) - settings.TRANSCRIPT_MAX_CHARS
            self.add_error(
                field,
                _(
                    "The text has %(n)s characters; the limit is %(max)s. Shorten it by at least "
                    "%(cut)s characters, or split it into several meetings."
                )
                % {
                    "n": _number(len(transcript)),
                    "max": _number(settings.TRANSCRIPT_MAX_CHARS),
                    "cut": _number(over),
                },
            )
            return cleaned
        if not self._planned(cleaned, transcript, field):
            return cleaned
        cleaned["transcript_text"] = transcript
        known = [u.name for u in cleaned.get("participants_known") or []]
        participants = list(dict.fromkeys([*known, *cleaned.get("participants_other", [])]))
        if len(participants) > MAX_PARTICIPANTS:
            self.add_error(
                "participants_other", _("At most %(n)d participants.") % {"n": MAX_PARTICIPANTS}
            )
        cleaned["participants"] = participants[:MAX_PARTICIPANTS]
        return cleaned

    def _renamed(self, transcript: str) -> str:
        """Apply the preview's speaker renames (speaker_from_N → speaker_to_N)."""
        names = {}
        for index in range(MAX_SPEAKERS):
            old = self.data.get(f"speaker_from_{index}", "").strip()
            new = " ".join(self.data.get(f"speaker_to_{index}", "").split())
            if not old or not new or new == old:
                continue
            if len(new) > MAX_NAME or ":" in new:
                self.rename_errors.append(old)
                self.add_error(
                    None,
                    _(
                        "The new name for %(old)s is not possible: at most %(max)d characters "
                        "and no colon."
                    )
                    % {"old": old, "max": MAX_NAME},
                )
                continue
            names[old] = new
        return rename_speakers(transcript, names)

    def _planned(self, cleaned: dict, transcript: str, field: str) -> bool:
        """Count and split the text as the worker will; refuse what it could not do."""
        template, language = cleaned.get("template"), cleaned.get("output_language")
        if template is None or not language:
            return True  # their own errors are shown; the plan follows once they are fixed
        meta = {
            "title": cleaned.get("title", ""),
            "meeting_date": str(cleaned.get("meeting_date") or ""),
            "participants": [u.name for u in cleaned.get("participants_known") or []]
            + list(cleaned.get("participants_other") or []),
        }
        try:
            self.plan = protocol_plan(transcript, template=template, language=language, meta=meta)
        except ContextTooSmall as error:
            self.add_error("template", str(error))
            return False
        if not self.plan.fits:
            self.add_error(
                field,
                _(
                    "The text needs %(parts)d parts of %(budget)s tokens for this model; at most "
                    "%(max)d are allowed. Shorten it by about %(cut)s characters, or split it "
                    "into several meetings."
                )
                % {
                    "parts": self.plan.parts,
                    "budget": _number(self.plan.budget),
                    "max": self.plan.max_parts,
                    "cut": _number(self.plan.characters_to_cut),
                },
            )
            return False
        return True


class ReportForm(forms.Form):
    """A status report as a person corrects it: sections as a title and a text each, risks
    and next steps one per line. Limits are those of the stored document; over-long input
    is refused with a message, never cut."""

    summary = forms.CharField(
        label=_("Summary"),
        max_length=report_schema.LIMITS["summary"],
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    risks = forms.CharField(
        label=_("Risks and open points"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line."),
    )
    next_steps = forms.CharField(
        label=_("Next steps"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line."),
    )

    def __init__(self, *args, sections: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # One pair per section, and one empty pair more for a new section.
        for index in range(min(sections + 1, report_schema.LIMITS["sections"])):
            self.fields[f"section_{index}_title"] = forms.CharField(
                label=_("Topic %(n)d: heading") % {"n": index + 1},
                required=False,
                max_length=report_schema.LIMITS["title"],
            )
            self.fields[f"section_{index}_text"] = forms.CharField(
                label=_("Topic %(n)d: text") % {"n": index + 1},
                required=False,
                max_length=report_schema.LIMITS["text"],
                widget=forms.Textarea(attrs={"rows": 4}),
            )
        self.section_count = min(sections + 1, report_schema.LIMITS["sections"])

    @classmethod
    def initial_from(cls, data: dict) -> dict:
        initial = {
            "summary": data.get("summary", ""),
            "risks": "\n".join(data.get("risks", [])),
            "next_steps": "\n".join(data.get("next_steps", [])),
        }
        for index, section in enumerate(data.get("sections", [])):
            initial[f"section_{index}_title"] = section.get("title", "")
            initial[f"section_{index}_text"] = section.get("text", "")
        return initial

    def section_fields(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [
            (self[f"section_{i}_title"], self[f"section_{i}_text"])
            for i in range(self.section_count)
        ]

    def _lines(self, name: str, limit: str, many: str) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data.get(name, "").splitlines()]
        lines = [line for line in lines if line]
        if len(lines) > report_schema.LIMITS[many]:
            self.add_error(
                name, _("At most %(n)d lines, please.") % {"n": report_schema.LIMITS[many]}
            )
        if any(len(line) > report_schema.LIMITS[limit] for line in lines):
            self.add_error(
                name,
                _("Each line may have at most %(n)d characters.")
                % {"n": report_schema.LIMITS[limit]},
            )
        return lines

    def clean(self) -> dict:
        cleaned = super().clean()
        sections = []
        for index in range(self.section_count):
            title = cleaned.get(f"section_{index}_title", "").strip()
            text = cleaned.get(f"section_{index}_text", "").strip()
            if text and not title:
                self.add_error(f"section_{index}_title", _("Give this topic a heading."))
            elif title:
                sections.append({"title": title, "text": text})
        cleaned["document"] = {
            "summary": cleaned.get("summary", ""),
            "sections": sections,
            "risks": self._lines("risks", "risk", "risks"),
            "next_steps": self._lines("next_steps", "next_step", "next_steps"),
        }
        return cleaned
