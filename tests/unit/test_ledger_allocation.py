"""Worked examples of allocation, with the figures worked out by hand.

The three-month loan: 3000.00 at 12% a year, monthly annuity from 15 January 2024.
Level payment 3000 x 0.01 / (1 - 1.01^-3) = 1020.0664 -> 1020.07.
  1  15 Feb: interest 3000.00 x 1% = 30.00, principal 990.07, balance 2009.93
  2  15 Mar: interest 20.0993 -> 20.10, principal 999.97, balance 1009.96
  3  15 Apr: interest 10.0996 -> 10.10, principal 1009.96 (the rest), total 1020.06
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.errors import InvalidValue
from domain.ledger import (
    DEFAULT_ORDER,
    Allocation,
    Charge,
    Component,
    Payment,
    Traversal,
    allocate,
    changed_results,
)
from domain.schedule import Frequency, Method, ScheduleTerms, generate_schedule

PENALTY, FEE = Component.PENALTY, Component.FEE
INTEREST, PRINCIPAL = Component.INTEREST, Component.PRINCIPAL

THREE_MONTHS = ScheduleTerms(
    principal=Decimal("3000.00"),
    annual_rate_percent=Decimal("12"),
    term=3,
    frequency=Frequency.MONTHLY,
    method=Method.EQUAL_INSTALLMENTS,
    start_date=date(2024, 1, 15),
)
SCHEDULE = generate_schedule(THREE_MONTHS)
FEB_15, MAR_15, APR_15 = date(2024, 2, 15), date(2024, 3, 15), date(2024, 4, 15)


def paid(amount: str, on: date, sequence: int = 1, id_: str | None = None) -> Payment:
    return Payment(id_ or f"payment-{sequence}", Decimal(amount), on, sequence)


def split(*parts: tuple[int, Component, str]) -> tuple[Allocation, ...]:
    return tuple(
        Allocation(number, component, Decimal(amount)) for number, component, amount in parts
    )


def test_the_schedule_is_the_one_worked_out_by_hand() -> None:
    rows = [(i.due_date, str(i.interest), str(i.principal)) for i in SCHEDULE.installments]
    assert rows == [
        (FEB_15, "30.00", "990.07"),
        (MAR_15, "20.10", "999.97"),
        (APR_15, "10.10", "1009.96"),
    ]


def test_on_time_payments_pay_each_installment_and_close_the_loan() -> None:
    state = allocate(
        THREE_MONTHS,
        SCHEDULE,
        [paid("1020.07", FEB_15, 1), paid("1020.07", MAR_15, 2), paid("1020.06", APR_15, 3)],
    )
    assert [result.allocations for result in state.results] == [
        split((1, INTEREST, "30.00"), (1, PRINCIPAL, "990.07")),
        split((2, INTEREST, "20.10"), (2, PRINCIPAL, "999.97")),
        split((3, INTEREST, "10.10"), (3, PRINCIPAL, "1009.96")),
    ]
    assert [item.paid_off_on for item in state.installments] == [FEB_15, MAR_15, APR_15]
    assert state.is_fully_repaid
    assert state.credit == 0
    assert state.principal_repaid == Decimal("3000.00")
    assert state.schedule == SCHEDULE
    assert all(result.schedule_after is None for result in state.results)


def test_a_partial_payment_pays_interest_then_part_of_the_principal() -> None:
    state = allocate(THREE_MONTHS, SCHEDULE, [paid("500.00", FEB_15)])
    assert state.results[0].allocations == split((1, INTEREST, "30.00"), (1, PRINCIPAL, "470.00"))
    first = state.installments[0]
    assert first.outstanding.principal == Decimal("520.07")  # 990.07 - 470.00
    assert first.paid_off_on is None
    assert state.outstanding.principal == Decimal("2530.00")  # 3000.00 - 470.00
    assert state.outstanding.interest == Decimal("30.20")  # 20.10 + 10.10


def test_a_late_payment_clears_the_overdue_installment_first() -> None:
    state = allocate(THREE_MONTHS, SCHEDULE, [paid("1500.00", date(2024, 3, 20))])
    # 1500.00 - 1020.07 (installment 1) - 20.10 (interest 2) = 459.83 principal of 2
    assert state.results[0].allocations == split(
        (1, INTEREST, "30.00"),
        (1, PRINCIPAL, "990.07"),
        (2, INTEREST, "20.10"),
        (2, PRINCIPAL, "459.83"),
    )
    assert state.installments[0].paid_off_on == date(2024, 3, 20)
    assert state.installments[1].outstanding.principal == Decimal("540.14")  # 999.97 - 459.83


def test_a_payment_in_advance_pays_the_next_installments_principal() -> None:
    state = allocate(THREE_MONTHS, SCHEDULE, [paid("2040.14", FEB_15)])
    # None of installment 2's 20.10 interest has accrued on 15 February, the day its period
    # starts: the 1020.07 beyond installment 1 is principal, 999.97 of 2 and 20.10 of 3.
    assert state.results[0].allocations == split(
        (1, INTEREST, "30.00"),
        (1, PRINCIPAL, "990.07"),
        (2, PRINCIPAL, "999.97"),
        (3, PRINCIPAL, "20.10"),
    )
    assert [item.paid_off_on for item in state.installments] == [FEB_15, None, None]
    assert state.installments[1].outstanding.total == Decimal("20.10")  # its interest
    assert state.outstanding.total == Decimal("1020.06")
    assert state.results[0].schedule_after is None  # paying ahead does not recast


def test_an_overpayment_becomes_an_explicit_credit() -> None:
    state = allocate(
        THREE_MONTHS,
        SCHEDULE,
        [paid("1020.07", FEB_15, 1), paid("1020.07", MAR_15, 2), paid("1100.00", APR_15, 3)],
    )
    last = state.results[-1]
    assert last.allocations == split((3, INTEREST, "10.10"), (3, PRINCIPAL, "1009.96"))
    assert last.credit == Decimal("79.94")  # 1100.00 - 1020.06
    assert state.credit == Decimal("79.94")
    assert state.is_fully_repaid
    assert state.outstanding.principal == 0


def test_principal_first_order_pays_principal_before_interest() -> None:
    order = (PRINCIPAL, INTEREST, FEE, PENALTY)
    state = allocate(THREE_MONTHS, SCHEDULE, [paid("1000.00", FEB_15)], order=order)
    # 990.07 principal, then 9.93 of the 30.00 interest
    assert state.results[0].allocations == split((1, PRINCIPAL, "990.07"), (1, INTEREST, "9.93"))
    assert state.installments[0].outstanding.interest == Decimal("20.07")


def test_a_fee_is_paid_before_interest_once_its_value_date_has_come() -> None:
    late_fee = Charge(1, FEE, Decimal("25.00"), date(2024, 2, 20), "late-fee-1")
    state = allocate(THREE_MONTHS, SCHEDULE, [paid("1020.07", date(2024, 2, 25))], [late_fee])
    # 25.00 fee, 30.00 interest, 965.07 principal: 25.00 of principal is still owed
    assert state.results[0].allocations == split(
        (1, FEE, "25.00"), (1, INTEREST, "30.00"), (1, PRINCIPAL, "965.07")
    )
    assert state.installments[0].outstanding.principal == Decimal("25.00")
    assert state.installments[0].due.fee == Decimal("25.00")


def test_a_payment_before_a_charge_does_not_pay_it() -> None:
    late_fee = Charge(1, FEE, Decimal("25.00"), date(2024, 2, 20), "late-fee-1")
    state = allocate(THREE_MONTHS, SCHEDULE, [paid("1020.07", date(2024, 2, 18))], [late_fee])
    assert state.results[0].allocations == split((1, INTEREST, "30.00"), (1, PRINCIPAL, "990.07"))
    assert state.outstanding.fee == Decimal("25.00")
    assert state.installments[0].paid_off_on is None  # the fee reopened it


def test_penalties_come_before_fees_before_interest() -> None:
    charges = [
        Charge(1, FEE, Decimal("25.00"), date(2024, 2, 20), "late-fee-1"),
        Charge(1, PENALTY, Decimal("5.00"), date(2024, 2, 21), "penalty-1"),
    ]
    state = allocate(THREE_MONTHS, SCHEDULE, [paid("40.00", date(2024, 2, 25))], charges)
    assert state.results[0].allocations == split(
        (1, PENALTY, "5.00"), (1, FEE, "25.00"), (1, INTEREST, "10.00")
    )


def test_vertical_traversal_pays_each_component_across_installments_first() -> None:
    payment = [paid("100.00", date(2024, 3, 20))]
    horizontal = allocate(THREE_MONTHS, SCHEDULE, payment)
    vertical = allocate(THREE_MONTHS, SCHEDULE, payment, traversal=Traversal.VERTICAL)
    assert horizontal.results[0].allocations == split(
        (1, INTEREST, "30.00"), (1, PRINCIPAL, "70.00")
    )
    # both overdue interests (30.00 + 20.10) before any principal: 100.00 - 50.10 = 49.90
    assert vertical.results[0].allocations == split(
        (1, INTEREST, "30.00"), (2, INTEREST, "20.10"), (1, PRINCIPAL, "49.90")
    )


def test_payments_apply_in_value_date_order_whatever_order_they_arrive_in() -> None:
    late = paid("1500.00", date(2024, 3, 20), 1, "late")
    backdated = paid("1020.07", FEB_15, 2, "backdated")  # arrived second, dated earlier
    before = allocate(THREE_MONTHS, SCHEDULE, [late])
    after = allocate(THREE_MONTHS, SCHEDULE, [late, backdated])
    assert [result.payment_id for result in after.results] == ["backdated", "late"]
    # the late payment now finds installment 1 paid: 1020.07 for 2, then 479.93 ahead on 3,
    # of which 10.10 x 5/30 = 1.68 is the interest of 3 accrued by 20 March
    assert after.result("late").allocations == split(
        (2, INTEREST, "20.10"),
        (2, PRINCIPAL, "999.97"),
        (3, INTEREST, "1.68"),
        (3, PRINCIPAL, "478.25"),
    )
    changed = changed_results(before.results, after.results)
    assert [result.payment_id for result in changed] == ["backdated", "late"]


def test_a_reversal_moves_later_money_onto_the_installment_it_left_unpaid() -> None:
    february = paid("1020.07", FEB_15, 1, "february")
    march = paid("1020.07", MAR_15, 2, "march")
    before = allocate(THREE_MONTHS, SCHEDULE, [february, march])
    after = allocate(THREE_MONTHS, SCHEDULE, [march])  # february bounced
    assert after.result("march").allocations == split(
        (1, INTEREST, "30.00"), (1, PRINCIPAL, "990.07")
    )
    assert after.installments[1].outstanding.total == Decimal("1020.07")
    assert [r.payment_id for r in changed_results(before.results, after.results)] == ["march"]


@pytest.mark.parametrize(
    ("payments", "charges", "order", "field"),
    [
        ([paid("10.00", FEB_15, 1, "x"), paid("5.00", FEB_15, 2, "x")], [], None, "payments"),
        ([paid("0.00", FEB_15)], [], None, "payments[payment-1].amount"),
        ([paid("10.001", FEB_15)], [], None, "payments[payment-1].amount"),
        ([paid("-1.00", FEB_15)], [], None, "payments[payment-1].amount"),
        ([], [Charge(1, PRINCIPAL, Decimal(1), FEB_15, "c")], None, "charges[c].component"),
        ([], [Charge(0, FEE, Decimal(1), FEB_15, "c")], None, "charges[c].installment"),
        ([], [], (INTEREST, INTEREST, FEE, PRINCIPAL), "order"),
        ([], [], (INTEREST, FEE, PRINCIPAL), "order"),
    ],
)
def test_bad_input_is_refused_with_the_field_named(
    payments: list[Payment],
    charges: list[Charge],
    order: tuple[Component, ...] | None,
    field: str,
) -> None:
    with pytest.raises(InvalidValue) as raised:
        allocate(THREE_MONTHS, SCHEDULE, payments, charges, order or DEFAULT_ORDER)
    assert raised.value.field == field


def test_a_schedule_that_does_not_fit_the_terms_is_refused() -> None:
    other = generate_schedule(
        ScheduleTerms(
            principal=Decimal("2000.00"),
            annual_rate_percent=Decimal("12"),
            term=3,
            frequency=Frequency.MONTHLY,
            method=Method.EQUAL_INSTALLMENTS,
            start_date=date(2024, 1, 15),
        )
    )
    with pytest.raises(InvalidValue) as raised:
        allocate(THREE_MONTHS, other, [])
    assert raised.value.field == "schedule"
