"""Multipliers and stakeholder groups: who carries the programme into the company."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Multiplier(models.Model):
    """A person confirmed as multiplier, usually after attending an early-adopter workshop.

    The multiplier *role* grants the permissions; this row keeps why and by whom it was
    given and what the person takes care of, for the multiplier directory.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="multiplier"
    )
    focus = models.CharField(_("focus"), max_length=300, blank=True)
    source_event = models.ForeignKey(
        "rollout.Event",
        verbose_name=_("workshop attended"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("confirmed"))

    class Meta:
        ordering = ["user__name"]
        verbose_name = _("multiplier")
        verbose_name_plural = _("multipliers")

    def __str__(self) -> str:
        return str(self.user)


class StakeholderGroup(models.Model):
    """A group whose support the programme needs: business units, IT, works council, ..."""

    class Kind(models.TextChoices):
        BUSINESS_UNIT = "business_unit", _("Business unit")
        IT_SECURITY = "it_security", _("IT & security")
        WORKS_COUNCIL = "works_council", _("Works council & data protection")
        MANAGEMENT = "management", _("Management")
        OTHER = "other", _("Other")

    programme = models.ForeignKey(
        "rollout.Programme", on_delete=models.CASCADE, related_name="stakeholder_groups"
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    involvement = models.TextField(_("involvement"), blank=True)
    concerns = models.TextField(_("concerns"), blank=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("stakeholder group")
        verbose_name_plural = _("stakeholder groups")
        constraints = [
            models.UniqueConstraint(fields=["programme", "name"], name="stakeholder_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class StakeholderStatus(models.Model):
    """Where a stakeholder group stands in one phase."""

    class Level(models.TextChoices):
        NOT_INVOLVED = "not_involved", _("not involved yet")
        INFORMED = "informed", _("informed")
        CONSULTED = "consulted", _("consulted")
        INVOLVED = "involved", _("actively involved")
        COMMITTED = "committed", _("agreed / on board")
        CONCERNS = "concerns", _("open concerns")

    group = models.ForeignKey(StakeholderGroup, on_delete=models.CASCADE, related_name="statuses")
    phase = models.ForeignKey("rollout.Phase", on_delete=models.CASCADE, related_name="+")
    level = models.CharField(_("status"), max_length=20, choices=Level.choices)
    note = models.TextField(_("note"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["group", "phase__number"]
        verbose_name = _("stakeholder status")
        verbose_name_plural = _("stakeholder statuses")
        constraints = [
            models.UniqueConstraint(fields=["group", "phase"], name="stakeholder_status_per_phase")
        ]

    def __str__(self) -> str:
        return f"{self.group} / {self.phase}: {self.level}"


class CandidateDismissal(models.Model):
    """An admin took a workshop attendee off the multiplier candidates.

    Hides the workshops attended until `dismissed_at`; a later workshop makes the person a
    candidate again (one row per person, moved forward on each dismissal).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="candidate_dismissal"
    )
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    dismissed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("dismissed multiplier suggestion")
        verbose_name_plural = _("dismissed multiplier suggestions")

    def __str__(self) -> str:
        return f"{self.user} dismissed {self.dismissed_at:%Y-%m-%d}"
