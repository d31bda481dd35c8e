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

    def progress_percent(self, today: date, status: str | None = None) -> int:
        """Return the share of the planned time that has passed (done phases: 100).

        `status` overrides the stored one (the roadmap passes the status its data implies).
        """
        status = status or self.status
        if status == self.Status.DONE:
            return 100
        if status == self.Status.PLANNED or today <= self.planned_start:
            return 0
        total = (self.planned_end - self.planned_start).days or 1
        return min(100, round(100 * (today - self.planned_start).days / total))


class Milestone(models.Model):
    """A dated checkpoint of a phase.

    Reached by hand (an admin marks it done; who and when is kept) or, when it is tied to a
    KPI, by the data: on the day the KPI first met `threshold` (its target when empty). Such
    a milestone is never ticked by hand (`rollout.programme.progress` derives it).
    """

    phase = models.ForeignKey(
        Phase, verbose_name=_("phase"), on_delete=models.CASCADE, related_name="milestones"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    due_on = models.DateField(_("due"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    kpi = models.ForeignKey(
        "Kpi",
        verbose_name=_("reached through KPI"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="milestones",
    )
    threshold = models.DecimalField(
        _("reached at value"), max_digits=10, decimal_places=1, null=True, blank=True
    )

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(threshold__isnull=True) | models.Q(threshold__gt=0),
                name="milestone_threshold_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, today: date) -> bool:
        return self.done_on is None and self.due_on < today


class Kpi(models.Model):
    """A key figure of a phase with a target.

    `metric` names how the actual value is computed from the portal's data
    (`rollout.programme.kpis`); `manual` KPIs take `manual_value`, entered by an admin, for
    figures the portal cannot know (an external event, a figure from HR).
    """

    class Metric(models.TextChoices):
        KICKOFF_REACH = "kickoff_reach", _("Staff reached by a kickoff")
        MULTIPLIERS_TRAINED = "multipliers_trained", _("Multipliers trained")
        USE_CASES_LOGGED = "use_cases_logged", _("Use cases logged")
        USE_CASES_VALIDATED = "use_cases_validated", _("Use cases validated")
        TIME_SAVED = "time_saved", _("Time saved per week")
        ROUNDS_HELD = "rounds_held", _("Community rounds held")
        ROUND_ATTENDANCE = "round_attendance", _("Attendance per community round")
        WEEKLY_ASSISTANT_USERS = "weekly_assistant_users", _("Weekly active assistant users")
        PROTOCOLS_APPROVED = "protocols_approved", _("Protocols approved")
        SURVEY_CONFIDENCE = "survey_confidence", _("Confidence in using AI (survey)")
        MANUAL = "manual", _("Entered by hand")

    class Unit(models.TextChoices):
        PERCENT = "percent", _("per cent")
        COUNT = "count", _("count")
        HOURS = "hours", _("hours")
        SCORE = "score", _("score")

    phase = models.ForeignKey(
        Phase, verbose_name=_("phase"), on_delete=models.CASCADE, related_name="kpis"
    )
    metric = models.CharField(_("measured by"), max_length=30, choices=Metric.choices)
    name = models.CharField(_("name"), max_length=200)
    definition = models.TextField(_("definition"))
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices)
    target = models.DecimalField(_("target"), max_digits=10, decimal_places=1)
    manual_value = models.DecimalField(
        _("value entered by hand"), max_digits=10, decimal_places=1, null=True, blank=True
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["phase__number", "order", "pk"]
        verbose_name = _("KPI")
        verbose_name_plural = _("KPIs")
        constraints = [
            models.CheckConstraint(condition=models.Q(target__gte=0), name="kpi_target_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class KpiMeasurement(models.Model):
    """A KPI's value on one day: written weekly by beat, the dashboard draws the trend."""

    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="measurements")
    measured_on = models.DateField(_("measured on"))
    value = models.DecimalField(_("value"), max_digits=10, decimal_places=1)

    class Meta:
        ordering = ["kpi", "measured_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["kpi", "measured_on"], name="kpi_measurement_once_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kpi}: {self.value} ({self.measured_on})"
