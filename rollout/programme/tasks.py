"""KPI tasks: the daily measurement that draws the dashboard's trend (thin: call a service)."""

from __future__ import annotations

from celery import shared_task

from rollout.programme.services import kpis_measure


@shared_task(name="rollout.tasks.kpis.kpi_measure", time_limit=300, soft_time_limit=280)
def kpi_measure() -> int:
    """Store today's value of every computed KPI; delivered twice, it overwrites the same row."""
    return kpis_measure()
