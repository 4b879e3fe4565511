"""Journal entries: balanced lines, each an account debited or credited.

An entry is built from (role, amount) pairs on each side; the rule names the accounts.
A negative amount is the other side's (a fall in an accrual is a credit to the
receivable), zero lines are left out, and debits must equal credits, else
`InvalidValue`. Nothing is ever edited: a change posts `reversal(entry)`, the same
lines on the other sides, and then what is right now.

Posting date. An entry takes effect on its value date, unless that falls in a closed
accounting period: it is then posted on the first open day, and keeps its value date
as the reference to when it happened, so a closed month's balances never change.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from enum import StrEnum
from uuid import UUID

from domain.accounting.rules import AccountingRule, Role
from domain.errors import InvalidValue
from domain.model import Immutable


class EntryKind(StrEnum):
    DISBURSEMENT = "disbursement"
    REPAYMENT = "repayment"
    RECOVERY = "recovery"
    CHARGE = "charge"
    WAIVER = "waiver"
    WRITE_OFF = "write_off"
    RECLASSIFICATION = "reclassification"
    MONTH_END = "month_end"
    REFUND = "refund"
    REVERSAL = "reversal"
    MANUAL = "manual"


class Line(Immutable):
    account: str
    debit: Decimal
    credit: Decimal
    role: Role | None = None  # None on a manual entry's lines


class JournalEntry(Immutable):
    """One posting: `subject` names what a later change may take back (a payment, a
    charge); `reverses` is the subject's entry a reversal takes back."""

    kind: EntryKind
    value_date: date
    lines: tuple[Line, ...]
    loan_id: UUID | None = None
    subject: str | None = None
    narration: str = ""

    @property
    def debits(self) -> Decimal:
        return sum((line.debit for line in self.lines), Decimal(0))

    @property
    def credits(self) -> Decimal:
        return sum((line.credit for line in self.lines), Decimal(0))


Amounts = Iterable[tuple[Role, Decimal]]


def posted(
    kind: EntryKind,
    value_date: date,
    rule: AccountingRule,
    debits: Amounts,
    credits: Amounts,
    *,
    loan_id: UUID | None = None,
    subject: str | None = None,
) -> JournalEntry | None:
    """The entry debiting and crediting these roles' accounts (None if every amount is 0)."""
    # Zero amounts are left out before their role is looked up: a cash-basis rule need
    # not name the receivables an accrual would post to.
    made = [_line(rule, role, amount) for role, amount in debits if amount]
    made += [_line(rule, role, -amount) for role, amount in credits if amount]
    kept = tuple(sorted(made, key=lambda line: not line.debit))  # debits first, as read
    if not kept:
        return None
    return balanced(
        JournalEntry(kind=kind, value_date=value_date, lines=kept, loan_id=loan_id, subject=subject)
    )


def _line(rule: AccountingRule, role: Role, debit: Decimal) -> Line:
    zero = abs(debit) * 0  # "0.00", never "-0.00"
    account = rule.account(role)
    if debit >= 0:
        return Line(account=account, debit=debit, credit=zero, role=role)
    return Line(account=account, debit=zero, credit=-debit, role=role)


def balanced(entry: JournalEntry) -> JournalEntry:
    if any(line.debit < 0 or line.credit < 0 for line in entry.lines):
        raise InvalidValue("lines", "amounts must not be negative")
    if entry.debits != entry.credits:
        raise InvalidValue("lines", f"debits ({entry.debits}) must equal credits ({entry.credits})")
    return entry


def reversal(entry: JournalEntry, value_date: date | None = None) -> JournalEntry:
    """`entry` taken back: each line on the other side, on the same value date unless
    another is given."""
    lines = tuple(
        line.model_copy(update={"debit": line.credit, "credit": line.debit}) for line in entry.lines
    )
    return entry.model_copy(
        update={
            "kind": EntryKind.REVERSAL,
            "lines": lines,
            "value_date": value_date or entry.value_date,
        }
    )


def posting_date(value_date: date, first_open_day: date | None) -> date:
    """The day an entry valued `value_date` is posted: its value date, or the first day
    of the first open period when the value date's period is closed."""
    if first_open_day is None:
        return value_date
    return max(value_date, first_open_day)
