"""Rounding modes on exact half-way amounts, in cents and in whole yen."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from domain.schedule import (
    DayCount,
    Frequency,
    InterestCalculation,
    Method,
    Rounding,
    ScheduleTerms,
    generate_schedule,
)

ONE_MONTH_BULLET = ScheduleTerms(
    principal=Decimal("1000.50"),
    annual_rate_percent=Decimal("12"),
    term=1,
    frequency=Frequency.MONTHLY,
    method=Method.BULLET,
    start_date=date(2024, 1, 15),
)


def interest(terms: ScheduleTerms) -> Decimal:
    return generate_schedule(terms).installments[0].interest


@pytest.mark.parametrize(
    ("principal", "rounding", "expected"),
    [
        ("1000.50", Rounding.HALF_EVEN, "10.00"),  # 10.005: the even neighbour is 10.00
        ("1000.50", Rounding.HALF_UP, "10.01"),
        ("1000.50", Rounding.DOWN, "10.00"),
        ("1001.50", Rounding.HALF_EVEN, "10.02"),  # 10.015: the even neighbour is 10.02
        ("1001.50", Rounding.HALF_UP, "10.02"),
        ("1001.50", Rounding.DOWN, "10.01"),
        ("1001.49", Rounding.HALF_UP, "10.01"),  # 10.0149 is below half way
    ],
)
def test_per_period_interest_on_a_half_cent(
    principal: str, rounding: Rounding, expected: str
) -> None:
    terms = replace(ONE_MONTH_BULLET, principal=Decimal(principal), rounding=rounding)
    assert interest(terms) == Decimal(expected)


@pytest.mark.parametrize(
    ("day_count", "start"),
    [
        (DayCount.THIRTY_360, date(2024, 1, 15)),  # 30/360 days, 1000.50 x 12% x 30/360
        (DayCount.ACTUAL_360, date(2024, 4, 1)),  # April has 30 actual days
    ],
)
@pytest.mark.parametrize(
    ("rounding", "expected"), [(Rounding.HALF_UP, "10.01"), (Rounding.HALF_EVEN, "10.00")]
)
def test_daily_interest_landing_on_half_a_cent_is_exact(
    day_count: DayCount, start: date, rounding: Rounding, expected: str
) -> None:
    # 0.12/360 has no finite decimal; a pre-divided daily rate would land just below 10.005.
    terms = replace(
        ONE_MONTH_BULLET,
        start_date=start,
        day_count=day_count,
        interest_calculation=InterestCalculation.DAILY,
        rounding=rounding,
    )
    assert interest(terms) == Decimal(expected)


@pytest.mark.parametrize(
    ("rounding", "expected"),
    [(Rounding.HALF_EVEN, "12.50"), (Rounding.HALF_UP, "12.51"), (Rounding.DOWN, "12.50")],
)
def test_actual_365_over_a_common_year_on_half_a_cent(rounding: Rounding, expected: str) -> None:
    # 2023 has 365 days: 100.04 x 12.5% x 365/365 = 12.505 exactly.
    terms = replace(
        ONE_MONTH_BULLET,
        principal=Decimal("100.04"),
        annual_rate_percent=Decimal("12.5"),
        term=12,
        start_date=date(2023, 1, 1),
        day_count=DayCount.ACTUAL_365,
        interest_calculation=InterestCalculation.DAILY,
        rounding=rounding,
    )
    assert interest(terms) == Decimal(expected)


@pytest.mark.parametrize(
    ("principal", "rounding", "expected"),
    [
        ("1050", Rounding.HALF_EVEN, "10"),  # 10.5 yen
        ("1050", Rounding.HALF_UP, "11"),
        ("1150", Rounding.HALF_EVEN, "12"),  # 11.5 yen
        ("1150", Rounding.DOWN, "11"),
    ],
)
def test_yen_interest_rounds_to_whole_yen(
    principal: str, rounding: Rounding, expected: str
) -> None:
    terms = replace(ONE_MONTH_BULLET, principal=Decimal(principal), minor_unit=0, rounding=rounding)
    assert str(interest(terms)) == expected


@pytest.mark.parametrize(
    ("rounding", "principal"),
    [
        (Rounding.HALF_EVEN, ["0.02", "0.02", "0.02", "0.04"]),  # 0.10/4 = 0.025
        (Rounding.HALF_UP, ["0.03", "0.03", "0.03", "0.01"]),
        (Rounding.DOWN, ["0.02", "0.02", "0.02", "0.04"]),
    ],
)
def test_last_installment_absorbs_the_remainder_in_either_direction(
    rounding: Rounding, principal: list[str]
) -> None:
    terms = replace(
        ONE_MONTH_BULLET,
        principal=Decimal("0.10"),
        annual_rate_percent=Decimal("0"),
        term=4,
        method=Method.EQUAL_PRINCIPAL,
        rounding=rounding,
    )
    assert [str(i.principal) for i in generate_schedule(terms).installments] == principal


def test_three_place_currency_keeps_three_places() -> None:
    # A dinar-like currency: 1000.500 x 1% = 10.005 is already exact in mills.
    terms = replace(ONE_MONTH_BULLET, principal=Decimal("1000.500"), minor_unit=3)
    only = generate_schedule(terms).installments[0]
    assert (str(only.principal), str(only.interest), str(only.total)) == (
        "1000.500",
        "10.005",
        "1010.505",
    )
