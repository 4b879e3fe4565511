"""Money invariants of the ledger over random loans, payments, charges and arrival orders."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise
from random import Random

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.ledger import (
    AdvancePayment,
    Charge,
    Component,
    LedgerState,
    Payment,
    PenaltyTerms,
    Prepayment,
    Traversal,
    allocate,
    changed_results,
    payoff_amount,
)
from domain.schedule import (
    DayCount,
    Frequency,
    InterestCalculation,
    Method,
    Rounding,
    Schedule,
    ScheduleTerms,
    generate_schedule,
    has_level_installment,
)


@dataclass(frozen=True)
class Loan:
    terms: ScheduleTerms
    schedule: Schedule
    payments: tuple[Payment, ...]
    charges: tuple[Charge, ...]
    order: tuple[Component, ...]
    traversal: Traversal
    written_off_on: date | None
    penalties: PenaltyTerms | None = None
    until: date | None = None
    advance_payment: AdvancePayment = AdvancePayment.NEXT_INSTALLMENTS

    def run(self, payments: tuple[Payment, ...] | None = None) -> LedgerState:
        return allocate(
            self.terms,
            self.schedule,
            self.payments if payments is None else payments,
            self.charges,
            self.order,
            self.written_off_on,
            self.traversal,
            self.penalties,
            self.until,
            self.advance_payment,
        )

    def payoff(self, payments: tuple[Payment, ...], on: date) -> Decimal:
        return payoff_amount(
            self.terms,
            self.schedule,
            payments,
            self.charges,
            self.order,
            on=on,
            written_off_on=self.written_off_on,
            traversal=self.traversal,
            penalties=self.penalties,
            advance_payment=self.advance_payment,
        )


# The strategies a loan draws from, built once: a strategy made afresh in every example
# (a `|`, a `.map` over a new lambda) is validated afresh, most of the examples' cost.
MINOR_UNITS = st.sampled_from([2, 2, 2, 0, 3])
STARTS = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))
METHODS = st.sampled_from(Method)
CALCULATIONS = st.sampled_from(InterestCalculation)
MULTIPLES = st.sampled_from([None, None, Decimal("1"), Decimal("10")])
FREQUENCIES = st.sampled_from(Frequency)
DAY_COUNTS = st.sampled_from(DayCount)
ROUNDINGS = st.sampled_from(Rounding)
PREPAYMENTS = st.sampled_from([None, None, *Prepayment])
CHARGED = st.sampled_from([Component.FEE, Component.PENALTY])
ORDERS = st.permutations(list(Component))
TRAVERSALS = st.sampled_from(Traversal)
ADVANCE_PAYMENTS = st.sampled_from(AdvancePayment)


@st.composite
def contract_terms(draw: st.DrawFn, max_term: int = 24) -> ScheduleTerms:
    minor_unit = draw(MINOR_UNITS)
    term = draw(st.integers(1, max_term))
    start = draw(STARTS)
    first_due = start + timedelta(days=draw(st.integers(1, 70))) if draw(st.booleans()) else None
    method = draw(METHODS)
    calculation = draw(CALCULATIONS)
    multiple = draw(MULTIPLES)
    if not has_level_installment(method, calculation):
        multiple = None  # refused: only a level installment is rounded to a multiple
    return ScheduleTerms(
        principal=Decimal(draw(st.integers(100, 10**8))).scaleb(-minor_unit),
        annual_rate_percent=Decimal(draw(st.integers(0, 360_000))).scaleb(-4),
        term=term,
        frequency=draw(FREQUENCIES),
        method=method,
        start_date=start,
        first_due_date=first_due,
        grace_periods=draw(st.integers(0, term - 1)),
        day_count=draw(DAY_COUNTS),
        interest_calculation=calculation,
        rounding=draw(ROUNDINGS),
        installment_multiple=multiple,
        minor_unit=minor_unit,
        interest_only_every=draw(st.integers(1, 3)),
    )


@st.composite
def loans(draw: st.DrawFn, max_term: int = 24, max_payments: int = 8) -> Loan:
    terms = draw(contract_terms(max_term))
    schedule = generate_schedule(terms)
    items = schedule.installments
    span = (items[-1].due_date - terms.start_date).days
    days = st.integers(-5, span + 40)

    def a_date() -> date:
        return terms.start_date + timedelta(days=draw(days))

    def money(units: int) -> Decimal:
        return Decimal(units).scaleb(-terms.minor_unit)

    scale = 10**terms.minor_unit
    largest = max(item.total for item in items)
    typical = int(largest * scale) + 1
    whole = int(schedule.total_payable * scale) + 1
    # An amount about an installment, or up to the whole loan and a fifth more.
    amounts = (st.integers(1, typical * 2), st.integers(1, whole + whole // 5))
    count = draw(st.integers(0, max_payments))
    sequences = draw(st.lists(st.integers(0, 10**6), min_size=count, max_size=count, unique=True))
    payments = tuple(
        Payment(
            id=f"p{index}",
            amount=money(draw(amounts[draw(st.booleans())])),
            value_date=a_date(),
            sequence=sequence,
            prepayment=draw(PREPAYMENTS),
        )
        for index, sequence in enumerate(sequences)
    )
    charges = tuple(
        Charge(
            installment=draw(st.integers(1, len(items) + 1)),
            component=draw(CHARGED),
            amount=money(draw(st.integers(1, typical))),
            value_date=a_date(),
            id=f"c{index}",
        )
        for index in range(draw(st.integers(0, 3)))
    )
    penalties = None
    if draw(st.booleans()):
        penalties = PenaltyTerms(
            Decimal(draw(st.integers(0, 500_000))).scaleb(-4),
            money(draw(st.integers(0, typical))),
            draw(st.integers(0, 15)),
            draw(DAY_COUNTS),
        )
    return Loan(
        terms,
        schedule,
        payments,
        charges,
        tuple(draw(ORDERS)),
        draw(TRAVERSALS),
        a_date() if draw(st.integers(0, 2)) == 2 else None,  # written off: one loan in three
        penalties,
        None if penalties is None else terms.start_date + timedelta(days=span + 40),
        draw(ADVANCE_PAYMENTS),
    )


def application_order(payments: tuple[Payment, ...]) -> list[Payment]:
    return sorted(payments, key=lambda payment: (payment.value_date, payment.sequence, payment.id))


def assert_invariants(loan: Loan, state: LedgerState) -> None:
    exponent = -loan.terms.minor_unit
    amounts = {payment.id: payment.amount for payment in loan.payments}
    for result in state.results:
        assert result.allocated + result.credit == amounts[result.payment_id]
        assert result.credit >= 0
        assert all(item.amount > 0 for item in result.allocations)
        assert all(item.amount.as_tuple().exponent == exponent for item in result.allocations)
    for item in state.installments:
        for component in Component:
            due, paid = item.due.get(component), item.paid.get(component)
            assert 0 <= paid <= due, (item.number, component)
            assert due.as_tuple().exponent == exponent
    principal_due = sum(item.due.principal for item in state.installments)
    assert principal_due == loan.terms.principal == state.schedule.total_principal
    assert state.outstanding.principal == state.disbursed - state.principal_repaid >= 0
    assert state.credit == sum(result.credit for result in state.results)
    rows = state.schedule.installments
    assert [row.number for row in rows] == list(range(1, len(rows) + 1))
    assert all(a.due_date < b.due_date for a, b in pairwise(rows))
    assert rows[-1].balance_after == 0
    assert len(rows) <= len(loan.schedule.installments)
    charged = [charge.id for charge in state.charges]
    assert len(charged) == len(set(charged))
    assert all(charge.amount > 0 for charge in state.charges)
    if loan.until is not None:
        assert all(charge.value_date <= loan.until for charge in state.charges)


@settings(max_examples=300, deadline=None)
@given(loans(), st.randoms(use_true_random=False))
def test_the_state_depends_on_the_set_of_payments_not_their_order(
    loan: Loan, random: Random
) -> None:
    shuffled = list(loan.payments)
    random.shuffle(shuffled)
    state = loan.run()
    assert loan.run(tuple(shuffled)) == state
    assert [r.payment_id for r in state.results] == [p.id for p in application_order(loan.payments)]
    assert_invariants(loan, state)


@settings(max_examples=200, deadline=None)
@given(loans(), st.data())
def test_a_reversal_is_a_recomputation_that_only_touches_later_payments(
    loan: Loan, data: st.DataObject
) -> None:
    if not loan.payments:
        return
    reversed_payment = data.draw(st.sampled_from(loan.payments))
    remaining = tuple(p for p in loan.payments if p is not reversed_payment)
    before, after = loan.run(), loan.run(remaining)
    assert after == replace(loan, payments=remaining).run(tuple(reversed(remaining)))
    assert_invariants(replace(loan, payments=remaining), after)
    ordered = application_order(loan.payments)
    earlier = {p.id for p in ordered[: ordered.index(reversed_payment)]}
    assert not earlier & {r.payment_id for r in changed_results(before.results, after.results)}


@settings(max_examples=300, deadline=None)
@given(loans(), st.data())
def test_paying_the_payoff_amount_closes_the_loan(loan: Loan, data: st.DataObject) -> None:
    items = loan.schedule.installments
    on = loan.terms.start_date + timedelta(
        days=data.draw(st.integers(-5, (items[-1].due_date - loan.terms.start_date).days + 40))
    )
    charges = tuple(charge for charge in loan.charges if charge.value_date <= on)
    loan = replace(loan, charges=charges)
    amount = loan.payoff(loan.payments, on)
    until_then = tuple(p for p in loan.payments if p.value_date <= on)
    if amount == 0:
        assert loan.run(until_then).is_fully_repaid
        return
    last = max((p.sequence for p in loan.payments), default=0)
    flag = data.draw(st.sampled_from([None, *Prepayment]))
    payoff = Payment("payoff", amount, on, last + 1, flag)
    for payments in (until_then, loan.payments):
        closing = replace(loan, payments=(*payments, payoff))
        state = closing.run()
        assert state.result("payoff").credit == 0
        assert state.is_fully_repaid
        assert state.outstanding.total == 0
        assert_invariants(closing, state)


@settings(max_examples=30, deadline=None)
@given(loans(max_term=360, max_payments=40))
def test_invariants_hold_for_long_loans(loan: Loan) -> None:
    assert_invariants(loan, loan.run())


@settings(max_examples=300, deadline=None)
@given(loans(), st.data())
def test_a_payment_lowers_the_payoff_on_its_value_date_by_exactly_its_amount(
    loan: Loan, data: st.DataObject
) -> None:
    """No payment collects interest not accrued by its value date, whatever the product's
    advance_payment or the payment's prepayment flag."""
    items = loan.schedule.installments
    on = loan.terms.start_date + timedelta(
        days=data.draw(st.integers(-5, (items[-1].due_date - loan.terms.start_date).days + 40))
    )
    before = loan.payoff(loan.payments, on)
    if before == 0:
        return
    scale = 10**loan.terms.minor_unit
    whole = int(before * scale)
    units = data.draw(
        st.integers(1, whole) | st.integers(max(1, whole - scale * 100), whole) | st.just(whole)
    )
    amount = Decimal(units).scaleb(-loan.terms.minor_unit)
    last = max((p.sequence for p in loan.payments), default=0)
    flag = data.draw(st.sampled_from([None, None, *Prepayment]))
    paid = (*loan.payments, Payment("paid", amount, on, last + 1, flag))
    assert loan.payoff(paid, on) == before - amount
    state = loan.run(paid)
    assert state.result("paid").credit == 0
    assert_invariants(replace(loan, payments=paid), state)
