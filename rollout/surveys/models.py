"""Anonymous pulse surveys and the anonymous feedback box.

Anonymous by construction: a Response has a random UUID key, no user, no timestamp and no
sequence; SurveyParticipation records only *that* someone answered (to prevent answering
twice) and cannot be joined to a Response. Results are shown only for groups of at least
k respondents (PORTAL_SURVEY_MIN_GROUP_SIZE).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Survey(models.Model):
    class Audience(models.TextChoices):
        EVERYONE = "everyone", _("everyone")
        DEPARTMENT = "department", _("one department")
        ROLE = "role", _("one role")

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("introduction"), blank=True, max_length=3000)
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    audience = models.CharField(
        _("audience"), max_length=12, choices=Audience.choices, default=Audience.EVERYONE
    )
    department = models.ForeignKey(
        "portal.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("role"), max_length=20, blank=True)
    phase = models.ForeignKey(
        "rollout.Phase", null=True, blank=True, on_delete=models.SET_NULL, related_name="surveys"
    )
    # Repeated surveys share a series key: the trend compares their results.
    series = models.CharField(_("series"), max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The department groups, fixed the first time results are read after closing
    # (rollout/surveys/groups.py); null until then.
    grouping = models.JSONField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-opens_at"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")),
                name="survey_closes_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class SurveyQuestion(models.Model):
    class Kind(models.TextChoices):
        LIKERT = "likert", _("agreement scale (1–5)")
        SCALE = "scale", _("scale 0–10")
        # "How likely … recommend?": results show the Net Promoter Score, not an average
        NPS = "nps", _("recommendation 0–10 (NPS)")
        CHOICE = "choice", _("single choice")
        TEXT = "text", _("free text")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    text = models.CharField(_("question"), max_length=300)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    # Questions of repeated surveys that ask the same thing share a key (trend per question).
    key = models.SlugField(_("key"), max_length=50, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["survey", "order", "pk"]
        verbose_name = _("survey question")
        verbose_name_plural = _("survey questions")

    def __str__(self) -> str:
        return self.text


class SurveyParticipation(models.Model):
    """That a person answered a survey: nothing about what they answered."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="participations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("survey participation")
        verbose_name_plural = _("survey participations")
        constraints = [
            models.UniqueConstraint(fields=["survey", "user"], name="survey_answer_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} took part in {self.survey}"


class SurveyResponse(models.Model):
    """One anonymous set of answers: random key, the respondent's department for grouping."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    department = models.ForeignKey(
        "portal.Department", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # the key of the results group this response counts in, fixed with the survey's groups
    group = models.CharField(max_length=20, blank=True, default="", editable=False)

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")

    def __str__(self) -> str:
        return f"response to {self.survey}"


class SurveyAnswer(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(SurveyQuestion, on_delete=models.CASCADE, related_name="answers")
    number = models.SmallIntegerField(null=True, blank=True)
    choice = models.CharField(max_length=200, blank=True)
    text = models.TextField(blank=True, max_length=3000)

    class Meta:
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")

    def __str__(self) -> str:
        return f"answer to {self.question_id}"


class FeedbackMessage(models.Model):
    """The anonymous feedback box: concerns and ideas, no sender, only the month received."""

    class Kind(models.TextChoices):
        CONCERN = "concern", _("concern")
        IDEA = "idea", _("idea")
        OTHER = "other", _("other")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    text = models.TextField(_("message"), max_length=3000)
    received_month = models.DateField(_("month received"))  # first day of the month
    handled = models.BooleanField(_("handled"), default=False)

    class Meta:
        verbose_name = _("feedback message")
        verbose_name_plural = _("feedback messages")

    def __str__(self) -> str:
        return f"{self.kind} ({self.received_month:%Y-%m})"
