"""Payoff and write-off on the three-month loan (3000.00 at 12%, 1020.07 a month from
15 January 2024; installments 30.00 + 990.07, 20.10 + 999.97, 10.10 + 1009.96)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from domain.ledger import (
    Allocation,
    Charge,
    Component,
    ComponentAmounts,
    Payment,
    Prepayment,
    allocate,
    payoff_amount,
)
from domain.schedule import Frequency, Method, ScheduleTerms, generate_schedule

INTEREST, PRINCIPAL, FEE = Component.INTEREST, Component.PRINCIPAL, Component.FEE

THREE_MONTHS = ScheduleTerms(
    principal=Decimal("3000.00"),
    annual_rate_percent=Decimal("12"),
    term=3,
    frequency=Frequency.MONTHLY,
    method=Method.EQUAL_INSTALLMENTS,
    start_date=date(2024, 1, 15),
)
SCHEDULE = generate_schedule(THREE_MONTHS)
FEBRUARY = Payment("february", Decimal("1020.07"), date(2024, 2, 15), 1)
MAR_1 = date(2024, 3, 1)


def test_payoff_is_principal_plus_interest_accrued_to_the_day() -> None:
    # 2009.93 principal + installment 2's 20.10 interest for 16 of 30 days (30/360) = 10.72
    assert payoff_amount(THREE_MONTHS, SCHEDULE, [FEBRUARY], on=MAR_1) == Decimal("2020.65")


def test_paying_the_payoff_amount_closes_the_loan_with_nothing_left() -> None:
    payoff = Payment("payoff", Decimal("2020.65"), MAR_1, 2)
    state = allocate(THREE_MONTHS, SCHEDULE, [FEBRUARY, payoff])
    result = state.result("payoff")
    assert result.allocations == (
        Allocation(2, INTEREST, Decimal("10.72")),
        Allocation(2, PRINCIPAL, Decimal("2009.93")),
    )
    assert result.credit == 0
    assert state.is_fully_repaid
    assert state.outstanding == ComponentAmounts(*[Decimal("0.00")] * 4)
    # later interest is not owed: installment 3 is folded into 2
    assert result.schedule_after == state.schedule
    assert [(row.principal, row.interest) for row in state.schedule.installments] == [
        (Decimal("990.07"), Decimal("30.00")),
        (Decimal("2009.93"), Decimal("10.72")),
    ]
    assert state.installments[1].paid_off_on == MAR_1


def test_a_cent_less_than_the_payoff_pays_ahead_and_does_not_close() -> None:
    short = Payment("short", Decimal("2020.64"), MAR_1, 2)
    state = allocate(THREE_MONTHS, SCHEDULE, [FEBRUARY, short])
    assert not state.is_fully_repaid
    assert state.result("short").schedule_after is None
    # 10.72 of interest accrued by 1 March, then 2009.92 of principal: a cent is left
    assert state.outstanding.principal == Decimal("0.01")
    assert payoff_amount(THREE_MONTHS, SCHEDULE, [FEBRUARY, short], on=MAR_1) == Decimal("0.01")


def test_payoff_with_arrears_and_a_fee() -> None:
    fee = Charge(1, FEE, Decimal("25.00"), date(2024, 2, 20), "late-fee-1")
    on = date(2024, 3, 20)
    # installments 1 and 2 are due (2 x 1020.07) + 25.00 fee + 1009.96 principal of 3
    # + 10.10 x 5/30 = 1.68 interest of 3 accrued since 15 March
    amount = payoff_amount(THREE_MONTHS, SCHEDULE, [], [fee], on=on)
    assert amount == Decimal("3076.78")
    state = allocate(THREE_MONTHS, SCHEDULE, [Payment("all", amount, on, 1)], [fee])
    assert state.is_fully_repaid
    assert state.results[0].credit == 0


def test_payoff_on_a_due_date_owes_that_installment_and_the_principal() -> None:
    assert payoff_amount(THREE_MONTHS, SCHEDULE, [], on=date(2024, 2, 15)) == Decimal("3030.00")
    after_maturity = payoff_amount(THREE_MONTHS, SCHEDULE, [FEBRUARY], on=date(2024, 5, 1))
    assert after_maturity == Decimal("2040.13")  # installments 2 and 3 in full


def test_payoff_ignores_payments_dated_later() -> None:
    later = Payment("later", Decimal("500.00"), date(2024, 3, 10), 2)
    assert payoff_amount(THREE_MONTHS, SCHEDULE, [FEBRUARY, later], on=MAR_1) == Decimal("2020.65")


def test_a_prepayment_flag_on_the_payoff_changes_nothing() -> None:
    payoff = Payment("payoff", Decimal("2020.65"), MAR_1, 2, Prepayment.REDUCE_INSTALLMENT)
    assert allocate(THREE_MONTHS, SCHEDULE, [FEBRUARY, payoff]).is_fully_repaid


def test_a_write_off_keeps_what_was_owed_and_later_money_is_a_recovery() -> None:
    recovery = Payment("recovery", Decimal("500.00"), date(2024, 4, 1), 2)
    state = allocate(THREE_MONTHS, SCHEDULE, [FEBRUARY, recovery], written_off_on=MAR_1)
    # written off on 1 March: 2009.93 principal and 10.72 interest accrued to that day
    assert state.written_off == ComponentAmounts(
        Decimal("0.00"), Decimal("0.00"), Decimal("10.72"), Decimal("2009.93")
    )
    assert state.result("recovery").allocations == (
        Allocation(2, INTEREST, Decimal("10.72")),
        Allocation(2, PRINCIPAL, Decimal("489.28")),
    )
    assert state.recovered.principal == Decimal("489.28")
    assert state.recovered.interest == Decimal("10.72")
    assert state.outstanding.principal == Decimal("1520.65")  # 2009.93 - 489.28
    assert state.outstanding.principal == state.disbursed - state.principal_repaid
    assert state.is_written_off


def test_a_payment_on_the_write_off_date_comes_before_the_write_off() -> None:
    same_day = Payment("same-day", Decimal("100.00"), MAR_1, 2)
    state = allocate(THREE_MONTHS, SCHEDULE, [FEBRUARY, same_day], written_off_on=MAR_1)
    assert state.recovered.total == 0
    assert state.written_off is not None
    # The 100.00 paid installment 2's 10.72 of interest accrued by 1 March, and 89.28
    # principal: 2009.93 - 89.28 is written off.
    assert state.written_off == ComponentAmounts(
        Decimal("0.00"), Decimal("0.00"), Decimal("0.00"), Decimal("1920.65")
    )
