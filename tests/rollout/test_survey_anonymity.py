"""Survey anonymity, proven on the database rows themselves (raw SQL, every column).

No response can be joined to a user: no user column, no timestamp, random keys and no
shared sequence, no reference from a participation to a response, no audit entry for an
answer — and, after closing, not even PostgreSQL's own transaction ids (xmin) link them.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone, translation

from portal.models import AuditEntry
from rollout.models import FeedbackMessage, Survey, SurveyAnswer, SurveyResponse
from rollout.surveys.feedback import feedback_seal, feedback_send
from rollout.surveys.seal import linked_surveys
from rollout.surveys.tasks import anonymity_seal
from tests.rollout.test_surveys import close, login, make_survey, people, respond

TABLES = {
    # `group`: the results group key, fixed from `department_id` when results are first read
    "rollout_surveyresponse": {"id", "survey_id", "department_id", "group"},
    "rollout_surveyanswer": {"id", "response_id", "question_id", "number", "choice", "text"},
    "rollout_surveyparticipation": {"id", "survey_id", "user_id"},
    "rollout_feedbackmessage": {"id", "kind", "text", "received_month", "handled"},
}


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Assert on the English source texts, whatever the German catalogue says."""
    with translation.override("en"):
        yield


def _sql(query: str, params: list | None = None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(query, params or [])
        return cursor.fetchall()


def _columns(table: str) -> dict[str, tuple[str, str | None, str]]:
    rows = _sql(
        "SELECT column_name, data_type, column_default, is_identity "
        "FROM information_schema.columns WHERE table_name = %s",
        [table],
    )
    return {name: (kind, default, identity) for name, kind, default, identity in rows}


def _references(table: str) -> set[str]:
    rows = _sql(
        "SELECT confrelid::regclass::text FROM pg_constraint "
        "WHERE contype = 'f' AND conrelid = %s::regclass",
        [table],
    )
    return {row[0] for row in rows}


@pytest.mark.django_db
def test_schema_has_nothing_that_could_join_a_response_to_a_person() -> None:
    for table, expected in TABLES.items():
        assert set(_columns(table)) == expected, table
    for table in ("rollout_surveyresponse", "rollout_surveyanswer", "rollout_feedbackmessage"):
        columns = _columns(table)
        dated = [c for c, (kind, _d, _i) in columns.items() if "time" in kind or kind == "date"]
        assert dated == (["received_month"] if table == "rollout_feedbackmessage" else [])
        kind, default, identity = columns["id"]
        assert (kind, default, identity) == ("uuid", None, "NO")  # random in Python, no sequence
        assert _sql("SELECT pg_get_serial_sequence(%s, 'id')", [table]) == [(None,)]
    assert _references("rollout_surveyresponse") == {"rollout_survey", "portal_department"}
    assert _references("rollout_surveyanswer") == {
        "rollout_surveyresponse",
        "rollout_surveyquestion",
    }
    # the participation knows the survey and the person — and nothing of the response
    assert _references("rollout_surveyparticipation") == {"rollout_survey", "portal_user"}
    # no sequence is shared: the only one around belongs to the participations
    owned = _sql(
        "SELECT DISTINCT t.relname FROM pg_depend d "
        "JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S' "
        "JOIN pg_class t ON t.oid = d.refobjid "
        "WHERE t.relname IN ('rollout_surveyresponse', 'rollout_surveyanswer', "
        "'rollout_surveyparticipation')"
    )
    assert owned == [("rollout_surveyparticipation",)]


@pytest.mark.django_db
def test_rows_written_by_answering_hold_no_trace_of_the_person(client) -> None:
    users = people(6, "Konstruktion")
    survey = make_survey()
    audit_before = _sql("SELECT * FROM portal_auditentry")
    q = {question.key: question.pk for question in survey.questions.all()}
    for i, user in enumerate(users):
        login(client, user)
        response = client.post(
            f"/umfragen/{survey.pk}/",
            {
                f"q{q['confidence']}": str(1 + i % 5),
                f"q{q['nps']}": str(i),
                f"q{q['usage']}": "nie",
                f"q{q['wish']}": f"Idee {i}",
            },
        )
        assert response.status_code == 302
    responses = _sql("SELECT * FROM rollout_surveyresponse")
    answers = _sql("SELECT * FROM rollout_surveyanswer")
    participations = _sql("SELECT id, survey_id, user_id FROM rollout_surveyparticipation")
    assert len(responses) == 6 and len(answers) == 24 and len(participations) == 6
    cells = {str(cell) for row in responses + answers for cell in row}
    assert not ({u.email for u in users} | {u.name for u in users}) & cells
    response_ids = {str(row[0]) for row in _sql("SELECT id FROM rollout_surveyresponse")}
    # all six share one department: the department cannot single anyone out
    departments = _sql("SELECT DISTINCT department_id FROM rollout_surveyresponse")
    assert departments == [(users[0].department_id,)]
    # the audit log got nothing from answering: not one row, let alone one naming a response
    assert _sql("SELECT * FROM portal_auditentry") == audit_before
    assert not any(rid in str(row) for row in audit_before for rid in response_ids)
    # responses are not numbered: their keys are random UUIDs, unrelated to participations
    assert all(len(rid) == 36 for rid in response_ids)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_closing_removes_the_link_postgresql_itself_keeps() -> None:
    users = people(5, "Vertrieb", prefix="x")
    survey = make_survey()
    respond(survey, users, text="Mehr Zeit")
    join = (
        "SELECT count(*) FROM rollout_surveyparticipation p "
        "JOIN rollout_surveyresponse r ON r.survey_id = p.survey_id AND r.xmin = p.xmin"
    )
    # The residual risk while the survey is open: one transaction wrote both rows.
    assert _sql(join) == [(5,)]
    assert linked_surveys(timezone.now() + timedelta(days=30)) == [survey.pk]
    values_before = sorted(
        SurveyAnswer.objects.values_list("question_id", "number", "choice", "text")
    )
    ids_before = set(SurveyResponse.objects.values_list("id", flat=True))
    close(survey)
    assert _sql(join) == [(0,)]
    assert _sql(
        "SELECT count(*) FROM rollout_surveyparticipation p "
        "JOIN rollout_surveyanswer a ON a.xmin = p.xmin"
    ) == [(0,)]
    assert linked_surveys() == []
    # the same answers, under new random keys
    assert sorted(SurveyAnswer.objects.values_list("question_id", "number", "choice", "text")) == (
        values_before
    )
    assert not ids_before & set(SurveyResponse.objects.values_list("id", flat=True))
    assert (
        not AuditEntry.objects.exclude(action__in=["survey.created", "survey.closed"])
        .filter(target_type="rollout.survey")
        .exists()
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_survey_closing_by_date_is_sealed_by_the_task() -> None:
    users = people(3, "Service", prefix="y")
    survey = make_survey(closes=timedelta(hours=1))
    other = make_survey(title="Noch offen", closes=timedelta(days=5))
    respond(survey, users)
    respond(other, users)
    assert anonymity_seal() == 0  # nothing closed yet: the open one is left alone
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        assert linked_surveys() == [survey.pk]
        assert anonymity_seal() == 1
        assert linked_surveys() == []
        assert anonymity_seal() == 0  # idempotent
    assert Survey.objects.get(pk=other.pk).responses.count() == 3


@pytest.mark.django_db
def test_feedback_is_stored_without_sender_and_resealed(client, alice) -> None:
    audit_before = AuditEntry.objects.count()
    login(client, alice)
    assert (
        client.post("/feedback/", {"kind": "concern", "text": "Sorge um Stellen"}).status_code
        == 302
    )
    rows = _sql("SELECT * FROM rollout_feedbackmessage")
    assert len(rows) == 1 and alice.email not in str(rows) and alice.name not in str(rows)
    assert AuditEntry.objects.count() == audit_before
    message = FeedbackMessage.objects.get()
    assert message.received_month == timezone.localdate().replace(day=1)
    feedback_send(kind="idea", text="Prompt-Sammlung")
    assert feedback_seal() == 2
    assert set(FeedbackMessage.objects.values_list("id", flat=True)) >= {message.pk}
    assert FeedbackMessage.objects.count() == 2
