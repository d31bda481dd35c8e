"""No view, filter, export, trend or admin change reveals a group below k by difference.

The audit's attack: two departments tie, a rename flips which one is merged into "other
departments", and "everyone" less both departments gives one person's answers. This test
plays the whole game. Two waves of a survey (same phase, same series) with tied departments,
a one-person department, people without one and people who skip a wave; then, one after another,
the changes an admin can make: rename departments (flipping their order), move people,
delete a department, raise or lower k. After each, it reads everything a reader can:
the results page for everyone, every offered group and every other key one could type,
the CSV export, the phase figures and the series trend.

Each figure is a set of answers (the test knows every answer's department from before the
changes) and is checked against the database: its answer and option counts must be those of
exactly that set. Then the sets are vectors, and linear algebra decides: no set of fewer
than k answers lies in the span of everything read so far (added and subtracted in any
combination). Every subset below k is tried, not a sample.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pytest
from django.urls import reverse
from django.utils import translation

from portal.models import AuditEntry, Department
from rollout.models import Phase, Survey, SurveyAnswer
from rollout.surveys.results import option_labels, survey_results
from rollout.surveys.trends import phase_figures, series_trend
from tests.factories import UserFactory
from tests.rollout.test_survey_results import _phases
from tests.rollout.test_surveys import close, make_survey

K = 4
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def superuser():
    from allauth.mfa.totp.internal.auth import TOTP

    from portal.models import User
    from tests.conftest import TOTP_SECRET

    user = User.objects.create_superuser("root@firma.test", "Test-Passwort-123", name="Root")
    TOTP.activate(user, TOTP_SECRET)
    return user


@dataclass(frozen=True)
class Figure:
    """One released aggregate: which answers it sums, and what it said about them."""

    space: str  # the question key the answers belong to (across waves: trends, phases)
    answers: frozenset[str]
    where: str


# Department → people: a tie (Vertrieb and IT have 5 each), a department of one, two people
# without a department. In the second wave a few do not answer (closed questions must be
# answered, so a respondent's answers are the unit).
STAFF = {"Produktion": 6, "Vertrieb": 5, "IT": 5, "Einkauf": 1, None: 2}
ABSENT = {1: {}, 2: {"Produktion": 2, "IT": 1}}  # wave → department → people not answering


def _staff() -> dict[str | None, list]:
    made = {}
    for name, n in STAFF.items():
        department = Department.objects.create(name=name) if name else None
        made[name] = [
            UserFactory(email=f"{name or 'ohne'}{i}@firma.test".lower(), department=department)
            for i in range(n)
        ]
    return made


def _wave(number: int, staff: dict[str | None, list], phase: Phase) -> Survey:
    from rollout.surveys.answer import survey_answer

    survey = make_survey(title=f"Puls {number}", series="puls", phase=phase)
    q = {question.key: question for question in survey.questions.all()}
    for name, people in staff.items():
        for i, person in enumerate(people[ABSENT[number].get(name, 0) :]):
            values = {
                "confidence": 1 + (i + number) % 5,
                "nps": (3 * i + number) % 11,
                "usage": ("täglich", "wöchentlich", "nie")[(i + number) % 3],
                "wish": "",
            }
            survey_answer(
                survey=survey, user=person, answers={q[k].pk: v for k, v in values.items()}
            )
    return close(survey)


def _answers(survey: Survey) -> dict[str, tuple[str, int | None, int | str]]:
    """answer id → (question key, department id as answered, value); read before changes."""
    rows = SurveyAnswer.objects.filter(response__survey=survey).exclude(question__key="wish")
    return {
        str(a): (key, dept, number if number is not None else choice)
        for a, key, dept, number, choice in rows.values_list(
            "id", "question__key", "response__department_id", "number", "choice"
        )
    }


def _check_figure(answers: dict[str, tuple], members: set[str], result, where: str) -> None:
    """The figure's counts are those of exactly `members`: the mapping is not assumed."""
    values = Counter(answers[a][2] for a in members)
    assert result.answers == len(members), where
    shown = {str(label): count for label, count, _p in result.rows}
    expected = {str(label): values.get(value, 0) for value, label in option_labels(result.question)}
    assert shown == expected, where


