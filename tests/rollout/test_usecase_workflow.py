"""The pipeline: allowed steps only, who takes them, history and audit, the validation gate
(checklist, data-protection sign-off, ethics board, four eyes), risk routing, concurrency."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone, translation

from portal.models import AuditEntry, User
from portal.roles import Role
from rollout.models import EthicsReview, UseCase, UseCaseTransition
from rollout.usecases import workflow
from rollout.usecases.services import TRANSITIONS, UseCaseError, steps_for, usecase_update
from tests.factories import UserFactory
from tests.rollout.test_usecases import (
    HIGH,
    MINIMAL,
    PROHIBITED,
    make_programme,
    make_use_case,
)

pytestmark = pytest.mark.django_db
S = UseCase.Status
ALL_CHECKS = {
    "quality_ok": True,
    "data_protection_ok": True,
    "it_security_ok": True,
    "staff_effects_ok": True,
}


def move(use_case: UseCase, by: User, to: str, comment: str = "") -> UseCase:
    workflow.usecase_transition(use_case=use_case, by=by, to=to, comment=comment)
    use_case.refresh_from_db()
    return use_case


def to_pilot(use_case: UseCase, owner: User, reviewer: User) -> UseCase:
    move(use_case, owner, S.IN_REVIEW)
    return move(use_case, reviewer, S.PILOT)


def refused(use_case: UseCase, by: User, to: str, comment: str = "") -> str:
    with pytest.raises(UseCaseError) as caught, translation.override("en"):
        workflow.usecase_transition(use_case=use_case, by=by, to=to, comment=comment)
    return str(caught.value)


def test_the_whole_pipeline_is_recorded_and_audited(bob, rita) -> None:
    use_case = make_use_case(bob)
    move(use_case, bob, S.IN_REVIEW, "Bitte prüfen")
    move(use_case, rita, S.PILOT)
    workflow.validation_record(use_case=use_case, by=rita, **ALL_CHECKS)
    move(use_case, rita, S.VALIDATED, "Alle Prüfungen bestanden")
    move(use_case, rita, S.ROLLED_OUT)
    steps = list(use_case.transitions.values_list("from_status", "to_status", "by", "comment"))
    assert steps == [
        (S.IDEA, S.IN_REVIEW, bob.pk, "Bitte prüfen"),
        (S.IN_REVIEW, S.PILOT, rita.pk, ""),
        (S.PILOT, S.VALIDATED, rita.pk, "Alle Prüfungen bestanden"),
        (S.VALIDATED, S.ROLLED_OUT, rita.pk, ""),
    ]
    assert use_case.status_changed_at is not None
    audited = AuditEntry.objects.filter(action="usecase.status_changed", target_id=str(use_case.pk))
    assert audited.count() == 4
    assert audited.filter(actor=rita, details__to="validated").exists()
    assert steps_for(use_case, rita) == []  # rolled out is final


@pytest.mark.parametrize(
    ("path", "to"),
    [
        ([], S.PILOT),
        ([], S.VALIDATED),
        ([], S.ROLLED_OUT),
        ([S.IN_REVIEW], S.VALIDATED),
        ([S.IN_REVIEW], S.IDEA),
        ([S.REJECTED], S.IDEA),
        ([S.REJECTED], S.IN_REVIEW),
        ([S.IN_REVIEW], S.IN_REVIEW),
    ],
)
def test_illegal_steps_are_refused_and_change_nothing(bob, ada, path, to) -> None:
    use_case = make_use_case(bob)
    for status in path:
        move(use_case, ada, status, "Grund")
    before = UseCaseTransition.objects.count()
    message = refused(use_case, ada, to, "Grund")
    assert "cannot go from" in message
    use_case.refresh_from_db()
    assert use_case.status == (path[-1] if path else S.IDEA)
    assert UseCaseTransition.objects.count() == before


def test_transitions_live_in_one_table() -> None:
    assert set(TRANSITIONS) == set(S.values)
    assert TRANSITIONS[S.ROLLED_OUT] == () and TRANSITIONS[S.REJECTED] == ()
    for status in (S.IDEA, S.IN_REVIEW, S.PILOT):
        assert {s.to for s in TRANSITIONS[status]} >= {S.PARKED, S.REJECTED}
    assert all(
        s.reason_required
        for steps in TRANSITIONS.values()
        for s in steps
        if s.to in (S.PARKED, S.REJECTED)
    )


def test_who_takes_which_step(alice, bob, rita, charlie) -> None:
    use_case = make_use_case(bob, contributors=[alice])
    assert "may not" in refused(use_case, charlie, S.IN_REVIEW)  # not theirs
    assert "may not" in refused(use_case, rita, S.IN_REVIEW)  # reviewers do not submit
    assert "may not" in refused(use_case, bob, S.REJECTED, "Passt nicht")  # owners do not reject
    move(use_case, alice, S.IN_REVIEW)  # a contributor submits
    assert "may not" in refused(use_case, bob, S.PILOT)  # the owner does not start the pilot
    assert [s.to for s in steps_for(use_case, bob)] == [S.PARKED]
    assert [s.to for s in steps_for(use_case, rita)] == [S.PILOT, S.PARKED, S.REJECTED]
    assert steps_for(use_case, charlie) == []
    move(use_case, rita, S.PILOT)


def test_parking_and_rejecting_need_a_reason_and_resume_clears_it(bob, rita) -> None:
    use_case = make_use_case(bob)
    assert "reason" in refused(use_case, bob, S.PARKED, "   ")
    move(use_case, bob, S.PARKED, "Warten auf das PLM-System")
    assert use_case.status_reason == "Warten auf das PLM-System"
    move(use_case, bob, S.IN_REVIEW)  # resumed straight into review
    assert use_case.status_reason == ""
    move(use_case, rita, S.REJECTED, "Doppelt vorhanden")
    assert (use_case.status, use_case.status_reason) == (S.REJECTED, "Doppelt vorhanden")


def test_a_step_on_a_state_someone_else_changed_is_refused(bob, rita, ada) -> None:
    use_case = make_use_case(bob)
    move(use_case, bob, S.IN_REVIEW)
    workflow.usecase_transition(use_case=use_case, by=rita, to=S.PILOT, expected=S.IN_REVIEW)
    with translation.override("en"), pytest.raises(UseCaseError, match="Someone else"):
        workflow.usecase_transition(
            use_case=use_case, by=ada, to=S.PARKED, comment="x", expected=S.IN_REVIEW
        )


def test_validation_needs_a_complete_checklist_from_the_pilot(bob, rita) -> None:
    use_case = to_pilot(make_use_case(bob), bob, rita)
    assert "checklist" in refused(use_case, rita, S.VALIDATED)
    workflow.validation_record(use_case=use_case, by=rita, **ALL_CHECKS | {"it_security_ok": False})
    assert "checklist" in refused(use_case, rita, S.VALIDATED)
    workflow.validation_record(use_case=use_case, by=rita, **ALL_CHECKS)
    assert workflow.validation_gaps(use_case) == []
    # Parked and back: the checklist of the earlier pilot no longer counts.
    move(use_case, rita, S.PARKED, "Pause")
    move(use_case, bob, S.IN_REVIEW)
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        move(use_case, rita, S.PILOT)
        assert "checklist" in refused(use_case, rita, S.VALIDATED)
        workflow.validation_record(use_case=use_case, by=rita, **ALL_CHECKS)
        move(use_case, rita, S.VALIDATED)


def test_four_eyes(bob, rita, ada) -> None:
    reviewer_owned = to_pilot(make_use_case(rita, contributors=[ada]), rita, ada)
    for person in (rita, ada):  # owner and contributor
        with translation.override("en"), pytest.raises(UseCaseError, match="own use case"):
            workflow.validation_record(use_case=reviewer_owned, by=person, **ALL_CHECKS)
    other = UserFactory(roles=[Role.REVIEWER])
    workflow.validation_record(use_case=reviewer_owned, by=other, **ALL_CHECKS)
    assert "own use case" in refused(reviewer_owned, rita, S.VALIDATED)
    move(reviewer_owned, other, S.VALIDATED)
    # Only reviewers complete checklists; not before the pilot.
    idea = make_use_case(bob)
    with pytest.raises(UseCaseError):
        workflow.validation_record(use_case=idea, by=rita, **ALL_CHECKS)
    with pytest.raises(UseCaseError):
        workflow.validation_record(use_case=to_pilot(idea, bob, rita), by=bob, **ALL_CHECKS)


def test_personal_data_needs_the_data_protection_signoff(bob, rita, walter, ada) -> None:
    use_case = make_use_case(bob, personal_data=True)
    move(use_case, bob, S.IN_REVIEW)
    with pytest.raises(UseCaseError):  # not before the pilot
        workflow.signoff_record(use_case=use_case, by=walter)
    move(use_case, rita, S.PILOT)
    workflow.validation_record(use_case=use_case, by=rita, **ALL_CHECKS)
    assert "data protection" in refused(use_case, rita, S.VALIDATED)
    for person in (rita, ada, bob):  # only the works council / data protection role
        with pytest.raises(UseCaseError):
            workflow.signoff_record(use_case=use_case, by=person)
    workflow.signoff_record(use_case=use_case, by=walter, note="Verzeichnis ergänzt")
    with translation.override("en"), pytest.raises(UseCaseError, match="already"):
        workflow.signoff_record(use_case=use_case, by=walter)
    assert AuditEntry.objects.filter(action="usecase.signed_off", actor=walter).count() == 1
    move(use_case, rita, S.VALIDATED)


def test_high_risk_is_routed_to_the_ethics_board(bob, rita, ada) -> None:
    programme = make_programme()
    use_case = make_use_case(bob, "Vorauswahl von Bewerbungen", risk_answers=HIGH)
    assert use_case.risk == UseCase.Risk.HIGH
    review = EthicsReview.objects.get(use_case=use_case)
    assert (review.programme, review.outcome, review.subject) == (
        programme,
        EthicsReview.Outcome.PENDING,
        "Vorauswahl von Bewerbungen",
    )
    assert AuditEntry.objects.filter(action="ethics.created", details__routed=True).exists()
    to_pilot(use_case, bob, rita)
    workflow.validation_record(use_case=use_case, by=rita, **ALL_CHECKS)
    assert "ethics board" in refused(use_case, rita, S.VALIDATED)
    EthicsReview.objects.filter(pk=review.pk).update(
        outcome=EthicsReview.Outcome.REJECTED, reviewed_on=timezone.localdate()
    )
    assert "ethics board" in refused(use_case, rita, S.VALIDATED)
    EthicsReview.objects.filter(pk=review.pk).update(
        outcome=EthicsReview.Outcome.CONDITIONS, conditions="Nur mit menschlicher Prüfung"
    )
    move(use_case, rita, S.VALIDATED)
    assert EthicsReview.objects.filter(use_case=use_case).count() == 1


def test_downgrading_the_answers_does_not_escape_the_board(bob, rita) -> None:
    make_programme()
    use_case = make_use_case(bob, risk_answers=HIGH)
    use_case = usecase_update(use_case=use_case, by=bob, risk_answers=MINIMAL)
    assert use_case.risk == UseCase.Risk.MINIMAL
    to_pilot(use_case, bob, rita)
    workflow.validation_record(use_case=use_case, by=rita, **ALL_CHECKS)
    assert "ethics board" in refused(use_case, rita, S.VALIDATED)
    with translation.override("en"), pytest.raises(UseCaseError, match="before the pilot"):
        usecase_update(use_case=use_case, by=bob, risk_answers=HIGH)


def test_high_risk_without_a_programme_still_waits_for_the_board(bob, rita) -> None:
    use_case = make_use_case(bob, risk_answers=HIGH)
    assert not EthicsReview.objects.exists()
    to_pilot(use_case, bob, rita)
    workflow.validation_record(use_case=use_case, by=rita, **ALL_CHECKS)
    assert "not reviewed it yet" in refused(use_case, rita, S.VALIDATED)


def test_a_prohibited_practice_stays_an_idea(bob, rita) -> None:
    use_case = make_use_case(bob, "Stimmungserkennung", risk_answers=PROHIBITED)
    assert use_case.risk == UseCase.Risk.PROHIBITED
    assert "prohibited" in refused(use_case, bob, S.IN_REVIEW)
    assert use_case.status == S.IDEA
    # An answer given by mistake can be corrected at intake; else a reviewer rejects it.
    corrected = usecase_update(use_case=use_case, by=bob, risk_answers=MINIMAL)
    move(corrected, bob, S.IN_REVIEW)
    usecase_update(use_case=corrected, by=bob, risk_answers=PROHIBITED)
    assert "prohibited" in refused(corrected, rita, S.PILOT)
    move(corrected, rita, S.REJECTED, "Verbotene Praxis nach Art. 5")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_reviewers_moving_at_once_make_one_step() -> None:
    owner = UserFactory(roles=[Role.MULTIPLIER])
    reviewers = [UserFactory(roles=[Role.REVIEWER]) for _ in range(2)]
    use_case = make_use_case(owner)
    workflow.usecase_transition(use_case=use_case, by=owner, to=S.IN_REVIEW)
    start = threading.Barrier(len(reviewers))
    outcomes: list[str] = []

    def start_pilot(reviewer: User) -> None:
        try:
            start.wait()
            workflow.usecase_transition(
                use_case=use_case, by=reviewer, to=S.PILOT, expected=S.IN_REVIEW
            )
            outcomes.append("moved")
        except UseCaseError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=start_pilot, args=(r,)) for r in reviewers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["moved", "refused"]
    assert UseCaseTransition.objects.filter(use_case=use_case, to_status=S.PILOT).count() == 1
