"""REST commands on the general ledger: accounts, manual entries, accounting periods."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from pydantic import Field

from application import accounting
from domain.accounting import AccountType
from domain.accounting.manual import MAX_LINES
from domain.money import ZERO
from infrastructure.tokens import Role, User
from interfaces.rest.auth import require
from interfaces.rest.common import (
    Accepted,
    App,
    BusinessDate,
    Code,
    Command,
    ExpectedVersion,
    Money,
    Reason,
    Text,
)

router = APIRouter(tags=["general ledger"])

Admin = Annotated[User, Depends(require(Role.ADMIN))]
# Checked by the domain (4 digits, 2 more per sub-account level; YYYY-MM), naming the field.
AccountCode = Annotated[Code, Field(max_length=10)]
Month = Annotated[Code, Field(max_length=7)]


class AccountBody(Command):
    code: AccountCode
    name: Text
    type: AccountType
    parent: AccountCode | None = None


@router.post("/accounts", status_code=201)
def open_account(body: AccountBody, app: App, user: Admin) -> Accepted:
    """Open an account (a sub-account of `parent` is coded parent + 2 digits)."""
    command = accounting.OpenAccount(user.sub, body.code, body.name, body.type, body.parent)
    return Accepted.of(accounting.open_account(app, command))


@router.post("/accounts/{code}/close")
def close_account(
    code: AccountCode, request: Request, app: App, user: Admin, version: ExpectedVersion
) -> Accepted:
    """Close an account whose balance is nil and whose sub-accounts are closed."""
    ledger = request.app.state.runtime.ledger_records
    command = accounting.CloseAccount(user.sub, code, version)
    return Accepted.of(accounting.close_account(app, command, ledger))


class LineBody(Command):
    account: AccountCode
    debit: Money = ZERO
    credit: Money = ZERO


class ManualEntryBody(Command):
    value_date: BusinessDate
    narration: Reason
    lines: Annotated[list[LineBody], Field(min_length=2, max_length=MAX_LINES)]
    office: UUID | None = None  # whose books it goes in (None: your office's)


@router.post("/journal-entries", status_code=201)
def post_manual_entry(body: ManualEntryBody, app: App, user: Admin) -> Accepted:
    """Post a balanced entry of your own (each line a debit or a credit) in your office's
    books, or in those of `office`, yours or one below it (403 for another office, 422 for
    one no office has)."""
    lines = [(line.account, line.debit, line.credit) for line in body.lines]
    command = accounting.PostManualEntry(
        user.sub, body.value_date, lines, body.narration, user.office, body.office
    )
    return Accepted.of(accounting.post_manual_entry(app, command))


class ClosePeriodBody(Command):
    month: Month


class PeriodAccepted(Accepted):
    month: str
    status: Literal["requested", "closed"]


@router.post("/accounting-periods/close")
def close_period(body: ClosePeriodBody, app: App, user: Admin) -> PeriodAccepted:
    """Ask for a month to close; a second admin's same request approves it and the month
    closes. 409 before close of business has passed its last day, out of order or twice;
    403 when the admin who asked approves."""
    result = accounting.close_period(app, accounting.ClosePeriod(user.sub, body.month))
    written = result.written
    return PeriodAccepted(
        id=written.id,
        version=written.version,
        position=written.position,
        month=body.month,
        status="closed" if result.closed else "requested",
    )
