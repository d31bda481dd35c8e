"""Governance: the steering committee's decisions and the ethics board's reviews.

Both are records of the programme's accountability; the works council / data protection
role reads them, programme admins write them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Decision(models.Model):
    """A decision of the AI steering committee."""

    programme = models.ForeignKey(
        "rollout.Programme", on_delete=models.CASCADE, related_name="decisions"
    )
    title = models.CharField(_("decision"), max_length=300)
    decided_on = models.DateField(_("date"))
    rationale = models.TextField(_("rationale"))
    budget_eur = models.DecimalField(
        _("budget (EUR)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    risks = models.TextField(_("risks"), blank=True)
    phases = models.ManyToManyField(
        "rollout.Phase", verbose_name=_("phases"), blank=True, related_name="decisions"
    )
    use_cases = models.ManyToManyField(
        "rollout.UseCase", verbose_name=_("use cases"), blank=True, related_name="decisions"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-decided_on", "-pk"]
        verbose_name = _("steering-committee decision")
        verbose_name_plural = _("steering-committee decisions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(budget_eur__gte=0) | models.Q(budget_eur__isnull=True),
                name="decision_budget_not_negative",
            )
        ]

    def __str__(self) -> str:
        return self.title


class EthicsReview(models.Model):
    """The ethics board's review of a use or tool: fairness, bias, effects on staff."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("under review")
        APPROVED = "approved", _("approved")
        CONDITIONS = "conditions", _("approved with conditions")
        REJECTED = "rejected", _("rejected")

    programme = models.ForeignKey(
        "rollout.Programme", on_delete=models.CASCADE, related_name="ethics_reviews"
    )
    subject = models.CharField(_("subject"), max_length=300)
    fairness = models.TextField(_("fairness"), blank=True)
    bias = models.TextField(_("bias"), blank=True)
    staff_effects = models.TextField(_("effects on staff"), blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=12, choices=Outcome.choices, default=Outcome.PENDING
    )
    conditions = models.TextField(_("conditions"), blank=True)
    reviewed_on = models.DateField(_("reviewed on"), null=True, blank=True)
    phase = models.ForeignKey(
        "rollout.Phase",
        verbose_name=_("phase"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ethics_reviews",
    )
    # High-risk use cases are routed here at intake (rollout.usecases.services).
    use_case = models.ForeignKey(
        "rollout.UseCase",
        verbose_name=_("use case"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ethics_reviews",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("ethics review")
        verbose_name_plural = _("ethics reviews")
        constraints = [
            # "Approved with conditions" without conditions would be approval by omission.
            models.CheckConstraint(
                condition=~models.Q(outcome="conditions") | ~models.Q(conditions=""),
                name="ethics_conditions_stated",
            ),
            models.CheckConstraint(
                condition=models.Q(outcome="pending") | models.Q(reviewed_on__isnull=False),
                name="ethics_decided_review_dated",
            ),
        ]

    def __str__(self) -> str:
        return self.subject
