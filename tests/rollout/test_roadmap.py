"""The public roadmap: phases, milestones, what is next and what was achieved, for everyone."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.models import User
from rollout.models import Event, Kpi, Milestone, Registration
from tests.factories import UserFactory
from tests.rollout.access_programme import build_programme


def _event(kind: str, days: int, title: str) -> Event:
    start = timezone.now() + timedelta(days=days)
    return Event.objects.create(
        kind=kind, title=title, starts_at=start, ends_at=start + timedelta(hours=1), capacity=300
    )


def _setup(cast, ada) -> None:
    programme = build_programme()
    today = timezone.localdate()
    phase1, phase3 = programme.phases.get(number=1), programme.phases.get(number=3)
    phase1.owner = ada
    phase1.save()
    Milestone.objects.create(
        phase=phase1, title="Kickoff-Veranstaltung durchgeführt", due_on=today - timedelta(70),
        done_on=today - timedelta(69), done_by=ada,
    )  # fmt: skip
    Milestone.objects.create(
        phase=phase3, title="Erste 10 Use Cases eingereicht", due_on=today - timedelta(2)
    )
    Milestone.objects.create(phase=phase3, title="Ethikboard-Prüfung", due_on=today + timedelta(9))
    kickoff = _event("kickoff", -70, "Kickoff für alle")
    for name in ("alice", "bob", "charlie"):
        Registration.objects.create(
            event=kickoff, user=cast[name], status="confirmed", attended_at=kickoff.starts_at
        )
    Kpi.objects.create(
        phase=phase1, metric="kickoff_reach", name="Reichweite", definition="",
        unit="percent", target=Decimal(80),
    )  # fmt: skip
    Kpi.objects.create(
        phase=phase3, metric="survey_confidence", name="Sicherheit im Umgang", definition="",
        unit="score", target=Decimal(4),
    )  # fmt: skip
    _event("community_round", 4, "Community-Runde Vertrieb")


@pytest.mark.django_db
def test_roadmap_for_every_employee(client, cast) -> None:
    _setup(cast, cast["ada"])
    alice = cast["alice"]
    User.objects.filter(pk=alice.pk).update(preferred_language="en")
    client.force_login(alice)
    page = client.get("/fahrplan/").content.decode()
    assert "Ziel der Phase 3" in page and "Ada Neumann" in page
    next_ = page[page.index('id="next-h"') : page.index('id="achieved-h"')]
    achieved = page[page.index('id="achieved-h"') : page.index('class="roadmap"')]
    assert "Erste 10 Use Cases eingereicht" in next_ and "overdue" in next_
    assert "Ethikboard-Prüfung" in next_ and "Community-Runde Vertrieb" in next_
    assert "Kickoff für alle" not in next_  # past events are not next
    assert "✓" in achieved and "Kickoff-Veranstaltung durchgeführt" in achieved
    assert "3 of 6 employees have attended a kickoff" in achieved
    assert "Sicherheit im Umgang" not in achieved
    assert "<strong>Sicherheit im Umgang</strong>: No data yet." in page  # no made-up number
    assert "/programm/" not in page  # no management link for employees
    client.force_login(cast["ada"])
    assert "/programm/" in client.get("/fahrplan/").content.decode()


@pytest.mark.django_db
def test_roadmap_without_programme(client, alice) -> None:
    client.force_login(alice)
    response = client.get("/fahrplan/")
    assert response.status_code == 200 and response.context["programme"] is None


def _roadmap_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/fahrplan/").status_code == 200
    return len(queries.captured_queries)


@pytest.mark.django_db
def test_roadmap_runs_a_constant_number_of_queries(client, cast) -> None:
    _setup(cast, cast["ada"])
    client.force_login(cast["charlie"])
    small = _roadmap_queries(client)
    phase = Kpi.objects.first().phase
    people = [UserFactory(email=f"mehr{i}@firma.test") for i in range(30)]
    for i in range(8):
        event = _event("community_round", -i - 1, f"Runde {i}")
        _event("training", i + 1, f"Training {i}")
        for person in people[i::3]:
            Registration.objects.create(
                event=event, user=person, status="confirmed", attended_at=event.starts_at
            )
        Milestone.objects.create(phase=phase, title=f"M{i}", due_on=timezone.localdate())
        Kpi.objects.create(
            phase=phase, metric="rounds_held", name=f"Runden {i}", definition="", unit="count",
            target=Decimal(10),
        )  # fmt: skip
    large = _roadmap_queries(client)
    # rounds_held is a new metric kind in use: exactly one query more, not one per KPI
    assert large == small + 1
