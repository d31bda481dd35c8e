"""Template filters for model output: `{{ text|markdown }}`, `{{ text|plain }}` and
`{{ job.partial_output|stream_preview }}`."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from assistants import rendering, streaming
from assistants.speech.turns import clock

register = template.Library()


@register.filter
def markdown(text: object) -> SafeString:
    """Return model-written markdown as sanitised HTML (empty for None)."""
    return rendering.render_markdown("" if text is None else str(text))


@register.filter
def plain(text: object) -> str:
    """Return model-written text without control characters; autoescaping still applies."""
    return rendering.plain("" if text is None else str(text))


@register.filter
def stream_preview(partial: object) -> list[dict] | None:
    """Return the sections the model has written so far (assistants/streaming.py)."""
    return streaming.preview(partial) if isinstance(partial, str) else None


@register.filter
def assignee(assigned: dict, item: dict) -> object:
    """Return the person an action item was assigned to in review (see `assigned_people`)."""
    owner_id = item.get("owner_id") if isinstance(item, dict) else None
    return assigned.get(owner_id) if isinstance(assigned, dict) else None


@register.filter
def said_at(times: object, item: dict) -> dict | None:
    """Where in the recording an item's quote was said ({"seconds", "clock"}), or None."""
    if not isinstance(times, dict) or not isinstance(item, dict):
        return None
    seconds = times.get(item.get("source_quote") or "")
    return None if seconds is None else {"seconds": seconds, "clock": clock(seconds)}
