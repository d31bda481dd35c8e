"""FAQ contact point: entries in categories (German and English), the question inbox."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _

from rollout.search.models import Embedding


class FaqCategory(models.Model):
    name_de = models.CharField(_("name (German)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "name_de"]
        verbose_name = _("FAQ category")
        verbose_name_plural = _("FAQ categories")

    def __str__(self) -> str:
        return self.name_de


class FaqEntry(models.Model):
    """A question with its answer, in German and (optionally) English.

    `reviewed_on` says when the FAQ team last checked the answer; entries older than
    PORTAL_FAQ_STALE_DAYS are listed for review.
    """

    category = models.ForeignKey(
        FaqCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="entries"
    )
    question_de = models.CharField(_("question (German)"), max_length=300)
    answer_de = models.TextField(_("answer (German)"), max_length=10000)
    question_en = models.CharField(_("question (English)"), max_length=300, blank=True)
    answer_en = models.TextField(_("answer (English)"), max_length=10000, blank=True)
    published = models.BooleanField(_("published"), default=True)
    reviewed_on = models.DateField(_("last reviewed"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    helpful_yes = models.PositiveIntegerField(default=0, editable=False)
    helpful_no = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    search_de = models.GeneratedField(
        expression=SearchVector("question_de", weight="A", config="german")
        + SearchVector("answer_de", weight="B", config="german"),
        output_field=SearchVectorField(),
        db_persist=True,
    )
    search_en = models.GeneratedField(
        expression=SearchVector("question_en", weight="A", config="english")
        + SearchVector("answer_en", weight="B", config="english"),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    class Meta:
        ordering = ["category", "question_de"]
        verbose_name = _("FAQ entry")
        verbose_name_plural = _("FAQ entries")
        indexes = [
            GinIndex(fields=["search_de"], name="faq_search_de_gin"),
            GinIndex(fields=["search_en"], name="faq_search_en_gin"),
        ]

    def __str__(self) -> str:
        return self.question_de


class FaqEmbedding(Embedding):
    entry = models.OneToOneField(FaqEntry, on_delete=models.CASCADE, related_name="embedding")

    class Meta:
        verbose_name = _("FAQ search vector")
        verbose_name_plural = _("FAQ search vectors")

    def __str__(self) -> str:
        return f"embedding of FAQ entry {self.entry_id} ({self.model_name})"


def _receipt() -> str:
    return secrets.token_urlsafe(24)


def new_question_id() -> int:
    """A random id (below 2**53, safe in JavaScript too): sequential ids would order an
    anonymous question among the asker's other, audited, actions."""
    return secrets.randbelow(2**53 - 1) + 1


class QuestionStatus(models.TextChoices):
    """Where a question stands. PUBLISHED is never stored: a question with an FAQ entry is
    published, and the entry holds its answer (one place for both)."""

    OPEN = "open", _("open")
    ANSWERED = "answered", _("answered")
    PUBLISHED = "published", _("published as FAQ entry")
    CLOSED = "closed", _("closed")


class QuestionQuerySet(models.QuerySet):
    def in_status(self, status: str) -> QuestionQuerySet:
        if status == QuestionStatus.PUBLISHED:
            return self.filter(faq_entry__isnull=False)
        return self.filter(status=status, faq_entry__isnull=True)

    def status_counts(self) -> dict[str, int]:
        shown = models.Case(
            models.When(faq_entry__isnull=False, then=models.Value(QuestionStatus.PUBLISHED)),
            default=models.F("status"),
        )
        rows = self.annotate(shown=shown).values_list("shown").annotate(n=models.Count("pk"))
        return dict(rows.order_by("shown"))


class Question(models.Model):
    """A question sent to the FAQ team.

    Anonymous questions store no link to the asker at all; the asker reads the answer
    under the secret receipt URL shown once after sending. A published question's answer
    is its FAQ entry's current answer (not a copy).
    """

    Status = QuestionStatus
    _STORED = [(v, label) for v, label in QuestionStatus.choices if v != QuestionStatus.PUBLISHED]

    id = models.BigIntegerField(primary_key=True, default=new_question_id, editable=False)
    asker = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("question"), max_length=3000)
    category = models.ForeignKey(
        FaqCategory, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    receipt = models.CharField(max_length=40, unique=True, default=_receipt, editable=False)
    # open, answered or closed; `shown_status` adds "published" from `faq_entry`
    status = models.CharField(max_length=10, choices=_STORED, default=QuestionStatus.OPEN)
    # the direct answer; cleared on publishing, when the FAQ entry becomes the answer
    answer = models.TextField(_("answer"), blank=True, max_length=10000)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    # An entry that answers a question is unpublished, never deleted: the asker reads it.
    faq_entry = models.ForeignKey(
        FaqEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="questions"
    )
    # Anonymous questions keep only the day they came in (no time of day: no re-identification).
    received_on = models.DateField(_("received"))

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["received_on", "pk"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def shown_status(self) -> str:
        return QuestionStatus.PUBLISHED if self.faq_entry_id else self.status

    def get_shown_status_display(self) -> str:
        return QuestionStatus(self.shown_status).label