def _read_all(client, surveys, answers, k) -> list[Figure]:
    """Everything a reader can get now, as sets of answers."""
    figures = []
    for survey in surveys:
        mine = answers[survey.pk]
        everyone = survey_results(survey)
        departments = Department.objects.values_list("pk", flat=True)
        keys = {"", "other", "0", "x", *(str(d) for d in departments)}
        keys |= {g.key for g in everyone.groups}
        for dept in set(d for _k, d, _v in mine.values()):
            keys.add(str(dept))
        for group_key in sorted(keys):
            results = survey_results(survey, group_key=group_key)
            if not results.shown:
                assert not any(q.shown for q in results.questions), group_key
                continue
            group = results.group
            for q in results.questions:
                if not q.shown or q.question.kind == "text":
                    continue
                members = {
                    a
                    for a, (key, dept, _v) in mine.items()
                    if key == q.question.key and (group is None or dept in group.departments)
                }
                where = (
                    f"{survey.title} / {group.label if group else 'everyone'} / {q.question.key}"
                )
                _check_figure(mine, members, q, where)
                assert len(members) >= k, where
                figures.append(Figure(q.question.key, frozenset(members), where))
        _export_matches(client, survey, figures)
    figures += _phase_and_trend(surveys, answers, figures)
    return figures


