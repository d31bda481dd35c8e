"""Moving a use case through the pipeline, and the gate before "validated".

Every step is checked against `rollout.usecases.services.TRANSITIONS` under a row lock (two
reviewers clicking at once: the second sees the first's result and is told so), recorded as
a `UseCaseTransition`, audited, and mailed to the people following the use case.

The gate pilot → validated needs, all made after the use case entered the pilot:
a complete checklist by a reviewer who is neither owner nor contributor; if personal data
is involved, the data-protection sign-off of the works council / data protection role; for
a high-risk use case (or one the ethics board looks at) the board's approval. The person
who validates may not be owner or contributor either (four eyes).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.models import User
from portal.roles import Role
from portal.services import audit_record
from rollout.models import (
    DataProtectionSignoff,
    EthicsReview,
    UseCase,
    UseCaseTransition,
    UseCaseValidation,
)
from rollout.usecases.mail import notify
from rollout.usecases.services import (
    COUNTED,
    S,
    UseCaseError,
    forget_dashboard,
    is_editor,
    is_involved,
    is_reviewer,
    step_allowed_for,
    step_to,
)

APPROVED = (EthicsReview.Outcome.APPROVED, EthicsReview.Outcome.CONDITIONS)
BEYOND_IDEA = (S.IN_REVIEW, S.PILOT, S.VALIDATED, S.ROLLED_OUT)


def _locked(use_case: UseCase) -> UseCase:
    return UseCase.objects.select_for_update().get(pk=use_case.pk)


def latest_ethics_review(use_case: UseCase) -> EthicsReview | None:
    return use_case.ethics_reviews.order_by("-created_at", "-pk").first()


def complete_validation(use_case: UseCase) -> UseCaseValidation | None:
    """Return the newest complete checklist made since the use case entered the pilot."""
    since = use_case.status_changed_at
    found = use_case.validations.filter(
        quality_ok=True, data_protection_ok=True, it_security_ok=True, staff_effects_ok=True
    )
    if since is not None:
        found = found.filter(created_at__gte=since)
    return (
        found.exclude(reviewer_id=use_case.owner_id)
        .exclude(reviewer__in=use_case.contributors.all())
        .first()
    )


def current_signoff(use_case: UseCase) -> DataProtectionSignoff | None:
    since = use_case.status_changed_at
    found = use_case.signoffs.select_related("by")
    return (found.filter(created_at__gte=since) if since else found).first()


def validation_gaps(use_case: UseCase) -> list[str]:
    """Return what still stands between a pilot and "validated", in words (empty: nothing)."""
    if use_case.status != S.PILOT:
        return [_("Only a use case in the pilot can be validated.")]
    gaps = []
    if complete_validation(use_case) is None:
        gaps.append(
            _(
                "A reviewer (not the owner or a contributor) must complete the checklist: "
                "quality, data protection, IT security and effects on staff."
            )
        )
    if use_case.personal_data and current_signoff(use_case) is None:
        gaps.append(_("It involves personal data: data protection must sign it off."))
    review = latest_ethics_review(use_case)
    if review is None and use_case.risk == UseCase.Risk.HIGH:
        gaps.append(_("It is high-risk: the ethics board has not reviewed it yet."))
    elif review is not None and review.outcome not in APPROVED:
        gaps.append(
            _("The ethics board has not approved it (review: %(outcome)s).")
            % {"outcome": review.get_outcome_display()}
        )
    return gaps


@transaction.atomic
def usecase_transition(
    *, use_case: UseCase, by: User, to: str, comment: str = "", expected: str | None = None
) -> UseCaseTransition:
    """Move the use case to `to`, if the pipeline and the person allow it.

    `expected` is the status the person saw; if someone moved the use case meanwhile, the
    step is refused instead of applied to a state they did not see.
    """
    use_case = _locked(use_case)
    current = use_case.status
    comment = comment.strip()
    if expected is not None and expected != current:
        raise UseCaseError(
            _("Someone else has just moved this use case: it is now “%(status)s”.")
            % {"status": use_case.get_status_display()}
        )
    step = step_to(current, to)
    if step is None:
        raise UseCaseError(
            _("A use case cannot go from “%(current)s” to “%(to)s”.")
            % {"current": use_case.get_status_display(), "to": UseCase.Status(to).label}
        )
    if not step_allowed_for(step, editor=is_editor(use_case, by), reviewer=is_reviewer(by)):
        raise UseCaseError(_("You may not take this step."))
    if step.reason_required and not comment:
        raise UseCaseError(_("Say why: a reason is required for this step."))
    _check_gates(use_case, by=by, to=to)
    use_case.status = to
    use_case.status_reason = comment if step.reason_required else ""
    use_case.status_changed_at = timezone.now()
    use_case.save(update_fields=["status", "status_reason", "status_changed_at", "updated_at"])
    record = UseCaseTransition.objects.create(
        use_case=use_case, from_status=current, to_status=to, by=by, comment=comment
    )
    audit_record(
        actor=by,
        action="usecase.status_changed",
        target=use_case,
        details={"from": current, "to": to, "transition": record.pk},
    )
    if current in COUNTED or to in COUNTED:
        forget_dashboard()
    notify(use_case, kind="status", ref_id=record.pk, actor=by)
    return record


def _check_gates(use_case: UseCase, *, by: User, to: str) -> None:
    if to in BEYOND_IDEA and use_case.risk == UseCase.Risk.UNCLASSIFIED:
        raise UseCaseError(_("Answer the risk questionnaire first."))
    if to in BEYOND_IDEA and use_case.risk == UseCase.Risk.PROHIBITED:
        raise UseCaseError(
            _(
                "A prohibited practice under the EU AI Act cannot go beyond the idea stage. "
                "Correct the risk questionnaire if it was answered by mistake."
            )
        )
    if to == S.VALIDATED:
        if is_involved(use_case, by):
            raise UseCaseError(_("Owner and contributors cannot validate their own use case."))
        gaps = validation_gaps(use_case)
        if gaps:
            raise UseCaseError(" ".join([_("Not yet:"), *gaps]))


@transaction.atomic
def validation_record(
    *,
    use_case: UseCase,
    by: User,
    quality_ok: bool,
    data_protection_ok: bool,
    it_security_ok: bool,
    staff_effects_ok: bool,
    notes: str = "",
) -> UseCaseValidation:
    """Record a reviewer's checklist on a use case in the pilot (complete or not)."""
    use_case = _locked(use_case)
    if not is_reviewer(by):
        raise UseCaseError(_("Only reviewers complete the checklist."))
    if use_case.status != S.PILOT:
        raise UseCaseError(_("The checklist is completed while the use case is in the pilot."))
    if is_involved(use_case, by):
        raise UseCaseError(_("Owner and contributors cannot validate their own use case."))
    validation = UseCaseValidation.objects.create(
        use_case=use_case,
        reviewer=by,
        quality_ok=quality_ok,
        data_protection_ok=data_protection_ok,
        it_security_ok=it_security_ok,
        staff_effects_ok=staff_effects_ok,
        notes=notes.strip(),
    )
    audit_record(
        actor=by,
        action="usecase.checklist_recorded",
        target=use_case,
        details={"validation": validation.pk, "complete": validation.complete},
    )
    return validation


@transaction.atomic
def signoff_record(*, use_case: UseCase, by: User, note: str = "") -> DataProtectionSignoff:
    """Record the data-protection sign-off of a pilot that involves personal data."""
    use_case = _locked(use_case)
    if not by.has_role(Role.WORKS_COUNCIL):
        raise UseCaseError(_("Only the works council / data protection role signs off."))
    if use_case.status != S.PILOT:
        raise UseCaseError(_("Data protection signs off while the use case is in the pilot."))
    if not use_case.personal_data:
        raise UseCaseError(_("This use case involves no personal data: no sign-off needed."))
    if is_involved(use_case, by):
        raise UseCaseError(_("Owner and contributors cannot validate their own use case."))
    if current_signoff(use_case) is not None:
        raise UseCaseError(_("Data protection has already signed this pilot off."))
    signoff = DataProtectionSignoff.objects.create(use_case=use_case, by=by, note=note.strip())
    audit_record(
        actor=by, action="usecase.signed_off", target=use_case, details={"signoff": signoff.pk}
    )
    return signoff
