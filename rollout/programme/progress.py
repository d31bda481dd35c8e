"""How milestones and phases follow the data: pure rules, fed by `selectors.programme_overview`.

Milestones. One tied to a KPI has a data source: it is reached when the KPI's value meets
the milestone's threshold (the KPI's target when none is set), on the day the data got there
— the exact day where the metric knows when each counted item came about, else the first
stored measurement at or above the threshold, else today (met, not measured yet). Once
measured as met it stays reached (a checkpoint passed is not undone by a dip). Only
milestones without a data source are ticked by hand.

Phases. The admin's status stands, with one rule so that the roadmap never contradicts its
own milestones: a phase with a milestone reached — ticked, or met by its data — has begun,
so a "planned" one is shown as "in progress" (and the daily KPI measurement records it so).
A KPI merely above zero does not start a phase: a trial by the programme office is no
rollout; a milestone tied to the KPI at the level that means "live" does. Nothing is
completed by data: completing stays an admin's decision, and it needs every milestone of the
phase reached (the service refuses otherwise). So: done phases have all milestones reached,
planned ones none.
"""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal

from rollout.models import Phase

Status = Phase.Status


def threshold_count(threshold: Decimal) -> int:
    """Return how many counted items meet `threshold` (10 for 10, 3 for 2.5)."""
    return max(1, math.ceil(threshold))


def milestone_reached_on(
    threshold: Decimal,
    *,
    actual: Decimal | None,
    count_days: list[date] | None,
    first_measured: date | None,
    today: date,
) -> date | None:
    """Return the day a KPI-tied milestone was reached, or None while it is not.

    `count_days` are the days the metric's count reached 1, 2, … (None: not a count);
    `first_measured` is the first stored measurement at or above the threshold.
    """
    met_now = actual is not None and actual >= threshold
    if not met_now and first_measured is None:
        return None
    days = []
    if met_now and count_days is not None and len(count_days) >= threshold_count(threshold):
        days.append(count_days[threshold_count(threshold) - 1])
    if first_measured is not None:
        days.append(first_measured)
    return min(days) if days else today


def phase_status(stored: str, *, milestones_reached: int) -> str:
    """Return the status the roadmap shows: `stored`, unless a reached milestone says the
    phase has begun."""
    if stored == Status.PLANNED and milestones_reached > 0:
        return Status.ACTIVE
    return stored
