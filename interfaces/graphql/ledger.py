"""GraphQL over the general ledger: accounts, trial balance, ledgers, statements, journal.

Balances are debits less credits (a credit balance is negative); statement amounts are
on each account's normal side (domain/accounting/statements.py). Dates are posting
dates; `asOf` defaults to the business date. Each entry belongs to one office (its
loan's, a manual entry's own): `office` narrows an answer to that office and those below
it, and a caller outside the head office never sees past their own office's reach.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

import strawberry
from strawberry.types import Info

from domain.accounting import statements
from domain.errors import InvalidValue
from infrastructure.tokens import Role
from interfaces.graphql.context import Context
from interfaces.graphql.pagination import Connection, Edge, Page, PageInfo
from projections import ledger_reports
from projections.as_of import history_business_date

READERS = (Role.AUDITOR, Role.ANALYST, Role.ADMIN)
EARLIEST = date(1900, 1, 1)
OfficeArgument = Annotated[
    strawberry.ID | None,
    strawberry.argument(description="Only that office's entries and those of the offices "
                        "below it (within the caller's reach; outside it, none)."),
]  # fmt: skip


Row = dict[str, Any]  # a row the ledger's queries answer, by column


@strawberry.type
class Account:
    code: str
    name: str
    type: str = strawberry.field(description="asset, liability, equity, income or expense")
    parent: str | None = None
    closed: bool = False


@strawberry.type
class TrialBalanceLine:
    account: Account
    debits: Decimal
    credits: Decimal
    balance: Decimal = strawberry.field(description="Debits less credits.")


@strawberry.type
class TrialBalance:
    as_of: date
    total_debits: Decimal
    total_credits: Decimal
    lines: list[TrialBalanceLine]


@strawberry.type
class LedgerLine:
    entry_id: strawberry.ID
    account: str
    posting_date: date
    value_date: date
    kind: str
    event_type: str
    loan_id: strawberry.ID | None
    office: strawberry.ID = strawberry.field(description="The office the entry belongs to.")
    actor: str
    narration: str
    debit: Decimal
    credit: Decimal
    balance: Decimal = strawberry.field(description="The running balance after this line.")


@strawberry.type(name="GeneralLedgerConnection")
class GeneralLedgerConnection(Connection[LedgerLine]):
    opening_balance: Decimal = strawberry.field(description="The balance before `from`.")


@strawberry.type
class StatementAccount:
    code: str
    name: str


@strawberry.type
class StatementLine:
    account: StatementAccount
    amount: Decimal


@strawberry.type
class StatementSection:
    name: str
    lines: list[StatementLine]
    total: Decimal


@strawberry.type
class Statement:
    as_of: date | None
    from_: date | None = strawberry.field(name="from")
    to: date | None
    sections: list[StatementSection]


def _sections(found: Iterable[statements.Section]) -> list[StatementSection]:
    return [
        StatementSection(
            name=s.name,
            lines=[
                StatementLine(
                    account=StatementAccount(code=ln.code, name=ln.name), amount=ln.amount
                )
                for ln in s.lines
            ],
            total=s.total,
        )
        for s in found
    ]


async def _today(context: Context) -> date:
    found = await history_business_date(context.pool)
    return found or date.today()


async def _offices(context: Context, office: strawberry.ID | None) -> frozenset[UUID] | None:
    """The offices whose entries the answer sums (None: the whole book)."""
    context.require(*READERS)
    try:
        wanted = None if office is None else UUID(str(office))
    except ValueError:
        raise InvalidValue("office", "is not an office id") from None
    return await context.reach_within(wanted)


async def accounts(info: Info[Context, None]) -> list[Account]:
    """The chart of accounts, by code."""
    info.context.require(*READERS)
    return [Account(**row) for row in await ledger_reports.accounts(info.context.pool)]


async def trial_balance(
    info: Info[Context, None], as_of: date | None = None, office: OfficeArgument = None
) -> TrialBalance:
    """Every account posted to by `asOf`: its debits, credits and balance."""
    context = info.context
    offices = await _offices(context, office)
    on = as_of or await _today(context)
    found = await ledger_reports.totals(context.pool, EARLIEST, on, offices)
    lines = [
        TrialBalanceLine(
            account=Account(code=a.code, name=a.name, type=a.type.value),
            debits=a.debits,
            credits=a.credits,
            balance=a.debits - a.credits,
        )
        for a in found
    ]  # fmt: skip
    return TrialBalance(
        as_of=on,
        total_debits=sum((line.debits for line in lines), Decimal(0)),
        total_credits=sum((line.credits for line in lines), Decimal(0)),
        lines=lines,
    )


async def general_ledger(
    info: Info[Context, None],
    account: str,
    from_: Annotated[date | None, strawberry.argument(name="from")] = None,
    to: date | None = None,
    first: int | None = None,
    after: str | None = None,
    office: OfficeArgument = None,
) -> GeneralLedgerConnection:
    """The account's lines (its sub-accounts' too) posted from `from` to `to`, in posting
    order, each with the running balance."""
    context = info.context
    offices = await _offices(context, office)
    page = Page.of(first, None)
    since, until = from_ or EARLIEST, to or await _today(context)
    key = _decode(after)
    opening, balance, rows = await ledger_reports.ledger_page(
        context.pool, account, since, until, key, page.size + 1, offices
    )
    edges = []
    for row in rows[: page.size]:
        balance += row["debit"] - row["credit"]
        edges.append(Edge(cursor=_encode(row), node=_ledger_line(row, balance)))
    return GeneralLedgerConnection(
        edges=edges,
        page_info=PageInfo(has_next_page=len(rows) > page.size,
                           end_cursor=edges[-1].cursor if edges else None),
        opening_balance=opening,
    )  # fmt: skip


def _ledger_line(row: Row, balance: Decimal) -> LedgerLine:
    return LedgerLine(
        entry_id=strawberry.ID(row["entry_id"]), account=row["account"],
        posting_date=row["posting_date"], value_date=row["value_date"], kind=row["kind"],
        event_type=row["event_type"], loan_id=optional_id(row["loan_id"]),
        office=strawberry.ID(str(row["office"])), actor=row["actor"],
        narration=row["narration"], debit=row["debit"], credit=row["credit"], balance=balance,
    )  # fmt: skip


def _encode(row: Row) -> str:
    key = f"{row['posting_date']}|{row['position']}|{row['seq']}|{row['line']}"
    return base64.urlsafe_b64encode(key.encode()).decode()


def _decode(cursor: str | None) -> ledger_reports.LedgerKey | None:
    if cursor is None:
        return None
    try:
        day, position, seq, line = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        return date.fromisoformat(day), int(position), int(seq), int(line)
    except (ValueError, UnicodeDecodeError):
        raise InvalidValue("after", "is not a cursor this API issued") from None


async def balance_sheet(
    info: Info[Context, None], as_of: date | None = None, office: OfficeArgument = None
) -> Statement:
    """Assets, liabilities and equity (with the profit not yet closed) on `asOf`."""
    context = info.context
    offices = await _offices(context, office)
    on = as_of or await _today(context)
    found = await ledger_reports.totals(context.pool, EARLIEST, on, offices)
    return Statement(as_of=on, from_=None, to=None,
                     sections=_sections(statements.balance_sheet(found)))  # fmt: skip


async def income_statement(
    info: Info[Context, None],
    from_: Annotated[
        date | None,
        strawberry.argument(name="from", description="Default: 1 January of `to`'s year."),
    ] = None,
    to: date | None = None,
    office: OfficeArgument = None,
) -> Statement:
    """Income, expenses and net profit posted from `from` to `to` (default: the business
    date); without `from`, the year to date."""
    context = info.context
    offices = await _offices(context, office)
    until = to or await _today(context)
    since = from_ or statements.year_start(until)
    if until < since:
        raise InvalidValue("to", "must not be before from")
    found = await ledger_reports.totals(context.pool, since, until, offices)
    return Statement(as_of=None, from_=since, to=until,
                     sections=_sections(statements.income_statement(found)))  # fmt: skip


def optional_id(value: Any) -> strawberry.ID | None:
    return None if value is None else strawberry.ID(str(value))
