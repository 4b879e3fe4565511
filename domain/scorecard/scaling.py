"""From a linear predictor to PD, score and grade.

The linear predictor `z` is the model's log-odds of default (bad), so the odds of
good to bad are exp(-z). Points-to-double-odds scaling turns those odds into a
score: `base_score` points at `base_odds` (good:bad), and every doubling of the
odds adds `pdo` points. Grades are score bands.

All arithmetic is Decimal in a fixed context (exp and ln are correctly rounded),
so a model version gives the same result for the same inputs on any machine.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal, localcontext

from pydantic import model_validator

from domain.model import Immutable

PD_PLACES = Decimal("0.000001")
ONE = Decimal(1)


@contextmanager
def fixed_precision() -> Iterator[Context]:
    """The one context scoring runs in, whatever the caller's thread has set."""
    with localcontext(Context(prec=28, rounding=ROUND_HALF_EVEN)) as context:
        yield context


class GradeFloor(Immutable):
    grade: str
    min_score: int


# One band per doubling of the odds under the default scaling: A at 100:1 or better
# (PD up to about 1%), B from 50:1 (2%), C from 25:1 (3.8%), D from 12.5:1 (7.4%), E worse.
DEFAULT_GRADES = (
    GradeFloor(grade="A", min_score=620),
    GradeFloor(grade="B", min_score=600),
    GradeFloor(grade="C", min_score=580),
    GradeFloor(grade="D", min_score=560),
)


class Scaling(Immutable):
    """Recorded with each model version, so a later change of defaults leaves it alone."""

    base_score: int = 600
    base_odds: Decimal = Decimal(50)
    pdo: Decimal = Decimal(20)
    grades: tuple[GradeFloor, ...] = DEFAULT_GRADES
    lowest_grade: str = "E"

    @model_validator(mode="after")
    def _check(self) -> Scaling:
        if not self.base_odds > 0 or not self.pdo > 0:
            raise ValueError("base_odds and pdo must be positive")
        floors = [g.min_score for g in self.grades]
        if floors != sorted(floors, reverse=True) or len(set(floors)) != len(floors):
            raise ValueError("grade floors must be strictly descending")
        return self

    def points(self, log_odds_good: Decimal) -> Decimal:
        """The unrounded score for ln(good:bad odds)."""
        with fixed_precision():
            factor = self.pdo / Decimal(2).ln()
            offset = self.base_score - factor * self.base_odds.ln()
            return offset + factor * log_odds_good

    def score(self, z: Decimal) -> int:
        return int(self.points(-z).quantize(ONE, rounding=ROUND_HALF_UP))

    def grade(self, score: int) -> str:
        for floor in self.grades:
            if score >= floor.min_score:
                return floor.grade
        return self.lowest_grade


def probability_of_default(z: Decimal) -> Decimal:
    """The logistic function of the log-odds of default, rounded to 6 places."""
    with fixed_precision():
        pd = ONE / (ONE + (-z).exp())
        return pd.quantize(PD_PLACES)
