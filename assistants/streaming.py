"""What the job page shows while the model writes: the document as it fills, never raw JSON.

The model writes JSON under a grammar, so the text so far is always the beginning of a valid
document. It is closed where it stopped (schema.close_truncated_json), read, and shown as
headed sections with lists, in the order the model writes them. Values stay untrusted text:
the template escapes them; nothing here makes markup.
"""

from __future__ import annotations

import json

from django.utils.translation import gettext_lazy as _

from assistants.schema import close_truncated_json

LABELS = {  # every section any kind writes (protocol, status report, newsletter draft)
    "summary": _("Summary"),
    "participants": _("Participants"),
    "agenda_items": _("Agenda"),
    "sections": _("Topics"),
    "decisions": _("Decisions"),
    "action_items": _("Action items"),
    "open_questions": _("Open questions"),
    "risks": _("Risks and open points"),
    "next_steps": _("Next steps"),
}


def _text(value: dict, *keys: str) -> str:
    return next((value[k].strip() for k in keys if isinstance(value.get(k), str)), "")


def _item_text(value: object) -> str:
    """One list entry as a line: "title: notes", "task – owner (due)", or the text."""
    if isinstance(value, str):
        return value.strip()
    if not isinstance(value, dict):
        return ""
    if "title" in value:  # an agenda item or a report's topic
        title, body = _text(value, "title"), _text(value, "notes", "text")
        return f"{title}: {body}" if title and body else title or body
    text = _text(value, "task", "text")
    if owner := _text(value, "owner"):
        text += f" – {owner}"
    if due := _text(value, "due_date"):
        text += f" ({due})"
    return text.strip(" –")


def preview(partial: str) -> list[dict] | None:
    """The sections written so far, as [{"label", "text" | "items"}]; None if none can be
    read yet (the model has not opened its document)."""
    closed = close_truncated_json(partial) if partial else None
    if closed is None:
        return None
    try:
        data = json.loads(closed)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    blocks = []
    for key, value in data.items():
        if key not in LABELS:
            continue
        if isinstance(value, str) and value.strip():
            blocks.append({"label": LABELS[key], "text": value.strip()})
        elif isinstance(value, list) and (items := [t for t in map(_item_text, value) if t]):
            blocks.append({"label": LABELS[key], "items": items})
    return blocks
