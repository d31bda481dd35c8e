"""Answer a pulse survey: who (participation) and what (response) in one transaction.

Nothing else links the two: no audit entry, no log line, no message that names the person
together with the answers. What PostgreSQL itself still knows for a while (transaction ids,
row order) is removed when the survey closes: rollout/surveys/seal.py.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from portal.models import User
from rollout.models import Survey, SurveyAnswer, SurveyParticipation, SurveyQuestion, SurveyResponse
from rollout.surveys.services import (
    CLOSED,
    LIKERT_VALUES,
    MAX_TEXT,
    OPEN,
    SCALE_VALUES,
    AlreadyAnswered,
    Kind,
    SurveyError,
    in_audience,
    survey_status,
)


def _answer_row(question: SurveyQuestion, value: int | str | None) -> SurveyAnswer | None:
    """Return the answer to store, None for an empty optional one; refuse impossible values."""
    if value is None or value == "":
        if question.kind == Kind.TEXT:
            return None
        raise SurveyError(_("Please answer every question."))
    if question.kind == Kind.TEXT:
        text = str(value).strip()
        if len(text) > MAX_TEXT or "\x00" in text:
            raise SurveyError(_("The text answer is too long."))
        return SurveyAnswer(question=question, text=text) if text else None
    if question.kind == Kind.CHOICE:
        if value not in (question.choices or []):
            raise SurveyError(_("Please choose one of the offered answers."))
        return SurveyAnswer(question=question, choice=str(value))
    allowed = LIKERT_VALUES if question.kind == Kind.LIKERT else SCALE_VALUES
    if not isinstance(value, int) or value not in allowed:
        raise SurveyError(_("Please choose one of the offered answers."))
    return SurveyAnswer(question=question, number=value)


def _constraint(error: IntegrityError) -> str:
    diag = getattr(error.__cause__, "diag", None)
    return getattr(diag, "constraint_name", "") or ""


def survey_answer(*, survey: Survey, user: User, answers: Mapping[int, int | str | None]) -> None:
    """Store `user`'s answers anonymously: participation and response in one transaction.

    `answers` maps question id → value (as the answer form cleaned it). A second answer of
    the same person — another tab, a double click, two requests at once — fails on the
    unique participation (the only check, so it holds for requests at the same instant too)
    and raises AlreadyAnswered; nothing of it is stored. Deliberately no audit entry and no
    log line: either would link the person to the moment the response was written.
    """
    try:
        with transaction.atomic():
            _share_lock(survey.pk)
            survey = Survey.objects.get(pk=survey.pk)
            status = survey_status(survey)
            if status != OPEN:
                raise SurveyError(
                    _("This survey has closed.")
                    if status == CLOSED
                    else _("This survey is not open yet.")
                )
            if not in_audience(survey, user):
                raise SurveyError(_("This survey is not meant for you."))
            questions = {q.pk: q for q in survey.questions.all()}
            if set(answers) != set(questions):
                raise SurveyError(
                    _("The survey was changed while you answered. Please answer it again.")
                )
            rows = [_answer_row(questions[pk], value) for pk, value in answers.items()]
            SurveyParticipation.objects.create(survey=survey, user=user)
            response = SurveyResponse.objects.create(
                survey=survey, department_id=user.department_id
            )
            for row in rows:
                if row is not None:
                    row.response = response
            SurveyAnswer.objects.bulk_create([row for row in rows if row is not None])
    except IntegrityError as error:
        if _constraint(error) == "survey_answer_once":
            raise AlreadyAnswered(_("You have already answered this survey. Thank you!")) from None
        raise


def _share_lock(survey_id: int) -> None:
    """Lock the survey row FOR SHARE: answers run side by side, a question edit waits."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {Survey._meta.db_table} WHERE id = %s FOR SHARE",  # noqa: S608
            [survey_id],
        )
        if cursor.fetchone() is None:
            raise SurveyError(_("This survey no longer exists."))
