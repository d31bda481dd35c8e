"""Pulse surveys: creating and editing them, audiences, answering once, bad input."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone, translation

from portal.models import AuditEntry, Department, User
from portal.roles import Role
from rollout.models import Survey, SurveyAnswer, SurveyParticipation, SurveyQuestion, SurveyResponse
from rollout.surveys import services as service
from rollout.surveys.answer import survey_answer
from rollout.surveys.hooks import survey_cards
from rollout.surveys.services import QuestionSpec
from tests.factories import DepartmentFactory, UserFactory

Kind = SurveyQuestion.Kind
QUESTIONS = [
    QuestionSpec(Kind.LIKERT, "Wie sicher fühlen Sie sich im Umgang mit KI?", key="confidence"),
    QuestionSpec(Kind.SCALE, "Wie wahrscheinlich empfehlen Sie die Werkzeuge?", key="nps"),
    QuestionSpec(Kind.CHOICE, "Wie oft nutzen Sie KI?", ("täglich", "wöchentlich", "nie"), "usage"),
    QuestionSpec(Kind.TEXT, "Was würde Ihnen helfen?", key="wish"),
]


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Assert on the English source texts, whatever the German catalogue says."""
    with translation.override("en"):
        yield


def login(client, user: User) -> None:
    """Sign in with English as the person's language (pages in the source language)."""
    User.objects.filter(pk=user.pk).update(preferred_language="en")
    client.force_login(user)


def make_survey(
    *,
    opens: timedelta = timedelta(hours=-1),
    closes: timedelta = timedelta(days=7),
    questions: list[QuestionSpec] | None = None,
    **fields,
) -> Survey:
    now = timezone.now()
    fields = {
        "title": "Stimmungsbild KI",
        "audience": Survey.Audience.EVERYONE,
        **fields,
        "opens_at": now + opens,
        "closes_at": now + closes,
    }
    return service.survey_create(by=None, questions=questions or QUESTIONS, **fields)


def people(n: int, department: str, prefix: str = "p") -> list[User]:
    dept = DepartmentFactory(name=department)
    return [
        UserFactory(email=f"{prefix}{i}.{dept.pk}@firma.test", department=dept) for i in range(n)
    ]


def respond(survey: Survey, users: Iterable[User], *, confidence: int = 4, text: str = "") -> None:
    q = {question.key: question.pk for question in survey.questions.all()}
    for user in users:
        answers = {q["confidence"]: confidence, q["nps"]: 8, q["usage"]: "täglich"}
        answers[q["wish"]] = text
        survey_answer(survey=survey, user=user, answers=answers)


def close(survey: Survey) -> Survey:
    return service.survey_close(survey=survey, by=None)


def _form(opens: str = "2030-05-04T09:00", closes: str = "2030-05-18T17:00", **extra) -> dict:
    data = {
        "title": "Stimmungsbild KI",
        "description": "",
        "opens_at": opens,
        "closes_at": closes,
        "audience": "everyone",
        "series": "pulse",
        "questions-TOTAL_FORMS": "3",
        "questions-INITIAL_FORMS": "0",
        "questions-MIN_NUM_FORMS": "0",
        "questions-MAX_NUM_FORMS": "30",
        "questions-0-kind": "likert",
        "questions-0-text": "Wie sicher fühlen Sie sich?",
        "questions-0-key": "confidence",
        "questions-1-kind": "choice",
        "questions-1-text": "Wie oft?",
        "questions-1-choices": "täglich\r\nwöchentlich\r\n\r\nnie",
        "questions-2-kind": "likert",
        "questions-2-text": "",
    }
    data.update(extra)
    return data


