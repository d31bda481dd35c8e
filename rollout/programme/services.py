"""Changes to the programme: phases, milestones, KPIs and their measurements.

Every change by a person is audited (ids, field names and figures; never texts).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.models import User
from portal.services import audit_record
from rollout.models import Kpi, KpiMeasurement, Milestone, Phase, Programme
from rollout.programme import kpis as kpi_metrics

PhaseStatus = Phase.Status
# planned → active → done, and an admin may reopen done → active (see Phase).
TRANSITIONS = {
    PhaseStatus.PLANNED: {PhaseStatus.ACTIVE},
    PhaseStatus.ACTIVE: {PhaseStatus.DONE},
    PhaseStatus.DONE: {PhaseStatus.ACTIVE},
}
_STATUS_ACTIONS = {
    (PhaseStatus.PLANNED, PhaseStatus.ACTIVE): "phase.activated",
    (PhaseStatus.ACTIVE, PhaseStatus.DONE): "phase.completed",
    (PhaseStatus.DONE, PhaseStatus.ACTIVE): "phase.reopened",
}


class ProgrammeError(Exception):
    """The change is not possible; the message says why, for the person who tried."""


def dashboard_cache_forget(programme_id: int) -> None:
    """Drop the cached dashboard once the change is committed (readers see it at once)."""
    from django.conf import settings
    from django.core.cache import cache

    from rollout.programme.selectors import dashboard_cache_key

    today = timezone.localdate()
    keys = [dashboard_cache_key(programme_id, code, today) for code, _name in settings.LANGUAGES]
    transaction.on_commit(lambda: cache.delete_many(keys))


def transition_allowed(current: str, new: str) -> bool:
    return current == new or new in TRANSITIONS[PhaseStatus(current)]


def _changed(obj: object, fields: dict) -> list[str]:
    changed = [name for name, value in fields.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, fields[name])
    return changed


@transaction.atomic
def phase_update(
    *,
    phase: Phase,
    by: User,
    title: str,
    goal: str,
    owner: User | None,
    status: str,
    planned_start: date,
    planned_end: date,
    today: date | None = None,
) -> Phase:
    """Change a phase; a status change sets the actual start (activated) or end (done)."""
    today = today or timezone.localdate()
    phase = Phase.objects.select_for_update().get(pk=phase.pk)
    before = phase.status
    if not transition_allowed(before, status):
        raise ProgrammeError(
            _("A phase cannot go from “%(old)s” to “%(new)s”.")
            % {"old": PhaseStatus(before).label, "new": PhaseStatus(status).label}
        )
    if planned_end < planned_start:
        raise ProgrammeError(_("The planned end must not be before the planned start."))
    if status == PhaseStatus.DONE and before != PhaseStatus.DONE:
        _refuse_open_milestones(phase, today)
    fields = {"title": title, "goal": goal, "owner": owner, "status": status}
    fields |= {"planned_start": planned_start, "planned_end": planned_end}
    if status == PhaseStatus.ACTIVE and before == PhaseStatus.PLANNED:
        fields["actual_start"] = phase.actual_start or today
    if status == PhaseStatus.DONE and before != PhaseStatus.DONE:
        fields["actual_start"] = phase.actual_start or today
        fields["actual_end"] = today
    if status == PhaseStatus.ACTIVE and before == PhaseStatus.DONE:
        fields["actual_end"] = None
    changed = _changed(phase, fields)
    if not changed:
        return phase
    phase.save(update_fields=changed)
    action = _STATUS_ACTIONS.get((before, status), "phase.updated")
    details = {"fields": changed}
    if before != status:
        details |= {"from": before, "to": status}
    audit_record(actor=by, action=action, target=phase, details=details)
    dashboard_cache_forget(phase.programme_id)
    return phase


def _refuse_open_milestones(phase: Phase, today: date) -> None:
    """A completed phase has every milestone reached (the rule in `progress`)."""
    from rollout.programme.selectors import programme_overview

    overview = programme_overview(phase.programme, today=today)
    row = next(r for r in overview.rows if r.phase.pk == phase.pk)
    open_ = [m.title for m in row.milestones if m.reached_on is None]
    if open_:
        raise ProgrammeError(
            _(
                "The phase cannot be completed while milestones are open: %(titles)s. Mark "
                "those ticked by hand as done; those measured by a KPI are reached when it "
                "meets their threshold."
            )
            % {"titles": ", ".join(f"„{t}“" for t in open_)}
        )


def _tie(kpi: Kpi | None, threshold: Decimal | None, phase: Phase) -> dict:
    """Return the fields tying a milestone to a KPI; tied, its data decides, not a tick."""
    if kpi is None:
        if threshold is not None:
            raise ProgrammeError(_("A threshold needs a KPI to compare it with."))
        return {"kpi": None, "threshold": None}
    if kpi.phase.programme_id != phase.programme_id:
        raise ProgrammeError(_("Choose a KPI of this programme."))
    if threshold is not None and threshold <= 0:
        raise ProgrammeError(_("The threshold must be above zero."))
    return {"kpi": kpi, "threshold": threshold, "done_on": None, "done_by": None}


@transaction.atomic
def milestone_create(
    *,
    phase: Phase,
    by: User,
    title: str,
    due_on: date,
    description: str = "",
    kpi: Kpi | None = None,
    threshold: Decimal | None = None,
) -> Milestone:
    milestone = Milestone.objects.create(
        phase=phase, title=title, description=description, due_on=due_on,
        **_tie(kpi, threshold, phase),
    )  # fmt: skip
    audit_record(
        actor=by, action="milestone.created", target=milestone, details={"phase": phase.pk}
    )
    dashboard_cache_forget(phase.programme_id)
    return milestone


@transaction.atomic
def milestone_update(
    *,
    milestone: Milestone,
    by: User,
    title: str,
    due_on: date,
    description: str = "",
    kpi: Kpi | None = None,
    threshold: Decimal | None = None,
) -> Milestone:
    fields = {"title": title, "description": description, "due_on": due_on}
    tie = _tie(kpi, threshold, milestone.phase)
    if tie["kpi"] is None:  # untied: keep what was ticked by hand
        tie = {"kpi": None, "threshold": None}
    changed = _changed(milestone, fields | tie)
    if changed:
        milestone.save(update_fields=changed)
        audit_record(
            actor=by, action="milestone.updated", target=milestone, details={"fields": changed}
        )
        dashboard_cache_forget(milestone.phase.programme_id)
    return milestone


@transaction.atomic
def milestone_mark_done(*, milestone: Milestone, by: User, today: date | None = None) -> None:
    """Mark done today by `by`; a second click (or a second admin) changes nothing.

    Only milestones without a KPI are ticked by hand. A planned phase with a milestone
    reached has begun: it becomes active (the rule in `progress`).
    """
    today = today or timezone.localdate()
    if milestone.kpi_id is not None:
        raise ProgrammeError(_("This milestone is reached through its KPI, not by hand."))
    marked = Milestone.objects.filter(pk=milestone.pk, done_on__isnull=True).update(
        done_on=today, done_by=by
    )
    if not marked:
        raise ProgrammeError(_("This milestone is already done."))
    audit_record(
        actor=by,
        action="milestone.done",
        target=milestone,
        details={"due_on": milestone.due_on.isoformat(), "done_on": today.isoformat()},
    )
    _start_phase(milestone.phase, on=today, by=by)
    dashboard_cache_forget(milestone.phase.programme_id)


def _start_phase(phase: Phase, *, on: date, by: User | None) -> None:
    started = Phase.objects.filter(pk=phase.pk, status=PhaseStatus.PLANNED).update(
        status=PhaseStatus.ACTIVE, actual_start=on
    )
    if started:
        details = {"from": PhaseStatus.PLANNED, "to": PhaseStatus.ACTIVE, "by_data": by is None}
        audit_record(actor=by, action="phase.activated", target=phase, details=details)


@transaction.atomic
def milestone_reopen(*, milestone: Milestone, by: User) -> None:
    if milestone.kpi_id is not None:
        raise ProgrammeError(_("This milestone is reached through its KPI, not by hand."))
    if milestone.phase.status == PhaseStatus.DONE:
        raise ProgrammeError(
            _("The phase is completed: reopen the phase first, then the milestone.")
        )
    reopened = Milestone.objects.filter(pk=milestone.pk, done_on__isnull=False).update(
        done_on=None, done_by=None
    )
    if not reopened:
        raise ProgrammeError(_("This milestone is open already."))
    audit_record(actor=by, action="milestone.reopened", target=milestone)
    dashboard_cache_forget(milestone.phase.programme_id)


def _kpi_fields(
    metric: str,
    name: str,
    definition: str,
    unit: str,
    target: Decimal,
    manual_value: Decimal | None,
    order: int,
) -> dict:
    if target < 0:
        raise ProgrammeError(_("The target cannot be negative."))
    if metric != Kpi.Metric.MANUAL:
        if manual_value is not None:
            raise ProgrammeError(_("Only KPIs entered by hand take a value entered by hand."))
        unit = kpi_metrics.METRICS[metric].unit
    elif not unit:
        raise ProgrammeError(_("Choose the unit of a KPI entered by hand."))
    # Empty: the standard definition of the metric is shown, in the reader's language.
    definition = definition.strip()
    return {
        "metric": metric,
        "name": name,
        "definition": definition,
        "unit": unit,
        "target": target,
        "manual_value": manual_value,
        "order": order,
    }


def _manual_value_entered(kpi: Kpi, by: User, today: date) -> None:
    """Keep the hand-entered value as today's measurement: the trend, and "entered on"."""
    KpiMeasurement.objects.update_or_create(
        kpi=kpi, measured_on=today, defaults={"value": kpi.manual_value}
    )
    audit_record(
        actor=by, action="kpi.value_entered", target=kpi, details={"value": str(kpi.manual_value)}
    )


