"""Rows of the role × URL matrix (tests/portal/test_access.py) for this area.

MATRIX: url name → (path with {placeholders}, expected for anonymous, expected per cast member).
extra_ids(cast, ids) returns more placeholders (objects this area's paths need).
"""

from __future__ import annotations

from tests.matrix import ADMIN_ONLY, CAST, EVERYONE, LOGIN, OVERSIGHT  # noqa: F401

# Reading is for everyone signed in; composing and sending for the programme admins.
MATRIX: dict[str, tuple[str, int | str, dict[str, int]]] = {
    "newsletter:archive": ("/newsletter/", LOGIN, EVERYONE),
    "newsletter:issue": ("/newsletter/{sent_issue}/", LOGIN, EVERYONE),
    "newsletter:preferences": ("/newsletter/einstellungen/", LOGIN, EVERYONE),
    # No login: the signed token in a mail is the key (a bad token is a 404, see below).
    "newsletter:unsubscribe": ("/newsletter/abmelden/{unsubscribe_token}/", 200, EVERYONE),
    "newsletter:manage": ("/newsletter/verwaltung/", LOGIN, ADMIN_ONLY),
    "newsletter:issue-new": ("/newsletter/verwaltung/neu/", LOGIN, ADMIN_ONLY),
    "newsletter:issue-edit": (
        "/newsletter/verwaltung/{draft_issue}/bearbeiten/",
        LOGIN,
        ADMIN_ONLY,
    ),
    "newsletter:issue-send": ("/newsletter/verwaltung/{draft_issue}/versand/", LOGIN, ADMIN_ONLY),
    # The admin's own draft job (another admin's is a 404: tests/newsletter/test_model_draft.py).
    "newsletter:model-draft-status": (
        "/newsletter/verwaltung/ki-entwurf/{model_draft_job}/",
        LOGIN,
        ADMIN_ONLY,
    ),
    "newsletter:issue-status": (
        "/newsletter/verwaltung/{sent_issue}/status/",
        LOGIN,
        ADMIN_ONLY,
    ),
}
# POST-only steps, tested in tests/newsletter/test_compose*.py and test_unsubscribe.py.
SEPARATELY_TESTED: set[str] = {
    "newsletter:preview",
    "newsletter:suggestions",
    "newsletter:model-draft",
    "newsletter:model-draft-adopt",
    "newsletter:issue-test",
    "newsletter:issue-schedule",
    "newsletter:issue-unschedule",
    "newsletter:issue-cancel",
}


def extra_ids(cast: dict, ids: dict[str, int]) -> dict[str, int]:
    from django.utils import timezone

    from assistants.models import GenerationJob
    from newsletter.models import Issue
    from newsletter.services.tokens import unsubscribe_token

    sent = Issue.objects.create(
        subject_de="Rückblick", body_de="Text", status=Issue.Status.SENT, sent_at=timezone.now()
    )
    draft = Issue.objects.create(subject_de="Entwurf", body_de="Text")
    return {
        "sent_issue": sent.pk,
        "draft_issue": draft.pk,
        "unsubscribe_token": unsubscribe_token(cast["charlie"]),
        "model_draft_job": GenerationJob.objects.create(owner=cast["ada"], kind="newsletter").pk,
    }
