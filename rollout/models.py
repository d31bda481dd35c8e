from __future__ import annotations

from rollout.events.models import CalendarToken, Event, EventMaterial, EventSeries, Registration
from rollout.faq.models import FaqCategory, FaqEmbedding, FaqEntry, Question
from rollout.officehours.models import Booking, OfficeHour, OfficeHourSlot
from rollout.people.models import (
    CandidateDismissal,
    Multiplier,
    StakeholderGroup,
    StakeholderStatus,
)
from rollout.people.models_governance import Decision, EthicsReview
from rollout.programme.models import Kpi, KpiMeasurement, Milestone, Phase, Programme
from rollout.search.models import SearchGlossary, SearchWord, SearchWordKey, UseCaseEmbedding
from rollout.surveys.models import (
    FeedbackMessage,
    Survey,
    SurveyAnswer,
    SurveyParticipation,
    SurveyQuestion,
    SurveyResponse,
)
from rollout.usecases.models import (
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
    "SearchGlossary",
    "SearchWord",
    "SearchWordKey",
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
