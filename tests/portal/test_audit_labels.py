"""Every action the code writes to the audit log has a label people can read.

Labels are registered by each feature's hooks (rollout) or app config; an action without
one shows its raw key ("faq.entry_created") in the audit log.
"""

from __future__ import annotations

import ast
from pathlib import Path

from portal.audit import ACTION_LABELS

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
