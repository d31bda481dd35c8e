"""Reads of the use-case library: the filtered overview, the pipeline board, one use case.

Every function runs a fixed number of queries, however many use cases there are.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber

from portal.models import User
from rollout.models import UseCase, UseCaseComment, UseCaseFollow, UseCaseVote

BOARD_LIMIT = 25  # cards shown per column; the column's count says how many there are
SORTS = {
    "updated": ("-updated_at", "-pk"),
    "votes": ("-vote_count", "-updated_at", "-pk"),
}


@dataclass(frozen=True)
class Filters:
    status: str = ""
    department_id: int | None = None
    risk: str = ""
    assistant: str = ""  # "", an Assistant value, or "none" (another tool or none)
    mine: bool = False
    sort: str = "updated"


def _count_of(model) -> Coalesce:
    rows = (
        model.objects.filter(use_case=OuterRef("pk"))
        .order_by()
        .values("use_case")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def mine_q(user: User) -> Q:
    """Owned by `user` or contributed to."""
    through = UseCase.contributors.through
    return Q(owner=user) | Q(Exists(through.objects.filter(usecase_id=OuterRef("pk"), user=user)))


def with_counts(use_cases: QuerySet[UseCase]) -> QuerySet[UseCase]:
    return use_cases.select_related("department", "owner").annotate(
        vote_count=_count_of(UseCaseVote), comment_count=_count_of(UseCaseComment)
    )


def filtered(filters: Filters, *, user: User) -> QuerySet[UseCase]:
    """Return the use cases matching `filters`, with counts, in the chosen order."""
    found = UseCase.objects.all()
    if filters.status:
        found = found.filter(status=filters.status)
    if filters.department_id:
        found = found.filter(department_id=filters.department_id)
    if filters.risk:
        found = found.filter(risk=filters.risk)
    if filters.assistant == "none":
        found = found.filter(assistant="")
    elif filters.assistant:
        found = found.filter(assistant=filters.assistant)
    if filters.mine:
        found = found.filter(mine_q(user))
    return with_counts(found).order_by(*SORTS.get(filters.sort, SORTS["updated"]))


@dataclass
class Column:
    status: str
    label: str
    count: int
    cards: list[UseCase]


def board() -> list[Column]:
    """Return one column per status: its count and its most recently changed use cases."""
    counts = dict(UseCase.objects.values_list("status").annotate(n=Count("pk")).order_by())
    ranked = (
        with_counts(UseCase.objects.all())
        .annotate(
            rank=Window(RowNumber(), partition_by=F("status"), order_by=F("updated_at").desc())
        )
        .filter(rank__lte=BOARD_LIMIT)
        .order_by("-updated_at", "-pk")
    )
    cards: dict[str, list[UseCase]] = {status: [] for status in UseCase.Status.values}
    for use_case in ranked:
        cards[use_case.status].append(use_case)
    return [
        Column(status, str(label), counts.get(status, 0), cards[status])
        for status, label in UseCase.Status.choices
    ]


def detail(use_case_id: int) -> UseCase | None:
    """Return the use case with everything its page shows, prefetched."""
    return (
        UseCase.objects.select_related("department", "owner")
        .prefetch_related(
            "contributors",
            "attachments",
            Prefetch("transitions", queryset=_transitions()),
            Prefetch("comments", queryset=UseCaseComment.objects.select_related("author")),
            Prefetch("validations", queryset=_validations()),
            "decisions",
            "ethics_reviews",
        )
        .filter(pk=use_case_id)
        .first()
    )


def _transitions():
    from rollout.models import UseCaseTransition

    return UseCaseTransition.objects.select_related("by").order_by("at", "pk")


def _validations():
    from rollout.models import UseCaseValidation

    return UseCaseValidation.objects.select_related("reviewer")


def viewer_state(use_case: UseCase, user: User) -> dict[str, bool | int]:
    """Return the vote count and whether `user` voted and follows (one query)."""
    mine = {"use_case": OuterRef("pk"), "user": user}
    row = (
        UseCase.objects.filter(pk=use_case.pk)
        .annotate(
            n_votes=_count_of(UseCaseVote),
            voted=Exists(UseCaseVote.objects.filter(**mine)),
            following=Exists(UseCaseFollow.objects.filter(**mine)),
        )
        .values("n_votes", "voted", "following")
        .get()
    )
    return {"votes": row["n_votes"], "voted": row["voted"], "follows": row["following"]}
