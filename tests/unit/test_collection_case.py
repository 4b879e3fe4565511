"""A collection case: given its actions, when close of business judges, then the outcomes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from domain.collections import ActionKind, CollectionCase, case_id, require_collectable
from domain.errors import InvalidTransition, InvalidValue
from domain.loan import LoanStatus
from tests.support.story import followed_by, given, history

LOAN = UUID("5a0c1d7e-3b2f-4e8a-9c61-0d4f2b7e8a19")
BORROWER = UUID("c3e1b2a4-6f7d-4c8e-8a9b-1d2e3f4a5b6c")
MADE_ON = date(2026, 3, 10)
PROMISED = date(2026, 3, 15)


def opened() -> list[Any]:
    return history(CollectionCase.open(actor="collector.he", loan_id=LOAN, borrower_id=BORROWER))


def promised(amount: str = "500.00") -> list[Any]:
    """A case whose borrower promised `amount` on 10 March, to pay by 15 March."""
    return followed_by(
        opened(),
        lambda case: case.record_action(
            actor="collector.he",
            on=MADE_ON,
            kind=ActionKind.CALL,
            outcome="will pay after the market day",
            promised_amount=Decimal(amount),
            promised_date=PROMISED,
        ),
    )


def case_with_promise(amount: str = "500.00") -> CollectionCase:
    case: CollectionCase = given(*promised(amount)).aggregate
    return case


def outcomes(case: CollectionCase) -> list[tuple[str, Decimal]]:
    return [(type(e).__name__, e.paid_amount) for e in case.collect_events()]


def test_the_case_id_follows_from_the_loan() -> None:
    case = CollectionCase.open(actor="collector.he", loan_id=LOAN, borrower_id=BORROWER)
    assert case.id == case_id(LOAN)
    assert case_id(LOAN) != case_id(BORROWER)


def test_a_promise_is_judged_only_once_its_day_is_over() -> None:
    case = case_with_promise()
    paid = [(PROMISED, Decimal("500.00"))]
    case.settle_promises(actor="system", on=PROMISED, payments=paid)
    assert outcomes(case) == []
    case.settle_promises(actor="system", on=date(2026, 3, 16), payments=paid)
    assert outcomes(case) == [("PromiseKept", Decimal("500.00"))]


def test_payments_count_from_the_day_of_the_promise_through_the_promised_date() -> None:
    paid = [
        (date(2026, 3, 9), Decimal("400.00")),  # before the promise
        (MADE_ON, Decimal("200.00")),
        (PROMISED, Decimal("299.99")),
        (date(2026, 3, 16), Decimal("400.00")),  # too late
    ]
    (broken,) = (
        given(*promised())
        .when(
            lambda case: case.settle_promises(actor="system", on=date(2026, 3, 20), payments=paid)
        )
        .then(CollectionCase.PromiseBroken)
        .events
    )
    assert isinstance(broken, CollectionCase.PromiseBroken)
    assert (broken.loan_id, broken.borrower_id) == (LOAN, BORROWER)
    assert (broken.promised_date, broken.value_date) == (PROMISED, PROMISED)
    assert (broken.promised_amount, broken.paid_amount) == (Decimal("500.00"), Decimal("499.99"))


def test_nothing_paid_reads_zero_at_the_minor_unit() -> None:
    case = case_with_promise()
    case.settle_promises(actor="system", on=date(2026, 3, 16), payments=[])
    assert [str(amount) for _, amount in outcomes(case)] == ["0.00"]


def test_a_judged_promise_is_not_judged_again() -> None:
    case = case_with_promise()
    case.settle_promises(actor="system", on=date(2026, 3, 16), payments=[])
    case.collect_events()
    case.settle_promises(actor="system", on=date(2026, 3, 17), payments=[])
    assert case.collect_events() == []
    assert case.promises_due(date(2026, 4, 1)) == []


def test_each_promise_is_judged_on_its_own_window() -> None:
    case = case_with_promise("300.00")
    case.record_action(
        actor="collector.he",
        on=date(2026, 3, 12),
        kind=ActionKind.VISIT,
        outcome="promised the rest at month end",
        promised_amount=Decimal("700.00"),
        promised_date=date(2026, 3, 31),
    )
    case.collect_events()
    paid = [(date(2026, 3, 11), Decimal("300.00")), (date(2026, 3, 30), Decimal("100.00"))]
    case.settle_promises(actor="system", on=date(2026, 4, 1), payments=paid)
    assert outcomes(case) == [
        ("PromiseKept", Decimal("300.00")),
        ("PromiseBroken", Decimal("100.00")),
    ]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"outcome": "  "}, "outcome"),
        ({"promised_amount": Decimal("10")}, "promised_date"),
        ({"promised_date": PROMISED}, "promised_amount"),
        ({"promised_amount": Decimal("0"), "promised_date": PROMISED}, "promised_amount"),
        ({"promised_amount": Decimal("10"), "promised_date": date(2026, 3, 9)}, "promised_date"),
        ({"note": "x" * 2001}, "note"),
    ],
)
def test_a_bad_action_names_its_field(changes: dict[str, object], field: str) -> None:
    action: dict[str, object] = {"kind": ActionKind.SMS, "outcome": "no answer"} | changes
    refused = (
        given(*opened())
        .when(lambda case: case.record_action(actor="collector.he", on=MADE_ON, **action))
        .raises(InvalidValue)
    )
    assert refused.error.field == field


def test_only_an_active_loan_is_collected() -> None:
    require_collectable(LoanStatus.ACTIVE)
    for status in (LoanStatus.SUBMITTED, LoanStatus.CLOSED, LoanStatus.WRITTEN_OFF):
        with pytest.raises(InvalidTransition):
            require_collectable(status)


def test_a_case_opens_under_the_loans_case_id() -> None:
    opening = given().when(
        lambda _: CollectionCase.open(actor="collector.he", loan_id=LOAN, borrower_id=BORROWER)
    )
    event = opening.then(CollectionCase.Opened).events[0]
    assert (event.originator_id, event.loan_id, event.borrower_id) == (
        case_id(LOAN),
        LOAN,
        BORROWER,
    )


def test_each_action_is_numbered_and_a_promise_is_kept_open_until_judged() -> None:
    promise = {"promised_amount": Decimal("800.00"), "promised_date": date(2026, 3, 31)}
    visit = (
        given(*promised())
        .when(
            lambda case: case.record_action(
                actor="collector.he",
                on=date(2026, 3, 12),
                kind=ActionKind.VISIT,
                outcome=" will sell the pigs ",
                **promise,
            )
        )
        .then(CollectionCase.ActionRecorded)
    )
    action = visit.events[0]
    assert (action.number, action.kind) == (2, ActionKind.VISIT)
    assert action.outcome == "will sell the pigs"
    assert (str(action.promised_amount), action.promised_date) == ("800.00", date(2026, 3, 31))
    assert sorted(visit.aggregate.open_promises) == [1, 2]
