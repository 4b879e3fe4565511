"""GraphQL `journal(loanId)`: a loan's journal entries, each with its lines."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

import strawberry
from strawberry.types import Info

from domain.errors import InvalidValue
from interfaces.graphql.context import Context
from interfaces.graphql.ledger import READERS, Row, optional_id
from interfaces.graphql.loaders import loan_reached
from projections import ledger_reports


@strawberry.type
class JournalLine:
    account: str = strawberry.field(description="The account's code.")
    role: str | None
    debit: Decimal
    credit: Decimal


@strawberry.type
class JournalEntry:
    id: strawberry.ID
    position: int
    kind: str
    event_type: str
    value_date: date
    posting_date: date
    loan_id: strawberry.ID | None
    office: strawberry.ID = strawberry.field(description="The office the entry belongs to.")
    subject: str | None = strawberry.field(description="The payment or charge it posts.")
    reverses: strawberry.ID | None = strawberry.field(description="The entry it takes back.")
    actor: str
    narration: str
    recorded_at: datetime
    lines: list[JournalLine]


async def journal(info: Info[Context, None], loan_id: strawberry.ID) -> list[JournalEntry]:
    """The loan's entries, in the order they were posted."""
    context = info.context
    context.require(*READERS)
    try:
        loan = UUID(str(loan_id))
    except ValueError:
        raise InvalidValue("loanId", "must be a loan id") from None
    if not await loan_reached(context, loan):
        return []  # out of the caller's office reach
    return journal_entries(await ledger_reports.loan_entries(context.pool, loan))


def journal_entries(rows: list[Row]) -> list[JournalEntry]:
    entries: dict[str, JournalEntry] = {}
    for row in rows:
        entry = entries.get(row["id"])
        if entry is None:
            entry = entries[row["id"]] = _entry(row)
        entry.lines.append(
            JournalLine(
                account=row["account"], role=row["role"], debit=row["debit"], credit=row["credit"]
            )
        )
    return list(entries.values())


def _entry(row: Row) -> JournalEntry:
    return JournalEntry(
        id=strawberry.ID(row["id"]), position=row["position"], kind=row["kind"],
        event_type=row["event_type"], value_date=row["value_date"],
        posting_date=row["posting_date"], loan_id=optional_id(row["loan_id"]),
        office=strawberry.ID(str(row["office"])), subject=row["subject"],
        reverses=optional_id(row["reverses"]), actor=row["actor"], narration=row["narration"],
        recorded_at=row["recorded_at"], lines=[],
    )  # fmt: skip
