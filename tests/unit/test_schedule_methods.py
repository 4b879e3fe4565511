"""Equal principal, interest-only, bullet and flat, with figures worked by hand."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from domain.schedule import (
    DayCount,
    Frequency,
    InterestCalculation,
    Method,
    ScheduleTerms,
    generate_schedule,
)

SHOP_LOAN = ScheduleTerms(
    principal=Decimal("12000.00"),
    annual_rate_percent=Decimal("12"),
    term=12,
    frequency=Frequency.MONTHLY,
    method=Method.EQUAL_PRINCIPAL,
    start_date=date(2024, 1, 15),
)


def daily_365(terms: ScheduleTerms) -> ScheduleTerms:
    return replace(
        terms, interest_calculation=InterestCalculation.DAILY, day_count=DayCount.ACTUAL_365
    )


def split(terms: ScheduleTerms) -> list[tuple[str, str]]:
    return [(str(i.principal), str(i.interest)) for i in generate_schedule(terms).installments]


# Equal principal ------------------------------------------------------------------------


def test_equal_principal_repays_1000_a_month_with_interest_on_the_declining_balance() -> None:
    schedule = generate_schedule(SHOP_LOAN)
    assert [i.principal for i in schedule.installments] == [Decimal("1000.00")] * 12
    # 1% of 12000, 11000, ... 1000
    assert [i.interest for i in schedule.installments] == [
        Decimal(120 - 10 * k).quantize(Decimal("0.01")) for k in range(12)
    ]
    assert schedule.total_interest == Decimal("780.00")


def test_equal_principal_last_installment_takes_the_remainder() -> None:
    terms = replace(SHOP_LOAN, principal=Decimal("1000.00"), term=3)
    # 1000/3 = 333.33; interest 1% of 1000, 666.67, 333.34
    assert split(terms) == [("333.33", "10.00"), ("333.33", "6.67"), ("333.34", "3.33")]


def test_equal_principal_with_grace_defers_principal_but_not_interest() -> None:
    terms = replace(SHOP_LOAN, principal=Decimal("6000.00"), term=6, grace_periods=2)
    assert split(terms) == [
        ("0.00", "60.00"),
        ("0.00", "60.00"),
        ("1500.00", "60.00"),
        ("1500.00", "45.00"),
        ("1500.00", "30.00"),
        ("1500.00", "15.00"),
    ]


def test_equal_principal_with_daily_actual_365_interest() -> None:
    terms = daily_365(
        replace(SHOP_LOAN, principal=Decimal("6000.00"), term=3, start_date=date(2023, 1, 1))
    )
    # 31, 28 and 31 days at 12%/365 on 6000, 4000 and 2000
    assert split(terms) == [("2000.00", "61.15"), ("2000.00", "36.82"), ("2000.00", "20.38")]


@pytest.mark.parametrize(
    ("frequency", "rate", "interest"),
    [
        (Frequency.WEEKLY, "10.4", ["10.40", "7.80", "5.20", "2.60"]),  # 0.2% a week on 5200
        (Frequency.FORTNIGHTLY, "13", ["26.00", "19.50", "13.00", "6.50"]),  # 0.5% a fortnight
        (Frequency.QUARTERLY, "8", ["104.00", "78.00", "52.00", "26.00"]),  # 2% a quarter
    ],
)
def test_equal_principal_per_frequency(
    frequency: Frequency, rate: str, interest: list[str]
) -> None:
    terms = replace(
        SHOP_LOAN,
        principal=Decimal("5200.00"),
        annual_rate_percent=Decimal(rate),
        term=4,
        frequency=frequency,
    )
    assert split(terms) == [("1300.00", amount) for amount in interest]


# Interest only --------------------------------------------------------------------------

INTEREST_ONLY = replace(SHOP_LOAN, method=Method.INTEREST_ONLY, term=6)


def test_interest_only_pays_interest_monthly_and_principal_at_maturity() -> None:
    assert split(INTEREST_ONLY) == [("0.00", "120.00")] * 5 + [("12000.00", "120.00")]


def test_interest_every_three_months_is_one_installment_a_quarter() -> None:
    terms = replace(INTEREST_ONLY, term=12, interest_only_every=3)
    schedule = generate_schedule(terms)
    assert [i.due_date for i in schedule.installments] == [
        date(2024, 4, 15),
        date(2024, 7, 15),
        date(2024, 10, 15),
        date(2025, 1, 15),
    ]
    assert [i.number for i in schedule.installments] == [1, 2, 3, 4]
    assert split(terms) == [("0.00", "360.00")] * 3 + [("12000.00", "360.00")]


def test_interest_every_three_months_with_a_short_last_span() -> None:
    terms = replace(INTEREST_ONLY, term=7, interest_only_every=3)
    schedule = generate_schedule(terms)
    assert [i.due_date for i in schedule.installments] == [
        date(2024, 4, 15),
        date(2024, 7, 15),
        date(2024, 8, 15),
    ]
    assert split(terms) == [("0.00", "360.00"), ("0.00", "360.00"), ("12000.00", "120.00")]


def test_quarterly_interest_with_daily_interest_counts_the_quarter_days() -> None:
    terms = daily_365(replace(INTEREST_ONLY, term=3, interest_only_every=3))
    # 15 Jan to 15 Apr 2024 is 91 days: 12000 x 12% x 91/365 = 359.0137
    assert split(terms) == [("12000.00", "359.01")]


def test_grace_changes_nothing_for_interest_only() -> None:
    assert split(replace(INTEREST_ONLY, grace_periods=3)) == split(INTEREST_ONLY)


# Bullet ---------------------------------------------------------------------------------

BULLET = replace(
    SHOP_LOAN, principal=Decimal("10000.00"), method=Method.BULLET, start_date=date(2024, 1, 1)
)


def test_bullet_pays_everything_in_one_installment_at_maturity() -> None:
    schedule = generate_schedule(BULLET)
    (only,) = schedule.installments
    assert only.due_date == date(2025, 1, 1)
    assert (only.principal, only.interest, only.total) == (
        Decimal("10000.00"),
        Decimal("1200.00"),
        Decimal("11200.00"),
    )
    assert only.balance_after == Decimal("0.00")


@pytest.mark.parametrize(
    ("day_count", "interest"),
    [
        (DayCount.ACTUAL_365, "1203.29"),  # 366 days of a leap year / 365
        (DayCount.ACTUAL_360, "1220.00"),  # 366 / 360
        (DayCount.THIRTY_360, "1200.00"),  # 360 / 360
    ],
)
def test_bullet_with_daily_interest_over_a_leap_year(day_count: DayCount, interest: str) -> None:
    terms = replace(BULLET, interest_calculation=InterestCalculation.DAILY, day_count=day_count)
    assert split(terms) == [("10000.00", interest)]


def test_weekly_bullet_charges_52_weeks_of_interest() -> None:
    terms = replace(
        BULLET, frequency=Frequency.WEEKLY, term=52, annual_rate_percent=Decimal("10.4")
    )
    (only,) = generate_schedule(terms).installments
    assert only.due_date == date(2024, 12, 30)  # 364 days after 1 January 2024
    assert only.interest == Decimal("1040.00")  # 0.2% x 52 on 10000


# Flat -----------------------------------------------------------------------------------

FLAT = replace(SHOP_LOAN, principal=Decimal("10000.00"), method=Method.FLAT)


def test_flat_interest_is_on_the_original_principal() -> None:
    schedule = generate_schedule(FLAT)
    # 10000 x 12% x 12/12 = 1200, i.e. 100 a month; 10000/12 = 833.33 with 833.37 last
    assert split(FLAT) == [("833.33", "100.00")] * 11 + [("833.37", "100.00")]
    assert schedule.total_interest == Decimal("1200.00")


def test_flat_last_installment_absorbs_both_remainders() -> None:
    terms = replace(FLAT, principal=Decimal("1000.00"), annual_rate_percent=Decimal("10"), term=3)
    # 1000 x 10% x 3/12 = 25.00 -> 8.33, 8.33, 8.34
    assert split(terms) == [("333.33", "8.33"), ("333.33", "8.33"), ("333.34", "8.34")]


def test_flat_with_grace_defers_principal_and_spreads_interest_over_the_whole_term() -> None:
    terms = replace(
        FLAT,
        principal=Decimal("1000.00"),
        annual_rate_percent=Decimal("10"),
        term=3,
        grace_periods=1,
    )
    assert split(terms) == [("0.00", "8.33"), ("500.00", "8.33"), ("500.00", "8.34")]


def test_flat_with_daily_interest_charges_each_period_its_days() -> None:
    terms = daily_365(replace(FLAT, term=3, start_date=date(2026, 1, 31)))
    # On the original 10,000 at 12% / 365: 28, 31 and 30 days, not 100.00 each period
    assert split(terms) == [
        ("3333.33", "92.05"), ("3333.33", "101.92"), ("3333.34", "98.63")
    ]  # fmt: skip


def test_flat_quarterly_with_daily_interest_counts_the_quarter_days() -> None:
    terms = daily_365(
        replace(
            FLAT,
            principal=Decimal("4000.00"),
            annual_rate_percent=Decimal("8"),
            term=4,
            frequency=Frequency.QUARTERLY,
        )
    )
    # 4000 x 8% / 365 over 91, 91, 92 and 92 days (it used to ignore them: 80.00 each)
    assert split(terms) == [
        ("1000.00", "79.78"), ("1000.00", "79.78"), ("1000.00", "80.66"), ("1000.00", "80.66")
    ]  # fmt: skip


def test_flat_with_daily_interest_and_grace_defers_principal_only() -> None:
    terms = daily_365(replace(FLAT, term=3, grace_periods=1, start_date=date(2026, 1, 31)))
    assert split(terms) == [("0.00", "92.05"), ("5000.00", "101.92"), ("5000.00", "98.63")]


def test_flat_rounds_the_installment_to_the_multiple() -> None:
    # Fineract's flat example: 5,000 at 12% over 18 months, installment to a multiple of 1.
    # Interest 5000 x 12% x 18/12 = 900, 50 a month; 5900/18 = 327.78 -> 328, so 278 of
    # principal each month and the last takes the remaining 274.
    terms = replace(FLAT, principal=Decimal("5000.00"), term=18, installment_multiple=Decimal("1"))
    assert split(terms) == [("278.00", "50.00")] * 17 + [("274.00", "50.00")]
    totals = [i.total for i in generate_schedule(terms).installments]
    assert totals == [Decimal("328.00")] * 17 + [Decimal("324.00")]


def test_flat_with_grace_rounds_the_installments_after_grace_to_the_multiple() -> None:
    terms = replace(
        FLAT,
        principal=Decimal("1000.00"),
        annual_rate_percent=Decimal("10"),
        term=3,
        grace_periods=1,
        installment_multiple=Decimal("10"),
    )
    # 500 + 8.33 = 508.33 -> 510, so 501.67 of principal, the last 498.33
    assert split(terms) == [("0.00", "8.33"), ("501.67", "8.33"), ("498.33", "8.34")]
