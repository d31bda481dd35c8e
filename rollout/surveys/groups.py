"""Which groups of respondents a survey's results may be shown for (the k-threshold).

A group is everyone, one department, or "other departments". It is shown only with at
least k respondents. Departments below k are merged into "other departments"; when that
remainder is still below k but not empty, the smallest shown department joins it, until the
remainder is empty or reaches k. Without this, "everyone" minus the departments shown would
let a reader compute the answers of a group below k (differencing). For the same reason no
complement filter ("everyone except …") is ever offered.

One split per survey, for good. Two different splits of the same respondents are enough to
recover a small group by difference (the audit did it by renaming a department: names broke
ties). So the split depends on data only (respondents per department, ties broken by the
department's id, which nobody can change), and it is fixed the first time results are read
after closing (`survey_groups_freeze`): each response keeps its group's key, and the survey
keeps the groups (and, for the record, the k they were made with). Renaming, merging or
deleting departments, or moving people afterwards changes no group; a k raised later hides
groups (`hidden_cells`, so no hidden one can be worked out), it never splits them anew.
Results are never shown before closing, and a closed survey cannot be opened again
(rollout/surveys/services.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Case, Count, Q, Value, When
from django.utils.translation import gettext as _

from rollout.models import Survey, SurveyResponse

OTHER = "other"


def min_group_size() -> int:
    return int(settings.SURVEY_MIN_GROUP_SIZE)


@dataclass(frozen=True)
class Group:
    key: str  # a department id, or OTHER
    name: str  # the department's name when the groups were fixed; "" for OTHER
    respondents: int
    departments: frozenset[int | None] = frozenset()

    @property
    def label(self) -> str:
        return self.name or _("Other departments")

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "respondents": self.respondents,
            "departments": sorted(self.departments, key=lambda d: (d is None, d or 0)),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Group:
        return cls(data["key"], data["name"], data["respondents"], frozenset(data["departments"]))


@dataclass(frozen=True)
class Groups:
    respondents: int  # everyone
    offered: tuple[Group, ...]  # the department filters that may be shown
    k: int

    def to_json(self) -> dict[str, Any]:
        return {
            "k": self.k,
            "respondents": self.respondents,
            "groups": [g.to_json() for g in self.offered],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Groups:
        offered = tuple(Group.from_json(g) for g in data["groups"])
        return cls(data["respondents"], offered, data["k"])


def split_groups(counts: dict[int | None, tuple[str, int]], k: int) -> Groups:
    """Return the department groups to offer, given department id → (name, respondents).

    Names only label the groups: which department joins "other" is decided by its number
    of respondents and, on a tie, by its id.
    """
    total = sum(n for _name, n in counts.values())
    shown = sorted(
        (n, dept, name) for dept, (name, n) in counts.items() if dept is not None and n >= k
    )
    rest = total - sum(n for n, _d, _name in shown)
    while 0 < rest < k and shown:
        n, _dept, _name = shown.pop(0)
        rest += n
    if not shown or (len(shown) == 1 and rest == 0):
        return Groups(total, (), k)  # no split, or one that would only repeat "everyone"
    kept = {dept for _n, dept, _name in shown}
    offered = [
        Group(str(dept), name, n, frozenset({dept}))
        for n, dept, name in sorted(shown, key=lambda row: (row[2], row[1]))
    ]
    if rest:  # here rest ≥ k
        others = frozenset(d for d in counts if d not in kept)
        offered.append(Group(OTHER, "", rest, others))
    return Groups(total, tuple(offered), k)


def _cell_order(key: str, n: int) -> tuple[int, int, str]:
    """Which group is hidden first: the smaller one, then the one with the lower id."""
    return (n, int(key) if key.isdigit() else 1 << 62, key)


def hidden_cells(counts: dict[str, int], k: int, *, hidden: Iterable[str] = ()) -> set[str]:
    """Return the groups of a fixed split whose figure may not be shown (cell suppression).

    `counts` maps every group of the split to its number of respondents, or of answers to
    one question; the groups partition everyone, whose figure is shown. A group below k is
    hidden (and any in `hidden`); if what is hidden then adds up to fewer than k, "everyone"
    less the groups shown would give it away, so the smallest shown groups are hidden too
    until it reaches k.
    """
    hidden = {key for key, n in counts.items() if n < k} | set(hidden)
    shown = sorted(
        (key for key in counts if key not in hidden), key=lambda key: _cell_order(key, counts[key])
    )
    while shown and 0 < sum(counts[key] for key in hidden if key in counts) < k:
        hidden.add(shown.pop(0))
    return hidden


def _counts(survey: Survey) -> dict[int | None, tuple[str, int]]:
    rows = (
        SurveyResponse.objects.filter(survey=survey)
        .values("department_id", "department__name")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {r["department_id"]: (r["department__name"] or "", r["n"]) for r in rows}


def survey_groups(survey: Survey) -> Groups:
    """Return the survey's fixed groups; for a survey not fixed yet, the split as it stands."""
    if survey.grouping:
        return Groups.from_json(survey.grouping)
    return split_groups(_counts(survey), min_group_size())


def _members(group: Group) -> Q:
    members = Q(department_id__in=[d for d in group.departments if d is not None])
    if None in group.departments:
        members |= Q(department_id__isnull=True)
    return members


def survey_groups_freeze(survey: Survey) -> Groups:
    """Fix the closed survey's groups once: store them, and each response's group key."""
    if not survey.grouping:
        with transaction.atomic():
            locked = Survey.objects.select_for_update().get(pk=survey.pk)
            if not locked.grouping:  # nobody else fixed them meanwhile
                groups = split_groups(_counts(locked), min_group_size())
                keys = [When(_members(g), then=Value(g.key)) for g in groups.offered]
                # one statement, whatever the number of groups
                group = Case(*keys, default=Value("")) if keys else Value("")
                SurveyResponse.objects.filter(survey=locked).update(group=group)
                locked.grouping = groups.to_json()
                locked.save(update_fields=["grouping"])
        survey.grouping = locked.grouping
    return Groups.from_json(survey.grouping)
