"""The programme and its five phases."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Programme(models.Model):
    """The company's AI change programme; one per installation in practice."""

    name = models.CharField(_("name"), max_length=200)
    organisation = models.CharField(_("organisation"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")

    def __str__(self) -> str:
        return self.name


class Phase(models.Model):
    """One of the five phases of the rollout.

    Status transitions: planned → active → done (an admin may reopen done → active).
    """

    class Kind(models.TextChoices):
        KICKOFF = "kickoff", _("Kickoff")
        WORKSHOPS = "workshops", _("Early-adopter workshops")
        USE_CASES = "use_cases", _("Use cases")
        EXCHANGE = "exchange", _("Exchange formats")
        ASSISTANTS = "assistants", _("Assistants")

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        ACTIVE = "active", _("in progress")
        DONE = "done", _("completed")

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="phases"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    goal = models.TextField(_("goal"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    planned_start = models.DateField(_("planned start"))
    planned_end = models.DateField(_("planned end"))
    actual_start = models.DateField(_("actual start"), null=True, blank=True)
    actual_end = models.DateField(_("actual end"), null=True, blank=True)

    class Meta:
        ordering = ["programme", "number"]
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        constraints = [
            models.UniqueConstraint(fields=["programme", "number"], name="phase_number_unique"),
            models.UniqueConstraint(fields=["programme", "kind"], name="phase_kind_unique"),
            models.CheckConstraint(
                condition=models.Q(planned_end__gte=models.F("planned_start")),
                name="phase_planned_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    def is_overdue(self, today: date) -> bool:
        return self.status != self.Status.DONE and self.planned_end < today

    def progress_percent(self, today: date) -> int:
        """Return the share of the planned time that has passed (done phases: 100)."""
        if self.status == self.Status.DONE:
            return 100
        if self.status == self.Status.PLANNED or today <= self.planned_start:
            return 0
        total = (self.planned_end - self.planned_start).days or 1
        return min(100, round(100 * (today - self.planned_start).days / total))