def _export_matches(client, survey: Survey, figures: list[Figure]) -> None:
    """The CSV says nothing the pages did not: each of its figures is one read above."""
    response = client.get(f"/umfragen/auswertung/{survey.pk}/export.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    known = {(f.where.split(" / ")[1], f.space, len(f.answers)) for f in figures}
    for row in rows[1:]:
        if len(row) < 10 or row[8] == "" or row[4] == "wish":
            continue  # a line saying why nothing is shown, or a question not shown
        label = "everyone" if row[1] == "all respondents" else row[1]
        assert (label, row[4], int(row[5])) in known, row


def _phase_and_trend(surveys, answers, figures: list[Figure]) -> list[Figure]:
    """Phase figures and trend points must be sums of figures already read per survey."""
    per_survey = {
        (f.where.split(" / ")[0], f.space): f
        for f in figures
        if f.where.split(" / ")[1] == "everyone"
    }
    made = []
    for figure in phase_figures():
        parts = [per_survey.get((s.title, figure.key)) for s in surveys]
        members = frozenset().union(*(p.answers for p in parts if p))
        assert figure.answers == len(members), f"phase figure {figure.key}"
        values = [answers[s.pk][a][2] for s in surveys for a in members if a in answers[s.pk]]
        assert float(figure.average) == pytest.approx(sum(values) / len(values), abs=0.051)
        made.append(Figure(figure.key, members, f"phase {figure.key}"))
    _waves, lines = series_trend("puls")
    for line in lines:
        for wave, value, n in line.points:
            part = per_survey.get((wave.title, line.key))
            if value is None:
                continue
            assert part is not None and n == len(part.answers), f"trend {line.key} {wave}"
    return made


def _small_set_in_span(figures: list[Figure], k: int) -> list[str]:
    """Every set of 1…k−1 answers that some combination of the figures gives exactly."""
    found = []
    for space in sorted({f.space for f in figures}):
        sets = [f.answers for f in figures if f.space == space]
        universe = sorted(set().union(*sets))
        index = {a: i for i, a in enumerate(universe)}
        matrix = np.zeros((len(sets), len(universe)))
        for row, members in enumerate(sets):
            matrix[row, [index[a] for a in members]] = 1
        _u, singular, vt = np.linalg.svd(matrix, full_matrices=False)
        basis = vt[singular > 1e-9]  # orthonormal rows spanning the figures
        for size in range(1, k):
            for subset in itertools.combinations(range(len(universe)), size):
                vector = np.zeros(len(universe))
                vector[list(subset)] = 1
                if np.linalg.norm(vector - basis.T @ (basis @ vector)) < 1e-6:
                    found.append(f"{space}: {size} answers")
    return found


def test_no_combination_of_views_and_admin_changes_reveals_a_small_group(
    client, superuser, settings
) -> None:
    settings.SURVEY_MIN_GROUP_SIZE = K
    phase = _phases()[3]
    staff = _staff()
    surveys = [_wave(1, staff, phase), _wave(2, staff, phase)]
    answers = {s.pk: _answers(s) for s in surveys}
    client.force_login(superuser)
    seen: list[Figure] = []

    def read(state: str, k: int) -> None:
        now = _read_all(client, [Survey.objects.get(pk=s.pk) for s in surveys], answers, k)
        assert not _small_set_in_span(now, k), f"{state}: this state alone"
        seen.extend(now)
        assert not _small_set_in_span(seen, K), f"{state}: with everything read before"

    read("closed", K)
    first = survey_results(surveys[0])
    assert [g.label for g in first.groups], "the split offers department groups"

    # rename the tied departments so that their alphabetical order flips
    it, sales = Department.objects.get(name="IT"), Department.objects.get(name="Vertrieb")
    for department, name in ((it, "Zentrale IT"), (sales, "Außendienst")):
        url = reverse("admin:portal_department_change", args=[department.pk])
        response = client.post(url, {"name": name, "short_name": ""})
        assert response.status_code == 302, response.content[:500]
    read("renamed", K)
    assert [g.key for g in survey_results(surveys[0]).groups] == [g.key for g in first.groups]
    renamed = AuditEntry.objects.filter(action="department.changed")
    assert renamed.count() == 2
    assert renamed.get(target_id=str(it.pk)).details["name"] == "IT → Zentrale IT"

    # move two people from Produktion to Einkauf
    buying = Department.objects.get(name="Einkauf")
    for person in staff["Produktion"][:2]:
        url = reverse("admin:portal_user_change", args=[person.pk])
        data = {
            "email": person.email,
            "name": person.name,
            "department": buying.pk,
            "preferred_language": person.preferred_language,
            "is_active": "on",
        }
        assert client.post(url, data).status_code == 302
    read("moved", K)
    assert AuditEntry.objects.filter(action="person.department_changed").count() == 2

    # delete the department of one (its responses lose their department)
    url = reverse("admin:portal_department_delete", args=[buying.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not Department.objects.filter(pk=buying.pk).exists()
    read("deleted", K)
    assert AuditEntry.objects.get(action="department.deleted").details["name"] == "Einkauf"

    # the operator raises k, then lowers it below the first value
    for k in (K + 2, K - 1):
        settings.SURVEY_MIN_GROUP_SIZE = k
        now = _read_all(client, [Survey.objects.get(pk=s.pk) for s in surveys], answers, k)
        assert not _small_set_in_span(now, k), f"k={k}"
    assert [g.key for g in survey_results(surveys[0]).groups] == [g.key for g in first.groups]


def test_the_check_itself_finds_the_audits_attack() -> None:
    """The span check is not vacuous: the two splits of the audit give one person away."""
    everyone = frozenset("abcdefghijk")  # A = abcde, B = fghij, C = k (one person)
    a, b = frozenset("abcde"), frozenset("fghij")
    split_one = [Figure("q", everyone, "all"), Figure("q", a, "A"), Figure("q", b | {"k"}, "B+")]
    split_two = [Figure("q", b, "B"), Figure("q", a | {"k"}, "A+")]
    assert not _small_set_in_span(split_one, K)
    assert _small_set_in_span(split_one + split_two, K) == ["q: 1 answers"]


@pytest.mark.parametrize(
    ("counts", "hidden"),
    [
        ({"1": 6, "2": 5, "other": 7}, set()),
        ({"1": 6, "2": 3, "other": 7}, {"2", "1"}),  # 3 alone: the smaller of the rest joins
        ({"1": 5, "2": 5, "3": 2}, {"3", "1"}),  # a tie goes by id, never by name
        ({"2": 5, "1": 5, "3": 2}, {"3", "1"}),
        ({"1": 4, "2": 9, "3": 1, "4": 2}, {"3", "4", "1"}),  # 3 hidden, still below k
        ({"1": 0, "2": 9}, {"1"}),  # nothing hidden to give away
        ({"1": 3, "2": 2}, {"1", "2"}),
    ],
)
def test_hidden_cells_leave_no_small_remainder(counts, hidden) -> None:
    from rollout.surveys.groups import hidden_cells

    assert hidden_cells(counts, K) == hidden
    assert not 0 < sum(counts[key] for key in hidden) < K


def test_names_never_decide_the_split() -> None:
    from rollout.surveys.groups import split_groups

    one = split_groups({1: ("Aachen", 5), 2: ("Berlin", 5), 3: ("Celle", 2)}, K)
    two = split_groups({1: ("Zwickau", 5), 2: ("Berlin", 5), 3: ("Celle", 2)}, K)
    assert [g.key for g in one.offered] == [g.key for g in two.offered] == ["2", "other"]