@transaction.atomic
def kpi_create(
    *,
    phase: Phase,
    by: User,
    metric: str,
    name: str,
    target: Decimal,
    unit: str = "",
    definition: str = "",
    manual_value: Decimal | None = None,
    order: int = 0,
    today: date | None = None,
) -> Kpi:
    fields = _kpi_fields(metric, name, definition, unit, target, manual_value, order)
    kpi = Kpi.objects.create(phase=phase, **fields)
    audit_record(
        actor=by,
        action="kpi.created",
        target=kpi,
        details={"phase": phase.pk, "metric": metric, "target": str(kpi.target)},
    )
    dashboard_cache_forget(phase.programme_id)
    if kpi.manual_value is not None:
        _manual_value_entered(kpi, by, today or timezone.localdate())
    return kpi


@transaction.atomic
def kpi_update(
    *,
    kpi: Kpi,
    by: User,
    metric: str,
    name: str,
    target: Decimal,
    unit: str = "",
    definition: str = "",
    manual_value: Decimal | None = None,
    order: int = 0,
    today: date | None = None,
) -> Kpi:
    fields = _kpi_fields(metric, name, definition, unit, target, manual_value, order)
    changed = _changed(kpi, fields)
    if not changed:
        return kpi
    kpi.save(update_fields=changed)
    audit_record(
        actor=by,
        action="kpi.updated",
        target=kpi,
        details={"fields": changed, "target": str(kpi.target)},
    )
    dashboard_cache_forget(kpi.phase.programme_id)
    if "manual_value" in changed and kpi.manual_value is not None:
        _manual_value_entered(kpi, by, today or timezone.localdate())
    return kpi


