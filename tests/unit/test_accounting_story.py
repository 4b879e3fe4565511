"""Accounts, periods, manual entries and month ends told as stories; month-end decisions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from domain.accounting import (
    Account,
    AccountDefinition,
    AccountingPeriods,
    AccountingPolicy,
    AccountType,
    CurrentPeriod,
    LoanFacts,
    ManualEntry,
    MonthEnd,
    month_end,
)
from domain.accounting.month_end import LoanMonthEnd
from domain.arrears import Classification
from domain.errors import Conflict, InvalidTransition, InvalidValue, Refused
from domain.office import HEAD_OFFICE_ID
from domain.schedule import DayCount, Rounder, Rounding
from tests.support.story import followed_by, given, history

D = Decimal
LOAN = UUID("00000000-0000-4000-8000-00000000c001")
CASH_IN_HAND = AccountDefinition(code="1001", name="库存现金 Cash", type=AccountType.ASSET)


def opened_cash() -> list[Any]:
    return history(Account.open(actor="admin.wu", definition=CASH_IN_HAND))


def test_an_account_opens_under_its_code_and_closes_once_nil() -> None:
    account = given(*opened_cash()).aggregate
    assert (account.code, account.type, account.closed) == ("1001", AccountType.ASSET, False)
    given(*opened_cash()).when(
        lambda a: a.close(actor="admin.wu", balance=D("0.00"), open_sub_accounts=0)
    ).then(Account.Closed)
    given(*opened_cash()).when(
        lambda a: a.close(actor="admin.wu", balance=D("5.00"), open_sub_accounts=0)
    ).raises(InvalidTransition)


def test_a_sub_account_needs_its_open_parent_of_the_same_type() -> None:
    parent = given(*opened_cash()).aggregate
    petty = AccountDefinition(code="100101", name="Petty cash", type=AccountType.ASSET,
                              parent="1001")  # fmt: skip
    assert Account.open(actor="admin.wu", definition=petty, parent=parent).code == "100101"
    with pytest.raises(InvalidValue):
        Account.open(actor="admin.wu", definition=petty)
    wrong = petty.model_copy(update={"type": AccountType.EXPENSE})
    with pytest.raises(InvalidValue):
        Account.open(actor="admin.wu", definition=wrong, parent=parent)
    with pytest.raises(InvalidValue):
        Account.open(actor="admin.wu", definition=petty.model_copy(update={"code": "1002"}),
                     parent=parent)  # fmt: skip


def periods() -> list[Any]:
    return history(AccountingPeriods.open(actor="system"))


def test_a_month_closes_when_a_second_admin_approves() -> None:
    def ask(p: AccountingPeriods) -> None:
        p.close(actor="admin.wu", month="2026-01", business_date=date(2026, 2, 3))

    asked = given(*periods()).when(ask).then(AccountingPeriods.CloseRequested).events
    given(*periods(), *asked).when(ask).raises(Refused)
    closed = (
        given(*periods(), *asked)
        .when(lambda p: p.close(actor="admin.li", month="2026-01", business_date=date(2026, 2, 3)))
        .then(AccountingPeriods.PeriodClosed)
    )
    assert closed.aggregate.first_open_day == date(2026, 2, 1)
    assert closed.events[0].requested_by == "admin.wu"


def test_months_close_in_order_once_close_of_business_has_passed_them() -> None:
    def closing(month: str, on: date, actor: str = "admin.wu") -> Any:
        return lambda p: p.close(actor=actor, month=month, business_date=on)

    given(*periods()).when(closing("2026-01", date(2026, 1, 30))).raises(InvalidTransition)
    january = followed_by(
        periods(), closing("2026-01", date(2026, 2, 1)),
        closing("2026-01", date(2026, 2, 1), "admin.li"),
    )  # fmt: skip
    given(*january).when(closing("2026-01", date(2026, 3, 1))).raises(InvalidTransition)
    given(*january).when(closing("2026-03", date(2026, 4, 1))).raises(InvalidTransition)
    given(*january).when(closing("2026-02", date(2026, 3, 1))).then(
        AccountingPeriods.CloseRequested
    )
    given(*periods()).when(closing("2026-13", date(2027, 1, 1))).raises(InvalidValue)


def test_a_manual_entry_must_balance_on_open_accounts_codes() -> None:
    def post(*lines: tuple[str, str, str]) -> ManualEntry:
        return ManualEntry.post(
            actor="admin.wu", value_date=date(2026, 1, 5), narration="capital paid in",
            lines=[(code, D(debit), D(credit)) for code, debit, credit in lines],
            office=HEAD_OFFICE_ID,
        )  # fmt: skip

    entry = post(("1002", "1000000.00", "0"), ("4001", "0", "1000000.00")).entry
    assert entry.debits == entry.credits == D("1000000.00")
    for bad in (
        [("1002", "10.00", "0"), ("4001", "0", "9.99")],
        [("1002", "10.00", "0")],
        [("1002", "10.00", "10.00"), ("4001", "0", "0")],
        [("1002", "10.001", "0"), ("4001", "0", "10.001")],
        [("12", "10.00", "0"), ("4001", "0", "10.00")],
    ):
        with pytest.raises(InvalidValue):
            post(*bad)


MONEY = Rounder.of(2, Rounding.HALF_EVEN)
POLICY = AccountingPolicy()


def facts(**changes: Any) -> LoanFacts:
    """A 12,000 loan paid out on 15 January at 12%: 120.00 of interest due 15 February."""
    base = {
        "loan_id": LOAN, "accrual": True, "active": True, "written_off": False,
        "day_count": DayCount.THIRTY_360, "money": MONEY, "due_interest": D("0.00"),
        "paid_interest": D("0.00"),
        "current": CurrentPeriod(date(2026, 1, 15), date(2026, 2, 15), D("120.00")),
        "oldest_unpaid_due_date": date(2026, 2, 15), "classification": Classification.NORMAL,
        "outstanding_principal": D("12000.00"), "recognised_interest": D("0.00"),
        "reserve": D("0.00"),
    }  # fmt: skip
    return LoanFacts(**(base | changes))


def test_the_first_month_end_accrues_the_straight_line_and_provides_one_percent() -> None:
    line = month_end(facts(), date(2026, 1, 31), POLICY)
    assert line is not None
    # 30/360 (US): 15 to 31 January counts 16 of the period's 30 days: 120.00 x 16 / 30.
    assert (line.earned_interest, line.accrued_interest) == (D("64.00"), D("64.00"))
    assert (line.required_reserve, line.provision) == (D("120.00"), D("120.00"))


def test_the_next_month_end_recognises_only_the_change() -> None:
    after = facts(
        due_interest=D("120.00"),
        recognised_interest=D("60.00"),
        reserve=D("120.00"),
        outstanding_principal=D("11053.81"),
        current=CurrentPeriod(date(2026, 2, 15), date(2026, 3, 15), D("110.54")),
    )
    line = month_end(after, date(2026, 2, 28), POLICY)  # fmt: skip
    assert line is not None
    assert line.earned_interest == D("120.00") + D("47.90")  # 110.54 x 13 / 30
    assert line.accrued_interest == line.earned_interest - D("60.00")
    assert line.provision == D("110.54") - D("120.00")


def test_a_loan_over_90_days_past_due_recognises_only_what_it_paid() -> None:
    late = facts(oldest_unpaid_due_date=date(2026, 2, 15), due_interest=D("360.00"),
                 paid_interest=D("40.00"), recognised_interest=D("350.00"),
                 classification=Classification.SUBSTANDARD, reserve=D("120.00"))  # fmt: skip
    line = month_end(late, date(2026, 5, 31), POLICY)
    assert line is not None
    assert line.non_accrual
    assert (line.earned_interest, line.accrued_interest) == (D("40.00"), D("-310.00"))
    assert line.required_reserve == D("3000.00")  # 25% of 12,000
    assert month_end(late, date(2026, 5, 16), POLICY).non_accrual is False  # type: ignore[union-attr]


def test_a_written_off_loan_releases_its_reserve_and_a_cash_loan_accrues_nothing() -> None:
    written = facts(active=False, written_off=True, reserve=D("-8000.00"),
                    recognised_interest=D("200.00"))  # fmt: skip
    line = month_end(written, date(2026, 6, 30), POLICY)
    assert line == LoanMonthEnd(
        loan_id=LOAN, earned_interest=D("200.00"), accrued_interest=D("0.00"), non_accrual=False,
        classification=Classification.NORMAL, principal=D("0.00"), provision_rate=D("0.00"),
        required_reserve=D("0.00"), provision=D("8000.00"),
    )  # fmt: skip
    cash = month_end(facts(accrual=False, reserve=D("120.00")), date(2026, 1, 31), POLICY)
    assert cash is None


def test_a_month_end_records_each_loan_once() -> None:
    line = month_end(facts(), date(2026, 1, 31), POLICY)
    assert line is not None
    started = history(MonthEnd.start(actor="system", on=date(2026, 1, 31)))
    done = (
        given(*started)
        .when(lambda m: m.account(actor="system", lines=(line,)))
        .then(MonthEnd.LoansAccounted)
    )
    given(*started, *done.events).when(lambda m: m.account(actor="system", lines=(line,))).raises(
        Conflict
    )
    with pytest.raises(InvalidValue):
        MonthEnd.start(actor="system", on=date(2026, 1, 30))


def test_provision_rates_are_fractions_for_every_class() -> None:
    with pytest.raises(InvalidValue):
        AccountingPolicy(provision_rates={Classification.NORMAL: D("0.01")})
    rates = dict(AccountingPolicy().provision_rates) | {Classification.LOSS: D("1.5")}
    with pytest.raises(InvalidValue):
        AccountingPolicy(provision_rates=rates)
