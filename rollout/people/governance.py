"""Steering-committee decisions and ethics-board reviews: record and change them, audited.

Links: a decision names the phases and the use cases it concerns (`phases=`, `use_cases=`,
each set with `.set()`; None on update leaves the links as they are).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from portal.models import User
from portal.services import audit_record
from rollout.models import Decision, EthicsReview, Phase, Programme, UseCase

DECISION_FIELDS = ("title", "decided_on", "rationale", "budget_eur", "risks")
REVIEW_FIELDS = (
    "subject",
    "fairness",
    "bias",
    "staff_effects",
    "outcome",
    "conditions",
    "reviewed_on",
    "phase",
)


class GovernanceError(Exception):
    """The record cannot be saved as asked; the message says why."""


# Reads -------------------------------------------------------------------------------------


def decisions(programme: Programme, *, phase: Phase | None = None) -> QuerySet[Decision]:
    """Return the programme's decisions, newest first, optionally those naming `phase`."""
    found = programme.decisions.prefetch_related("phases", "use_cases")
    if phase is not None:
        found = found.filter(phases=phase)
    return found.order_by("-decided_on", "-pk")


def ethics_reviews(
    programme: Programme, *, phase: Phase | None = None, outcome: str = ""
) -> QuerySet[EthicsReview]:
    found = programme.ethics_reviews.select_related("phase")
    if phase is not None:
        found = found.filter(phase=phase)
    if outcome:
        found = found.filter(outcome=outcome)
    return found.order_by("-created_at", "-pk")


def governance_facts() -> list[tuple[str, list[str]]]:
    """Return German lines for the steering-committee report (report facts provider)."""
    from django.utils.formats import date_format, number_format

    from rollout.people.multipliers import multiplier_candidates, multipliers
    from rollout.people.stakeholders import open_concerns
    from rollout.programme import selectors

    programme = selectors.current_programme()
    if programme is None:
        return []
    with translation.override("de"):
        lines = [
            f"Multiplikator:innen: {len(multipliers())} bestätigt, "
            f"{len(multiplier_candidates())} Workshop-Teilnehmende warten auf Bestätigung"
        ]
        for decision in decisions(programme)[:5]:
            budget = (
                f", Budget {number_format(decision.budget_eur, 2, force_grouping=True)} €"
                if decision.budget_eur is not None
                else ""
            )
            lines.append(
                f"Beschluss des Lenkungskreises vom "
                f"{date_format(decision.decided_on, 'SHORT_DATE_FORMAT')}: {decision.title}{budget}"
            )
        for review in ethics_reviews(programme)[:5]:
            conditions = f" (Auflagen: {review.conditions})" if review.conditions else ""
            lines.append(
                f"Ethikboard: {review.subject} – {review.get_outcome_display()}{conditions}"
            )
        for status in open_concerns(programme):
            note = f": {status.note}" if status.note else ""
            lines.append(
                f"Offene Bedenken: {status.group.name} in Phase {status.phase.number}{note}"
            )
    return [("Multiplikatoren und Gremien", lines)]


# Writes ------------------------------------------------------------------------------------


@transaction.atomic
def decision_create(
    *,
    programme: Programme,
    by: User,
    title: str,
    decided_on: date,
    rationale: str,
    budget_eur: Decimal | None = None,
    risks: str = "",
    phases: Iterable[Phase] = (),
    use_cases: Iterable[UseCase] = (),
) -> Decision:
    """Record a decision; the same title on the same day again is a double submission."""
    _lock(programme)
    if programme.decisions.filter(title__iexact=title.strip(), decided_on=decided_on).exists():
        raise GovernanceError(_("This decision is already in the log for that date."))
    decision = Decision.objects.create(
        programme=programme,
        title=title.strip(),
        decided_on=decided_on,
        rationale=rationale,
        budget_eur=budget_eur,
        risks=risks,
        recorded_by=by,
    )
    decision.phases.set(_own_phases(programme, phases))
    decision.use_cases.set(list(use_cases))
    audit_record(
        actor=by,
        action="decision.created",
        target=decision,
        details={"budget_eur": str(budget_eur) if budget_eur is not None else None},
    )
    return decision


@transaction.atomic
def decision_update(
    *,
    decision: Decision,
    by: User,
    phases: Iterable[Phase] | None = None,
    use_cases: Iterable[UseCase] | None = None,
    **values,
) -> Decision:
    """Change the fields in `values` (from DECISION_FIELDS) and, if given, the links."""
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    changed = _apply(decision, DECISION_FIELDS, values)
    if changed:
        decision.save(update_fields=changed)
    if phases is not None:
        wanted = {p.pk for p in _own_phases(decision.programme, phases)}
        if wanted != set(decision.phases.values_list("pk", flat=True)):
            decision.phases.set(wanted)
            changed.append("phases")
    if use_cases is not None:
        wanted = {u.pk for u in use_cases}
        if wanted != set(decision.use_cases.values_list("pk", flat=True)):
            decision.use_cases.set(wanted)
            changed.append("use_cases")
    if changed:
        audit_record(
            actor=by, action="decision.updated", target=decision, details={"changed": changed}
        )
    return decision


@transaction.atomic
def ethics_review_create(*, programme: Programme, by: User, **values) -> EthicsReview:
    """Record a review; `values` are REVIEW_FIELDS (the database checks outcome rules too).

    The same subject with the same outcome and date again is a double submission.
    """
    _lock(programme)
    review = EthicsReview(programme=programme, recorded_by=by)
    _apply(review, REVIEW_FIELDS, values)
    _check_phase(review)
    twin = programme.ethics_reviews.filter(
        subject__iexact=review.subject.strip(),
        outcome=review.outcome,
        reviewed_on=review.reviewed_on,
    )
    if twin.exists():
        raise GovernanceError(_("This review is already recorded."))
    review.save()
    audit_record(
        actor=by, action="ethics.created", target=review, details={"outcome": review.outcome}
    )
    return review


@transaction.atomic
def ethics_review_update(*, review: EthicsReview, by: User, **values) -> EthicsReview:
    review = EthicsReview.objects.select_for_update().get(pk=review.pk)
    before = review.outcome
    changed = _apply(review, REVIEW_FIELDS, values)
    if not changed:
        return review
    _check_phase(review)
    review.save(update_fields=changed)
    details: dict = {"changed": changed}
    if review.outcome != before:
        details.update(before=before, outcome=review.outcome)
    audit_record(actor=by, action="ethics.updated", target=review, details=details)
    return review


def _lock(programme: Programme) -> None:
    # Two clicks on "save" arrive in parallel; the second waits and then sees the first.
    Programme.objects.select_for_update().filter(pk=programme.pk).first()


def _apply(obj, names: Iterable[str], values: dict) -> list[str]:
    changed = []
    for name in names:
        if name in values and getattr(obj, name) != values[name]:
            setattr(obj, name, values[name])
            changed.append(name)
    return changed


def _own_phases(programme: Programme, phases: Iterable[Phase]) -> list[Phase]:
    phases = list(phases)
    if any(p.programme_id != programme.pk for p in phases):
        raise ValueError("a phase of another programme")
    return phases


def _check_phase(review: EthicsReview) -> None:
    if review.phase is not None and review.phase.programme_id != review.programme_id:
        raise ValueError("a phase of another programme")
