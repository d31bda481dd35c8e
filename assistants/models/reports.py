"""Status reports for the steering committee: their own document, not a meeting protocol."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from assistants.models.protocols import ModelWritten


class StatusReport(ModelWritten, models.Model):
    """The programme's status report, drafted by the local model from the portal's own facts.

    draft → approved: a programme admin reads it against the facts it was written from,
    edits what is wrong and approves it; an approved report is locked. The facts are kept
    with the report (aggregates, no personal data), so anyone reading it later can check it.
    The job may be deleted by retention; the report stays.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        APPROVED = "approved", _("approved")

    job = models.OneToOneField(
        "assistants.GenerationJob",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="status_report",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    title = models.CharField(_("title"), max_length=200)
    report_date = models.DateField(_("as of"))
    output_language = models.CharField(_("language"), max_length=5)
    facts = models.TextField(_("facts it was written from"))
    # The same facts as headed lists with figures tables (assistants/fact_blocks.py); empty
    # for reports made before they were kept so: those show `facts` as text.
    fact_blocks = models.JSONField(_("facts as headed lists"), default=list, blank=True)
    schema_version = models.PositiveSmallIntegerField(default=1)
    data = models.JSONField()
    model_name = models.CharField(_("model"), max_length=200)
    prompt_version = models.CharField(_("prompt version"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last edited by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    edited_at = models.DateTimeField(_("last edited"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)

    class Meta:
        ordering = ["-report_date", "-created_at"]
        verbose_name = _("status report")
        verbose_name_plural = _("status reports")

    def __str__(self) -> str:
        return self.title
