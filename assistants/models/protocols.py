"""Protocol templates (versioned) and generated protocols."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
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
        return gettext("%(name)s, version %(version)s") % {
            "name": self.name,
            "version": self.version,
        }


class ModelWritten:
    """A result the local model wrote; `model_name` is the file it ran on."""

    model_name: str

    @property
    def from_demo_model(self) -> bool:
        """Written by the random-weight demo model: meaningless, marked wherever it goes."""
        return self.model_name == settings.LLM_DEMO_MODEL_FILE


class Protocol(ModelWritten, models.Model):
    """A protocol generated from a job; stored once per job (unique), validated JSON.

    Review states, enforced in assistants/services/review.py:
      draft → in_review (owner submits)
      in_review → approved (a reviewer other than the owner, every item decided)
      in_review → returned (a reviewer, with a comment) → in_review (owner resubmits)
      approved → draft (a new version is started; the approved one stays as a ProtocolVersion)
    Approved protocols are locked: nothing edits them.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        IN_REVIEW = "in_review", _("in review")
        APPROVED = "approved", _("approved")
        RETURNED = "returned", _("returned")

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
    prompt_version = models.CharField(_("prompt version"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    return_comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("protocol")
        verbose_name_plural = _("protocols")

    def __str__(self) -> str:
        return self.title


class ProtocolVersion(models.Model):
    """An approved version of a protocol, frozen: what was adopted, by whom, when."""

    protocol = models.ForeignKey(Protocol, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    data = models.JSONField()
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField()

    class Meta:
        ordering = ["protocol", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["protocol", "number"], name="protocol_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.protocol} v{self.number}"


class ProtocolEdit(models.Model):
    """Who changed or decided which item, and when (provenance; never the content)."""

    class Action(models.TextChoices):
        EDITED = "edited", _("edited")
        ACCEPTED = "accepted", _("accepted")
        REJECTED = "rejected", _("rejected")

    protocol = models.ForeignKey(Protocol, on_delete=models.CASCADE, related_name="edits")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    section = models.CharField(max_length=20)
    index = models.PositiveSmallIntegerField()
    action = models.CharField(max_length=10, choices=Action.choices)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at"]

    def __str__(self) -> str:
        return f"{self.section}[{self.index}] {self.action}"


class ActionItem(models.Model):
    """An accepted action item of an approved protocol, tracked until it is done."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        DONE = "done", _("done")

    protocol = models.ForeignKey(Protocol, on_delete=models.CASCADE, related_name="action_items")
    version = models.PositiveIntegerField()
    task = models.CharField(_("task"), max_length=500)
    owner_name = models.CharField(_("owner"), max_length=120, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="action_items",
    )
    due_date = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=5, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    done_at = models.DateTimeField(null=True, blank=True)
    reminded_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["status", "due_date", "pk"]
        verbose_name = _("action item")
        verbose_name_plural = _("action items")

    def __str__(self) -> str:
        return self.task

    def is_overdue(self, today) -> bool:
        return (
            self.status == self.Status.OPEN and self.due_date is not None and self.due_date < today
        )
