"""Durable generation jobs: the row is the source of truth, a Celery message only wakes a worker."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from assistants.kinds import PROTOCOL, kind_choices


class GenerationJob(models.Model):
    """One generation by the local model, of a registered kind (assistants/kinds.py).

    States: queued → running → done | failed | cancelled.
    running → queued again when its lease ran out (worker died) and attempts are left;
    running → failed when the attempts are used up. A worker owns a running job only
    while `attempts` equals the attempt it claimed and the lease is fresh.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting")
        RUNNING = "running", _("generating")
        DONE = "done", _("finished")
        FAILED = "failed", _("failed")
        CANCELLED = "cancelled", _("cancelled")

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    # Registered by the apps that use the job machinery (assistants/kinds.py).
    kind = models.CharField(max_length=20, choices=kind_choices, default=PROTOCOL)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="generation_jobs"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    # What to generate from. The transcript is personal data: retention deletes it.
    input_text = models.TextField(blank=True)
    params = models.JSONField(default=dict)
    template = models.ForeignKey(
        "assistants.ProtocolTemplate",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    output_language = models.CharField(max_length=5, default="de")

    # Progress, written by the worker at most about once a second.
    progress = models.PositiveSmallIntegerField(default=0)
    progress_note = models.CharField(max_length=200, blank=True)
    partial_output = models.TextField(blank=True)
    parts_total = models.PositiveSmallIntegerField(default=1)
    condensed_note = models.TextField(blank=True)
    cancel_requested = models.BooleanField(default=False)

    # Ownership by a worker.
    attempts = models.PositiveSmallIntegerField(default=0)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=200, blank=True)

    # Timings and figures, kept after the text is deleted (no content in them).
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    first_token_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    prompt_tokens = models.PositiveIntegerField(default=0)
    completion_tokens = models.PositiveIntegerField(default=0)
    model_name = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    # The result of a kind that is not reviewed as a Protocol (assistants/kinds.py): the
    # validated document, for its owner to adopt. Generated text: retention deletes it.
    result = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("generation job")
        verbose_name_plural = _("generation jobs")
        indexes = [models.Index(fields=["status", "lease_expires_at"], name="job_status_lease")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    def duration_seconds(self) -> float | None:
        if not (self.started_at and self.finished_at):
            return None
        return round((self.finished_at - self.started_at).total_seconds(), 1)

    def tokens_per_second(self) -> float | None:
        if not (self.first_token_at and self.finished_at and self.completion_tokens):
            return None
        seconds = (self.finished_at - self.first_token_at).total_seconds()
        return round(self.completion_tokens / seconds, 1) if seconds > 0 else None
