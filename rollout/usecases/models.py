"""The use-case library: what teams do with AI, its review, validation and community.

Status pipeline (allowed transitions live in `rollout.usecases.services.TRANSITIONS`):
idea → in review → pilot → validated → rolled out; parked / rejected with a reason.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _


class UseCase(models.Model):
    class Status(models.TextChoices):
        IDEA = "idea", _("idea")
        IN_REVIEW = "in_review", _("in review")
        PILOT = "pilot", _("pilot")
        VALIDATED = "validated", _("validated")
        ROLLED_OUT = "rolled_out", _("rolled out")
        PARKED = "parked", _("parked")
        REJECTED = "rejected", _("rejected")

    class Assistant(models.TextChoices):
        """The portal's own assistants a use case can rest on ("" = another tool)."""

        PROTOCOL = "protocol", _("Meeting-protocol generator")
        REPORT = "report", _("Report generator")

    class Risk(models.TextChoices):
        """EU AI Act classes, from the intake questionnaire."""

        UNCLASSIFIED = "unclassified", _("not classified yet")
        PROHIBITED = "prohibited", _("prohibited practice")
        HIGH = "high", _("high risk")
        TRANSPARENCY = "transparency", _("transparency duty")
        MINIMAL = "minimal", _("minimal risk")

    title = models.CharField(_("title"), max_length=200)
    department = models.ForeignKey(
        "portal.Department",
        verbose_name=_("team / department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="use_cases",
    )
    problem = models.TextField(_("problem"), max_length=5000)
    solution = models.TextField(_("how AI helps"), max_length=5000)
    assistant = models.CharField(
        _("portal assistant used"), max_length=20, choices=Assistant.choices, blank=True
    )
    tool = models.CharField(_("other tool"), max_length=200, blank=True)
    personal_data = models.BooleanField(_("involves personal data"), default=False)
    customer_data = models.BooleanField(_("involves customer data"), default=False)
    confidential_data = models.BooleanField(_("involves confidential data"), default=False)
    hours_saved_estimate = models.DecimalField(
        _("estimated hours saved per week"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    hours_saved_measured = models.DecimalField(
        _("measured hours saved per week"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="owned_use_cases",
    )
    contributors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("contributors"),
        blank=True,
        related_name="contributed_use_cases",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.IDEA
    )
    status_reason = models.TextField(_("reason"), blank=True)
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True)
    risk = models.CharField(
        _("risk class"), max_length=14, choices=Risk.choices, default=Risk.UNCLASSIFIED
    )
    risk_answers = models.JSONField(_("risk questionnaire"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Kept by PostgreSQL itself: the title weighs more than the text.
    search_vector = models.GeneratedField(
        expression=SearchVector("title", weight="A", config="german")
        + SearchVector("problem", "solution", "tool", weight="B", config="german"),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name = _("use case")
        verbose_name_plural = _("use cases")
        indexes = [
            GinIndex(fields=["search_vector"], name="usecase_search_gin"),
            models.Index(fields=["status", "department"], name="usecase_status_dept"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hours_saved_estimate__gte=0)
                | models.Q(hours_saved_estimate__isnull=True),
                name="usecase_estimate_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(hours_saved_measured__gte=0)
                | models.Q(hours_saved_measured__isnull=True),
                name="usecase_measured_not_negative",
            ),
            # Parked and rejected need a reason (the pipeline says why it stopped).
            models.CheckConstraint(
                condition=~models.Q(status__in=["parked", "rejected"])
                | ~models.Q(status_reason=""),
                name="usecase_stop_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class UseCaseTransition(models.Model):
    """One step through the pipeline: who moved it, when, from where to where, and why."""

    use_case = models.ForeignKey(UseCase, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=12, choices=UseCase.Status.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=UseCase.Status.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    comment = models.TextField(_("comment"), blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("use case status change")
        verbose_name_plural = _("use case status changes")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.use_case}: {self.from_status} → {self.to_status}"


class UseCaseValidation(models.Model):
    """A reviewer's checklist; a use case becomes "validated" only after a complete one."""

    use_case = models.ForeignKey(UseCase, on_delete=models.CASCADE, related_name="validations")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    quality_ok = models.BooleanField(_("results are of sufficient quality"), default=False)
    data_protection_ok = models.BooleanField(_("data protection is respected"), default=False)
    it_security_ok = models.BooleanField(_("IT security is respected"), default=False)
    staff_effects_ok = models.BooleanField(_("effects on staff are acceptable"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("use case validation")
        verbose_name_plural = _("use case validations")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.use_case} – {self.reviewer}"

    @property
    def complete(self) -> bool:
        return all(
            (self.quality_ok, self.data_protection_ok, self.it_security_ok, self.staff_effects_ok)
        )


class DataProtectionSignoff(models.Model):
    """The data-protection sign-off a use case with personal data needs before validation."""

    use_case = models.ForeignKey(UseCase, on_delete=models.CASCADE, related_name="signoffs")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("data protection sign-off")
        verbose_name_plural = _("data protection sign-offs")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.use_case} – {self.by}"


class UseCaseVote(models.Model):
    """ "I would use this too"."""

    use_case = models.ForeignKey(UseCase, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("use case vote")
        verbose_name_plural = _("use case votes")
        constraints = [models.UniqueConstraint(fields=["use_case", "user"], name="vote_once")]

    def __str__(self) -> str:
        return f"{self.user} would use {self.use_case}"


class UseCaseFollow(models.Model):
    use_case = models.ForeignKey(UseCase, on_delete=models.CASCADE, related_name="follows")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("use case follower")
        verbose_name_plural = _("use case followers")
        constraints = [models.UniqueConstraint(fields=["use_case", "user"], name="follow_once")]

    def __str__(self) -> str:
        return f"{self.user} follows {self.use_case}"


class UseCaseComment(models.Model):
    use_case = models.ForeignKey(UseCase, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(_("comment"), max_length=3000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("use case comment")
        verbose_name_plural = _("use case comments")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.author}: {self.body[:40]}"


def _attachment_path(instance: UseCaseAttachment, filename: str) -> str:
    return f"rollout/usecases/{instance.use_case_id}/{filename}"


class UseCaseAttachment(models.Model):
    """A file for a use case (screenshots, sample outputs, prompts); served only via a view."""

    use_case = models.ForeignKey(UseCase, on_delete=models.CASCADE, related_name="attachments")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=_attachment_path)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("use case file")
        verbose_name_plural = _("use case files")
        ordering = ["added_at", "pk"]

    def __str__(self) -> str:
        return self.title
