from __future__ import annotations

from rollout.models.events import CalendarToken, Event, EventMaterial, EventSeries, Registration
from rollout.models.faq import FaqCategory, FaqEmbedding, FaqEntry, Question
from rollout.models.governance import Decision, EthicsReview
from rollout.models.officehours import Booking, OfficeHour, OfficeHourSlot
from rollout.models.people import (
    CandidateDismissal,
    Multiplier,
    StakeholderGroup,
    StakeholderStatus,
)
from rollout.models.phases import Kpi, KpiMeasurement, Milestone, Phase, Programme
from rollout.models.search import UseCaseEmbedding
from rollout.models.surveys import (
    FeedbackMessage,
    Survey,
    SurveyAnswer,
    SurveyParticipation,
    SurveyQuestion,
    SurveyResponse,
)
from rollout.models.usecases import (
    DataProtectionSignoff,
    UseCase,
    UseCaseAttachment,
    UseCaseComment,
    UseCaseFollow,
    UseCaseTransition,
    UseCaseValidation,
    UseCaseVote,
)

__all__ = [
    "Booking",
    "CalendarToken",
    "CandidateDismissal",
    "DataProtectionSignoff",
    "Decision",
    "EthicsReview",
    "Event",
    "EventMaterial",
    "EventSeries",
    "FaqCategory",
    "FaqEmbedding",
    "FaqEntry",
    "FeedbackMessage",
    "Kpi",
    "KpiMeasurement",
    "Milestone",
    "Multiplier",
    "OfficeHour",
    "OfficeHourSlot",
    "Phase",
    "Programme",
    "Question",
    "Registration",
    "StakeholderGroup",
    "StakeholderStatus",
    "Survey",
    "SurveyAnswer",
    "SurveyParticipation",
    "SurveyQuestion",
    "SurveyResponse",
    "UseCase",
    "UseCaseAttachment",
    "UseCaseComment",
    "UseCaseEmbedding",
    "UseCaseFollow",
    "UseCaseTransition",
    "UseCaseValidation",
    "UseCaseVote",
]
