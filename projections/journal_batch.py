"""The journal's writes of one transaction, held back and written in bulk.

What `EventPostings` posts goes here first: entries and lines as rows, the day's totals
per account and the loans' balances per role summed, and each loan's open items as
they last stood. `write` sends each table's rows as one statement of arrays
(`unnest`), so a page of events or a rebuild costs a handful of statements instead of
several per entry; the totals of a rebuild become one row per account and day however
many lines went into them. Reading the journal's tables in the same transaction writes
what is held first (`Books.read`), and the read model writes it before its position
(`JournalView.flush`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from psycopg import Cursor
from psycopg.rows import DictRow

ENTRY_COLUMNS = (
    "id text", "position bigint", "seq integer", "kind text", "event_type text",
    "value_date date", "posting_date date", "loan_id uuid", "subject text", "reverses text",
    "actor text", "narration text", "recorded_at timestamptz",
)  # fmt: skip
LINE_COLUMNS = (
    "entry_id text", "line integer", "account text", "role text", "debit numeric",
    "credit numeric", "loan_id uuid", "value_date date", "posting_date date",
    "position bigint", "seq integer",
)  # fmt: skip
ADD_TO_TOTALS = """INSERT INTO journal_totals AS t (account, posting_date, debits, credits)
SELECT * FROM unnest(%s::text[], %s::date[], %s::numeric[], %s::numeric[])
ON CONFLICT (account, posting_date)
DO UPDATE SET debits = t.debits + excluded.debits, credits = t.credits + excluded.credits"""
ADD_TO_BALANCES = """INSERT INTO journal_loan_balances AS b (loan_id, role, balance)
SELECT * FROM unnest(%s::uuid[], %s::text[], %s::numeric[]) ON CONFLICT (loan_id, role)
DO UPDATE SET balance = b.balance + excluded.balance"""
OPEN_ITEMS = """INSERT INTO journal_open_items (loan_id, subject, entry_id)
SELECT * FROM unnest(%s::uuid[], %s::text[], %s::text[]) ON CONFLICT (loan_id, subject)
DO UPDATE SET entry_id = excluded.entry_id"""
CLOSE_ITEMS = """DELETE FROM journal_open_items o USING unnest(%s::uuid[], %s::text[])
AS closed (loan_id, subject) WHERE o.loan_id = closed.loan_id AND o.subject = closed.subject"""


def _insert(table: str, columns: tuple[str, ...]) -> str:
    names = ", ".join(column.split()[0] for column in columns)
    arrays = ", ".join(f"%s::{column.split()[1]}[]" for column in columns)
    return f"INSERT INTO {table} ({names}) SELECT * FROM unnest({arrays})"


INSERT_ENTRIES = _insert("journal_entries", ENTRY_COLUMNS)
INSERT_LINES = _insert("journal_lines", LINE_COLUMNS)


def _columns(rows: list[tuple[Any, ...]], width: int) -> list[list[Any]]:
    """The rows as one list per column, as `unnest` takes them."""
    return [list(column) for column in zip(*rows, strict=True)] if rows else [[]] * width


@dataclass
class Pending:
    entries: list[tuple[Any, ...]] = field(default_factory=list)
    lines: list[tuple[Any, ...]] = field(default_factory=list)
    totals: dict[tuple[str, date], list[Decimal]] = field(
        default_factory=lambda: defaultdict(lambda: [Decimal(0), Decimal(0)])
    )
    balances: dict[tuple[UUID, str], Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    open_items: dict[tuple[UUID, str], str | None] = field(default_factory=dict)  # None: closed

    def add_line(self, account: str, on: date, debit: Decimal, credit: Decimal) -> None:
        total = self.totals[(account, on)]
        total[0] += debit
        total[1] += credit

    def write(self, cursor: Cursor[DictRow]) -> None:
        """Write everything held, and hold nothing."""
        if self.entries:
            cursor.execute(INSERT_ENTRIES, _columns(self.entries, len(ENTRY_COLUMNS)))
            cursor.execute(INSERT_LINES, _columns(self.lines, len(LINE_COLUMNS)))
        if self.totals:
            rows = [(account, on, debits, credits)
                    for (account, on), (debits, credits) in self.totals.items()]  # fmt: skip
            cursor.execute(ADD_TO_TOTALS, _columns(rows, 4))
        if self.balances:
            rows = [(loan, role, amount) for (loan, role), amount in self.balances.items()]
            cursor.execute(ADD_TO_BALANCES, _columns(rows, 3))
        closed = [key for key, entry in self.open_items.items() if entry is None]
        if closed:
            cursor.execute(CLOSE_ITEMS, _columns(closed, 2))
        opened = [(*key, entry) for key, entry in self.open_items.items() if entry is not None]
        if opened:
            cursor.execute(OPEN_ITEMS, _columns(opened, 3))
        self.__init__()  # type: ignore[misc]
