"""Events of the programme and registrations for them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Event(models.Model):
    """A kickoff, workshop, exchange round or training with a limited number of seats.

    `seats_taken` counts confirmed registrations; the database refuses more than
    `capacity` (check constraint), and registration takes a seat with one conditional
    UPDATE, so two people can never get the last seat at the same moment.
    """

    class Kind(models.TextChoices):
        KICKOFF = "kickoff", _("Kickoff")
        WORKSHOP = "workshop", _("Early-adopter workshop")
        COMMUNITY_ROUND = "community_round", _("Community round")
        USER_GROUP = "user_group", _("User group")
        SPRINT = "sprint", _("Co-creation sprint")
        TRAINING = "training", _("Training")

    phase = models.ForeignKey(
        "rollout.Phase",
        verbose_name=_("phase"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    location = models.CharField(_("room"), max_length=200, blank=True)
    online_url = models.URLField(_("online link"), blank=True)
    capacity = models.PositiveIntegerField(_("seats"))
    seats_taken = models.PositiveIntegerField(default=0, editable=False)
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("host"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="hosted_events",
    )
    series = models.ForeignKey(
        "rollout.EventSeries",
        verbose_name=_("series"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
    )

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(seats_taken__lte=models.F("capacity")),
                name="event_not_overbooked",
            ),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="event_ends_after_start"
            ),
            # A series generates each session once, however often the generator runs.
            models.UniqueConstraint(
                fields=["series", "starts_at"], name="event_once_per_series_slot"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def seats_free(self) -> int:
        return max(0, self.capacity - self.seats_taken)


class Registration(models.Model):
    """A person's place at an event: confirmed, waiting, or cancelled.

    States: confirmed ↔ cancelled; waitlisted → confirmed (moved up when a seat frees)
    or → cancelled. One registration per person and event (unique).
    """

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("confirmed")
        WAITLISTED = "waitlisted", _("on the waiting list")
        CANCELLED = "cancelled", _("cancelled")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="registrations"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    attended_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="registration_once_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.event}"


class EventSeries(models.Model):
    """A recurring exchange format, e.g. a community round every second Thursday at 14:00.

    The series generates its sessions as ordinary events (`rollout.events.series`); each
    session can then be changed or cancelled on its own.
    """

    kind = models.CharField(_("kind"), max_length=20, choices=Event.Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    phase = models.ForeignKey(
        "rollout.Phase",
        verbose_name=_("phase"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("host"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    location = models.CharField(_("room"), max_length=200, blank=True)
    online_url = models.URLField(_("online link"), blank=True)
    capacity = models.PositiveIntegerField(_("seats"))
    first_date = models.DateField(_("first session"))
    start_time = models.TimeField(_("starts at"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"))
    interval_weeks = models.PositiveSmallIntegerField(_("every … weeks"), default=2)
    until = models.DateField(_("last session no later than"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("event series")
        verbose_name_plural = _("event series")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(interval_weeks__gte=1, interval_weeks__lte=8),
                name="series_interval_1_to_8_weeks",
            ),
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gte=15, duration_minutes__lte=720),
                name="series_duration_sensible",
            ),
        ]

    def __str__(self) -> str:
        return self.title


def _material_path(instance: EventMaterial, filename: str) -> str:
    return f"rollout/materials/{instance.event_id}/{filename}"


class EventMaterial(models.Model):
    """A file or link for the people registered for an event (slides, handouts, recordings)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="materials")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=_material_path, blank=True)
    url = models.URLField(_("link"), blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "pk"]
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(file="") | ~models.Q(url=""), name="material_file_or_link"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class CalendarToken(models.Model):
    """The secret in a person's calendar-feed URL; replacing it revokes the old URL."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_token"
    )
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("calendar link")
        verbose_name_plural = _("calendar links")

    def __str__(self) -> str:
        return f"calendar feed of {self.user}"
