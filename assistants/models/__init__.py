"""The assistants' tables: generation jobs and protocols with their templates and versions."""

from __future__ import annotations

from assistants.models.jobs import GenerationJob
from assistants.models.protocols import (
    ActionItem,
    Protocol,
    ProtocolEdit,
    ProtocolTemplate,
    ProtocolVersion,
)

__all__ = [
    "ActionItem",
    "GenerationJob",
    "Protocol",
    "ProtocolEdit",
    "ProtocolTemplate",
    "ProtocolVersion",
]
