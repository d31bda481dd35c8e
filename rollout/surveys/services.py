"""Pulse surveys: who they are for; create, change, open and close them.

Anonymous by construction (see rollout/surveys/models.py): answering (surveys_answer.py)
inserts the participation (who) and the response (what) in one transaction, and nothing
else links them. What the database itself still knows for a while (system columns, physical
row order) is described, and removed on closing, in rollout/surveys/seal.py.

States, derived from the dates: upcoming (opens_at in the future) → open → closed
(closes_at passed). "Open now" and "close now" move those dates. Once someone has answered,
the questions and the audience are fixed, and a closed survey cannot be opened again (its
results were visible; late answers would show up as a difference).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.models import User
from portal.roles import Role
from portal.services import audit_record
from rollout.models import Survey, SurveyQuestion

Kind = SurveyQuestion.Kind
Audience = Survey.Audience
UPCOMING, OPEN, CLOSED = "upcoming", "open", "closed"
LIKERT_VALUES = range(1, 6)
SCALE_VALUES = range(0, 11)
MAX_TEXT = 3000
MAX_QUESTIONS = 30
MAX_CHOICES = 20
SURVEY_FIELDS = (
    "title",
    "description",
    "opens_at",
    "closes_at",
    "audience",
    "department",
    "role",
    "phase",
    "series",
)


class SurveyError(Exception):
    """The survey cannot be changed or answered like this; the message says why."""


class AlreadyAnswered(SurveyError):
    pass


@dataclass(frozen=True)
class QuestionSpec:
    kind: str
    text: str
    choices: tuple[str, ...] = ()
    key: str = ""

    @classmethod
    def of(cls, question: SurveyQuestion) -> QuestionSpec:
        return cls(question.kind, question.text, tuple(question.choices or ()), question.key)


def survey_status(survey: Survey, now: datetime | None = None) -> str:
    now = now or timezone.now()
    if now < survey.opens_at:
        return UPCOMING
    return OPEN if now < survey.closes_at else CLOSED


def surveys_for(user: User) -> QuerySet[Survey]:
    """Return the surveys whose audience includes `user` (everyone, their department, a role)."""
    audience = Q(audience=Audience.EVERYONE) | Q(
        audience=Audience.ROLE, role__in=sorted(user.roles)
    )
    if user.department_id is not None:
        audience |= Q(audience=Audience.DEPARTMENT, department_id=user.department_id)
    return Survey.objects.filter(audience)


def in_audience(survey: Survey, user: User) -> bool:
    if survey.audience == Audience.DEPARTMENT:
        return survey.department_id is not None and survey.department_id == user.department_id
    if survey.audience == Audience.ROLE:
        return user.has_role(survey.role)
    return survey.audience == Audience.EVERYONE


def audience_label(survey: Survey) -> str:
    if survey.audience == Audience.DEPARTMENT:
        return str(survey.department or "—")
    if survey.audience == Audience.ROLE:
        return str(Role(survey.role).label) if survey.role in Role.values else survey.role
    return str(Audience.EVERYONE.label)


def open_surveys_waiting(user: User) -> QuerySet[Survey]:
    """Return the open surveys for `user` that they have not answered yet (one query)."""
    now = timezone.now()
    return (
        surveys_for(user)
        .filter(opens_at__lte=now, closes_at__gt=now)
        .exclude(participations__user=user)
        .order_by("closes_at", "pk")
    )


# Writes ------------------------------------------------------------------------------------


def _check(fields: dict[str, Any], questions: Sequence[QuestionSpec] | None) -> None:
    """Refuse what the form should have refused (the service is the last guard)."""
    if fields["closes_at"] <= fields["opens_at"]:
        raise SurveyError(_("The survey must close after it opens."))
    audience = fields["audience"]
    if audience not in Audience.values:
        raise SurveyError(_("Choose who the survey is for."))
    if audience == Audience.DEPARTMENT and fields.get("department") is None:
        raise SurveyError(_("Choose the department the survey is for."))
    if audience == Audience.ROLE and not fields.get("role"):
        raise SurveyError(_("Choose the role the survey is for."))
    if questions is None:
        return
    if not questions:
        raise SurveyError(_("A survey needs at least one question."))
    if len(questions) > MAX_QUESTIONS:
        raise SurveyError(_("A survey can have at most %(n)s questions.") % {"n": MAX_QUESTIONS})
    keys = [q.key for q in questions if q.key]
    if len(keys) != len(set(keys)):
        raise SurveyError(_("Each key may be used by one question of the survey only."))
    for q in questions:
        if q.kind not in Kind.values or not q.text.strip():
            raise SurveyError(_("Every question needs a kind and a text."))
        if q.kind == Kind.CHOICE and not 2 <= len(q.choices) <= MAX_CHOICES:
            raise SurveyError(_("A single-choice question needs 2 to 20 choices."))


def _normalise(fields: dict[str, Any]) -> dict[str, Any]:
    fields = {name: fields.get(name) for name in SURVEY_FIELDS}
    fields["description"] = (fields["description"] or "").strip()
    fields["series"] = (fields["series"] or "").strip()
    if fields["audience"] != Audience.DEPARTMENT:
        fields["department"] = None
    if fields["audience"] != Audience.ROLE:
        fields["role"] = ""
    fields["role"] = fields["role"] or ""
    return fields


def _questions_write(survey: Survey, questions: Sequence[QuestionSpec]) -> None:
    survey.questions.all().delete()  # only ever before the first answer
    SurveyQuestion.objects.bulk_create(
        SurveyQuestion(
            survey=survey,
            kind=q.kind,
            text=q.text.strip(),
            choices=list(q.choices) if q.kind == Kind.CHOICE else [],
            key=q.key,
            order=i,
        )
        for i, q in enumerate(questions, start=1)
    )


@transaction.atomic
def survey_create(*, by: User, questions: Sequence[QuestionSpec], **fields: Any) -> Survey:
    fields = _normalise(fields)
    _check(fields, questions)
    survey = Survey.objects.create(created_by=by, **fields)
    _questions_write(survey, questions)
    audit_record(
        actor=by, action="survey.created", target=survey, details={"questions": len(questions)}
    )
    return survey


@transaction.atomic
def survey_update(
    *, survey: Survey, by: User, questions: Sequence[QuestionSpec] | None = None, **fields: Any
) -> Survey:
    """Change a survey; `questions=None` leaves them as they are.

    The row lock makes an answer that arrives meanwhile wait (it takes a share lock), so an
    answer never meets half-replaced questions.
    """
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    fields = _normalise(fields)
    _check(fields, questions)
    if survey.participations.exists():
        current = [QuestionSpec.of(q) for q in survey.questions.all()]
        if questions is not None and list(questions) != current:
            raise SurveyError(
                _(
                    "The questions cannot be changed any more: someone has already answered, "
                    "and their answers would no longer match. Create a new survey in the same "
                    "series instead."
                )
            )
        if (fields["audience"], fields["department"], fields["role"]) != (
            survey.audience,
            survey.department,
            survey.role,
        ):
            raise SurveyError(
                _("The audience cannot be changed any more: someone has already answered.")
            )
        now = timezone.now()
        if survey_status(survey, now) == CLOSED and fields["closes_at"] > now:
            raise SurveyError(
                _(
                    "A closed survey with answers cannot be opened again: its results were "
                    "visible, and late answers could be read from the difference."
                )
            )
    changed = [name for name, value in fields.items() if getattr(survey, name) != value]
    for name, value in fields.items():
        setattr(survey, name, value)
    survey.save()
    if questions is not None and list(questions) != [
        QuestionSpec.of(q) for q in survey.questions.all()
    ]:
        _questions_write(survey, questions)
        changed.append("questions")
    if changed:
        audit_record(
            actor=by, action="survey.changed", target=survey, details={"fields": sorted(changed)}
        )
    return survey


@transaction.atomic
def survey_open(*, survey: Survey, by: User) -> Survey:
    """Open an upcoming survey now."""
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    now = timezone.now()
    status = survey_status(survey, now)
    if status == OPEN:
        raise SurveyError(_("The survey is already open."))
    if status == CLOSED:
        raise SurveyError(_("The survey has closed. Change its closing date to open it again."))
    survey.opens_at = now
    survey.save(update_fields=["opens_at"])
    audit_record(actor=by, action="survey.opened", target=survey)
    return survey


@transaction.atomic
def survey_close(*, survey: Survey, by: User) -> Survey:
    """Close an open survey now and seal its responses (see surveys_seal)."""
    from rollout.surveys.seal import survey_responses_seal

    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    now = timezone.now()
    status = survey_status(survey, now)
    if status == UPCOMING:
        raise SurveyError(_("The survey is not open yet."))
    if status == CLOSED:
        raise SurveyError(_("The survey is already closed."))
    survey.closes_at = now
    survey.save(update_fields=["closes_at"])
    respondents = survey_responses_seal(survey=survey)
    audit_record(
        actor=by, action="survey.closed", target=survey, details={"respondents": respondents}
    )
    return survey
