"""Equal installments (annuity): figures worked by hand or from the closed form."""

from dataclasses import replace
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal, localcontext

import pytest

from domain.schedule import (
    DayCount,
    Frequency,
    InterestCalculation,
    Method,
    OddPeriodInterest,
    Rounding,
    ScheduleTerms,
    generate_schedule,
)

# The textbook loan: 10,000 at 12% a year over 12 months pays 888.49 a month.
TEXTBOOK = ScheduleTerms(
    principal=Decimal("10000.00"),
    annual_rate_percent=Decimal("12"),
    term=12,
    frequency=Frequency.MONTHLY,
    method=Method.EQUAL_INSTALLMENTS,
    start_date=date(2024, 1, 15),
)

# (principal, interest, balance_after) row by row: interest = balance x 1%, rounded to the cent.
TEXTBOOK_ROWS = [
    ("788.49", "100.00", "9211.51"),
    ("796.37", "92.12", "8415.14"),
    ("804.34", "84.15", "7610.80"),
    ("812.38", "76.11", "6798.42"),
    ("820.51", "67.98", "5977.91"),
    ("828.71", "59.78", "5149.20"),
    ("837.00", "51.49", "4312.20"),
    ("845.37", "43.12", "3466.83"),
    ("853.82", "34.67", "2613.01"),
    ("862.36", "26.13", "1750.65"),
    ("870.98", "17.51", "879.67"),
    ("879.67", "8.80", "0.00"),
]


def rows(terms: ScheduleTerms) -> list[tuple[str, str, str]]:
    return [
        (str(item.principal), str(item.interest), str(item.balance_after))
        for item in generate_schedule(terms).installments
    ]


def closed_form_payment(principal: Decimal, rate: Decimal, periods: int) -> Decimal:
    with localcontext(prec=60):
        return principal * rate / (1 - (1 + rate) ** -periods)


def test_textbook_loan_pays_888_49_and_the_last_installment_takes_the_remainder() -> None:
    schedule = generate_schedule(TEXTBOOK)
    assert rows(TEXTBOOK) == TEXTBOOK_ROWS
    assert [item.total for item in schedule.installments[:-1]] == [Decimal("888.49")] * 11
    assert schedule.installments[-1].total == Decimal("888.47")
    assert schedule.total_interest == Decimal("661.86")
    assert schedule.total_payable == Decimal("10661.86")
    assert schedule.installments[0].due_date == date(2024, 2, 15)


def test_thirty_year_mortgage_follows_the_closed_form_balance() -> None:
    mortgage = replace(
        TEXTBOOK, principal=Decimal("1000000.00"), annual_rate_percent=Decimal("4.9"), term=360
    )
    schedule = generate_schedule(mortgage)
    rate = Decimal("4.9") / 1200
    payment = closed_form_payment(Decimal(1000000), rate, 360).quantize(
        Decimal("0.01"), ROUND_HALF_EVEN
    )
    assert payment == Decimal("5307.27")
    assert all(item.total == payment for item in schedule.installments[:-1])
    with localcontext(prec=60):
        growth = Decimal(1)
        for k, item in enumerate(schedule.installments, start=1):
            growth *= 1 + rate
            expected = Decimal(1000000) * growth - payment * (growth - 1) / rate
            # Each interest rounding moves the balance by at most half a cent, then compounds.
            tolerance = Decimal("0.005") * k * growth
            if k < 360:
                assert abs(item.balance_after - expected) <= tolerance
            else:
                # What the level payment leaves over (or short) after 360 periods is settled last.
                assert abs(item.total - (payment + expected)) <= tolerance


