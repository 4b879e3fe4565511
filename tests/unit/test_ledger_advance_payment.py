"""Money paid ahead of due dates collects only the interest accrued by its value date.

The loan the differential check found: 5000.00 at 12% a year (1% a month), 6 monthly
annuity installments from 15 January 2026; level payment 862.74:
  1  15 Feb: interest 50.00, principal 812.74, balance 4187.26
  2  15 Mar: interest 41.87, principal 820.87, balance 3366.39
On the disbursement day nothing has accrued, so its payoff is the 5000.00 principal.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.errors import InvalidValue
from domain.ledger import (
    AdvancePayment,
    Allocation,
    Component,
    Payment,
    Prepayment,
    allocate,
    payoff_amount,
)
from domain.schedule import Frequency, Method, ScheduleTerms, generate_schedule

INTEREST, PRINCIPAL = Component.INTEREST, Component.PRINCIPAL
D = Decimal
PAID_OUT = date(2026, 1, 15)
FIVE_THOUSAND = ScheduleTerms(
    principal=D("5000.00"),
    annual_rate_percent=D("12"),
    term=6,
    frequency=Frequency.MONTHLY,
    method=Method.EQUAL_INSTALLMENTS,
    start_date=PAID_OUT,
)
SCHEDULE = generate_schedule(FIVE_THOUSAND)
ON_PAYOUT = Payment("on-payout", D("1000.00"), PAID_OUT, 1)


def test_the_schedule_is_the_one_worked_out_by_hand() -> None:
    rows = [(i.interest, i.principal) for i in SCHEDULE.installments[:2]]
    assert rows == [(D("50.00"), D("812.74")), (D("41.87"), D("820.87"))]
    assert payoff_amount(FIVE_THOUSAND, SCHEDULE, [], on=PAID_OUT) == D("5000.00")


@pytest.mark.parametrize("advance", list(AdvancePayment))
def test_a_payment_on_the_disbursement_day_collects_no_interest(advance: AdvancePayment) -> None:
    state = allocate(FIVE_THOUSAND, SCHEDULE, [ON_PAYOUT], advance_payment=advance)
    result = state.result("on-payout")
    assert sum(a.amount for a in result.allocations if a.component == INTEREST) == 0
    assert state.outstanding.principal == D("4000.00")
    after = payoff_amount(
        FIVE_THOUSAND, SCHEDULE, [ON_PAYOUT], on=PAID_OUT, advance_payment=advance
    )
    assert after == D("4000.00")  # 5000.00 - 1000.00


def test_next_installments_pays_their_principal_and_leaves_their_interest_to_fall_due() -> None:
    state = allocate(FIVE_THOUSAND, SCHEDULE, [ON_PAYOUT])
    result = state.result("on-payout")
    assert result.allocations == (
        Allocation(1, PRINCIPAL, D("812.74")),
        Allocation(2, PRINCIPAL, D("187.26")),  # 1000.00 - 812.74
    )
    assert result.schedule_after is None
    assert state.schedule == SCHEDULE  # due dates and amounts stand
    first, second = state.installments[:2]
    assert (first.outstanding.interest, first.outstanding.principal) == (D("50.00"), 0)
    assert second.outstanding.total == D("862.74") - D("187.26")
    # A month on, the first installment's interest is due and paying it clears it.
    feb_15 = date(2026, 2, 15)
    interest = Payment("interest", D("50.00"), feb_15, 2)
    later = allocate(FIVE_THOUSAND, SCHEDULE, [ON_PAYOUT, interest])
    assert later.result("interest").allocations == (Allocation(1, INTEREST, D("50.00")),)
    assert later.installments[0].paid_off_on == feb_15


def test_mid_period_money_pays_the_interest_accrued_to_its_value_date_then_principal() -> None:
    # 1 February: 16 of installment 1's 30 days (30/360) have run, 50.00 x 16/30 = 26.67.
    feb_1 = date(2026, 2, 1)
    state = allocate(FIVE_THOUSAND, SCHEDULE, [Payment("early", D("862.74"), feb_1, 1)])
    assert state.result("early").allocations == (
        Allocation(1, INTEREST, D("26.67")),
        Allocation(1, PRINCIPAL, D("812.74")),
        Allocation(2, PRINCIPAL, D("23.33")),  # 862.74 - 26.67 - 812.74
    )
    # Paid early in its exact amount, the installment still owes the interest of the 14
    # days left when it falls due.
    assert state.installments[0].outstanding.total == D("23.33")
    assert payoff_amount(FIVE_THOUSAND, SCHEDULE, [], on=feb_1) == D("5026.67")
    after = payoff_amount(
        FIVE_THOUSAND, SCHEDULE, [Payment("early", D("862.74"), feb_1, 1)], on=feb_1
    )
    assert after == D("4163.93")  # 5026.67 - 862.74


@pytest.mark.parametrize(
    ("advance", "flag"),
    [
        (AdvancePayment.RECAST_INSTALLMENT, Prepayment.REDUCE_INSTALLMENT),
        (AdvancePayment.RECAST_TERM, Prepayment.REDUCE_TERM),
    ],
)
def test_a_recast_product_recasts_money_paid_ahead_as_the_flag_would(
    advance: AdvancePayment, flag: Prepayment
) -> None:
    product = allocate(FIVE_THOUSAND, SCHEDULE, [ON_PAYOUT], advance_payment=advance)
    flagged = Payment("on-payout", D("1000.00"), PAID_OUT, 1, flag)
    assert product == allocate(FIVE_THOUSAND, SCHEDULE, [flagged])
    assert product.result("on-payout").schedule_after == product.schedule
    assert product.schedule != SCHEDULE
    # 4000.00 recast from the disbursement: its first month's interest is 40.00, not 50.00.
    assert product.installments[0].due.interest == D("40.00")


def test_recast_installment_keeps_the_term_and_recast_term_keeps_the_installment() -> None:
    keep_term = allocate(
        FIVE_THOUSAND, SCHEDULE, [ON_PAYOUT], advance_payment=AdvancePayment.RECAST_INSTALLMENT
    )
    keep_level = allocate(
        FIVE_THOUSAND, SCHEDULE, [ON_PAYOUT], advance_payment=AdvancePayment.RECAST_TERM
    )
    # 4000.00 at 1% a month: over 6 months 690.19; 5 months (824.16) is the fewest whose
    # installment does not exceed 862.74.
    assert [row.total for row in keep_term.schedule.installments[1:5]] == [D("690.19")] * 4
    assert len(keep_level.schedule.installments) == 5
    assert [row.total for row in keep_level.schedule.installments[1:4]] == [D("824.16")] * 3


def test_a_payments_own_flag_comes_before_the_products_setting() -> None:
    flagged = Payment("on-payout", D("1000.00"), PAID_OUT, 1, Prepayment.REDUCE_INSTALLMENT)
    for advance in (AdvancePayment.NEXT_INSTALLMENTS, AdvancePayment.RECAST_TERM):
        state = allocate(FIVE_THOUSAND, SCHEDULE, [flagged], advance_payment=advance)
        assert len(state.schedule.installments) == 6
        assert state.schedule.installments[1].total == D("690.19")


def test_a_payment_covering_the_payoff_closes_the_loan_whatever_the_setting() -> None:
    for advance in AdvancePayment:
        payoff = Payment("payoff", D("5000.00"), PAID_OUT, 1)
        state = allocate(FIVE_THOUSAND, SCHEDULE, [payoff], advance_payment=advance)
        assert state.is_fully_repaid
        assert state.result("payoff").credit == 0


def test_an_unknown_setting_is_refused_with_the_field_named() -> None:
    with pytest.raises(InvalidValue) as raised:
        allocate(FIVE_THOUSAND, SCHEDULE, [], advance_payment="skip")  # type: ignore[arg-type]
    assert raised.value.field == "advance_payment"
