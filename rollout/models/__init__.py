from __future__ import annotations

from rollout.models.events import Event, Registration
from rollout.models.phases import Phase, Programme

__all__ = ["Event", "Phase", "Programme", "Registration"]
