"""Rows of the role × URL matrix (tests/portal/test_access.py) for the status reports.

Programme admins read and correct every report; the works council reads approved ones only
(a draft is a 404 for it); everyone else gets 403 for the whole area.
"""

from __future__ import annotations

from tests.matrix import ADMIN_ONLY, CAST, LOGIN, OVERSIGHT

DRAFT_FOR_ADMINS = {**dict.fromkeys(CAST, 403), "ada": 200, "walter": 404}

MATRIX: dict[str, tuple[str, int | str, dict[str, int]]] = {
    "assistants:report-list": ("/assistenten/berichte/", LOGIN, OVERSIGHT),
    "assistants:report-detail": ("/assistenten/berichte/{draft_report}/", LOGIN, DRAFT_FOR_ADMINS),
    "assistants:report-edit": (
        "/assistenten/berichte/{draft_report}/bearbeiten/",
        LOGIN,
        ADMIN_ONLY,
    ),
    "assistants:report-export": (
        "/assistenten/berichte/{approved_report}/export.pdf",
        LOGIN,
        OVERSIGHT,
    ),
}
# POST only: tests/assistants/test_report.py.
SEPARATELY_TESTED: set[str] = {"assistants:report-approve"}


def extra_ids(cast, ids) -> dict[str, int]:
    from tests.factories import report_for

    _, draft = report_for(cast["ada"], title="Statusbericht November 2026")
    _, approved = report_for(cast["ada"], approved_by=cast["ada"])
    return {"draft_report": draft.pk, "approved_report": approved.pk}