def test_grace_periods_pay_interest_then_the_annuity_runs_over_the_rest() -> None:
    terms = replace(TEXTBOOK, term=6, grace_periods=2)
    assert closed_form_payment(Decimal(10000), Decimal("0.01"), 4).quantize(
        Decimal("0.01")
    ) == Decimal("2562.81")
    assert rows(terms) == [
        ("0.00", "100.00", "10000.00"),
        ("0.00", "100.00", "10000.00"),
        ("2462.81", "100.00", "7537.19"),
        ("2487.44", "75.37", "5049.75"),
        ("2512.31", "50.50", "2537.44"),
        ("2537.44", "25.37", "0.00"),
    ]


def test_installment_rounded_to_whole_units() -> None:
    terms = replace(TEXTBOOK, installment_multiple=Decimal("1"))
    schedule = generate_schedule(terms)
    assert [item.total for item in schedule.installments[:-1]] == [Decimal("888.00")] * 11
    assert rows(terms)[:3] == [
        ("788.00", "100.00", "9212.00"),
        ("795.88", "92.12", "8416.12"),
        ("803.84", "84.16", "7612.28"),
    ]
    assert rows(terms)[-1] == ("885.33", "8.85", "0.00")


@pytest.mark.parametrize(
    ("rounding", "multiple", "level"),
    [
        (Rounding.HALF_EVEN, "10", "890.00"),  # 88.849 tens -> 89
        (Rounding.DOWN, "10", "880.00"),
        (Rounding.HALF_UP, "1", "888.00"),
        (Rounding.HALF_EVEN, "0.5", "888.50"),  # 1776.98 halves -> 1777
        (Rounding.DOWN, "0.5", "888.00"),
    ],
)
def test_installment_multiple_uses_the_rounding_mode(
    rounding: Rounding, multiple: str, level: str
) -> None:
    terms = replace(TEXTBOOK, rounding=rounding, installment_multiple=Decimal(multiple))
    first = generate_schedule(terms).installments[0]
    assert first.total == Decimal(level)


@pytest.mark.parametrize(
    ("rounding", "level"),
    [(Rounding.HALF_EVEN, "888.49"), (Rounding.HALF_UP, "888.49"), (Rounding.DOWN, "888.48")],
)
def test_level_payment_rounds_by_mode(rounding: Rounding, level: str) -> None:
    # The unrounded payment is 888.4878...
    first = generate_schedule(replace(TEXTBOOK, rounding=rounding)).installments[0]
    assert first.total == Decimal(level)


def test_yen_loan_has_no_minor_unit() -> None:
    terms = replace(TEXTBOOK, principal=Decimal("1000000"), minor_unit=0)
    result = rows(terms)
    assert result[:3] == [
        ("78849", "10000", "921151"),
        ("79637", "9212", "841514"),  # 9211.51 rounds up to 9212
        ("80434", "8415", "761080"),
    ]
    assert result[-1] == ("87967", "880", "0")


def test_zero_rate_splits_the_principal_evenly() -> None:
    terms = replace(
        TEXTBOOK, principal=Decimal("1000.00"), annual_rate_percent=Decimal("0"), term=3
    )
    assert rows(terms) == [
        ("333.33", "0.00", "666.67"),
        ("333.33", "0.00", "333.34"),
        ("333.34", "0.00", "0.00"),
    ]


@pytest.mark.parametrize(
    ("frequency", "principal", "rate", "expected"),
    [
        # 10.4% / 52 = 0.2% a week
        (Frequency.WEEKLY, "5200.00", "10.4", [("1296.11", "10.40"), ("1298.70", "7.81")]),
        # 13% / 26 = 0.5% a fortnight
        (Frequency.FORTNIGHTLY, "2600.00", "13", [("862.35", "13.00"), ("866.66", "8.69")]),
        # 8% / 4 = 2% a quarter
        (Frequency.QUARTERLY, "4000.00", "8", [("970.50", "80.00"), ("989.91", "60.59")]),
    ],
)
def test_periodic_rate_per_frequency(
    frequency: Frequency, principal: str, rate: str, expected: list[tuple[str, str]]
) -> None:
    terms = replace(
        TEXTBOOK,
        principal=Decimal(principal),
        annual_rate_percent=Decimal(rate),
        frequency=frequency,
        term=4 if frequency != Frequency.FORTNIGHTLY else 3,
    )
    installments = generate_schedule(terms).installments
    assert [(str(i.principal), str(i.interest)) for i in installments[:2]] == expected


