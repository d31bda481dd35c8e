"""The Net Promoter Score of a recommendation question ("How likely … recommend?", 0–10).

NPS = share of promoters (9–10) minus share of detractors (0–6), in percentage points, from
−100 to +100; passives (7–8) count in the total only. An average of 0–10 answers says
little here (two 5s and a 0 and a 10 have the same mean), so recommendation questions show
the score and the three shares instead. Every figure is computed from counts that the
k-threshold already allowed (results.py, trends.py): no new figure, only a new sum.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q

PROMOTER_MIN = 9
DETRACTOR_MAX = 6


def _percent(part: int, whole: int) -> int:
    """Round half away from zero (Python's round() would round half to even)."""
    if not whole:
        return 0
    return int((Decimal(100 * part) / whole).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Nps:
    promoters: int
    passives: int
    detractors: int

    @property
    def answers(self) -> int:
        return self.promoters + self.passives + self.detractors

    @property
    def score(self) -> int:
        return _percent(self.promoters - self.detractors, self.answers)

    @property
    def signed(self) -> str:
        """Return the score as people write it: "+23", "−12" (a real minus), "0"."""
        return f"+{self.score}" if self.score > 0 else str(self.score).replace("-", "−")

    @property
    def promoter_percent(self) -> int:
        return _percent(self.promoters, self.answers)

    @property
    def passive_percent(self) -> int:
        return _percent(self.passives, self.answers)

    @property
    def detractor_percent(self) -> int:
        return _percent(self.detractors, self.answers)

    def __add__(self, other: Nps) -> Nps:
        return Nps(
            self.promoters + other.promoters,
            self.passives + other.passives,
            self.detractors + other.detractors,
        )


def nps_from_counts(counts: Mapping[int | str, int]) -> Nps:
    """Return the NPS of answer counts per value (0–10)."""
    promoters = sum(n for v, n in counts.items() if int(v) >= PROMOTER_MIN)
    detractors = sum(n for v, n in counts.items() if int(v) <= DETRACTOR_MAX)
    return Nps(promoters, sum(counts.values()) - promoters - detractors, detractors)


def nps_aggregates(field: str = "number") -> dict[str, Count]:
    """Return the annotations that count promoters and detractors of a 0–10 `field`."""
    return {
        "promoters": Count("id", filter=Q(**{f"{field}__gte": PROMOTER_MIN})),
        "detractors": Count("id", filter=Q(**{f"{field}__lte": DETRACTOR_MAX})),
    }


def nps_from_row(row: Mapping[str, int]) -> Nps:
    """Return the NPS of a row annotated with `nps_aggregates()` and its count `n`."""
    promoters, detractors = row["promoters"], row["detractors"]
    return Nps(promoters, row["n"] - promoters - detractors, detractors)
