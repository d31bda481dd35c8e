"""Demo use cases: two dozen from the teams of the demo company, in every status.

Runs after the multipliers and the governance records (it links the demo's ethics reviews
and a steering decision). Idempotent: keyed by the first title. Writes rows directly (no
service: no mails, no audit entries, no embedding tasks; `search_reindex` embeds later) and
dates them back, so that history, impact per month and the KPIs look like a running
programme. Two pairs are near-duplicates, for the "similar use cases" demo.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from portal.demo import DEMO_DOMAIN
from portal.models import Department, User
from portal.roles import Role
from rollout.demo.usecases_data import (
    CHECKLISTS,
    COMMENTS,
    DECISIONS,
    REVIEWS,
    RISK,
    USE_CASES,
    Demo,
    S,
)
from rollout.models import (
    DataProtectionSignoff,
    Decision,
    EthicsReview,
    UseCase,
    UseCaseComment,
    UseCaseFollow,
    UseCaseTransition,
    UseCaseValidation,
    UseCaseVote,
)
from rollout.usecases.risk import QUESTIONS, questionnaire_answers, risk_classify


def _people() -> tuple[dict[str, User], dict[str, list[User]]]:
    cast = {
        u.email.split("@")[0]: u
        for u in User.objects.filter(
            email__in=[f"{n}@{DEMO_DOMAIN}" for n in ("alice", "bob", "rita", "walter", "charlie")]
        )
    }
    by_department: dict[str, list[User]] = {}
    multipliers = User.objects.filter(
        email__endswith=f"@{DEMO_DOMAIN}", is_active=True, groups__name=Role.MULTIPLIER
    ).select_related("department")
    for person in multipliers.order_by("pk"):
        if person.department:
            by_department.setdefault(person.department.short_name, []).append(person)
    return cast, by_department


def _person(spec: str, cast: dict[str, User], by_department: dict[str, list[User]]) -> User:
    if spec in cast:
        return cast[spec]
    people = by_department.get(spec[:2]) or [cast["bob"]]
    return people[(int(spec[2:]) - 1) % len(people)]


@transaction.atomic
def seed_use_cases(write: Callable[[str], None]) -> None:
    """Log the demo use cases with their history, checks, votes and comments."""
    if UseCase.objects.filter(title=USE_CASES[0].title).exists():
        write("Demo use cases already present.")
        return
    cast, by_department = _people()
    if "bob" not in cast or "rita" not in cast:
        write("No demo people: use cases skipped.")
        return
    departments = {d.short_name: d for d in Department.objects.all()}
    now, rng = timezone.now(), random.Random(6)  # noqa: S311 - demo data
    voters = list(User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}", is_active=True))
    made: dict[str, UseCase] = {}
    votes: list[UseCaseVote] = []
    for demo in USE_CASES:
        owner = _person(demo.owner, cast, by_department)
        use_case = _create(demo, owner=owner, department=departments.get(demo.department), now=now)
        _history(use_case, demo.path, owner=owner, reviewer=cast["rita"], now=now)
        _checks(use_case, demo.path, cast=cast, now=now)
        made[demo.title] = use_case
        others = [v for v in voters if v.pk != owner.pk]
        votes += [
            UseCaseVote(use_case=use_case, user=voter)
            for voter in rng.sample(others, min(len(others), rng.randint(0, 14)))
        ]
    UseCaseVote.objects.bulk_create(votes)
    _community(made, cast, by_department, now=now)
    _governance(made, cast)
    write(f"Demo use cases: {len(made)} in every status.")


def _create(demo: Demo, *, owner: User, department: Department | None, now) -> UseCase:
    answers = questionnaire_answers(
        **{key: bool(flag) for (key, *_r), flag in zip(QUESTIONS, RISK[demo.risk], strict=True)}
    )
    status, days, reason = demo.path[-1] if demo.path else (S.IDEA, demo.logged, "")
    use_case = UseCase.objects.create(
        title=demo.title,
        department=department,
        problem=demo.problem,
        solution=demo.solution,
        assistant=demo.assistant,
        tool=demo.tool,
        personal_data="p" in demo.data,
        customer_data="c" in demo.data,
        confidential_data="x" in demo.data,
        hours_saved_estimate=Decimal(demo.estimate) if demo.estimate else None,
        hours_saved_measured=Decimal(demo.measured) if demo.measured else None,
        owner=owner,
        status=status,
        status_reason=reason if status in (S.PARKED, S.REJECTED) else "",
        risk=risk_classify(answers),
        risk_answers=answers,
    )
    UseCase.objects.filter(pk=use_case.pk).update(
        created_at=now - timedelta(days=demo.logged, hours=3),
        updated_at=now - timedelta(days=days),
        status_changed_at=now - timedelta(days=days) if demo.path else None,
    )
    return use_case


def _history(use_case: UseCase, path, *, owner: User, reviewer: User, now) -> None:
    before = S.IDEA
    for status, days, comment in path:
        by = owner if status == S.IN_REVIEW else reviewer
        step = UseCaseTransition.objects.create(
            use_case=use_case, from_status=before, to_status=status, by=by, comment=comment
        )
        UseCaseTransition.objects.filter(pk=step.pk).update(at=now - timedelta(days=days))
        before = status


def _checks(use_case: UseCase, path, *, cast: dict[str, User], now) -> None:
    """Checklists and sign-offs: before each validation, and on some pilots."""
    validated = next((days for status, days, _c in path if status == S.VALIDATED), None)
    pilot = next((days for status, days, _c in path if status == S.PILOT), None)
    complete = CHECKLISTS.get(use_case.title, validated is not None)
    if pilot is None or (validated is None and use_case.title not in CHECKLISTS):
        return
    at = now - timedelta(days=(validated + 1) if validated else max(1, pilot - 3))
    check = UseCaseValidation.objects.create(
        use_case=use_case,
        reviewer=cast["rita"],
        quality_ok=True,
        data_protection_ok=True,
        it_security_ok=complete,
        staff_effects_ok=True,
        notes="" if complete else "Zugriffsrechte auf die Normendatenbank noch offen.",
    )
    UseCaseValidation.objects.filter(pk=check.pk).update(created_at=at)
    if use_case.personal_data and validated is not None and "walter" in cast:
        signoff = DataProtectionSignoff.objects.create(
            use_case=use_case, by=cast["walter"], note="Verarbeitungsverzeichnis ergänzt."
        )
        DataProtectionSignoff.objects.filter(pk=signoff.pk).update(created_at=at)


def _community(made: dict[str, UseCase], cast, by_department, *, now) -> None:
    for title, comments in COMMENTS.items():
        for spec, days, body in comments:
            author = _person(spec, cast, by_department)
            comment = UseCaseComment.objects.create(use_case=made[title], author=author, body=body)
            UseCaseComment.objects.filter(pk=comment.pk).update(
                created_at=now - timedelta(days=days)
            )
            if author.pk != made[title].owner_id:
                UseCaseFollow.objects.get_or_create(use_case=made[title], user=author)


def _governance(made: dict[str, UseCase], cast: dict[str, User]) -> None:
    """Link the demo's reviews and a decision; route the new high-risk one to the board."""
    for title, subject in REVIEWS.items():
        EthicsReview.objects.filter(subject=subject, use_case__isnull=True).update(
            use_case=made[title]
        )
    for decision_title, titles in DECISIONS.items():
        decision = Decision.objects.filter(title=decision_title).first()
        if decision is not None:
            decision.use_cases.add(*(made[t] for t in titles))
    from rollout.programme import selectors

    programme = selectors.current_programme()
    if programme is None:
        return
    for use_case in made.values():
        if use_case.risk == UseCase.Risk.HIGH and not use_case.ethics_reviews.exists():
            EthicsReview.objects.create(
                programme=programme,
                subject=use_case.title,
                use_case=use_case,
                staff_effects="Betrifft Bewerber:innen und die Personalauswahl.",
                recorded_by=cast["rita"],
            )
