"""Writing one event's postings into the journal's tables (projections/journal_schema.py).

An event's entries are numbered in the order it posts them: entry n of the event at
store position p is "p-n", so a rebuild writes the very same rows. Each entry's lines
go to `journal_lines`, and into the day's totals per account and the loan's balance per
role. An entry with a subject (a payment, a charge) is that subject's open item until
a later change reverses it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any
from uuid import UUID

from psycopg import Cursor
from psycopg.rows import DictRow

from domain.accounting import AccountingRule, EntryKind, JournalEntry, Line, Role, reversal
from domain.accounting import posting_date as posted_on
from domain.accounting.postings import LoanAccounts
from domain.arrears import Classification

INSERT_ENTRY = """INSERT INTO journal_entries (id, position, seq, kind, event_type, value_date,
    posting_date, loan_id, subject, reverses, actor, narration, recorded_at)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"""
INSERT_LINE = """INSERT INTO journal_lines (entry_id, line, account, role, debit, credit,
    loan_id, value_date, posting_date, position, seq)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"""
ADD_TO_TOTALS = """INSERT INTO journal_totals AS t (account, posting_date, debits, credits)
VALUES (%s, %s, %s, %s) ON CONFLICT (account, posting_date)
DO UPDATE SET debits = t.debits + excluded.debits, credits = t.credits + excluded.credits"""
ADD_TO_BALANCE = """INSERT INTO journal_loan_balances AS b (loan_id, role, balance)
VALUES (%s, %s, %s) ON CONFLICT (loan_id, role)
DO UPDATE SET balance = b.balance + excluded.balance"""
OPEN_ITEM = """INSERT INTO journal_open_items (loan_id, subject, entry_id) VALUES (%s, %s, %s)
ON CONFLICT (loan_id, subject) DO UPDATE SET entry_id = excluded.entry_id"""
LOANS = """SELECT l.loan_id, l.rule::text AS rule, l.classification, l.written_off_on,
    (SELECT first_open_day FROM journal_periods) AS first_open_day
FROM journal_loans l WHERE l.loan_id = ANY(%s)"""
OPEN_LINES = """SELECT o.subject, e.id, e.kind, e.value_date, e.loan_id, l.account, l.role,
    l.debit, l.credit
FROM journal_open_items o JOIN journal_entries e ON e.id = o.entry_id
JOIN journal_lines l ON l.entry_id = e.id
WHERE o.loan_id = %s AND o.subject = ANY(%s) ORDER BY e.id, l.line"""


@lru_cache(maxsize=256)
def _rule(text: str) -> AccountingRule:
    """Rules repeat across loans (one per product version): each is parsed once."""
    return AccountingRule.model_validate_json(text)


def rule_json(rule: AccountingRule) -> str:
    return rule.model_dump_json()


def loans(
    cursor: Cursor[DictRow], ids: Iterable[UUID]
) -> tuple[dict[UUID, LoanAccounts], date | None]:
    """The loans' accounts, and the first open day (None while no month is closed)."""
    cursor.execute(LOANS, (list(ids),))
    found, first_open = {}, None
    for row in cursor.fetchall():
        first_open = row["first_open_day"]
        found[row["loan_id"]] = LoanAccounts(
            loan_id=row["loan_id"],
            rule=_rule(row["rule"]),
            classification=Classification(row["classification"]),
            written_off_on=row["written_off_on"],
        )
    return found, first_open


def first_open_day(cursor: Cursor[DictRow]) -> date | None:
    cursor.execute("SELECT first_open_day FROM journal_periods")
    row = cursor.fetchone()
    return row["first_open_day"] if row else None


def balances(cursor: Cursor[DictRow], loan_id: UUID) -> dict[Role, Decimal]:
    """The loan's balance per role, debits less credits, as posted so far."""
    cursor.execute("SELECT role, balance FROM journal_loan_balances WHERE loan_id = %s", (loan_id,))
    return {Role(row["role"]): row["balance"] for row in cursor.fetchall()}


class EventPostings:
    """The entries one event posts, numbered in order."""

    def __init__(
        self, cursor: Cursor[DictRow], event: Any, position: int, first_open: date | None
    ) -> None:
        self.cursor = cursor
        self.event = event
        self.position = position
        self.first_open = first_open
        self.seq = 0

    def post(self, entry: JournalEntry | None, reverses: str | None = None) -> str | None:
        if entry is None:
            return None
        self.seq += 1
        entry_id = f"{self.position}-{self.seq}"
        on = posted_on(entry.value_date, self.first_open)
        event, cursor = self.event, self.cursor
        cursor.execute(
            INSERT_ENTRY,
            (entry_id, self.position, self.seq, entry.kind.value, type(event).__qualname__,
             entry.value_date, on, entry.loan_id, entry.subject, reverses, event.actor,
             entry.narration, event.timestamp),
        )  # fmt: skip
        lines = entry.lines
        cursor.executemany(
            INSERT_LINE,
            [(entry_id, n, line.account, line.role.value if line.role else None, line.debit,
              line.credit, entry.loan_id, entry.value_date, on, self.position, self.seq)
             for n, line in enumerate(lines, 1)],
        )  # fmt: skip
        cursor.executemany(
            ADD_TO_TOTALS, [(line.account, on, line.debit, line.credit) for line in lines]
        )
        if entry.loan_id is not None:
            cursor.executemany(
                ADD_TO_BALANCE,
                [(entry.loan_id, line.role.value, line.debit - line.credit) for line in lines
                 if line.role is not None],
            )  # fmt: skip
            if entry.subject is not None and reverses is None:
                cursor.execute(OPEN_ITEM, (entry.loan_id, entry.subject, entry_id))
        return entry_id

    def reverse(self, loan_id: UUID, subjects: list[str]) -> None:
        """Take back what each of these subjects of the loan posted last (if anything)."""
        if not subjects:
            return
        self.cursor.execute(OPEN_LINES, (loan_id, subjects))
        posted: dict[str, tuple[str, JournalEntry]] = {}
        for row in self.cursor.fetchall():
            line = Line(account=row["account"], debit=row["debit"], credit=row["credit"],
                        role=Role(row["role"]) if row["role"] else None)  # fmt: skip
            found = posted.get(row["subject"])
            if found is None:
                entry = JournalEntry(kind=EntryKind(row["kind"]), value_date=row["value_date"],
                                     lines=(line,), loan_id=row["loan_id"],
                                     subject=row["subject"])  # fmt: skip
            else:
                entry = found[1].model_copy(update={"lines": (*found[1].lines, line)})
            posted[row["subject"]] = (row["id"], entry)
        for subject in subjects:  # in the order the event gives them
            if subject in posted:
                original, entry = posted[subject]
                self.post(reversal(entry), reverses=original)
        self.cursor.execute(
            "DELETE FROM journal_open_items WHERE loan_id = %s AND subject = ANY(%s)",
            (loan_id, subjects),
        )
