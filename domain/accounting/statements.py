"""Financial statements from account balances: the balance sheet and income statement.

Amounts show each account on its normal side: assets and expenses as debits less
credits, liabilities, equity and income as credits less debits (so the loan-loss
reserve, a contra asset, shows negative among the assets). Until income and expenses are
closed into equity, the balance sheet shows their net as 4103 profit for the year, so
assets always equal liabilities plus equity.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from domain.accounting.chart import AccountType

PROFIT = ("4103", "本年利润 Profit for the year")


@dataclass(frozen=True, slots=True)
class AccountTotals:
    code: str
    name: str
    type: AccountType
    debits: Decimal
    credits: Decimal

    @property
    def amount(self) -> Decimal:
        """The balance on the account's normal side."""
        net = self.debits - self.credits
        return net if self.type.debit_normal else -net


@dataclass(frozen=True, slots=True)
class StatementLine:
    code: str
    name: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Section:
    name: str
    lines: tuple[StatementLine, ...]

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal(0))


def _lines(accounts: Iterable[AccountTotals], kind: AccountType) -> list[StatementLine]:
    return [
        StatementLine(a.code, a.name, a.amount)
        for a in sorted(accounts, key=lambda a: a.code)
        if a.type is kind and (a.debits or a.credits)
    ]


def profit(accounts: Iterable[AccountTotals]) -> Decimal:
    """Income less expenses."""
    return sum(
        (a.amount if a.type is AccountType.INCOME else -a.amount
         for a in accounts if a.type in (AccountType.INCOME, AccountType.EXPENSE)),
        Decimal(0),
    )  # fmt: skip


def balance_sheet(accounts: Iterable[AccountTotals]) -> tuple[Section, ...]:
    held = list(accounts)
    equity = _lines(held, AccountType.EQUITY)
    earned = profit(held)
    others = [line for line in equity if line.code != PROFIT[0]]
    booked = sum((line.amount for line in equity if line.code == PROFIT[0]), Decimal(0))
    if earned or booked:
        name = next((line.name for line in equity if line.code == PROFIT[0]), PROFIT[1])
        others.append(StatementLine(PROFIT[0], name, booked + earned))
    return (
        Section("Assets", tuple(_lines(held, AccountType.ASSET))),
        Section("Liabilities", tuple(_lines(held, AccountType.LIABILITY))),
        Section("Equity", tuple(sorted(others, key=lambda line: line.code))),
    )


def income_statement(accounts: Iterable[AccountTotals]) -> tuple[Section, ...]:
    held = list(accounts)
    income = Section("Income", tuple(_lines(held, AccountType.INCOME)))
    expenses = Section("Expenses", tuple(_lines(held, AccountType.EXPENSE)))
    net = Section("Net profit", (StatementLine(PROFIT[0], PROFIT[1], profit(held)),))
    return income, expenses, net


def year_start(until: date) -> date:
    """Where an income statement to `until` starts when not told: the year to date."""
    return date(until.year, 1, 1)
