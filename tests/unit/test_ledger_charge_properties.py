"""Money invariants of the ledger over random loans with schedule fees, charges, waivers
and refunds: every component's charged = paid + waived + outstanding, nothing negative,
and the state depends on the inputs, not the order they came in."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from random import Random

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.charges import Charge as ProductCharge
from domain.charges import percent_fees
from domain.errors import Conflict
from domain.ledger import (
    AdvancePayment,
    Component,
    Fold,
    LedgerState,
    Payment,
    Refund,
    Waiver,
    allocate,
    fold,
    payoff_amount,
)
from domain.schedule import Installment, Rounder, Schedule
from domain.schedule.fees import charge_schedule
from tests.unit.test_ledger_properties import Loan, application_order, assert_invariants, loans

WAIVED = st.sampled_from((Component.FEE, Component.PENALTY, Component.INTEREST))


@dataclass(frozen=True)
class Charged:
    """A ledger loan whose schedule carries fees, with waivers and refunds."""

    loan: Loan
    waivers: tuple[Waiver, ...] = ()
    refunds: tuple[Refund, ...] = ()

    def run(
        self, payments: tuple[Payment, ...] | None = None, waivers: tuple[Waiver, ...] | None = None
    ) -> LedgerState:
        loan = self.loan
        return allocate(
            loan.terms,
            loan.schedule,
            loan.payments if payments is None else payments,
            loan.charges,
            loan.order,
            loan.written_off_on,
            loan.traversal,
            loan.penalties,
            loan.until,
            waivers=self.waivers if waivers is None else waivers,
            refunds=self.refunds,
        )

    def payoff(self, on: date, payments: tuple[Payment, ...]) -> Decimal:
        loan = self.loan
        return payoff_amount(
            loan.terms, loan.schedule, payments, loan.charges, loan.order, on=on,
            written_off_on=loan.written_off_on, traversal=loan.traversal,
            penalties=loan.penalties, waivers=self.waivers,
        )  # fmt: skip


def with_fees(schedule: Schedule, fees: list[int], places: int) -> Schedule:
    items = tuple(
        replace(
            item, fee=Decimal(fee).scaleb(-places), total=item.total + Decimal(fee).scaleb(-places)
        )
        for item, fee in zip(schedule.installments, fees, strict=False)
    )
    return Schedule(items + schedule.installments[len(items) :])


@st.composite
def charged_loans(draw: st.DrawFn) -> Charged:
    loan = draw(loans(max_term=18, max_payments=6))
    items = loan.schedule.installments
    places = loan.terms.minor_unit
    typical = int(max(item.total for item in items) * 10**places) + 1
    fees = draw(st.lists(st.integers(0, typical // 5 + 1), max_size=len(items)))
    loan = replace(loan, schedule=with_fees(loan.schedule, fees, places))
    span = (items[-1].due_date - loan.terms.start_date).days
    # Strategies made once a loan, not once a draw (see test_ledger_properties.py).
    days, installments = st.integers(0, span + 40), st.integers(1, len(items) + 1)
    used = {p.sequence for p in loan.payments}
    waivers = tuple(
        Waiver(
            id=f"w{index}",
            component=draw(WAIVED),
            amount=Decimal(draw(st.integers(1, typical))).scaleb(-places),
            value_date=loan.terms.start_date + timedelta(days=draw(days)),
            sequence=10**7 + index,
            installment=draw(installments) if draw(st.booleans()) else None,
        )
        for index in range(draw(st.integers(0, 4)))
    )
    assert not used & {w.sequence for w in waivers}
    return Charged(loan, waivers)


def assert_charged_invariants(charged: Charged, state: LedgerState) -> None:
    # Before refunds, the credit is what payments left over (checked below with them).
    assert_invariants(charged.loan, replace(state, credit=state.credit + state.refunded))
    assert state.waived is not None
    for item in state.installments:
        left = item.outstanding
        for component in Component:
            waived = item.waived.get(component) if item.waived else 0
            assert waived >= 0
            assert left.get(component) >= 0, (item.number, component)
            assert item.due.get(component) == item.paid.get(component) + waived + left.get(
                component
            )
    charged_total = sum((i.due.total for i in state.installments), Decimal(0))
    assert charged_total == state.paid.total + state.waived.total + state.outstanding.total
    assert state.waived.principal == 0
    amounts = {w.id: w.amount for w in charged.waivers}
    for result in state.waivers:
        assert 0 <= result.waived <= amounts[result.waiver_id]
        assert all(
            a.amount > 0 and a.component is not Component.PRINCIPAL for a in result.allocations
        )
    assert state.credit >= 0
    assert state.credit == sum((r.credit for r in state.results), Decimal(0)) - state.refunded


@settings(max_examples=250, deadline=None)
@given(charged_loans(), st.randoms(use_true_random=False))
def test_fees_and_waivers_keep_every_component_whole_whatever_the_order(
    charged: Charged, random: Random
) -> None:
    state = charged.run()
    payments, waivers = list(charged.loan.payments), list(charged.waivers)
    random.shuffle(payments)
    random.shuffle(waivers)
    assert charged.run(tuple(payments), tuple(waivers)) == state
    assert_charged_invariants(charged, state)


@settings(max_examples=200, deadline=None)
@given(charged_loans(), st.data())
def test_a_refund_of_the_credit_stands_until_a_reversal_would_unfund_it(
    charged: Charged, data: st.DataObject
) -> None:
    state = charged.run()
    if state.credit == 0:
        return
    last = max(p.value_date for p in charged.loan.payments)
    cents = int(state.credit.scaleb(charged.loan.terms.minor_unit))
    amount = Decimal(data.draw(st.integers(1, cents))).scaleb(-charged.loan.terms.minor_unit)
    refunded = replace(charged, refunds=(Refund("r", amount, last, 10**8),))
    after = refunded.run()
    assert after.credit == state.credit - amount
    assert_charged_invariants(refunded, after)
    reversed_payment = data.draw(st.sampled_from(charged.loan.payments))
    remaining = tuple(p for p in charged.loan.payments if p is not reversed_payment)
    try:
        left = refunded.run(remaining)
    except Conflict:
        assert (
            replace(charged, loan=replace(charged.loan, payments=remaining)).run().credit < amount
        )
        return
    assert left.credit >= 0
    assert_charged_invariants(
        replace(refunded, loan=replace(charged.loan, payments=remaining)), left
    )


@settings(max_examples=200, deadline=None)
@given(charged_loans(), st.data())
def test_paying_the_payoff_amount_closes_a_loan_with_fees(
    charged: Charged, data: st.DataObject
) -> None:
    loan = charged.loan
    items = loan.schedule.installments
    on = loan.terms.start_date + timedelta(
        days=data.draw(st.integers(0, (items[-1].due_date - loan.terms.start_date).days + 40))
    )
    charged = replace(
        charged,
        loan=replace(
            loan,
            charges=tuple(c for c in loan.charges if c.value_date <= on),
            payments=tuple(p for p in loan.payments if p.value_date <= on),
        ),
        waivers=tuple(w for w in charged.waivers if w.value_date <= on),
    )
    amount = charged.payoff(on, charged.loan.payments)
    if amount == 0:
        return
    # The payoff comes after everything dated up to `on`, as payoff_amount counts it.
    sequences = [
        *(p.sequence for p in charged.loan.payments),
        *(w.sequence for w in charged.waivers),
    ]
    last = max(sequences, default=0)
    closing = (*charged.loan.payments, Payment("payoff", amount, on, last + 1))
    state = charged.run(closing)
    assert state.result("payoff").credit == 0
    assert state.outstanding.total == 0
    assert_charged_invariants(replace(charged, loan=replace(charged.loan, payments=closing)), state)


RECASTS = st.sampled_from([AdvancePayment.RECAST_INSTALLMENT, AdvancePayment.RECAST_TERM])
# Fees of every basis, one bounded and one fixed beside them: a recast works the percentage
# ones out again on the installments it makes, and keeps the fixed one.
RECAST_FEES = (
    ProductCharge(code="OUT", name="On the balance", kind="installment", percent=Decimal("0.3"),
                  basis="outstanding"),
    ProductCharge(code="INST", name="On the installment", kind="installment",
                  percent=Decimal("1.25"), basis="installment", min=Decimal("0.50")),
    ProductCharge(code="PRIN", name="On the principal", kind="installment", percent=Decimal("2"),
                  basis="principal", max=Decimal("40")),
    ProductCharge(code="FLAT", name="Account", kind="installment", amount=Decimal("1")),
)  # fmt: skip


@settings(max_examples=250, deadline=None)
@given(charged_loans(), RECASTS)
def test_a_recast_works_percentage_fees_out_again_on_the_installments_it_makes(
    charged: Charged, advance: AdvancePayment
) -> None:
    loan = charged.loan
    money = Rounder.of(loan.terms.minor_unit, loan.terms.rounding)
    plain = Schedule(tuple(replace(i, fee=i.fee * 0) for i in loan.schedule.installments))
    schedule = charge_schedule(plain, RECAST_FEES, money).schedule
    fixed = {i.number: i.fee - percent_fees(RECAST_FEES, i, money) for i in schedule.installments}
    loan = replace(loan, schedule=schedule, written_off_on=None, advance_payment=advance)

    def run(payments: tuple[Payment, ...]) -> LedgerState:
        return allocate(
            loan.terms, schedule, payments, loan.charges, loan.order, None, loan.traversal,
            loan.penalties, None, advance, waivers=charged.waivers, refunds=charged.refunds,
            recast_charges=RECAST_FEES,
        )  # fmt: skip

    def folded(payments: tuple[Payment, ...]) -> Fold:
        return fold(
            loan.terms, schedule, payments, loan.charges, loan.order, loan.traversal,
            loan.penalties, advance, waivers=charged.waivers, refunds=charged.refunds,
            recast_charges=RECAST_FEES,
        )  # fmt: skip

    taken: tuple[Payment, ...] = ()
    kept = folded(taken)
    for payment in application_order(loan.payments):
        taken += (payment,)
        state = run(taken)
        # A fold kept between payments recasts them as folding everything again does.
        went_on = kept.then(payment)
        kept = folded(taken) if went_on is None else went_on
        assert kept.state() == state
        recast = state.result(payment.id).schedule_after is not None
        if not recast or state.outstanding.principal == 0:
            continue  # no recast, or a payoff (which drops the fees of periods not run)
        # Every installment not yet due: its fee is the fixed one and the rates applied to
        # what it still owes, by the rounding rule (the balance: the principal owed before it).
        balance = state.outstanding.principal
        owed = {i.number: i for i in state.installments}
        for item in state.schedule.installments:
            if item.due_date <= payment.value_date:
                continue
            paid = owed[item.number].paid
            principal, interest = item.principal - paid.principal, item.interest - paid.interest
            balance -= principal
            basis = Installment(
                item.number, item.due_date, principal, interest, money.zero(),
                principal + interest, balance,
            )  # fmt: skip
            assert item.fee == fixed[item.number] + percent_fees(RECAST_FEES, basis, money)
    state = run(loan.payments)
    assert_charged_invariants(replace(charged, loan=loan), state)
