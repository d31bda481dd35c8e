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
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="registration_once_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.event}"
