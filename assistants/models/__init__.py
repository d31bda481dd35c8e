from __future__ import annotations

from assistants.models.jobs import GenerationJob
from assistants.models.protocols import Protocol, ProtocolTemplate

__all__ = ["GenerationJob", "Protocol", "ProtocolTemplate"]
