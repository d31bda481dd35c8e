"""Open office hours: hosts publish them (one-off or weekly), people book a slot."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class OfficeHour(models.Model):
    """A host's office hour: one date, or weekly from `first_date` until `until`.

    Its slots are generated as rows (rollout.officehours.services), at local time, so a
    14:00 office hour stays at 14:00 across daylight-saving changes.
    """

    host = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="office_hours"
    )
    topic = models.CharField(_("topic"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=3000)
    location = models.CharField(_("room"), max_length=200, blank=True)
    online_url = models.URLField(_("online link"), blank=True)
    first_date = models.DateField(_("date"))
    start_time = models.TimeField(_("from"))
    end_time = models.TimeField(_("until"))
    slot_minutes = models.PositiveSmallIntegerField(_("slot length (minutes)"), default=20)
    weekly = models.BooleanField(_("every week"), default=False)
    interval_weeks = models.PositiveSmallIntegerField(_("every … weeks"), default=1)
    until = models.DateField(_("last date no later than"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["first_date", "start_time"]
        verbose_name = _("office hour")
        verbose_name_plural = _("office hours")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_time__gt=models.F("start_time")),
                name="officehour_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(slot_minutes__gte=5, slot_minutes__lte=240),
                name="officehour_slot_length_sensible",
            ),
            models.CheckConstraint(
                condition=models.Q(interval_weeks__gte=1, interval_weeks__lte=8),
                name="officehour_interval_1_to_8_weeks",
            ),
        ]

    def __str__(self) -> str:
        return self.topic


class OfficeHourSlot(models.Model):
    office_hour = models.ForeignKey(OfficeHour, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    cancelled = models.BooleanField(_("cancelled by the host"), default=False)

    class Meta:
        verbose_name = _("office hour slot")
        verbose_name_plural = _("office hour slots")
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["office_hour", "starts_at"], name="officehour_slot_once"
            ),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="slot_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.office_hour} {self.starts_at:%Y-%m-%d %H:%M}"


class Booking(models.Model):
    """A person's booking of a slot; at most one active booking per slot (partial unique)."""

    slot = models.ForeignKey(OfficeHourSlot, on_delete=models.CASCADE, related_name="bookings")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="office_hour_bookings"
    )
    topic = models.CharField(_("your topic"), max_length=300)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("office hour booking")
        verbose_name_plural = _("office hour bookings")
        ordering = ["slot__starts_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["slot"],
                condition=models.Q(cancelled_at__isnull=True),
                name="booking_one_per_slot",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.slot}"
