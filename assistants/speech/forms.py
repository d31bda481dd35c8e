"""Forms of speech to text: a recording to transcribe, a turn to correct, a speaker to rename."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from assistants.speech.audio import EXTENSIONS, duration_text
from assistants.speech.turns import SPEAKER_MAX, TURN_TEXT_MAX, clean_speaker, clean_text

LANGUAGES = [("de", _("German")), ("en", _("English")), ("", _("Detect automatically"))]


class AudioSizeLimit(FileUploadHandler):
    """Stop taking a file past the limit: the rest of it is read off the wire and dropped,
    never written to disk, and the form says it was too large."""

    def __init__(self, request=None) -> None:
        super().__init__(request)
        self.received = 0
        self.too_large = False

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > settings.AUDIO_MAX_BYTES:
            self.too_large = True
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


class TranscriptionForm(forms.Form):
    title = forms.CharField(label=_("Title of the meeting"), max_length=200)
    language = forms.ChoiceField(label=_("Language spoken"), choices=LANGUAGES, required=False)
    audio = forms.FileField(
        label=_("Recording"),
        required=False,
        widget=forms.ClearableFileInput(
            attrs={"accept": ",".join((*EXTENSIONS, "audio/*", "video/mp4", "video/webm"))}
        ),
    )
    recorded = forms.BooleanField(required=False, widget=forms.HiddenInput)
    consent = forms.BooleanField(
        label=_(
            "Everyone who can be heard in the recording knows about it and agrees that it is "
            "transcribed on this server."
        ),
    )

    def __init__(self, *args, too_large: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.too_large = too_large
        self.fields["title"].initial = _("Meeting of %(date)s") % {
            "date": date_format(timezone.localdate(), "SHORT_DATE_FORMAT")
        }
        self.fields["audio"].help_text = _(
            "MP3, M4A, WAV, OGG/Opus, WebM or MP4 (the sound track is used), up to %(length)s "
            "and %(size)s."
        ) % {
            "length": duration_text(settings.AUDIO_MAX_SECONDS),
            "size": filesizeformat(settings.AUDIO_MAX_BYTES),
        }

    def clean_audio(self):
        audio = self.cleaned_data.get("audio")
        if self.too_large:
            raise forms.ValidationError(
                _("The file is larger than %(size)s. Shorten the recording or save it as MP3.")
                % {"size": filesizeformat(settings.AUDIO_MAX_BYTES)}
            )
        if not audio:
            raise forms.ValidationError(_("Choose a recording, or record one below."))
        return audio


class TurnForm(forms.Form):
    speaker = forms.CharField(
        label=_("Speaker"),
        required=False,
        max_length=SPEAKER_MAX * 2,  # the cleaner says what is wrong
        widget=forms.TextInput(attrs={"list": "speaker-names", "autocomplete": "off"}),
    )
    text = forms.CharField(
        label=_("What was said"),
        max_length=TURN_TEXT_MAX * 2,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean_speaker(self) -> str:
        try:
            return clean_speaker(self.cleaned_data["speaker"])
        except ValueError:
            raise forms.ValidationError(
                _("A speaker's name has at most %(max)d characters and no colon.")
                % {"max": SPEAKER_MAX}
            ) from None

    def clean_text(self) -> str:
        try:
            text = clean_text(self.cleaned_data["text"])
        except ValueError:
            raise forms.ValidationError(
                _("A turn has at most %(max)d characters.") % {"max": TURN_TEXT_MAX}
            ) from None
        if not text:
            raise forms.ValidationError(_("A turn cannot be empty."))
        return text


class RenameSpeakerForm(forms.Form):
    old = forms.ChoiceField(label=_("Current name"), required=False)  # "": turns without one
    new = forms.CharField(
        label=_("New name"),
        max_length=SPEAKER_MAX * 2,
        widget=forms.TextInput(attrs={"list": "speaker-names", "autocomplete": "off"}),
    )

    def __init__(self, *args, speakers: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old"].choices = [
            ("", _("turns without a speaker")),
            *[(s, s) for s in speakers],
        ]

    def clean_new(self) -> str:
        try:
            name = clean_speaker(self.cleaned_data["new"])
        except ValueError:
            raise forms.ValidationError(
                _("A speaker's name has at most %(max)d characters and no colon.")
                % {"max": SPEAKER_MAX}
            ) from None
        if not name:
            raise forms.ValidationError(_("Enter the new name."))
        return name
