"""Forms of the office hours: publish one, book a slot, turn a question into an FAQ entry."""

from __future__ import annotations

from datetime import datetime, timedelta

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from rollout.events.forms import WebURLField
from rollout.models import FaqCategory, OfficeHour
from rollout.officehours.booking import TOPIC_MAX

MAX_SLOTS_PER_DAY = 48
_SLOT_LENGTH = _("A slot lasts 5 to 240 minutes.")
_INTERVAL = _("Choose every 1 to 8 weeks.")


def _minutes(start, end) -> int:
    day = datetime(2000, 1, 1)
    return int((datetime.combine(day, end) - datetime.combine(day, start)).total_seconds() // 60)


class OfficeHourForm(forms.ModelForm):
    online_url = WebURLField(
        label=_("online link"),
        required=False,
        max_length=200,
        assume_scheme="https",
        help_text=_("Shown only to people who booked a slot."),
    )

    class Meta:
        model = OfficeHour
        fields = [
            "topic",
            "description",
            "location",
            "online_url",
            "first_date",
            "start_time",
            "end_time",
            "slot_minutes",
            "weekly",
            "interval_weeks",
            "until",
        ]
        widgets = {
            "first_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "start_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "end_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "description": forms.Textarea(attrs={"rows": 4}),
        }
        labels = {
            "start_time": _("From (time)"),
            "end_time": _("Until (time)"),
            "weekly": _("Repeat every week (or every few weeks)"),
            "interval_weeks": _("Every … weeks"),
            "until": _("Last date (optional)"),
        }
        help_texts = {
            "topic": _("E.g. “KI-Sprechstunde: Prompting”."),
            "first_date": _(
                "For a recurring office hour: the first date; it repeats on this weekday."
            ),
            "slot_minutes": _("5 to 240 minutes, e.g. 20."),
            "interval_weeks": _("1 to 8; only for a recurring office hour."),
            "until": _("Leave empty to keep it running; slots are created 90 days ahead."),
        }
        error_messages = {
            "end_time": {"required": _("Give the end time.")},
            "start_time": {"required": _("Give the start time.")},
            "first_date": {"required": _("Give the date.")},
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        length = self.fields["slot_minutes"]
        length.widget.attrs.update({"min": 5, "max": 240, "step": 5})
        length.validators += [
            MinValueValidator(5, message=_SLOT_LENGTH),
            MaxValueValidator(240, message=_SLOT_LENGTH),
        ]
        interval = self.fields["interval_weeks"]
        interval.required = False
        interval.widget.attrs.update({"min": 1, "max": 8})
        interval.validators += [
            MinValueValidator(1, message=_INTERVAL),
            MaxValueValidator(8, message=_INTERVAL),
        ]

    def clean_topic(self) -> str:
        return " ".join(self.cleaned_data["topic"].split())  # travels into subjects and calendars

    def clean_first_date(self):
        first = self.cleaned_data["first_date"]
        changed = self.instance.pk is None or first != self.instance.first_date
        if changed and first < timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the past."))
        return first

    def clean(self) -> dict:
        cleaned = super().clean()
        where = cleaned.get("location") or cleaned.get("online_url")
        if not where and "online_url" not in self.errors:
            self.add_error("location", _("Give a room or an online link (or both)."))
        self._check_times(cleaned)
        if cleaned.get("weekly"):
            first, until = cleaned.get("first_date"), cleaned.get("until")
            if first and until and until <= first:
                self.add_error("until", _("The last date must be after the first date."))
            if cleaned.get("interval_weeks") is None and "interval_weeks" not in self.errors:
                cleaned["interval_weeks"] = 1
        else:
            cleaned["interval_weeks"], cleaned["until"] = 1, None
        return cleaned

    def _check_times(self, cleaned: dict) -> None:
        start, end = cleaned.get("start_time"), cleaned.get("end_time")
        length = cleaned.get("slot_minutes")
        if not start or not end:
            return
        if end <= start:
            self.add_error("end_time", _("The end must be after the start."))
            return
        if not length or "slot_minutes" in self.errors:
            return
        span = _minutes(start, end)
        if span < length:
            self.add_error(
                "slot_minutes",
                _("Not even one slot of %(n)s minutes fits between %(start)s and %(end)s.")
                % {
                    "n": length,
                    "start": formats.time_format(start, "TIME_FORMAT"),
                    "end": formats.time_format(end, "TIME_FORMAT"),
                },
            )
        elif span // length > MAX_SLOTS_PER_DAY:
            self.add_error(
                "slot_minutes",
                _("At most %(max)s slots a day: choose longer slots or a shorter time.")
                % {"max": MAX_SLOTS_PER_DAY},
            )
        elif cleaned.get("first_date") == timezone.localdate() and not cleaned.get("weekly"):
            last_start = datetime.combine(cleaned["first_date"], start) + timedelta(
                minutes=(span // length - 1) * length
            )
            if timezone.make_aware(last_start) <= timezone.now():
                self.add_error(
                    "start_time", _("All slots of this day are over; choose a later time or date.")
                )


class BookingForm(forms.Form):
    topic = forms.CharField(
        label=_("Your topic"),
        max_length=TOPIC_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": TOPIC_MAX}),
        help_text=_("In a few words, so that the host can prepare. At most 300 characters."),
        error_messages={
            "required": _("Please say in a few words what you want to talk about."),
            "max_length": _("The topic can have at most 300 characters."),
        },
    )


class RebookForm(forms.Form):
    slot = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class FaqFromBookingForm(forms.Form):
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=FaqCategory.objects.order_by("order", "name_de"),
        required=False,
        empty_label=_("From the office hours (default)"),
    )
    question = forms.CharField(
        label=_("Question"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("As people would ask it, without names. In German."),
    )
    answer = forms.CharField(
        label=_("Answer"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
