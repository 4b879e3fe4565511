"""The journal's writes of one transaction, held back and written in bulk.

What `EventPostings` posts goes here first: entries and lines as rows, the day's totals
per account and the loans' balances per role summed, and each loan's open items as
they last stood. `write` sends each table's rows as one statement over one JSON
parameter (`jsonb_to_recordset`; orjson writes it, amounts as decimal strings, far
faster than psycopg's per-element array dumping), so a page of events or a rebuild
costs a handful of statements instead of several per entry; the totals of a rebuild
become one row per account and day however many lines went into them. Reading the
journal's tables in the same transaction writes what is held first (`Books.read`), and
the read model writes it before its position (`JournalView.flush`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import orjson
from psycopg import Cursor
from psycopg.rows import DictRow

ENTRY_COLUMNS = (
    "id text", "position bigint", "seq integer", "kind text", "event_type text",
    "value_date date", "posting_date date", "loan_id uuid", "subject text", "reverses text",
    "actor text", "narration text", "recorded_at timestamptz", "office uuid",
)  # fmt: skip
LINE_COLUMNS = (
    "entry_id text", "line integer", "account text", "role text", "debit numeric",
    "credit numeric", "loan_id uuid", "value_date date", "posting_date date",
    "position bigint", "seq integer", "office uuid",
)  # fmt: skip
TOTAL_COLUMNS = (
    "account text", "posting_date date", "office uuid", "debits numeric", "credits numeric",
)  # fmt: skip
BALANCE_COLUMNS = ("loan_id uuid", "role text", "balance numeric")
ITEM_COLUMNS = ("loan_id uuid", "subject text", "entry_id text")


def _rows(table: str, columns: tuple[str, ...], tail: str = "") -> str:
    """An INSERT of the JSON array of rows given as its one parameter."""
    names = ", ".join(column.split()[0] for column in columns)
    return (f"INSERT INTO {table} AS t ({names}) SELECT {names} FROM "
            f"jsonb_to_recordset(%s::jsonb) AS r ({', '.join(columns)}){tail}")  # fmt: skip


INSERT_ENTRIES = _rows("journal_entries", ENTRY_COLUMNS)
INSERT_LINES = _rows("journal_lines", LINE_COLUMNS)
ADD_TO_TOTALS = _rows(
    "journal_totals",
    TOTAL_COLUMNS,
    """ ON CONFLICT (account, posting_date, office)
DO UPDATE SET debits = t.debits + excluded.debits, credits = t.credits + excluded.credits""",
)
ADD_TO_BALANCES = _rows(
    "journal_loan_balances",
    BALANCE_COLUMNS,
    """ ON CONFLICT (loan_id, role)
DO UPDATE SET balance = t.balance + excluded.balance""",
)
OPEN_ITEMS = _rows(
    "journal_open_items",
    ITEM_COLUMNS,
    """ ON CONFLICT (loan_id, subject)
DO UPDATE SET entry_id = excluded.entry_id""",
)
CLOSE_ITEMS = """DELETE FROM journal_open_items o USING
    jsonb_to_recordset(%s::jsonb) AS closed (loan_id uuid, subject text)
WHERE o.loan_id = closed.loan_id AND o.subject = closed.subject"""


def records(rows: Iterable[tuple[Any, ...]], columns: tuple[str, ...]) -> str:
    """The rows as a JSON array of objects keyed by the columns' names."""
    names = [column.split()[0] for column in columns]
    return orjson.dumps([dict(zip(names, row, strict=True)) for row in rows], default=str).decode()


def id_array(ids: Iterable[UUID]) -> str:
    """Ids as a uuid[] literal: one text parameter, not one dumped element each."""
    return "{" + ",".join(map(str, ids)) + "}"


@dataclass
class Pending:
    entries: list[tuple[Any, ...]] = field(default_factory=list)
    lines: list[tuple[Any, ...]] = field(default_factory=list)
    totals: dict[tuple[str, date, UUID], list[Decimal]] = field(
        default_factory=lambda: defaultdict(lambda: [Decimal(0), Decimal(0)])
    )
    balances: dict[tuple[UUID, str], Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    open_items: dict[tuple[UUID, str], str | None] = field(default_factory=dict)  # None: closed

    def add_line(
        self, account: str, on: date, office: UUID, debit: Decimal, credit: Decimal
    ) -> None:
        total = self.totals[(account, on, office)]
        total[0] += debit
        total[1] += credit

    def write(self, cursor: Cursor[DictRow]) -> None:
        """Write everything held, and hold nothing."""
        if self.entries:
            cursor.execute(INSERT_ENTRIES, (records(self.entries, ENTRY_COLUMNS),))
            cursor.execute(INSERT_LINES, (records(self.lines, LINE_COLUMNS),))
        if self.totals:
            rows = [(*key, debits, credits) for key, (debits, credits) in self.totals.items()]
            cursor.execute(ADD_TO_TOTALS, (records(rows, TOTAL_COLUMNS),))
        if self.balances:
            rows = [(loan, role, amount) for (loan, role), amount in self.balances.items()]
            cursor.execute(ADD_TO_BALANCES, (records(rows, BALANCE_COLUMNS),))
        closed = [key for key, entry in self.open_items.items() if entry is None]
        if closed:
            cursor.execute(CLOSE_ITEMS, (records(closed, ITEM_COLUMNS[:2]),))
        opened = [(*key, entry) for key, entry in self.open_items.items() if entry is not None]
        if opened:
            cursor.execute(OPEN_ITEMS, (records(opened, ITEM_COLUMNS),))
        self.__init__()  # type: ignore[misc]