@pytest.mark.django_db
def test_admin_creates_a_survey_with_questions(client, ada) -> None:
    login(client, ada)
    assert client.get("/umfragen/verwalten/neu/").status_code == 200
    response = client.post("/umfragen/verwalten/neu/", _form())
    assert response.status_code == 302, response.context["form"].errors
    survey = Survey.objects.get()
    assert survey.series == "pulse" and survey.created_by == ada
    questions = list(survey.questions.order_by("order"))
    assert [(q.kind, q.key) for q in questions] == [("likert", "confidence"), ("choice", "")]
    assert questions[1].choices == ["täglich", "wöchentlich", "nie"]
    assert AuditEntry.objects.filter(action="survey.created", actor=ada).count() == 1
    assert "Stimmungsbild KI" in client.get("/umfragen/verwalten/").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"closes_at": "2030-05-01T09:00"}, "closes_at"),
        ({"audience": "department"}, "department"),
        ({"audience": "role"}, "role"),
        ({"opens_at": "nonsense"}, "opens_at"),
        ({"title": "x" * 201}, "title"),
    ],
)
def test_survey_form_errors(client, ada, extra: dict, field: str) -> None:
    login(client, ada)
    response = client.post("/umfragen/verwalten/neu/", _form(**extra))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Survey.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "extra",
    [
        {"questions-0-text": "", "questions-1-text": "", "questions-1-kind": "likert"},
        {"questions-1-choices": "nur eine"},
        {"questions-1-choices": "a\nb\na"},
        {"questions-1-choices": "x" * 201 + "\nb"},
        {"questions-1-key": "confidence"},
        {"questions-0-kind": "essay"},
        {"questions-TOTAL_FORMS": "31"},
    ],
)
def test_question_errors_are_clear(client, ada, extra: dict) -> None:
    login(client, ada)
    response = client.post("/umfragen/verwalten/neu/", _form(**extra))
    assert response.status_code == 200
    formset = response.context["questions"]
    assert not formset.is_valid()
    assert not Survey.objects.exists()


@pytest.mark.django_db
def test_questions_are_locked_once_someone_answered(client, ada, alice) -> None:
    survey = make_survey(series="pulse")
    login(client, ada)
    edit = f"/umfragen/verwalten/{survey.pk}/bearbeiten/"
    page = client.get(edit)
    assert page.context["questions"] is not None  # still editable
    respond(survey, [alice])
    page = client.get(edit)
    assert page.context["locked"] and page.context["questions"] is None
    assert "cannot be changed any more" in page.content.decode()
    data = {
        "title": "Neuer Titel",
        "opens_at": timezone.localtime(survey.opens_at).strftime("%Y-%m-%dT%H:%M"),
        "closes_at": timezone.localtime(survey.closes_at).strftime("%Y-%m-%dT%H:%M"),
        "audience": "everyone",
    }
    assert client.post(edit, data).status_code == 302  # the title may still change
    survey.refresh_from_db()
    assert survey.title == "Neuer Titel" and survey.questions.count() == 4
    with pytest.raises(service.SurveyError, match="questions cannot be changed"):
        service.survey_update(survey=survey, by=ada, questions=QUESTIONS[:1], **_fields(survey))
    with pytest.raises(service.SurveyError, match="audience cannot be changed"):
        service.survey_update(
            survey=survey, by=ada, **(_fields(survey) | {"audience": "role", "role": "multiplier"})
        )


def _fields(survey: Survey) -> dict:
    return {name: getattr(survey, name) for name in service.SURVEY_FIELDS}


@pytest.mark.django_db
def test_edit_replaces_questions_before_the_first_answer(ada) -> None:
    survey = make_survey()
    service.survey_update(survey=survey, by=ada, questions=QUESTIONS[1:2], **_fields(survey))
    assert [q.key for q in survey.questions.all()] == ["nps"]
    entry = AuditEntry.objects.get(action="survey.changed")
    assert entry.details == {"fields": ["questions"]}


@pytest.mark.django_db
def test_open_and_close(client, ada, alice) -> None:
    survey = make_survey(opens=timedelta(days=2))
    login(client, ada)
    assert client.get(f"/umfragen/verwalten/{survey.pk}/oeffnen/").status_code == 405
    client.post(f"/umfragen/verwalten/{survey.pk}/schliessen/")  # not open yet: refused
    survey.refresh_from_db()
    assert service.survey_status(survey) == service.UPCOMING
    assert client.post(f"/umfragen/verwalten/{survey.pk}/oeffnen/").status_code == 302
    survey.refresh_from_db()
    assert service.survey_status(survey) == service.OPEN
    respond(survey, [alice])
    assert client.post(f"/umfragen/verwalten/{survey.pk}/schliessen/").status_code == 302
    survey.refresh_from_db()
    assert service.survey_status(survey) == service.CLOSED
    assert SurveyResponse.objects.filter(survey=survey).count() == 1  # sealed, not lost
    assert list(
        AuditEntry.objects.filter(target_id=str(survey.pk)).values_list("action", flat=True)
    ) == ["survey.closed", "survey.opened", "survey.created"]
    # closed with answers: opening again would make late answers readable as a difference
    with pytest.raises(service.SurveyError, match="cannot be opened again"):
        service.survey_update(
            survey=survey,
            by=ada,
            **(_fields(survey) | {"closes_at": timezone.now() + timedelta(1)}),
        )
    login(client, alice)
    assert client.post(f"/umfragen/verwalten/{survey.pk}/oeffnen/").status_code == 403


