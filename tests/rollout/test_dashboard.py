"""The cockpit: phases, KPIs with trend, reach per department, milestones, CSV, charts."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal import branding
from rollout.common import charts
from rollout.common.spreadsheet import csv_safe
from rollout.demo.kpis import seed_milestones_and_kpis
from rollout.demo.programme import seed_programme
from rollout.models import Event, Kpi, KpiMeasurement, Milestone, Registration
from rollout.programme import kpis
from rollout.programme import views_dashboard as dashboard_view
from rollout.programme.cards import programme_status_cards
from rollout.programme.report import programme_facts
from tests.factories import DepartmentFactory, UserFactory
from tests.rollout.access_programme import build_programme


@pytest.fixture(autouse=True)
def _fresh_figures(monkeypatch) -> None:
    """Compute the dashboard on every request here; test_dashboard_cache tests the cache."""
    monkeypatch.setattr(dashboard_view, "CACHE_SECONDS", 0)


def _kickoff(*attendees) -> Event:
    start = timezone.now() - timedelta(days=70)
    event = Event.objects.create(
        kind="kickoff", title="Kickoff", starts_at=start, ends_at=start + timedelta(hours=2),
        capacity=500,
    )  # fmt: skip
    for user in attendees:
        Registration.objects.create(
            event=event, user=user, status="confirmed", attended_at=start + timedelta(minutes=5)
        )
    return event


def _setup(cast) -> None:
    """Alice (Vertrieb) and Bob (Konstruktion) came to the kickoff; four others did not."""
    programme = build_programme()
    _kickoff(cast["alice"], cast["bob"])
    today = timezone.localdate()
    phase1, phase3 = programme.phases.get(number=1), programme.phases.get(number=3)
    reach = Kpi.objects.create(
        phase=phase1, metric="kickoff_reach", name="Reichweite Kickoff", definition="",
        unit="percent", target=Decimal(80),
    )  # fmt: skip
    for week in range(1, 5):
        KpiMeasurement.objects.create(
            kpi=reach, measured_on=today - timedelta(weeks=week), value=Decimal(30 - week)
        )
    Kpi.objects.create(
        phase=phase1, metric="manual", name='=HYPERLINK("http://evil.example")',
        definition="+41 Anruf", unit="count", target=Decimal(3), manual_value=Decimal("-2"),
    )  # fmt: skip
    Milestone.objects.create(phase=phase3, title="Use Cases gesammelt", due_on=today - timedelta(3))
    Milestone.objects.create(phase=phase3, title="Pilot startet", due_on=today + timedelta(10))
    Milestone.objects.create(phase=phase3, title="Rollout", due_on=today + timedelta(60))


@pytest.mark.django_db
def test_dashboard_shows_where_the_programme_stands(client, cast) -> None:
    _setup(cast)
    client.force_login(cast["ada"])
    page = client.get("/programm/cockpit/").content.decode()
    assert 'media="print"' in page and "print-dashboard.css" in page
    # KPI with its actual (2 of 6 staff = 33.3 %), progress against target and trend
    assert "Reichweite Kickoff" in page and "33,3 %" in page
    # reach chart, two bars per phase, two progress bars, one trend (the manual KPI has none)
    assert page.count('role="img"') == 1 + 5 * 2 + 2 + 1
    assert "chart-sparkline" in page and "<polyline" in page
    # participation: six departments, one person each; two reached
    for department in ("Vertrieb", "Konstruktion", "IT", "Verwaltung", "Produktion"):
        assert department in page
    assert page.count('class="low-reach"') == 4
    # milestones: one overdue, one due within 30 days, the third later
    overdue = page[page.index('id="overdue-h"') : page.index('id="upcoming-h"')]
    upcoming = page[page.index('id="upcoming-h"') :]
    assert "Use Cases gesammelt" in overdue and "Pilot startet" not in overdue
    assert "Pilot startet" in upcoming and "Rollout" not in upcoming
    assert 'style="' not in page


@pytest.mark.django_db
def test_works_council_reads_aggregates_without_names(client, cast) -> None:
    _setup(cast)
    client.force_login(cast["walter"])
    page = client.get("/programm/cockpit/").content.decode()
    assert "Reichweite Kickoff" in page
    for name in ("Alice", "Bob", "Charlie", "Rita", "Ada"):
        assert name not in page
    assert "/programm/phasen/" not in page  # no editing links
    client.force_login(cast["alice"])
    assert client.get("/programm/cockpit/").status_code == 403


def _dashboard_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/programm/cockpit/").status_code == 200
    return len(queries.captured_queries)


@pytest.mark.django_db
def test_dashboard_runs_a_constant_number_of_queries(client, cast) -> None:
    _setup(cast)
    client.force_login(cast["ada"])
    small = _dashboard_queries(client)
    phase = Kpi.objects.first().phase
    people = [
        UserFactory(email=f"viele{i}@firma.test", department=DepartmentFactory(name=f"Abt {i % 7}"))
        for i in range(40)
    ]
    _kickoff(*people[:25])
    for i in range(10):
        Milestone.objects.create(phase=phase, title=f"M{i}", due_on=timezone.localdate())
        Kpi.objects.create(
            phase=phase, metric="kickoff_reach", name=f"K{i}", definition="", unit="percent",
            target=Decimal(50),
        )  # fmt: skip
    assert _dashboard_queries(client) == small


@pytest.mark.django_db
def test_dashboard_cache_is_cleared_by_programme_changes(
    client, cast, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    from django.core.cache import cache

    monkeypatch.setattr(dashboard_view, "CACHE_SECONDS", 300)
    cache.clear()
    branding.current()  # every page's branding, cached again: only the cockpit's cache is cold
    _setup(cast)
    client.force_login(cast["walter"])
    cold = _dashboard_queries(client)
    warm = _dashboard_queries(client)
    assert warm < cold  # the figures come from the cache
    milestone = Milestone.objects.get(title="Pilot startet")
    Milestone.objects.filter(pk=milestone.pk).update(title="Pilot gestartet")  # not via a service
    assert "Pilot startet" in client.get("/programm/cockpit/").content.decode()
    assert "Pilot gestartet" in client.get("/programm/cockpit/?neu=1").content.decode()
    client.force_login(cast["ada"])
    with django_capture_on_commit_callbacks(execute=True):  # cleared after the commit
        client.post(f"/programm/meilensteine/{milestone.pk}/erledigt/")
    client.force_login(cast["walter"])
    assert _dashboard_queries(client) == cold
    cache.clear()


@pytest.mark.django_db
def test_kpi_csv_for_spreadsheets(client, cast) -> None:
    _setup(cast)
    client.force_login(cast["walter"])
    response = client.get("/programm/kpi.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    raw = response.content.decode("utf-8")
    assert raw.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(raw[1:]), delimiter=";"))
    assert len(rows) == 3 and len(rows[0]) == 9
    reach = next(r for r in rows if r[1] == "Reichweite Kickoff")
    assert reach[4:7] == ["80,0", "33,3", "42"]
    assert reach[8].count(":") == 4  # four measurements, newest first
    evil = next(r for r in rows if "HYPERLINK" in r[1])
    assert evil[1].startswith("'=") and evil[2].startswith("'+") and evil[5] == "'-2,0"
    client.force_login(cast["bob"])
    assert client.get("/programm/kpi.csv").status_code == 403


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+49 351", "'+49 351"),
        ("-3", "'-3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTab", "'\tTab"),
        ("Kickoff = Start", "Kickoff = Start"),
        (None, ""),
        (12, "12"),
    ],
)
def test_csv_cells_that_look_like_formulas_are_neutralised(cell, safe) -> None:
    assert csv_safe(cell) == safe


def test_charts_are_accessible_escaped_svg_without_inline_style() -> None:
    title = '<script>alert("x")</script> & Co'
    svgs = [
        charts.progress_bar(40, title=title, marker=50),
        charts.progress_bar(None, title=title, low=True),
        charts.sparkline([], title=title, desc="keine Messung"),
        charts.sparkline(
            [(timezone.localdate(), Decimal(3))], title=title, desc=title, target=Decimal(10)
        ),
        charts.bar_chart([(title, 120, True), ("Vertrieb", 33.3, False)], title=title, desc=""),
    ]
    for svg in svgs:
        assert svg.startswith("<svg") and 'role="img"' in svg
        assert "<title>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co</title>" in svg
        assert "<script" not in svg and "style=" not in svg
    bar = charts.progress_bar(250, title="t", width=100)
    assert re.search(r'class="chart-bar[^"]*"[^>]* width="100"', bar)  # capped at 100 %


@pytest.mark.django_db
def test_home_card_for_programme_admins(rf, cast) -> None:
    _setup(cast)
    request = rf.get("/")
    request.user = cast["alice"]
    assert programme_status_cards(request) == []
    request.user = cast["ada"]
    (card,) = programme_status_cards(request)
    assert card.context["overdue"] == 1 and card.context["upcoming"] == 1
    assert card.context["behind"][0] == "Reichweite Kickoff"  # phase 1 is over, 33 % of 80
    html = render_to_string(card.template, {"card": card.context})
    assert "/programm/cockpit/" in html and "Reichweite Kickoff" in html


@pytest.mark.django_db
def test_report_facts_name_kpis_and_milestones(cast) -> None:
    _setup(cast)
    facts = dict(programme_facts())
    assert set(facts) == {"Phasen", "Kennzahlen", "Meilensteine"}
    assert any(
        line.startswith("Reichweite Kickoff (Phase 1): Ist 33,3 %") for line in facts["Kennzahlen"]
    )
    assert "Überfällig: Use Cases gesammelt" in facts["Meilensteine"][0]


@pytest.mark.django_db
def test_demo_milestones_and_kpis_are_idempotent(cast) -> None:
    lines: list[str] = []
    seed_programme(lines.append)
    seed_milestones_and_kpis(lines.append)
    counts = (Milestone.objects.count(), Kpi.objects.count(), KpiMeasurement.objects.count())
    seed_milestones_and_kpis(lines.append)
    assert counts == (
        Milestone.objects.count(),
        Kpi.objects.count(),
        KpiMeasurement.objects.count(),
    )
    today = timezone.localdate()
    # Milestones ticked by hand are all on time; those with a data source are tied to their
    # KPI and never ticked (tests/rollout/test_demo_coherence.py checks the whole demo).
    by_hand = Milestone.objects.filter(kpi__isnull=True)
    assert not [m for m in by_hand if m.is_overdue(today)]
    assert by_hand.filter(done_on__isnull=False).exists()
    tied = Milestone.objects.filter(kpi__isnull=False)
    assert tied.count() >= 5 and not tied.filter(done_on__isnull=False).exists()
    assert all(m.kpi.phase_id == m.phase_id for m in tied)
    assert all(k.phase.programme.name == "KI im Büroalltag" for k in Kpi.objects.all())
    pending = [m for m in kpis.METRICS if not kpis.is_computed(m) and m != "manual"]
    assert not KpiMeasurement.objects.filter(kpi__metric__in=pending).exists()
    reach = KpiMeasurement.objects.filter(kpi__metric="kickoff_reach")
    assert reach.count() == 13 and reach.filter(measured_on=today).exists()
