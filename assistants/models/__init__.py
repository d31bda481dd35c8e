"""The assistants' tables: generation jobs, protocols with their templates and versions,
status reports."""

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

__all__ = [
    "ActionItem",
    "GenerationJob",
    "Protocol",
    "ProtocolEdit",
    "ProtocolTemplate",
    "ProtocolVersion",
    "StatusReport",
]