def test_daily_30_360_on_mid_month_dates_equals_per_period_interest() -> None:
    # Every period is 30 days of 360, i.e. exactly 1% at 12%.
    daily = replace(TEXTBOOK, interest_calculation=InterestCalculation.DAILY)
    assert rows(daily) == TEXTBOOK_ROWS


def test_daily_30_360_from_month_end_counts_28_days_to_february_end() -> None:
    terms = replace(
        TEXTBOOK, start_date=date(2023, 1, 31), interest_calculation=InterestCalculation.DAILY
    )
    first, second = generate_schedule(terms).installments[:2]
    assert first.interest == Decimal("93.33")  # 10000 x 12% x 28/360
    # The level payment is solved for the days charged (28, then 30 a month): 887.90
    assert first.principal == Decimal("794.57")  # 887.90 - 93.33
    assert second.interest == Decimal("92.05")  # 9205.43 x 12% x 30/360 = 92.0543


@pytest.mark.parametrize(
    ("day_count", "year", "first_interest"),
    [
        (DayCount.ACTUAL_365, 365, "101.92"),  # 10000 x 12% x 31/365 = 101.9178
        (DayCount.ACTUAL_360, 360, "103.33"),  # 10000 x 12% x 31/360 = 103.3333
    ],
)
def test_daily_actual_interest_accrues_day_by_day_on_the_balance(
    day_count: DayCount, year: int, first_interest: str
) -> None:
    terms = replace(TEXTBOOK, interest_calculation=InterestCalculation.DAILY, day_count=day_count)
    schedule = generate_schedule(terms)
    assert schedule.installments[0].interest == Decimal(first_interest)
    balance, day = TEXTBOOK.principal, TEXTBOOK.start_date
    for item in schedule.installments:
        accrued = Decimal(0)
        while day < item.due_date:
            day += timedelta(days=1)
            accrued += balance * Decimal("0.12") / year
        assert item.interest == accrued.quantize(Decimal("0.01"), ROUND_HALF_EVEN)
        if item.number < 12:
            # The level payment is solved for the days charged, so it stays level.
            assert item.total == schedule.installments[0].total
        balance -= item.principal
    assert balance == 0
    assert abs(schedule.installments[-1].total - schedule.installments[0].total) <= Decimal("0.05")


def test_first_due_date_with_per_period_interest_charges_one_full_period() -> None:
    terms = replace(
        TEXTBOOK,
        start_date=date(2024, 1, 10),
        first_due_date=date(2024, 2, 20),
        odd_period_interest=OddPeriodInterest.WHOLE_PERIOD,  # by_days: see test_schedule_odd_period
    )
    assert rows(terms) == TEXTBOOK_ROWS
    dates = [item.due_date for item in generate_schedule(terms).installments]
    assert dates[:3] == [date(2024, 2, 20), date(2024, 3, 20), date(2024, 4, 20)]


def test_first_due_date_with_daily_interest_charges_the_broken_period() -> None:
    terms = replace(
        TEXTBOOK,
        start_date=date(2024, 1, 10),
        first_due_date=date(2024, 2, 20),
        interest_calculation=InterestCalculation.DAILY,
        day_count=DayCount.ACTUAL_365,
    )
    first, second = generate_schedule(terms).installments[:2]
    assert first.interest == Decimal("134.79")  # 41 days: 10000 x 12% x 41/365 = 134.7945
    assert first.principal == Decimal("756.62")  # of a level 891.41 solved for the days
    assert second.interest == Decimal("88.13")  # 20 Feb to 20 Mar 2024 is 29 days: 88.1284
