"""Points-to-double-odds scaling, PD and grade bands."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.scorecard import Scaling, probability_of_default

DEFAULT = Scaling()
log_odds = st.decimals(min_value=-30, max_value=30, places=6)
odds = st.decimals(min_value=Decimal("0.0001"), max_value=10**6, places=4)


def test_600_points_at_50_to_1() -> None:
    assert DEFAULT.points(Decimal(50).ln()) == Decimal(600)
    # z = -ln(50): odds of 50:1 is a PD of 1/51.
    assert DEFAULT.score(-Decimal(50).ln()) == 600
    assert probability_of_default(-Decimal(50).ln()) == Decimal("0.019608")


@settings(max_examples=300)
@given(odds=odds)
def test_doubling_the_odds_adds_exactly_20_points_before_rounding(odds: Decimal) -> None:
    doubled = DEFAULT.points((2 * odds).ln()) - DEFAULT.points(odds.ln())
    assert abs(doubled - 20) < Decimal("1e-20")


@given(odds=odds, pdo=st.integers(5, 80), base=st.integers(300, 900))
def test_any_scaling_keeps_its_points_to_double_odds(odds: Decimal, pdo: int, base: int) -> None:
    scaling = Scaling(base_score=base, pdo=Decimal(pdo))
    assert abs(scaling.points((2 * odds).ln()) - scaling.points(odds.ln()) - pdo) < Decimal("1e-20")


@settings(max_examples=300)
@given(a=log_odds, b=log_odds)
def test_a_higher_pd_never_scores_higher(a: Decimal, b: Decimal) -> None:
    low, high = sorted((a, b))
    assert probability_of_default(low) <= probability_of_default(high)
    assert DEFAULT.score(low) >= DEFAULT.score(high)
    assert DEFAULT.grade(DEFAULT.score(low)) <= DEFAULT.grade(DEFAULT.score(high))


@given(z=log_odds)
def test_pd_has_six_places_and_stays_a_probability(z: Decimal) -> None:
    pd = probability_of_default(z)
    assert Decimal(0) <= pd <= Decimal(1)
    assert pd.as_tuple().exponent == -6


@pytest.mark.parametrize(
    ("score", "grade"),
    [(700, "A"), (620, "A"), (619, "B"), (600, "B"), (580, "C"), (579, "D"), (560, "D"),
     (559, "E"), (300, "E")],
)  # fmt: skip
def test_grades_are_bands_of_20_points(score: int, grade: str) -> None:
    assert DEFAULT.grade(score) == grade


def test_grade_floors_must_descend() -> None:
    with pytest.raises(ValueError, match="descending"):
        Scaling(grades=(*reversed(DEFAULT.grades),))
