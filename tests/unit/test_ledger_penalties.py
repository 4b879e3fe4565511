"""Late fees and penalty interest on the three-month loan (3000.00 at 12%, 1020.07 a
month from 15 January 2024; installments 30.00 + 990.07, 20.10 + 999.97, 10.10 + 1009.96).

The penalty terms make the arithmetic visible: 36.5% a year on actual/365 is 0.1% of
overdue principal a day; a late fee of 50.00 after 3 grace days.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from domain.ledger import (
    Charge,
    Component,
    Payment,
    PenaltyTerms,
    allocate,
    payoff_amount,
)
from domain.schedule import DayCount
from tests.support.ledger import SCHEDULE, THREE_MONTHS, cents

PENALTY, FEE = Component.PENALTY, Component.FEE
TERMS = PenaltyTerms(Decimal("36.5"), Decimal("50.00"), 3, DayCount.ACTUAL_365)
FIRST_PRINCIPAL = Decimal("990.07")
DAILY = Decimal("0.001")


def charges_until(until: date, *payments: Payment) -> list[Charge]:
    state = allocate(THREE_MONTHS, SCHEDULE, payments, penalties=TERMS, until=until)
    return list(state.charges)


def test_an_unpaid_installment_is_charged_a_fee_after_grace_and_penalty_at_month_end() -> None:
    # Due 15 Feb; grace 16-18 Feb; fee on 19 Feb. Penalty for 16-29 Feb (2024 is leap).
    february_penalty = cents(FIRST_PRINCIPAL * DAILY * 14)
    assert charges_until(date(2024, 3, 10)) == [
        Charge(1, FEE, Decimal("50.00"), date(2024, 2, 19), "late-fee:1"),
        Charge(1, PENALTY, february_penalty, date(2024, 2, 29), "penalty:1:2024-02-29"),
    ]
    assert february_penalty == Decimal("13.86")


def test_nothing_is_charged_before_the_grace_days_end() -> None:
    assert charges_until(date(2024, 2, 18)) == []


def test_payoff_counts_fees_and_penalty_accrued_to_the_day_whatever_was_recorded() -> None:
    on = date(2024, 3, 10)
    accrued = FIRST_PRINCIPAL * DAILY * 14
    march = cents(accrued + FIRST_PRINCIPAL * DAILY * 10 - cents(accrued))  # remainder carried
    interest_to_date = cents(Decimal("20.10") * 25 / 30)  # 30/360: 15 Feb to 10 Mar
    expected = (
        Decimal("1020.07") + Decimal("50.00") + cents(accrued) + march
        + Decimal("2009.93") + interest_to_date
    )  # fmt: skip
    quote = payoff_amount(THREE_MONTHS, SCHEDULE, [], on=on, penalties=TERMS)
    assert quote == expected == Decimal("3120.51")
    closing = Payment("payoff", quote, on, 1)
    state = allocate(THREE_MONTHS, SCHEDULE, [closing], penalties=TERMS, until=on)
    assert state.is_fully_repaid
    assert state.credit == 0


def test_paying_within_grace_owes_only_the_days_of_penalty_and_no_fee() -> None:
    penalty = cents(FIRST_PRINCIPAL * DAILY * 3)
    paid = Payment("on-time-ish", Decimal("1020.07") + penalty, date(2024, 2, 18), 1)
    state = allocate(THREE_MONTHS, SCHEDULE, [paid], penalties=TERMS, until=date(2024, 3, 10))
    assert list(state.charges) == [
        Charge(1, PENALTY, penalty, date(2024, 2, 18), "penalty:1:2024-02-18")
    ]
    assert state.installments[0].paid_off_on == date(2024, 2, 18)


def test_a_partial_payment_lowers_the_principal_penalty_accrues_on() -> None:
    paid = Payment("part", Decimal("500.00"), date(2024, 2, 25), 1)
    first = cents(FIRST_PRINCIPAL * DAILY * 10)  # 16-25 Feb, crystallised by the payment
    carried = FIRST_PRINCIPAL * DAILY * 10 - first
    # penalty, fee, interest, then principal: 500 - 9.90 - 50 - 30 = 410.10 principal
    left = FIRST_PRINCIPAL - (Decimal("500.00") - first - Decimal("50.00") - Decimal("30.00"))
    month_end = cents(carried + left * DAILY * 4)  # 26-29 Feb
    assert charges_until(date(2024, 2, 29), paid) == [
        Charge(1, FEE, Decimal("50.00"), date(2024, 2, 19), "late-fee:1"),
        Charge(1, PENALTY, first, date(2024, 2, 25), "penalty:1:2024-02-25"),
        Charge(1, PENALTY, month_end, date(2024, 2, 29), "penalty:1:2024-02-29"),
    ]
    assert (first, month_end) == (Decimal("9.90"), Decimal("2.32"))


def test_a_backdated_payment_takes_back_the_fee_of_an_installment_it_shows_was_not_late() -> None:
    before = charges_until(date(2024, 3, 10))
    on_time = Payment("on-time", Decimal("1020.07"), date(2024, 2, 15), 1)
    after = charges_until(date(2024, 3, 10), on_time)
    assert [c.id for c in before] == ["late-fee:1", "penalty:1:2024-02-29"]
    assert after == []


def test_each_late_installment_gets_its_own_fee_once() -> None:
    charges = charges_until(date(2024, 4, 30))
    fees = [(c.installment, c.value_date) for c in charges if c.component is FEE]
    assert fees == [(1, date(2024, 2, 19)), (2, date(2024, 3, 19)), (3, date(2024, 4, 19))]


def test_penalty_stops_at_a_write_off() -> None:
    written_off_on = date(2024, 3, 5)
    state = allocate(
        THREE_MONTHS, SCHEDULE, [], penalties=TERMS, written_off_on=written_off_on,
        until=date(2024, 6, 30),
    )  # fmt: skip
    penalties = [c for c in state.charges if c.component is PENALTY]
    assert [c.value_date for c in penalties] == [date(2024, 2, 29), date(2024, 3, 5)]
    assert state.written_off is not None
    assert state.written_off.penalty == sum((c.amount for c in penalties), Decimal(0))
