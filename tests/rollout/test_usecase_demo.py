"""Demo use cases: every status, the risk classes, history and checks; no mail, idempotent."""

from __future__ import annotations

import itertools

import pytest
from django.core import mail
from django.utils import translation

from portal.demo import seed_people
from rollout.demo.people import seed_governance, seed_multipliers
from rollout.demo.programme import seed_events, seed_programme
from rollout.demo.usecases import seed_use_cases
from rollout.models import (
    DataProtectionSignoff,
    Decision,
    EthicsReview,
    UseCase,
    UseCaseComment,
    UseCaseTransition,
    UseCaseVote,
)
from rollout.usecases import workflow
from rollout.usecases.impact import impact, time_saved, use_cases_validated

pytestmark = pytest.mark.django_db
S = UseCase.Status


@pytest.fixture
def seeded(django_capture_on_commit_callbacks) -> list[str]:
    lines: list[str] = []
    with django_capture_on_commit_callbacks() as callbacks:
        for seeder in (
            seed_people,
            seed_programme,
            seed_events,
            seed_multipliers,
            seed_governance,
            seed_use_cases,
        ):
            seeder(lines.append)
    assert callbacks == [] and mail.outbox == []  # no mail, no task leaves while seeding
    return lines


def test_demo_use_cases_show_every_status_and_risk(seeded) -> None:
    assert 22 <= UseCase.objects.count() <= 26
    assert set(UseCase.objects.values_list("status", flat=True)) == set(S.values)
    assert set(UseCase.objects.values_list("risk", flat=True)) == {
        "minimal",
        "transparency",
        "high",
        "prohibited",
    }
    stopped = UseCase.objects.filter(status__in=[S.PARKED, S.REJECTED])
    assert stopped.count() >= 4 and not stopped.filter(status_reason="").exists()
    # History: every use case beyond the idea has its steps, each from where the last ended.
    for use_case in UseCase.objects.exclude(status=S.IDEA).prefetch_related("transitions"):
        steps = list(use_case.transitions.all())
        assert steps and steps[-1].to_status == use_case.status, use_case
        assert steps[0].from_status == S.IDEA
        assert all(a.to_status == b.from_status for a, b in itertools.pairwise(steps))
        assert all(a.at <= b.at for a, b in itertools.pairwise(steps))
    # Owners are multipliers, apart from two employees who logged an idea.
    owners = UseCase.objects.values_list("owner__email", flat=True)
    assert any(email.startswith("alice@") for email in owners)
    assert UseCase.objects.filter(owner__groups__name="multiplier").count() >= 18


def test_demo_validated_use_cases_passed_the_gate(seeded) -> None:
    for use_case in UseCase.objects.filter(status__in=[S.VALIDATED, S.ROLLED_OUT]):
        validated_at = use_case.transitions.get(to_status=S.VALIDATED).at
        pilot_at = use_case.transitions.get(to_status=S.PILOT).at
        checks = use_case.validations.filter(created_at__range=(pilot_at, validated_at))
        assert any(c.complete for c in checks), use_case
        if use_case.personal_data:
            assert use_case.signoffs.filter(created_at__range=(pilot_at, validated_at)).exists()
    assert DataProtectionSignoff.objects.filter(by__email__startswith="walter@").exists()
    # One pilot waits only for the data-protection sign-off; one has an incomplete checklist.
    complaints = UseCase.objects.get(title="Reklamationen zusammenfassen")
    with translation.override("en"):
        assert workflow.validation_gaps(complaints) == [
            "It involves personal data: data protection must sign it off."
        ]
    assert UseCase.objects.filter(status=S.PILOT, validations__it_security_ok=False).exists()


def test_demo_high_risk_goes_to_the_ethics_board(seeded) -> None:
    screening = UseCase.objects.get(title="Vorauswahl von Bewerbungen")
    assert screening.risk == "high" and screening.status == S.PARKED
    review = screening.ethics_reviews.get()
    assert review.outcome == EthicsReview.Outcome.PENDING and review.programme_id
    assert EthicsReview.objects.filter(use_case__isnull=False).count() >= 4
    prohibited = UseCase.objects.get(risk="prohibited")
    assert prohibited.status == S.REJECTED and "Art. 5" in prohibited.status_reason
    decision = Decision.objects.get(title="Freigabe Protokollgenerator für Pilotteams")
    assert decision.use_cases.count() == 2


def test_demo_community_impact_and_kpis(seeded) -> None:
    assert UseCaseVote.objects.count() >= 40
    assert UseCaseComment.objects.count() >= 5
    result = impact()
    assert len(result.rows) >= 4 and result.total.total > 0
    assert use_cases_validated(None).value >= 5
    assert time_saved(None).value == result.total.total


def test_demo_is_idempotent(seeded) -> None:
    counts = (
        UseCase.objects.count(),
        UseCaseTransition.objects.count(),
        EthicsReview.objects.count(),
    )
    lines: list[str] = []
    seed_governance(lines.append)
    seed_use_cases(lines.append)
    assert lines[-1] == "Demo use cases already present."
    assert counts == (
        UseCase.objects.count(),
        UseCaseTransition.objects.count(),
        EthicsReview.objects.count(),
    )


def test_demo_has_near_duplicates_for_the_similar_check(seeded) -> None:
    from rollout.usecases.search import similar_use_cases

    pairs = [
        ("Reklamationen zusammenfassen", "Kundenbeschwerden automatisch zusammenfassen lassen"),
        (
            "Gesprächsnotizen aus Kundenterminen strukturieren",
            "Gesprächsprotokolle aus Kundenterminen automatisch erstellen",
        ),
    ]
    for first, second in pairs:
        typed = UseCase.objects.get(title=second)
        hits = similar_use_cases(
            typed.title, f"{typed.problem}\n\n{typed.solution}", exclude=typed.pk
        )
        assert first in [hit.use_case.title for hit in hits], (first, second)
