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
