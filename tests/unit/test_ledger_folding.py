"""A fold kept between payments gives exactly the books of folding everything again."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.ledger import Fold, LedgerState, Payment, allocate, fold
from tests.unit.test_ledger_charge_properties import Charged, charged_loans
from tests.unit.test_ledger_properties import Loan, loans


def folded(loan: Loan, payments: tuple[Payment, ...], charged: Charged | None = None) -> Fold:
    return fold(
        loan.terms, loan.schedule, payments, loan.charges, loan.order, loan.traversal,
        loan.penalties, loan.advance_payment,
        waivers=charged.waivers if charged else (), refunds=charged.refunds if charged else (),
    )  # fmt: skip


def in_order(payments: tuple[Payment, ...]) -> list[Payment]:
    return sorted(payments, key=lambda p: (p.value_date, p.sequence, p.id))


@settings(max_examples=200, deadline=None)
@given(loans(), st.data())
def test_payments_taken_one_by_one_give_the_books_of_the_whole_fold(
    loan: Loan, data: st.DataObject
) -> None:
    loan = replace(loan, written_off_on=None)
    kept = folded(loan, ())
    taken: list[Payment] = []
    for payment in in_order(loan.payments):
        taken.append(payment)
        went_on = kept.then(payment)
        assert went_on is not None
        before = kept.state(loan.until)
        kept = went_on
        assert kept.state(loan.until) == loan.run(tuple(taken))
        # Going on leaves the fold it went on from as it was.
        assert before == loan.run(tuple(taken[:-1]))
    until = data.draw(st.none() | st.just(loan.terms.start_date + timedelta(days=800)))
    assert kept.state(until) == replace(loan, until=until).run(tuple(taken))


@settings(max_examples=200, deadline=None)
@given(loans(), st.data())
def test_a_payment_the_whole_fold_would_not_take_last_is_refused(
    loan: Loan, data: st.DataObject
) -> None:
    loan = replace(loan, written_off_on=None)
    payments = in_order(loan.payments)
    if len(payments) < 2:
        return
    last = payments[-1]
    kept = folded(loan, tuple(payments))
    backdated = Payment(
        "backdated", last.amount, payments[0].value_date - timedelta(days=1), last.sequence + 1
    )
    assert kept.then(backdated) is None
    assert kept.then(replace(last, value_date=last.value_date + timedelta(days=1))) is None
    later = data.draw(st.integers(min_value=0, max_value=60))
    sequence = max(p.sequence for p in payments) + 1
    newest = Payment("newest", last.amount, last.value_date + timedelta(days=later), sequence)
    went_on = kept.then(newest)
    assert went_on is not None
    assert went_on.state(loan.until) == loan.run((*payments, newest))


@settings(max_examples=150, deadline=None)
@given(charged_loans(), st.data())
def test_a_payment_after_waivers_and_refunds_goes_on_from_their_fold(
    charged: Charged, data: st.DataObject
) -> None:
    loan = replace(charged.loan, written_off_on=None)
    charged = replace(charged, loan=loan)
    kept = folded(loan, loan.payments, charged)
    assert kept.state(loan.until) == whole(charged, loan.payments)
    entries = [*loan.payments, *charged.waivers, *charged.refunds]
    latest = max((entry.value_date for entry in entries), default=loan.terms.start_date)
    amount = data.draw(st.integers(min_value=1, max_value=500_000))
    newest = Payment(
        "newest",
        Decimal(amount).scaleb(-loan.terms.minor_unit),
        latest + timedelta(days=data.draw(st.integers(min_value=1, max_value=90))),
        10**7,
    )
    went_on = kept.then(newest)
    assert went_on is not None
    assert went_on.state(loan.until) == whole(charged, (*loan.payments, newest))


def whole(charged: Charged, payments: tuple[Payment, ...]) -> LedgerState:
    loan = charged.loan
    return allocate(
        loan.terms, loan.schedule, payments, loan.charges, loan.order, None, loan.traversal,
        loan.penalties, loan.until, loan.advance_payment,
        waivers=charged.waivers, refunds=charged.refunds,
    )  # fmt: skip
