"""Rows of the role × URL matrix (tests/portal/test_access.py) for the status reports and
the transcripts of recordings.

Programme admins read and correct every report; the works council reads approved ones only
(a draft is a 404 for it); everyone else gets 403 for the whole area. A transcript is its
owner's: reviewers and admins may read it (to check a protocol's quotes), only the owner
corrects it, and for everyone else it does not exist.
"""

from __future__ import annotations

from tests.matrix import ADMIN_ONLY, ALICES_OWN, CAST, EVERYONE, LOGIN, OVERSIGHT

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
    "assistants:transcript-new": ("/assistenten/transkript/neu/", LOGIN, EVERYONE),
    "assistants:transcript-detail": (
        "/assistenten/transkripte/{transcript}/",
        LOGIN,
        ALICES_OWN,
    ),
    "assistants:turn-edit": (
        "/assistenten/transkripte/{transcript}/abschnitte/0/",
        LOGIN,
        {**dict.fromkeys(CAST, 404), "alice": 200},
    ),
}
# POST only: tests/assistants/test_report.py and test_transcript_pages.py.
SEPARATELY_TESTED: set[str] = {
    "assistants:report-approve",
    "assistants:speaker-rename",
    "assistants:transcript-delete",
}


def extra_ids(cast, ids) -> dict[str, int]:
    from assistants.models import Transcript
    from tests.factories import report_for

    _, draft = report_for(cast["ada"], title="Statusbericht November 2026")
    _, approved = report_for(cast["ada"], approved_by=cast["ada"])
    transcript = Transcript.objects.create(
        owner=cast["alice"],
        title="Jour fixe",
        turns=[{"start": 0.0, "end": 2.0, "speaker": "", "text": "Guten Morgen."}],
    )
    return {"draft_report": draft.pk, "approved_report": approved.pk, "transcript": transcript.pk}
