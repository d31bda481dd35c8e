from __future__ import annotations

from rollout.models.events import CalendarToken, Event, EventMaterial, EventSeries, Registration
from rollout.models.governance import Decision, EthicsReview
from rollout.models.people import (
    CandidateDismissal,
    Multiplier,
    StakeholderGroup,
    StakeholderStatus,
)
from rollout.models.phases import Kpi, KpiMeasurement, Milestone, Phase, Programme
from rollout.models.search import UseCaseEmbedding
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
    "CalendarToken",
    "CandidateDismissal",
    "DataProtectionSignoff",
    "Decision",
    "EthicsReview",
    "Event",
    "EventMaterial",
    "EventSeries",
    "Kpi",
    "KpiMeasurement",
    "Milestone",
    "Multiplier",
    "Phase",
    "Programme",
    "Registration",
    "StakeholderGroup",
    "StakeholderStatus",
    "UseCase",
    "UseCaseAttachment",
    "UseCaseComment",
    "UseCaseEmbedding",
    "UseCaseFollow",
    "UseCaseTransition",
    "UseCaseValidation",
    "UseCaseVote",
]
