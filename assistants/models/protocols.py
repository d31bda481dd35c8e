"""Protocol templates (versioned) and generated protocols."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ProtocolTemplate(models.Model):
    """One version of a protocol template; editing creates the next version.

    Jobs point at the exact version they used, so a protocol can always say which
    instructions produced it. Exactly one version per key is current.
    """

    key = models.SlugField(_("key"), max_length=50)
    version = models.PositiveIntegerField(_("version"), default=1)
    name = models.CharField(_("name"), max_length=100)
    description = models.CharField(_("description"), max_length=300, blank=True)
    sections = models.JSONField(_("sections"), default=list)
    instructions = models.TextField(_("instructions"))
    is_current = models.BooleanField(_("current version"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["name", "-version"]
        verbose_name = _("protocol template")
        verbose_name_plural = _("protocol templates")
        constraints = [
            models.UniqueConstraint(fields=["key", "version"], name="template_key_version_unique"),
            models.UniqueConstraint(
                fields=["key"],
                condition=models.Q(is_current=True),
                name="template_one_current_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"


class Protocol(models.Model):
    """A protocol generated from a job; stored once per job (unique), validated JSON."""

    job = models.OneToOneField(
        "assistants.GenerationJob", on_delete=models.CASCADE, related_name="protocol"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="protocols",
    )
    title = models.CharField(_("title"), max_length=200)
    meeting_date = models.DateField(_("meeting date"))
    template = models.ForeignKey(
        ProtocolTemplate, verbose_name=_("template"), on_delete=models.PROTECT, related_name="+"
    )
    output_language = models.CharField(_("language"), max_length=5)
    schema_version = models.PositiveSmallIntegerField()
    data = models.JSONField()
    model_name = models.CharField(_("model"), max_length=200)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("protocol")
        verbose_name_plural = _("protocols")

    def __str__(self) -> str:
        return self.title
