"""Recasting: the remaining schedule is the same calculation on the outstanding balance."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

from domain.schedule import Frequency, Method, ScheduleTerms, generate_schedule

TEXTBOOK = ScheduleTerms(
    principal=Decimal("10000.00"),
    annual_rate_percent=Decimal("12"),
    term=12,
    frequency=Frequency.MONTHLY,
    method=Method.EQUAL_INSTALLMENTS,
    start_date=date(2024, 1, 15),
)


def test_recast_at_the_unchanged_balance_reproduces_the_rest_of_the_schedule() -> None:
    # After four payments of the textbook loan 6798.42 is left over eight months.
    recast = replace(TEXTBOOK, principal=Decimal("6798.42"), term=8, start_date=date(2024, 5, 15))
    installments = generate_schedule(recast).installments
    assert [(str(i.principal), str(i.interest)) for i in installments] == [
        ("820.51", "67.98"),
        ("828.71", "59.78"),
        ("837.00", "51.49"),
        ("845.37", "43.12"),
        ("853.82", "34.67"),
        ("862.36", "26.13"),
        ("870.98", "17.51"),
        ("879.67", "8.80"),
    ]
    assert installments[0].due_date == date(2024, 6, 15)
    assert installments[-1].due_date == date(2025, 1, 15)


def test_recast_after_a_prepayment_lowers_the_installment() -> None:
    # 5000 over 8 months at 1%: 5000 x 0.01 / (1 - 1.01^-8) = 653.45
    recast = replace(TEXTBOOK, principal=Decimal("5000.00"), term=8, start_date=date(2024, 5, 15))
    schedule = generate_schedule(recast)
    assert schedule.installments[0].total == Decimal("653.45")
    assert schedule.installments[-1].total == Decimal("653.47")  # 647.00 + 6.47
    assert schedule.total_principal == Decimal("5000.00")


def test_recast_keeps_a_month_end_anchor_through_first_due_date() -> None:
    # Recasting from 30 April of a 31st-of-month loan: the next original date keeps the 31st.
    month_end = replace(TEXTBOOK, start_date=date(2024, 1, 31))
    recast = replace(
        month_end,
        principal=Decimal("6798.42"),
        term=3,
        start_date=date(2024, 4, 30),
        first_due_date=date(2024, 5, 31),
    )
    dates = [i.due_date for i in generate_schedule(recast).installments]
    assert dates == [date(2024, 5, 31), date(2024, 6, 30), date(2024, 7, 31)]
