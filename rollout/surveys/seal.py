"""Seal closed surveys: remove what the database itself still knows about who answered what.

Residual risk, stated plainly. The tables hold no link between a participation (who) and a
response (what): no user column, no timestamp, random UUID keys, no shared sequence. But
PostgreSQL keeps two facts of its own about every row:

- `xmin`, the id of the transaction that wrote it. Participation, response and answers are
  written in one transaction, so until they are rewritten `p.xmin = r.xmin` joins them for
  anyone who can run SQL (`LINKED_SQL` below does exactly that).
- the physical position (`ctid`) and order of rows: responses lie in the heap in the order
  they were written, and so do participations (whose serial ids count up).

So closing a survey rewrites all of its responses and answers in one new transaction in a
random order, with new random keys: afterwards every response carries the same `xmin` (one
that no participation has) and the heap order says nothing. The admin's "close now" does it
at once; `surveys_seal_closed` (a periodic task) does it for surveys that closed by date.

What this does not remove: while a survey is open, a person with direct SQL access to the
database can make the join; database backups taken meanwhile, WAL archives and dead row
versions not yet vacuumed keep the old positions until they expire. Results are shown only
after closing, for that reason among others. Keep direct database access to the operators
who run the server, and say so to the works council.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from rollout.models import Survey, SurveyAnswer, SurveyResponse

# Surveys, closed by `%s`, whose responses can still be joined to participations by xmin.
LINKED_SQL = """
    SELECT DISTINCT r.survey_id
    FROM rollout_surveyresponse r
    JOIN rollout_surveyparticipation p ON p.survey_id = r.survey_id AND p.xmin = r.xmin
    JOIN rollout_survey s ON s.id = r.survey_id
    WHERE s.closes_at <= %s
"""


@transaction.atomic
def survey_responses_seal(*, survey: Survey) -> int:
    """Rewrite the survey's responses and answers in random order; return the response count.

    Call it in a transaction other than the answers' (closing is one), else the new rows
    would carry the answers' transaction id again.
    """
    rng = secrets.SystemRandom()
    Survey.objects.select_for_update().filter(pk=survey.pk).first()  # one rewrite at a time
    responses = list(
        SurveyResponse.objects.filter(survey=survey).values_list("id", "department_id", "group")
    )
    answers = list(
        SurveyAnswer.objects.filter(response__survey=survey).values_list(
            "response_id", "question_id", "number", "choice", "text"
        )
    )
    SurveyAnswer.objects.filter(response__survey=survey).delete()
    SurveyResponse.objects.filter(survey=survey).delete()
    rng.shuffle(responses)
    rng.shuffle(answers)
    new_id = {old: uuid.uuid4() for old, _department, _group in responses}
    SurveyResponse.objects.bulk_create(
        SurveyResponse(id=new_id[old], survey_id=survey.pk, department_id=department, group=group)
        for old, department, group in responses
    )
    SurveyAnswer.objects.bulk_create(
        SurveyAnswer(
            response_id=new_id[response],
            question_id=question,
            number=number,
            choice=choice,
            text=text,
        )
        for response, question, number, choice, text in answers
    )
    return len(responses)


def linked_surveys(now: datetime | None = None) -> list[int]:
    """Return the ids of closed surveys that still need sealing."""
    with connection.cursor() as cursor:
        cursor.execute(LINKED_SQL, [now or timezone.now()])
        return sorted(row[0] for row in cursor.fetchall())


def surveys_seal_closed(now: datetime | None = None) -> int:
    """Seal every closed survey that still needs it, each in its own transaction."""
    sealed = 0
    for survey in Survey.objects.filter(pk__in=linked_surveys(now)):
        survey_responses_seal(survey=survey)
        sealed += 1
    return sealed