@pytest.mark.django_db
def test_audiences(alice, bob, charlie) -> None:
    sales = Department.objects.get(name="Vertrieb")
    everyone = make_survey(title="Alle")
    department = make_survey(title="Vertrieb", audience="department", department=sales)
    role = make_survey(title="Multiplikatoren", audience="role", role=Role.MULTIPLIER)
    assert set(service.surveys_for(alice)) == {everyone, department}
    assert set(service.surveys_for(bob)) == {everyone, role}
    assert set(service.surveys_for(charlie)) == {everyone}
    with pytest.raises(service.SurveyError, match="not meant for you"):
        respond(department, [charlie])
    charlie.department = None
    assert set(service.surveys_for(charlie)) == {everyone}


@pytest.mark.django_db
def test_employee_pages_and_audience_404(client, alice, charlie) -> None:
    sales = Department.objects.get(name="Vertrieb")
    survey = make_survey(title="Nur Vertrieb", audience="department", department=sales)
    login(client, charlie)
    assert "Nur Vertrieb" not in client.get("/umfragen/").content.decode()
    assert client.get(f"/umfragen/{survey.pk}/").status_code == 404
    login(client, alice)
    assert "Nur Vertrieb" in client.get("/umfragen/").content.decode()
    page = client.get(f"/umfragen/{survey.pk}/").content.decode()
    for value in range(11):
        assert f'value="{value}"' in page  # the 0–10 scale
    assert "strongly disagree" in page and "strongly agree" in page
    assert "stored without your name" in page  # the form says what is kept


def _post(survey: Survey, **overrides) -> dict:
    q = {question.key: question.pk for question in survey.questions.all()}
    data = {f"q{q['confidence']}": "4", f"q{q['nps']}": "10", f"q{q['usage']}": "nie"}
    data[f"q{q['wish']}"] = ""
    for key, value in overrides.items():
        data[f"q{q[key]}"] = value
    return data


@pytest.mark.django_db
def test_answer_once_and_clear_states(client, alice) -> None:
    survey = make_survey()
    login(client, alice)
    url = f"/umfragen/{survey.pk}/"
    response = client.post(url, _post(survey, wish="Mehr Beispiele"))
    assert response.status_code == 302
    # a second tab sends the same form again
    again = client.post(url, _post(survey), follow=True)
    assert "already answered" in again.content.decode()
    assert SurveyParticipation.objects.filter(survey=survey).count() == 1
    assert SurveyResponse.objects.filter(survey=survey).count() == 1
    assert SurveyAnswer.objects.filter(response__survey=survey).count() == 4
    assert not AuditEntry.objects.filter(actor=alice).exists()  # no "answered" entry
    # an error report (log, mail to admins) would list no answer next to the person
    assert response.wsgi_request.sensitive_post_parameters == "__ALL__"


@pytest.mark.django_db
def test_closed_and_upcoming_surveys_say_so(client, alice) -> None:
    upcoming = make_survey(opens=timedelta(days=3), closes=timedelta(days=9))
    closed = make_survey(opens=timedelta(days=-9), closes=timedelta(days=-1))
    login(client, alice)
    for survey, words in ((upcoming, "opens on"), (closed, "closed on")):
        page = client.get(f"/umfragen/{survey.pk}/")
        assert page.status_code == 200 and page.context["form"] is None
        assert words in page.content.decode()
        assert client.post(f"/umfragen/{survey.pk}/", _post(survey)).status_code == 409
    assert not SurveyResponse.objects.exists()
    with pytest.raises(service.SurveyError):
        respond(closed, [alice])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("confidence", "6"),
        ("confidence", "0"),
        ("confidence", ""),
        ("nps", "11"),
        ("nps", "-1"),
        ("nps", "zehn"),
        ("usage", "manchmal"),
        ("wish", "x" * 3001),
        ("wish", "a\x00b"),
        ("usage", None),
    ],
)
def test_bad_answers_get_form_errors(client, alice, key: str, value: str) -> None:
    survey = make_survey()
    login(client, alice)
    data = _post(survey, **{key: value}) if value is not None else {}  # None: an empty POST
    response = client.post(f"/umfragen/{survey.pk}/", data)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not SurveyParticipation.objects.exists() and not SurveyResponse.objects.exists()


