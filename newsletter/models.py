"""The programme's internal newsletter: issues, per-recipient deliveries, preferences."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Issue(models.Model):
    """One newsletter issue, written in Markdown (German; English optional).

    Status: draft → scheduled → sending → sent; draft/scheduled → cancelled. The recipients
    are fixed when sending starts (one Delivery row each), so a resumed send goes to the
    same people.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SCHEDULED = "scheduled", _("scheduled")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        CANCELLED = "cancelled", _("cancelled")

    class Audience(models.TextChoices):
        EVERYONE = "everyone", _("everyone")
        ROLES = "roles", _("people with certain roles")
        DEPARTMENTS = "departments", _("certain departments")
        EVENT = "event", _("participants of an event")

    subject_de = models.CharField(_("subject (German)"), max_length=200)
    body_de = models.TextField(_("text (German, Markdown)"), max_length=50000)
    subject_en = models.CharField(_("subject (English)"), max_length=200, blank=True)
    body_en = models.TextField(_("text (English, Markdown)"), max_length=50000, blank=True)
    audience = models.CharField(
        _("audience"), max_length=12, choices=Audience.choices, default=Audience.EVERYONE
    )
    roles = models.JSONField(_("roles"), default=list, blank=True)
    departments = models.ManyToManyField(
        "portal.Department", verbose_name=_("departments"), blank=True, related_name="+"
    )
    event = models.ForeignKey(
        "rollout.Event",
        verbose_name=_("event"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    scheduled_for = models.DateTimeField(_("send at"), null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("newsletter issue")
        verbose_name_plural = _("newsletter issues")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="scheduled") | models.Q(scheduled_for__isnull=False),
                name="issue_scheduled_has_time",
            )
        ]

    def __str__(self) -> str:
        return self.subject_de


class Delivery(models.Model):
    """One recipient of one issue: the record that makes sending resumable and idempotent.

    States: queued → sending (claimed by a batch, which counts an attempt) → sent | failed,
    or back to queued (a transient error, a release, or the reaper after the claim's lease
    ran out). A batch owns a `sending` row only while `attempts` equals the attempt it
    claimed (services/claims.py); `claimed_at` is when it last renewed the claim.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENDING = "sending", _("being sent")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="deliveries")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    email = models.EmailField()
    language = models.CharField(max_length=5)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["issue", "email"], name="delivery_once_per_address")
        ]
        indexes = [models.Index(fields=["issue", "status"], name="delivery_issue_status")]

    def __str__(self) -> str:
        return f"{self.issue} → {self.email}: {self.status}"


class Preference(models.Model):
    """Whether a person receives the newsletter; one click in any issue unsubscribes."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="newsletter_preference"
    )
    subscribed = models.BooleanField(_("receive the newsletter"), default=True)
    changed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user}: {'subscribed' if self.subscribed else 'unsubscribed'}"
