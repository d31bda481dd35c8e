"""Rows of the role × URL matrix (tests/portal/test_access.py) for this area.

MATRIX: url name → (path with {placeholders}, expected for anonymous, expected per cast member).
extra_ids(cast, ids) returns more placeholders (objects this area's paths need).
Also home of `build_programme`, the five-phase programme the programme tests start from.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from tests.matrix import ADMIN_ONLY, CAST, EVERYONE, LOGIN, OVERSIGHT  # noqa: F401

MATRIX: dict[str, tuple[str, int | str, dict[str, int]]] = {
    "rollout:dashboard": ("/programm/cockpit/", LOGIN, OVERSIGHT),
    "rollout:kpi-csv": ("/programm/kpi.csv", LOGIN, OVERSIGHT),
    "rollout:programme-manage": ("/programm/", LOGIN, ADMIN_ONLY),
    "rollout:phase-edit": ("/programm/phasen/{prog_phase}/", LOGIN, ADMIN_ONLY),
    "rollout:milestone-create": (
        "/programm/phasen/{prog_phase}/meilensteine/neu/",
        LOGIN,
        ADMIN_ONLY,
    ),
    "rollout:milestone-edit": ("/programm/meilensteine/{prog_milestone}/", LOGIN, ADMIN_ONLY),
    "rollout:kpi-create": ("/programm/phasen/{prog_phase}/kennzahlen/neu/", LOGIN, ADMIN_ONLY),
    "rollout:kpi-edit": ("/programm/kennzahlen/{prog_kpi}/", LOGIN, ADMIN_ONLY),
}
# POST-only; tests/rollout/test_programme_admin.py checks who may use them.
SEPARATELY_TESTED: set[str] = {"rollout:milestone-done", "rollout:milestone-reopen"}

# (number, kind, status, planned start / end in days from today)
PHASES = [
    (1, "kickoff", "done", -100, -60),
    (2, "workshops", "done", -60, -20),
    (3, "use_cases", "active", -20, 40),
    (4, "exchange", "active", -10, 80),
    (5, "assistants", "planned", 30, 120),
]


def build_programme(today: date | None = None, name: str = "KI im Büroalltag"):
    """Create a programme with five phases around `today` (two done, two active, one planned)."""
    from rollout.models import Phase, Programme

    today = today or timezone.localdate()
    programme = Programme.objects.create(name=name, organisation="Testfirma GmbH")
    for number, kind, status, start, end in PHASES:
        Phase.objects.create(
            programme=programme,
            number=number,
            kind=kind,
            title=f"Phase {kind}",
            goal=f"Ziel der Phase {number}",
            status=status,
            planned_start=today + timedelta(days=start),
            planned_end=today + timedelta(days=end),
            actual_start=today + timedelta(days=start) if status != "planned" else None,
            actual_end=today + timedelta(days=end) if status == "done" else None,
        )
    return programme


def extra_ids(cast: dict, ids: dict[str, int]) -> dict[str, int]:
    from rollout.models import Kpi, Milestone

    programme = build_programme(name="Zugriffstest")
    phase = programme.phases.get(number=3)
    milestone = Milestone.objects.create(
        phase=phase, title="Erste Use Cases", due_on=timezone.localdate()
    )
    kpi = Kpi.objects.create(
        phase=phase,
        metric=Kpi.Metric.MANUAL,
        name="Externe Schulungen",
        definition="Von Hand gezählt.",
        unit=Kpi.Unit.COUNT,
        target=Decimal(10),
    )
    return {"prog_phase": phase.pk, "prog_milestone": milestone.pk, "prog_kpi": kpi.pk}