@pytest.mark.django_db
def test_service_refuses_values_the_form_would_not_send(alice) -> None:
    survey = make_survey()
    q = {question.key: question.pk for question in survey.questions.all()}
    good = {q["confidence"]: 3, q["nps"]: 5, q["usage"]: "nie", q["wish"]: ""}
    for bad in (
        {q["confidence"]: 9},
        {q["nps"]: "5"},
        {q["usage"]: "oft"},
        {q["wish"]: "x" * 3001},
    ):
        with pytest.raises(service.SurveyError):
            survey_answer(survey=survey, user=alice, answers=good | bad)
    with pytest.raises(service.SurveyError, match="changed while you answered"):
        survey_answer(survey=survey, user=alice, answers={q["nps"]: 5})
    assert not SurveyParticipation.objects.exists() and not SurveyResponse.objects.exists()


@pytest.mark.django_db
def test_html_in_answers_and_titles_is_rendered_harmless(client, ada, alice) -> None:
    survey = make_survey(title="<script>alert(1)</script>")
    login(client, alice)
    page = client.get(f"/umfragen/{survey.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


@pytest.mark.django_db
def test_second_answer_fails_on_the_unique_participation(alice) -> None:
    survey = make_survey()
    respond(survey, [alice], text="einmal")
    with pytest.raises(service.AlreadyAnswered):
        respond(survey, [alice], text="zweimal")
    assert (
        SurveyResponse.objects.count() == 1
        and SurveyAnswer.objects.filter(text="zweimal").count() == 0
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_double_submit_stores_exactly_one_response() -> None:
    user = UserFactory(email="eilig@firma.test")
    survey = make_survey()
    q = {question.key: question.pk for question in survey.questions.all()}
    answers = {q["confidence"]: 2, q["nps"]: 3, q["usage"]: "nie", q["wish"]: "zweimal"}
    start = threading.Barrier(4)
    outcomes: list[str] = []
    errors: list[Exception] = []

    def submit() -> None:
        try:
            start.wait()
            survey_answer(survey=survey, user=user, answers=answers)
            outcomes.append("stored")
        except service.AlreadyAnswered:
            outcomes.append("refused")
        except Exception as e:  # collected and asserted below
            errors.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)  # a busy machine can be slow; the outcome is what counts
    assert errors == []
    assert sorted(outcomes) == ["refused"] * 3 + ["stored"]
    assert SurveyParticipation.objects.filter(survey=survey).count() == 1
    assert SurveyResponse.objects.filter(survey=survey).count() == 1
    assert SurveyAnswer.objects.filter(text="zweimal").count() == 1


@pytest.mark.django_db
def test_home_card_while_a_survey_waits(rf, alice, charlie) -> None:
    sales = Department.objects.get(name="Vertrieb")
    survey = make_survey(title="Vertrieb-Puls", audience="department", department=sales)
    make_survey(title="Später", opens=timedelta(days=1), closes=timedelta(days=3))

    def cards(user: User) -> list:
        request = rf.get("/")
        request.user = user
        return survey_cards(request)

    (card,) = cards(alice)
    assert card.template == "rollout/surveys/_card.html"
    assert [s.title for s in card.context["surveys"]] == ["Vertrieb-Puls"]
    assert cards(charlie) == []
    respond(survey, [alice])
    assert cards(alice) == []


@pytest.mark.django_db
def test_home_page_shows_the_card(client, alice, monkeypatch) -> None:
    from portal import registry

    providers = [p for p in registry.home_card_providers if p is not survey_cards]
    monkeypatch.setattr(registry, "home_card_providers", [*providers, survey_cards])
    make_survey(title="Stimmungsbild Welle 3")
    login(client, alice)
    assert "Stimmungsbild Welle 3" in client.get("/").content.decode()
