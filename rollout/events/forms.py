"""Forms of the events area: an event, a series of sessions, a material."""

from __future__ import annotations

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.models import User
from portal.roles import HOSTS
from rollout.common.files import DocumentField
from rollout.models import Event, EventSeries, Phase


class WebURLField(forms.URLField):
    """A URL field that takes http and https addresses only."""

    default_validators = [URLValidator(schemes=["http", "https"])]


def _hosts(current_host_id: int | None) -> forms.ModelChoiceField:
    people = User.objects.filter(
        Q(is_active=True, groups__name__in=HOSTS) | Q(pk=current_host_id)
    ).distinct()
    return forms.ModelChoiceField(
        label=_("Host"),
        queryset=people.select_related("department").order_by("name"),
        required=False,
        help_text=_("Multipliers, reviewers and programme admins can host."),
    )


def _online_url() -> forms.URLField:
    return WebURLField(
        label=_("online link"),
        required=False,
        max_length=200,
        assume_scheme="https",
        help_text=_("Shown only to people with a seat."),
    )


def _one_line(value: str) -> str:
    return " ".join(value.split())  # a title travels into mail subjects and calendars


class EventForm(forms.ModelForm):
    online_url = _online_url()

    class Meta:
        model = Event
        fields = [
            "kind",
            "title",
            "description",
            "phase",
            "starts_at",
            "ends_at",
            "location",
            "online_url",
            "capacity",
            "host",
        ]
        widgets = {
            "starts_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "ends_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "description": forms.Textarea(attrs={"rows": 5}),
        }
        help_texts = {
            "title": _("For trainings, name the role focus, e.g. “Training: Prompting”."),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["host"] = _hosts(self.instance.host_id)
        self.fields["phase"].queryset = Phase.objects.order_by("number")
        self.fields["capacity"].widget.attrs["min"] = 1
        self.fields["capacity"].validators.append(MinValueValidator(1))

    def clean_title(self) -> str:
        return _one_line(self.cleaned_data["title"])

    def clean(self) -> dict:
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The end must be after the start."))
        capacity = cleaned.get("capacity")
        taken = self.instance.seats_taken if self.instance.pk else 0
        if capacity is not None and capacity < taken:
            self.add_error(
                "capacity",
                ngettext(
                    "%(n)s person already has a seat: the event needs at least %(n)s seat.",
                    "%(n)s people already have a seat: the event needs at least %(n)s seats.",
                    taken,
                )
                % {"n": taken},
            )
        return cleaned


class SeriesForm(forms.ModelForm):
    online_url = _online_url()

    class Meta:
        model = EventSeries
        fields = [
            "kind",
            "title",
            "description",
            "phase",
            "host",
            "location",
            "online_url",
            "capacity",
            "first_date",
            "start_time",
            "duration_minutes",
            "interval_weeks",
            "until",
            "active",
        ]
        widgets = {
            "first_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "start_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "description": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "first_date": _("Sessions fall on this weekday."),
            "until": _("Leave empty to keep the series running."),
            "interval_weeks": _("1 to 8 weeks."),
            "duration_minutes": _("15 to 720 minutes."),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["host"] = _hosts(self.instance.host_id)
        self.fields["phase"].queryset = Phase.objects.order_by("number")
        bounds = {"capacity": (1, None), "interval_weeks": (1, 8), "duration_minutes": (15, 720)}
        for name, (low, high) in bounds.items():
            field = self.fields[name]
            field.widget.attrs["min"] = low
            field.validators.append(MinValueValidator(low))
            if high is not None:
                field.widget.attrs["max"] = high
                field.validators.append(MaxValueValidator(high))

    def clean_title(self) -> str:
        return _one_line(self.cleaned_data["title"])

    def clean_first_date(self):
        first = self.cleaned_data["first_date"]
        changed = self.instance.pk is None or first != self.instance.first_date
        if changed and first < timezone.localdate():
            raise forms.ValidationError(_("The first session cannot be in the past."))
        return first

    def clean(self) -> dict:
        cleaned = super().clean()
        first, until = cleaned.get("first_date"), cleaned.get("until")
        if first and until and until <= first:
            self.add_error("until", _("The last date must be after the first session."))
        return cleaned


class MaterialForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    file = DocumentField(required=False)
    url = forms.URLField(
        label=_("… or a link"),
        required=False,
        max_length=200,
        assume_scheme="https",
    )

    def clean_title(self) -> str:
        return _one_line(self.cleaned_data["title"])

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        if bool(cleaned.get("file")) == bool(cleaned.get("url")):
            raise forms.ValidationError(_("Add either a file or a link."))
        return cleaned
