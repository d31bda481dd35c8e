"""Transcripts made from recordings on this server: timestamped turns that people correct."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Transcript(models.Model):
    """What a transcription job heard, as turns: [{"start", "end", "speaker", "text"}].

    A turn is what was said between two longer pauses; `speaker` is empty until a person
    names it (the model does not tell voices apart). The recording itself is gone by the
    time this row exists. Personal data: deleted by retention like any transcript.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="transcripts"
    )
    job = models.OneToOneField(
        "assistants.GenerationJob",
        null=True,
        on_delete=models.SET_NULL,
        related_name="transcript",
    )
    title = models.CharField(_("title"), max_length=200)
    language = models.CharField(_("language"), max_length=5, blank=True)
    seconds = models.FloatField(_("length in seconds"), default=0)
    turns = models.JSONField(default=list)
    model_name = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("transcript")
        verbose_name_plural = _("transcripts")

    def __str__(self) -> str:
        return self.title

    @property
    def speakers(self) -> list[str]:
        """The names given so far, in order of first appearance."""
        seen: dict[str, None] = {}
        for turn in self.turns:
            if turn.get("speaker"):
                seen.setdefault(turn["speaker"], None)
        return list(seen)
