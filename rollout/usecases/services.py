"""Use cases: who may do what, the pipeline's allowed steps, logging and editing.

Everyone signed in sees every use case (transparency) and may log one; the person who logs
it owns it. The owner, the contributors the owner names and programme admins maintain it;
reviewers (and admins) review it. The steps of the pipeline live in `TRANSITIONS` and
nowhere else; `rollout.usecases.workflow` carries them out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from portal.models import Department, User
from portal.roles import REVIEWERS, Role
from portal.services import audit_record
from rollout.models import UseCase
from rollout.usecases.risk import risk_classify, route_to_ethics
from rollout.usecases.search import use_case_changed

S = UseCase.Status
EDITOR = "editor"  # owner, contributors, programme admins
REVIEWER = "reviewer"  # reviewers and programme admins

OPEN = (S.IDEA, S.IN_REVIEW, S.PILOT, S.VALIDATED)
COUNTED = (S.VALIDATED, S.ROLLED_OUT)  # what the KPIs and the impact count
INTAKE = (S.IDEA, S.IN_REVIEW, S.PARKED)  # the risk questionnaire may still change
TEXT_FIELDS = ("title", "problem", "solution", "tool")  # what search indexes
EDIT_FIELDS = (
    "title",
    "department",
    "problem",
    "solution",
    "assistant",
    "tool",
    "personal_data",
    "customer_data",
    "confidential_data",
    "hours_saved_estimate",
    "hours_saved_measured",
)


@dataclass(frozen=True)
class Step:
    """One allowed move: to which status, who may make it, whether a reason is needed."""

    to: str
    label: str | Promise
    by: frozenset[str]
    reason_required: bool = False


def _park(by: frozenset[str] = frozenset({EDITOR, REVIEWER})) -> Step:
    return Step(S.PARKED, _("Park"), by, reason_required=True)


_REJECT = Step(S.REJECTED, _("Reject"), frozenset({REVIEWER}), reason_required=True)
_REVIEWERS = frozenset({REVIEWER})

# The one place that says which step follows which, and who takes it. Rolled out and
# rejected are final; parked resumes as an idea or straight into review.
TRANSITIONS: dict[str, tuple[Step, ...]] = {
    S.IDEA: (Step(S.IN_REVIEW, _("Submit for review"), frozenset({EDITOR})), _park(), _REJECT),
    S.IN_REVIEW: (Step(S.PILOT, _("Start the pilot"), _REVIEWERS), _park(), _REJECT),
    S.PILOT: (Step(S.VALIDATED, _("Mark as validated"), _REVIEWERS), _park(), _REJECT),
    S.VALIDATED: (Step(S.ROLLED_OUT, _("Mark as rolled out"), _REVIEWERS), _park(_REVIEWERS)),
    S.PARKED: (
        Step(S.IDEA, _("Resume as an idea"), frozenset({EDITOR, REVIEWER})),
        Step(S.IN_REVIEW, _("Resume in review"), frozenset({EDITOR, REVIEWER})),
        _REJECT,
    ),
    S.ROLLED_OUT: (),
    S.REJECTED: (),
}


class UseCaseError(Exception):
    """The change is not possible; the message says why, for the person who tried."""


# Who may do what ---------------------------------------------------------------------------


def _contributes(use_case: UseCase, user: User) -> bool:
    # .all() reads the prefetched contributors when the page loaded them (no query then).
    return any(person.pk == user.pk for person in use_case.contributors.all())


def is_editor(use_case: UseCase, user: User) -> bool:
    """Owner, contributors and programme admins maintain a use case."""
    if user.pk == use_case.owner_id or user.has_role(Role.PROGRAMME_ADMIN):
        return True
    return _contributes(use_case, user)


def is_reviewer(user: User) -> bool:
    return user.has_role(*REVIEWERS)


def is_involved(use_case: UseCase, user: User) -> bool:
    """Owner or contributor: they may not review their own use case (four eyes)."""
    return user.pk == use_case.owner_id or _contributes(use_case, user)


def step_to(status: str, to: str) -> Step | None:
    return next((s for s in TRANSITIONS.get(status, ()) if s.to == to), None)


def step_allowed_for(step: Step, *, editor: bool, reviewer: bool) -> bool:
    return (EDITOR in step.by and editor) or (REVIEWER in step.by and reviewer)


def steps_for(use_case: UseCase, user: User) -> list[Step]:
    """Return the steps `user` may take from the current status (the page's buttons)."""
    editor, reviewer = is_editor(use_case, user), is_reviewer(user)
    return [
        step
        for step in TRANSITIONS[use_case.status]
        if step_allowed_for(step, editor=editor, reviewer=reviewer)
    ]


def forget_dashboard() -> None:
    """Drop the cached programme dashboard once committed: a KPI it shows has changed."""
    from rollout.programme import selectors
    from rollout.programme.services import dashboard_cache_forget

    programme = selectors.current_programme()
    if programme is not None:
        dashboard_cache_forget(programme.pk)


# Writes ------------------------------------------------------------------------------------


def _one_line(text: str) -> str:
    return " ".join(text.split())  # a title travels into mail subjects


@transaction.atomic
def usecase_create(
    *,
    by: User,
    title: str,
    problem: str,
    solution: str,
    risk_answers: dict[str, bool],
    department: Department | None = None,
    assistant: str = "",
    tool: str = "",
    personal_data: bool = False,
    customer_data: bool = False,
    confidential_data: bool = False,
    hours_saved_estimate: Decimal | None = None,
    hours_saved_measured: Decimal | None = None,
    contributors: Iterable[User] = (),
) -> UseCase:
    """Log a use case as an idea owned by `by`, classified by the risk questionnaire.

    A high-risk one is routed to the ethics board at once (a pending review).
    """
    use_case = UseCase.objects.create(
        owner=by,
        title=_one_line(title),
        department=department,
        problem=problem.strip(),
        solution=solution.strip(),
        assistant=assistant,
        tool=tool.strip(),
        personal_data=personal_data,
        customer_data=customer_data,
        confidential_data=confidential_data,
        hours_saved_estimate=hours_saved_estimate,
        hours_saved_measured=hours_saved_measured,
        risk=risk_classify(risk_answers),
        risk_answers=risk_answers,
    )
    use_case.contributors.set([p for p in contributors if p.pk != by.pk])
    audit_record(
        actor=by, action="usecase.created", target=use_case, details={"risk": use_case.risk}
    )
    if use_case.risk == UseCase.Risk.HIGH:
        route_to_ethics(use_case, by=by)
    use_case_changed(use_case.pk)
    return use_case


@transaction.atomic
def usecase_update(
    *,
    use_case: UseCase,
    by: User,
    contributors: Iterable[User] | None = None,
    risk_answers: dict[str, bool] | None = None,
    **values,
) -> UseCase:
    """Change the fields in `values` (from EDIT_FIELDS), the contributors and, at intake,
    the risk answers. Only what changed is saved and audited (names, never content)."""
    use_case = UseCase.objects.select_for_update().get(pk=use_case.pk)
    if "title" in values:
        values["title"] = _one_line(values["title"])
    for name in ("problem", "solution", "tool"):
        if name in values:
            values[name] = values[name].strip()
    changed = [n for n in EDIT_FIELDS if n in values and getattr(use_case, n) != values[n]]
    for name in changed:
        setattr(use_case, name, values[name])
    details: dict = {}
    if risk_answers is not None and risk_answers != use_case.risk_answers:
        if use_case.status not in INTAKE:
            raise UseCaseError(_("The risk questionnaire can only change before the pilot."))
        risk = risk_classify(risk_answers)
        use_case.risk_answers = risk_answers
        changed.append("risk_answers")
        if risk != use_case.risk:
            details.update(risk_before=use_case.risk, risk=risk)
            use_case.risk = risk
            changed.append("risk")
    if changed:
        use_case.save(update_fields=[*changed, "updated_at"])
    if contributors is not None:
        wanted = {p.pk for p in contributors if p.pk != use_case.owner_id}
        if wanted != set(use_case.contributors.values_list("pk", flat=True)):
            use_case.contributors.set(wanted)
            changed.append("contributors")
    if not changed:
        return use_case
    audit_record(
        actor=by, action="usecase.updated", target=use_case, details={"changed": changed, **details}
    )
    if details.get("risk") == UseCase.Risk.HIGH:
        route_to_ethics(use_case, by=by)
    if use_case.status in COUNTED and {"hours_saved_estimate", "hours_saved_measured"} & set(
        changed
    ):
        forget_dashboard()  # the time-saved KPI changed
    if set(changed) & set(TEXT_FIELDS):
        use_case_changed(use_case.pk)
    return use_case
