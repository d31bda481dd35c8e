"""Forms of the newsletter: composing an issue, scheduling it, the subscription switch.

Lengths are checked on the server with the count in the error (no `maxlength` that would
cut a pasted text short silently); the services check again.
"""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from newsletter.models import Issue
from portal.models import Department
from portal.roles import Role
from rollout.models import Event

MAX_SUBJECT = Issue._meta.get_field("subject_de").max_length
MAX_BODY = Issue._meta.get_field("body_de").max_length
MARKDOWN_HELP = _(
    "Markdown: blank lines separate paragraphs, ## starts a heading, **bold**, *italic*, "
    "lists with “-”, links as [text](https://…). HTML is shown as text."
)
EVENT_WINDOW = timedelta(days=90)


class _Limit(MaxLengthValidator):
    message = _("This text has %(show_value)d characters; at most %(limit_value)d are allowed.")


def _char(label, limit: int, *, required: bool, rows: int = 0, help_text="") -> forms.CharField:
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput()
    return forms.CharField(
        label=label,
        required=required,
        widget=widget,
        validators=[_Limit(limit)],
        help_text=help_text,
        strip=True,
    )


class EventChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Event) -> str:
        return f"{timezone.localtime(obj.starts_at):%d.%m.%Y} – {obj.title}"


class IssueForm(forms.Form):
    subject_de = _char(_("Subject (German)"), MAX_SUBJECT, required=True)
    body_de = _char(_("Text (German)"), MAX_BODY, required=True, rows=18, help_text=MARKDOWN_HELP)
    subject_en = _char(_("Subject (English, optional)"), MAX_SUBJECT, required=False)
    body_en = _char(
        _("Text (English, optional)"),
        MAX_BODY,
        required=False,
        rows=10,
        help_text=_("Without an English text, everyone receives the German one."),
    )
    audience = forms.ChoiceField(
        label=_("Audience"),
        choices=Issue.Audience.choices,
        initial=Issue.Audience.EVERYONE,
        widget=forms.RadioSelect,
    )
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    departments = forms.ModelMultipleChoiceField(
        label=_("Departments"),
        queryset=Department.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    event = EventChoiceField(
        label=_("Participants of the event"),
        queryset=Event.objects.none(),
        required=False,
        empty_label=_("Choose an event"),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Recent and coming events: a follow-up mail or an invitation to what is next.
        now = timezone.now()
        self.fields["event"].queryset = Event.objects.filter(
            starts_at__gte=now - EVENT_WINDOW, starts_at__lte=now + EVENT_WINDOW
        ).order_by("starts_at")

    def clean(self) -> dict:
        data = super().clean()
        audience = data.get("audience")
        if data.get("subject_en") and not data.get("body_en"):
            self.add_error("body_en", _("Add the English text, or remove the English subject."))
        if data.get("body_en") and not data.get("subject_en"):
            self.add_error("subject_en", _("Add the English subject, or remove the English text."))
        if audience == Issue.Audience.ROLES and not data.get("roles"):
            self.add_error("roles", _("Choose at least one role."))
        if audience == Issue.Audience.DEPARTMENTS and not data.get("departments"):
            self.add_error("departments", _("Choose at least one department."))
        if audience == Issue.Audience.EVENT and not data.get("event"):
            self.add_error("event", _("Choose the event."))
        return data

    @classmethod
    def initial_from(cls, issue: Issue) -> dict:
        return {
            "subject_de": issue.subject_de,
            "body_de": issue.body_de,
            "subject_en": issue.subject_en,
            "body_en": issue.body_en,
            "audience": issue.audience,
            "roles": list(issue.roles or []),
            "departments": list(issue.departments.all()),
            "event": issue.event_id,
        }


class ScheduleForm(forms.Form):
    scheduled_for = forms.DateTimeField(
        label=_("Send at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M"],
    )

    def clean_scheduled_for(self):
        when = self.cleaned_data["scheduled_for"]
        if when <= timezone.now():
            raise forms.ValidationError(_("The time to send must be in the future."))
        return when
