"""Chart of accounts, manual entries and accounting periods: the ledger's use cases.

A store opens the default chart (`domain.accounting.DEFAULT_CHART`) the first time
anything needs an account: a product's rule, a new account, a manual entry, a month
end. Each account is an aggregate under its code, so opening one twice is refused by
the event store.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from application.app import LendingApplication, Written
from application.calendar import business_date, not_after_business_date
from application.offices import existing_office
from application.ports import LedgerRecords
from application.reach import reaches
from domain.accounting import (
    DEFAULT_CHART,
    PERIODS_ID,
    Account,
    AccountDefinition,
    AccountingPeriods,
    AccountingRule,
    AccountType,
    ManualEntry,
    account_id,
    checked_account_code,
)
from domain.errors import Conflict, InvalidTransition, InvalidValue, NotFound, Refused
from domain.office import HEAD_OFFICE_ID


def unopened_chart(app: LendingApplication, actor: str) -> list[Account]:
    """The default accounts the store has not opened yet, to save with the caller's
    aggregates (empty once the chart is open)."""
    if app.exists(account_id(DEFAULT_CHART[-1].code)) and app.exists(
        account_id(DEFAULT_CHART[0].code)
    ):
        return []
    opened: dict[str, Account] = {}
    for definition in DEFAULT_CHART:
        if app.exists(account_id(definition.code)):
            continue
        parent = None
        if definition.parent is not None:
            parent = opened.get(definition.parent) or find_account(app, definition.parent)
        opened[definition.code] = Account.open(actor=actor, definition=definition, parent=parent)
    return list(opened.values())


def open_chart(app: LendingApplication, actor: str) -> int:
    """Open the default chart if it is not yet; the last position written (0: none)."""
    accounts = unopened_chart(app, actor)
    if not accounts:
        return 0
    try:
        return app.save_all(*accounts).position
    except IntegrityError:  # another process opened it meanwhile
        return 0


def find_account(app: LendingApplication, code: str) -> Account:
    return app.load(Account, account_id(checked_account_code(code)), "account")


def accounts_for(app: LendingApplication, rule: AccountingRule, actor: str) -> list[Account]:
    """Refuse a rule whose accounts are missing, closed or of the wrong type; the default
    accounts still to open (with the product that needs them)."""
    unopened = {account.code: account for account in unopened_chart(app, actor)}
    chart: dict[str, tuple[AccountType, bool]] = {}
    for code in rule.codes():
        account = unopened.get(code)
        if account is None:
            try:
                account = find_account(app, code)
            except NotFound:
                continue
        chart[code] = (account.type, account.closed)
    rule.check_accounts(chart)
    return list(unopened.values())


@dataclass(frozen=True)
class OpenAccount:
    actor: str
    code: str
    name: str
    type: AccountType
    parent: str | None = None


def open_account(app: LendingApplication, command: OpenAccount) -> Written:
    chart = unopened_chart(app, command.actor)
    definition = AccountDefinition(
        code=command.code, name=command.name, type=command.type, parent=command.parent
    ).checked()
    if app.exists(account_id(definition.code)) or definition.code in {a.code for a in chart}:
        raise Conflict(f"account {definition.code} is open already")
    parent = None
    if definition.parent is not None:
        parent = next((a for a in chart if a.code == definition.parent), None)
        if parent is None:
            try:
                parent = find_account(app, definition.parent)
            except NotFound:
                raise InvalidValue("parent", f"no account has code {definition.parent}") from None
    account = Account.open(actor=command.actor, definition=definition, parent=parent)
    try:
        return app.save_all(account, *chart)
    except IntegrityError:
        raise Conflict(f"account {definition.code} is open already") from None


@dataclass(frozen=True)
class CloseAccount:
    actor: str
    code: str
    expected_version: int | None = None


def close_account(app: LendingApplication, command: CloseAccount, ledger: LedgerRecords) -> Written:
    """Close an account the journal (as far as it has got) shows nil, without open
    sub-accounts."""

    def attempt() -> Written:
        account = find_account(app, command.code)
        if command.expected_version is not None and account.version != command.expected_version:
            raise Conflict(f"expected version {command.expected_version}")
        account.close(
            actor=command.actor,
            balance=ledger.account_balance(account.code),
            open_sub_accounts=ledger.open_sub_accounts(account.code),
        )
        return app.save_all(account)

    return app.retrying(attempt)


@dataclass(frozen=True)
class PostManualEntry:
    actor: str
    value_date: date
    lines: list[tuple[str, Decimal, Decimal]]
    narration: str
    reach: UUID | None = None  # the posting user's office (None: not known)
    office: UUID | None = None  # the office named for the entry (None: the user's)


def manual_entry_office(app: LendingApplication, command: PostManualEntry) -> UUID:
    """The office whose books a manual entry goes in: the one named, if the user's reach
    holds it (Refused if not; InvalidValue on `office` if there is no such office), else
    the user's own, and the head office's for a user whose office is not known."""
    if command.office is None:
        return command.reach or HEAD_OFFICE_ID
    existing_office(app, command.office, "office", command.actor)
    if not reaches(app, command.reach, command.office):
        raise Refused("a manual entry goes in your office or one below it")
    return command.office


def post_manual_entry(app: LendingApplication, command: PostManualEntry) -> Written:
    """Post an accountant's entry on open accounts, valued no later than the business date,
    in the books of its office (`manual_entry_office`)."""
    not_after_business_date(app, command.actor, command.value_date, "value_date")
    office = manual_entry_office(app, command)
    chart = unopened_chart(app, command.actor)
    entry = ManualEntry.post(actor=command.actor, value_date=command.value_date,
                             lines=command.lines, narration=command.narration,
                             office=office)  # fmt: skip
    opened = {account.code: account for account in chart}
    for n, line in enumerate(entry.entry.lines):
        try:
            account = opened.get(line.account) or find_account(app, line.account)
        except NotFound:
            raise InvalidValue(
                f"lines.{n}.account", f"no account has code {line.account}"
            ) from None
        if account.closed:
            raise InvalidTransition(f"post to account {account.code}", "the account is closed")
    return app.save_all(entry, *chart)


@dataclass(frozen=True)
class ClosePeriod:
    actor: str
    month: str


@dataclass(frozen=True)
class PeriodWritten:
    written: Written
    closed: bool  # False: the close is requested, and waits for another admin


def close_period(app: LendingApplication, command: ClosePeriod) -> PeriodWritten:
    """Ask for a month to close, or approve another admin's request: it is then closed."""
    today = business_date(app, command.actor)

    def attempt() -> PeriodWritten:
        try:
            periods = app.load(AccountingPeriods, PERIODS_ID, "accounting periods")
        except NotFound:
            periods = AccountingPeriods.open(actor=command.actor)
        periods.close(actor=command.actor, month=command.month, business_date=today)
        closed = isinstance(periods.pending_events[-1], AccountingPeriods.PeriodClosed)
        return PeriodWritten(app.save_all(periods), closed)

    return app.retrying(attempt)
