"""The assistants' tables: generation jobs, protocols with their templates and versions,
status reports, transcripts of recordings."""

from __future__ import annotations

from assistants.models.jobs import GenerationJob
from assistants.models.protocols import (
    ActionItem,
    Protocol,
    ProtocolEdit,
    ProtocolTemplate,
    ProtocolVersion,
)
from assistants.models.reports import StatusReport
from assistants.models.transcripts import Transcript

__all__ = [
    "ActionItem",
    "GenerationJob",
    "Protocol",
    "ProtocolEdit",
    "ProtocolTemplate",
    "ProtocolVersion",
    "StatusReport",
    "Transcript",
]
