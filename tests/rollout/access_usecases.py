"""Rows of the role × URL matrix (tests/portal/test_access.py) for this area.

MATRIX: url name → (path with {placeholders}, expected for anonymous, expected per cast member).
extra_ids(cast, ids) returns more placeholders (objects this area's paths need).
"""

from __future__ import annotations

from tests.matrix import ADMIN_ONLY, CAST, EVERYONE, LOGIN, OVERSIGHT  # noqa: F401

# alice owns the use case (an idea); programme admins maintain every use case.
OWNER_OR_ADMIN = {**dict.fromkeys(CAST, 403), "alice": 200, "ada": 200}
REVIEWERS = {**dict.fromkeys(CAST, 403), "rita": 200, "ada": 200}
DATA_PROTECTION = {**dict.fromkeys(CAST, 403), "walter": 200}

MATRIX: dict[str, tuple[str, int | str, dict[str, int]]] = {
    "rollout:usecase-list": ("/anwendungsfaelle/", LOGIN, EVERYONE),
    "rollout:usecase-new": ("/anwendungsfaelle/neu/", LOGIN, EVERYONE),
    "rollout:usecase-board": ("/anwendungsfaelle/pipeline/", LOGIN, REVIEWERS),
    "rollout:usecase-detail": ("/anwendungsfaelle/{use_case}/", LOGIN, EVERYONE),
    "rollout:usecase-edit": ("/anwendungsfaelle/{use_case}/bearbeiten/", LOGIN, OWNER_OR_ADMIN),
    # Submitting an idea for review: its owner (and admins) only.
    "rollout:usecase-step": (
        "/anwendungsfaelle/{use_case}/status/in_review/",
        LOGIN,
        OWNER_OR_ADMIN,
    ),
    "rollout:usecase-validate": ("/anwendungsfaelle/{use_case}/pruefung/", LOGIN, REVIEWERS),
    "rollout:usecase-signoff": (
        "/anwendungsfaelle/{use_case}/datenschutz/",
        LOGIN,
        DATA_PROTECTION,
    ),
    "rollout:usecase-attachment-new": (
        "/anwendungsfaelle/{use_case}/dateien/neu/",
        LOGIN,
        OWNER_OR_ADMIN,
    ),
    # Use cases are visible to everyone, and so are their files.
    "rollout:usecase-attachment": (
        "/anwendungsfaelle/{use_case}/dateien/{use_case_file}/",
        LOGIN,
        EVERYONE,
    ),
}
# POST-only steps, tested in tests/rollout/test_usecase_community.py.
SEPARATELY_TESTED: set[str] = {
    "rollout:usecase-vote",
    "rollout:usecase-follow",
    "rollout:usecase-comment",
    "rollout:usecase-comment-delete",
    "rollout:usecase-attachment-remove",
}


def extra_ids(cast: dict, ids: dict[str, int]) -> dict[str, int]:
    from django.core.files.base import ContentFile

    from rollout.models import UseCase, UseCaseAttachment

    use_case = UseCase.objects.create(
        title="Angebote vorformulieren",
        problem="Angebote kosten Zeit.",
        solution="Ein Entwurf vom lokalen Modell.",
        owner=cast["alice"],
        risk=UseCase.Risk.MINIMAL,
    )
    attachment = UseCaseAttachment(use_case=use_case, title="Beispiel", added_by=cast["alice"])
    attachment.file.save("beispiel.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
    return {"use_case": use_case.pk, "use_case_file": attachment.pk}
