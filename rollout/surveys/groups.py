"""Which groups of respondents a survey's results may be shown for (the k-threshold).

A group is everyone, one department, or "other departments". It is shown only with at
least k respondents. Departments below k are merged into "other departments"; when that
remainder is still below k but not empty, the smallest shown department joins it, until the
remainder is empty or reaches k. Without this, "everyone" minus the departments shown would
let a reader compute the answers of a group below k (differencing). For the same reason no
complement filter ("everyone except …") is ever offered.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from rollout.models import Survey, SurveyResponse

EVERYONE, OTHER = "", "other"


def min_group_size() -> int:
    return int(settings.SURVEY_MIN_GROUP_SIZE)


@dataclass(frozen=True)
class Group:
    key: str  # EVERYONE, a department id, or OTHER
    label: str
    respondents: int
    departments: frozenset[int | None] = frozenset()  # empty for everyone


@dataclass(frozen=True)
class Groups:
    respondents: int  # everyone
    offered: tuple[Group, ...]  # the department filters that may be shown

    def find(self, key: str) -> Group | None:
        return next((g for g in self.offered if g.key == key), None)


def split_groups(counts: dict[int | None, tuple[str, int]], k: int) -> Groups:
    """Return the department groups to offer, given department id → (name, respondents)."""
    total = sum(n for _name, n in counts.values())
    shown = sorted(
        ((n, dept, name) for dept, (name, n) in counts.items() if dept is not None and n >= k),
        key=lambda row: (row[0], row[2]),
    )
    rest = total - sum(n for n, _d, _name in shown)
    while 0 < rest < k and shown:
        n, _dept, _name = shown.pop(0)
        rest += n
    if not shown or (len(shown) == 1 and rest == 0):
        return Groups(total, ())  # no split, or one that would only repeat "everyone"
    kept = {dept for _n, dept, _name in shown}
    offered = [
        Group(str(dept), name, n, frozenset({dept}))
        for n, dept, name in sorted(shown, key=lambda row: row[2])
    ]
    if rest:  # here rest ≥ k
        others = frozenset(d for d in counts if d not in kept)
        offered.append(Group(OTHER, str(_("Other departments")), rest, others))
    return Groups(total, tuple(offered))


def survey_groups(survey: Survey, k: int | None = None) -> Groups:
    """Return the survey's respondents and its department groups (one query)."""
    rows = (
        SurveyResponse.objects.filter(survey=survey)
        .values("department_id", "department__name")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = {
        r["department_id"]: (r["department__name"] or str(_("no department")), r["n"]) for r in rows
    }
    return split_groups(counts, k or min_group_size())
