"""Repayment files: a bank's or payment platform's settlement, row by row.

Each row is received as one repayment would be (`receive_repayment`): idempotent on its
channel and external reference, so a file run again after a crash lands only the rows
that are missing, and a row already received is reported as such. A row that cannot be
received (a malformed amount, an unknown or unreachable loan, a date after the business
date, a reference already used with other details) is refused with the field and the
reason, and the other rows still land.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from uuid import UUID

from application.app import LendingApplication
from application.calendar import business_date
from application.reach import named_loan_in_reach
from application.repayment_batch import receive_together
from application.repayments import ReceiveRepayment, receive_repayment
from domain.errors import DomainError, InvalidValue

MAX_ROWS = 10_000
COLUMNS = ("loan_id", "amount", "value_date", "channel", "external_reference", "payer")
PLAIN_DECIMAL = re.compile(r"[0-9]{1,20}(\.[0-9]{1,20})?")
MAX_TEXT = 200


@dataclass(frozen=True)
class RepaymentRow:
    """One row as the file gives it: text, checked when it is received."""

    line: int
    loan_id: str
    amount: str
    value_date: str
    channel: str
    external_reference: str
    payer: str = ""


class RowStatus(StrEnum):
    RECEIVED = "received"
    ALREADY_RECEIVED = "already_received"
    REFUSED = "refused"


@dataclass(frozen=True)
class RowResult:
    line: int
    external_reference: str
    status: RowStatus
    repayment_id: UUID | None = None
    position: int = 0  # the store position of a received row
    field: str | None = None  # of a refused row: the column at fault, if one is
    reason: str | None = None


@dataclass(frozen=True)
class ImportRepayments:
    actor: str
    rows: Sequence[RepaymentRow]
    reach: UUID | None = None  # the importing user's office (None: every office)


def import_repayments(
    app: LendingApplication,
    command: ImportRepayments,
    progress: Callable[[int], None] = lambda _: None,
) -> list[RowResult]:
    """Receive every row; one result a row, in file order. `progress(n)` follows each n
    rows decided. Rows go a batch to a transaction (`repayment_batch`); what a batch
    leaves, and every row that is not a repayment, is received one at a time after."""
    rows = command.rows
    if len(rows) > MAX_ROWS:
        raise InvalidValue("rows", f"must be at most {MAX_ROWS}")
    commands, left = [], []
    for index, row in enumerate(rows):
        try:
            commands.append((index, _command(command.actor, row)))
        except InvalidValue:
            left.append(index)
    results: dict[int, RowResult] = {}
    if commands:
        today = business_date(app, command.actor)
        for outcome in receive_together(app, commands, today, command.reach):
            for index, written in outcome.received.items():
                reference = rows[index].external_reference.strip()
                results[index] = RowResult(
                    rows[index].line, reference, RowStatus.RECEIVED, written.id, written.position
                )
            progress(len(outcome.received))
            left += outcome.left
    for index in sorted(left):
        results[index] = receive_row(app, command, rows[index])
        progress(1)
    return [results[index] for index in range(len(rows))]


def receive_row(app: LendingApplication, command: ImportRepayments, row: RepaymentRow) -> RowResult:
    """One row received on its own, as `receive_repayment` receives one repayment."""
    reference = row.external_reference.strip()
    try:
        receipt = _command(command.actor, row)
        named_loan_in_reach(app, receipt.loan_id, command.reach)
        written = receive_repayment(app, receipt)
    except InvalidValue as refused:
        return RowResult(row.line, reference, RowStatus.REFUSED, None, 0, refused.field,
                         refused.reason)  # fmt: skip
    except DomainError as refused:
        return RowResult(row.line, reference, RowStatus.REFUSED, reason=str(refused))
    status = RowStatus.RECEIVED if written.position else RowStatus.ALREADY_RECEIVED
    return RowResult(row.line, reference, status, written.id, written.position)


def _command(actor: str, row: RepaymentRow) -> ReceiveRepayment:
    """The row as a repayment; InvalidValue naming the column that is not one."""
    try:
        loan_id = UUID(row.loan_id.strip())
    except ValueError:
        raise InvalidValue("loan_id", "is not a loan id") from None
    amount_text = row.amount.strip()
    if not PLAIN_DECIMAL.fullmatch(amount_text):
        raise InvalidValue("amount", 'must be a decimal such as "1000.00", without an exponent')
    try:
        amount = Decimal(amount_text)
        value_date = date.fromisoformat(row.value_date.strip())
    except (InvalidOperation, ValueError):
        raise InvalidValue("value_date", "must be a date, YYYY-MM-DD") from None
    if amount <= 0:
        raise InvalidValue("amount", "must be positive")
    for name in ("channel", "external_reference", "payer"):
        text = getattr(row, name).strip()
        if (not text and name != "payer") or len(text) > MAX_TEXT:
            raise InvalidValue(name, f"must be 1 to {MAX_TEXT} characters")
        if any(ord(c) < 32 or 127 <= ord(c) < 160 for c in text):
            raise InvalidValue(name, "must not contain control characters")
    return ReceiveRepayment(
        actor=actor,
        loan_id=loan_id,
        amount=amount,
        value_date=value_date,
        channel=row.channel.strip(),
        external_reference=row.external_reference.strip(),
        payer=row.payer.strip(),
    )
