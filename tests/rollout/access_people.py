"""Rows of the role × URL matrix (tests/portal/test_access.py) for this area.

MATRIX: url name → (path with {placeholders}, expected for anonymous, expected per cast member).
extra_ids(cast, ids) returns more placeholders (objects this area's paths need).
"""

from __future__ import annotations

from tests.matrix import ADMIN_ONLY, CAST, EVERYONE, LOGIN, OVERSIGHT

MULTIPLIER_ONLY = {**dict.fromkeys(CAST, 403), "bob": 200}

MATRIX: dict[str, tuple[str, int | str, dict[str, int]]] = {
    "rollout:multiplier-list": ("/multiplikatoren/", LOGIN, EVERYONE),
    "rollout:multiplier-focus": ("/multiplikatoren/mein-schwerpunkt/", LOGIN, MULTIPLIER_ONLY),
    "rollout:multiplier-admin": ("/multiplikatoren/verwalten/", LOGIN, ADMIN_ONLY),
    "rollout:multiplier-add": ("/multiplikatoren/verwalten/hinzufuegen/", LOGIN, ADMIN_ONLY),
    "rollout:governance": ("/gremien/", LOGIN, OVERSIGHT),
    "rollout:decision-list": ("/gremien/entscheidungen/", LOGIN, OVERSIGHT),
    "rollout:decision-new": ("/gremien/entscheidungen/neu/", LOGIN, ADMIN_ONLY),
    "rollout:decision-detail": ("/gremien/entscheidungen/{gov_decision}/", LOGIN, OVERSIGHT),
    "rollout:decision-edit": (
        "/gremien/entscheidungen/{gov_decision}/bearbeiten/",
        LOGIN,
        ADMIN_ONLY,
    ),
    "rollout:ethics-list": ("/gremien/ethik/", LOGIN, OVERSIGHT),
    "rollout:ethics-new": ("/gremien/ethik/neu/", LOGIN, ADMIN_ONLY),
    "rollout:ethics-detail": ("/gremien/ethik/{gov_review}/", LOGIN, OVERSIGHT),
    "rollout:ethics-edit": ("/gremien/ethik/{gov_review}/bearbeiten/", LOGIN, ADMIN_ONLY),
    "rollout:stakeholder-list": ("/gremien/stakeholder/", LOGIN, OVERSIGHT),
    "rollout:stakeholder-new": ("/gremien/stakeholder/neu/", LOGIN, ADMIN_ONLY),
    "rollout:stakeholder-edit": (
        "/gremien/stakeholder/{gov_group}/bearbeiten/",
        LOGIN,
        ADMIN_ONLY,
    ),
    "rollout:stakeholder-status": (
        "/gremien/stakeholder/{gov_group}/phasen/{gov_phase}/",
        LOGIN,
        ADMIN_ONLY,
    ),
}
# POST-only steps; their access is tested in tests/rollout/test_multipliers.py and
# tests/rollout/test_stakeholders.py.
SEPARATELY_TESTED: set[str] = {
    "rollout:multiplier-confirm",
    "rollout:multiplier-dismiss",
    "rollout:multiplier-end",
    "rollout:stakeholder-delete",
}


def extra_ids(cast: dict, ids: dict[str, int]) -> dict[str, int]:
    """A programme of its own (other areas may build theirs) with one of each record."""
    from datetime import date

    from rollout.models import Decision, EthicsReview, Phase, Programme, StakeholderGroup

    programme = Programme.objects.create(name="Zugriffstest Gremien", organisation="Firma")
    phase = Phase.objects.create(
        programme=programme,
        number=1,
        kind=Phase.Kind.KICKOFF,
        title="Kickoff",
        goal="Grundlagen",
        planned_start=date(2026, 1, 1),
        planned_end=date(2026, 2, 1),
    )
    decision = Decision.objects.create(
        programme=programme, title="Lokales Modell", decided_on=date(2026, 1, 5), rationale="…"
    )
    review = EthicsReview.objects.create(programme=programme, subject="Protokollgenerator")
    group = StakeholderGroup.objects.create(
        programme=programme, name="Betriebsrat", kind=StakeholderGroup.Kind.WORKS_COUNCIL
    )
    return {
        "gov_phase": phase.pk,
        "gov_decision": decision.pk,
        "gov_review": review.pk,
        "gov_group": group.pk,
    }