def kpis_measure(*, today: date | None = None) -> int:
    """Store today's value of every computed KPI; run again, it overwrites today's row.

    One query per metric in use plus one upsert, whatever the number of KPIs.
    """
    today = today or timezone.localdate()
    kpis = [
        k
        for k in Kpi.objects.exclude(metric=Kpi.Metric.MANUAL).select_related("phase")
        if kpi_metrics.is_computed(k.metric)
    ]
    readings = kpi_metrics.compute_actuals((k.metric for k in kpis), today)
    rows = [
        KpiMeasurement(kpi=k, measured_on=today, value=readings[k.metric].value)
        for k in kpis
        if readings.get(k.metric) is not None
    ]
    KpiMeasurement.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["kpi", "measured_on"],
        update_fields=["value"],
    )
    for programme_id in {k.phase.programme_id for k in kpis}:
        dashboard_cache_forget(programme_id)
    phases_start_from_data(today=today)
    return len(rows)


def phases_start_from_data(*, today: date | None = None) -> int:
    """Record as active every planned phase that its data shows begun (daily, with the KPIs).

    The roadmap shows this at once; storing it keeps the pages that read the stored status
    (the home page's phase strip, the newsletter's suggestions) in line by the next day.
    """
    from rollout.programme.selectors import programme_overview

    today = today or timezone.localdate()
    started = 0
    for programme in Programme.objects.filter(phases__status=PhaseStatus.PLANNED).distinct():
        for row in programme_overview(programme, today=today).rows:
            if row.started_by_data:
                reached = [m.reached_on for m in row.milestones if m.reached_on is not None]
                _start_phase(row.phase, on=min(reached, default=today), by=None)
                dashboard_cache_forget(programme.pk)
                started += 1
    return started
