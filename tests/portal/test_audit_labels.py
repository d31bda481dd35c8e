"""Every action the code writes to the audit log has a label people can read.

Labels are registered by each feature's hooks (rollout) or app config; an action without
one shows its raw key ("faq.entry_created") in the audit log. Likewise the details' keys
(portal/audit.py), and the page names objects and stored values by their labels.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from portal.audit import ACTION_LABELS, DETAIL_LABELS
from portal.models import AuditEntry

ROOT = Path(__file__).resolve().parents[2]
APPS = ("portal", "rollout", "assistants", "newsletter")


def _audited_actions() -> dict[str, str]:
    """Return every literal `action=` of an `audit_record(...)` call, with where it is."""
    found: dict[str, str] = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text("utf-8"))):
                if not isinstance(node, ast.Call):
                    continue
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if name != "audit_record":
                    continue
                for keyword in node.keywords:
                    value = keyword.value
                    if keyword.arg == "action" and isinstance(value, ast.Constant):
                        found[value.value] = f"{path.relative_to(ROOT)}:{node.lineno}"
    return found


def test_every_audited_action_has_a_label() -> None:
    actions = _audited_actions()
    assert len(actions) > 60, "the scan found the audit calls"
    missing = {action: where for action, where in actions.items() if action not in ACTION_LABELS}
    assert not missing, f"audited actions without a label: {missing}"


def _detail_keys() -> dict[str, str]:
    """Return every literal key of a `details={...}` given to `audit_record(...)`."""
    found: dict[str, str] = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text("utf-8"))):
                name = getattr(getattr(node, "func", None), "id", None) or getattr(
                    getattr(node, "func", None), "attr", None
                )
                if not isinstance(node, ast.Call) or name != "audit_record":
                    continue
                for keyword in node.keywords:
                    if keyword.arg == "details" and isinstance(keyword.value, ast.Dict):
                        for key in keyword.value.keys:
                            if isinstance(key, ast.Constant):
                                found[key.value] = f"{path.relative_to(ROOT)}:{node.lineno}"
    return found


def test_every_detail_key_has_a_label() -> None:
    keys = _detail_keys()
    assert len(keys) > 50, "the scan found the details"
    missing = {key: where for key, where in keys.items() if key not in DETAIL_LABELS}
    assert not missing, f"audit details without a label: {missing}"


ENTRIES = [
    ("event.series_generated", "rollout.eventseries", "4", {"new": 3}),
    ("event.registered", "rollout.event", "7", {"status": "waitlisted"}),
    ("event.changed", "rollout.event", "7", {"fields": ["title", "starts_at"], "moved_up": 2}),
    ("roles.changed", "portal.user", "2", {"before": ["employee"], "after": ["works_council"]}),
    ("milestone.done", "rollout.milestone", "3", {"due_on": "2026-11-20"}),
    ("usecase.updated", "rollout.usecase", "5", {"risk_before": "unclassified", "risk": "high"}),
    ("retention.purged", "", "", {"transcripts_deleted": 2, "days": 30}),
    ("assistant.transcription_requested", "assistants.generationjob", "9", {"seconds": 22.7}),
    ("feedback.handled", "rollout.feedbackmessage", "3f2a", {}),
    ("survey.closed", "rollout.nosuchmodel", "1", {"anonymous": False}),
]


@pytest.mark.django_db
def test_audit_log_names_objects_and_details_as_people_read_them(client, walter) -> None:
    for action, target_type, target_id, details in ENTRIES:
        AuditEntry.objects.create(
            action=action, target_type=target_type, target_id=target_id, details=details
        )
    client.force_login(walter)
    page = client.get("/audit/").content.decode()
    for shown in (
        "Terminserie 4",
        "Status: auf der Warteliste",
        "Geändert: Titel, beginnt",
        "Aus der Warteliste nachgerückt: 2",
        "Vorher: Mitarbeitende",
        "Nachher: Betriebsrat / Datenschutz",
        "Fällig am: 20.11.2026",
        "Risiko vorher: noch nicht eingestuft",
        "Risiko: hohes Risiko",
        "Transkripte gelöscht: 2",
        "Sekunden: 22,7",
        "Feedback-Nachricht 3f2a",
        "Objekt 1",  # a model that no longer exists
        "Anonym: nein",
    ):
        assert shown in page, shown
    for internal in ("rollout.", "waitlisted", "moved_up", "works_council", "starts_at"):
        assert internal not in page, internal
