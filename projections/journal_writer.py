"""Writing one event's postings into the journal's tables (projections/journal_schema.py).

An event's entries are numbered in the order it posts them: entry n of the event at
store position p is "p-n", so a rebuild writes the very same rows. Each entry's lines
go to `journal_lines`, and into the day's totals per account and the loan's balance per
role. An entry with a subject (a payment, a charge, a write-off) is that subject's open
item until a later change reverses it.

Each entry belongs to one office, its loan's (recorded at the application; the head
office's for a loan without one), or for a manual entry the office it recorded (the head
office's for one posted before entries recorded it), and so do its lines and totals.

What the posting rules need of a loan (its rule, office, class, write-off date, balances
and open items) is kept in memory for the transaction that wrote it (`Books`, one per
cursor), so a page of events or a whole rebuild reads each loan at most once; a
transaction rolled back takes its cursor, and so its memory, with it. The rows are held
and written in bulk (projections/journal_batch.py).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any
from uuid import UUID

from psycopg import Cursor
from psycopg.rows import DictRow, dict_row

from domain.accounting import AccountingRule, EntryKind, JournalEntry, Line, Role, reversal
from domain.accounting import posting_date as posted_on
from domain.accounting.postings import WRITE_OFF, LoanAccounts
from domain.arrears import Classification
from domain.office import HEAD_OFFICE_ID
from projections.journal_batch import Pending, id_array

LOANS = """SELECT loan_id, rule::text AS rule, office, classification, written_off_on
FROM journal_loans WHERE loan_id = ANY(%s::uuid[])"""
BALANCES = (
    "SELECT loan_id, role, balance FROM journal_loan_balances WHERE loan_id = ANY(%s::uuid[])"
)
OPEN_LINES = """SELECT o.loan_id, o.subject, e.id, e.kind, e.value_date, l.account, l.role,
    l.debit, l.credit
FROM journal_open_items o JOIN journal_entries e ON e.id = o.entry_id
JOIN journal_lines l ON l.entry_id = e.id
WHERE o.loan_id = ANY(%s::uuid[]) ORDER BY e.id, l.line"""
# Ids go as one uuid[] literal (journal_batch.id_array).
# Loans kept in memory per transaction; the others are read again when needed.
MAX_LOANS = 10_000


def read(cursor: Cursor[DictRow], query: str, params: Any = ()) -> list[DictRow]:
    """The rows of `query`, on a cursor of their own: in pipeline mode (the follower's
    pages) a cursor whose last statement was an `executemany` would not wait for them."""
    with cursor.connection.cursor(row_factory=dict_row) as reader:
        reader.execute(query, params)
        return reader.fetchall()


@lru_cache(maxsize=256)
def _rule(text: str) -> AccountingRule:
    """Rules repeat across loans (one per product version): each is parsed once."""
    return AccountingRule.model_validate_json(text)


def rule_json(rule: AccountingRule) -> str:
    return rule.model_dump_json()


@dataclass
class LoanBook:
    """A loan as the journal has posted it."""

    accounts: LoanAccounts
    office: UUID = HEAD_OFFICE_ID  # the office its entries belong to
    balances: dict[Role, Decimal] = field(default_factory=dict)
    open_items: dict[str, tuple[str, JournalEntry]] = field(default_factory=dict)

    def held(self, *roles: Role) -> Decimal:
        return sum((self.balances.get(role, Decimal(0)) for role in roles), Decimal(0))

    def before_write_off(
        self, replaced: Iterable[tuple[str, JournalEntry | None]] = ()
    ) -> dict[Role, Decimal]:
        """The loan's balances as they stood before its write-off's entry (if any), with
        each (subject, entry) of `replaced` in place of what that subject posted last."""
        balances = dict(self.balances)
        found = self.open_items.get(WRITE_OFF)
        moves: list[tuple[JournalEntry | None, int]] = [(found[1] if found else None, -1)]
        for subject, entry in replaced:
            earlier = self.open_items.get(subject)
            moves += [(earlier[1] if earlier else None, -1), (entry, 1)]
        for entry, sign in moves:
            for line in entry.lines if entry else ():
                if line.role is not None:
                    moved = sign * (line.debit - line.credit)
                    balances[line.role] = balances.get(line.role, Decimal(0)) + moved
        return balances


class Books:
    """The loans the journal holds, as one transaction (its cursor) has them."""

    def __init__(self, cursor: Cursor[DictRow]) -> None:
        self.cursor = cursor
        self.loans: OrderedDict[UUID, LoanBook] = OrderedDict()
        self._first_open: tuple[date | None] | None = None
        self.pending = Pending()

    def read(self, query: str, params: Any = ()) -> list[DictRow]:
        """The rows of `query`, once what is held is written."""
        self.flush()
        return read(self.cursor, query, params)

    def flush(self) -> None:
        self.pending.write(self.cursor)

    @property
    def first_open(self) -> date | None:
        """The first day of the first open month (None while none is closed)."""
        if self._first_open is None:
            rows = self.read("SELECT first_open_day FROM journal_periods")
            self._first_open = (rows[0]["first_open_day"] if rows else None,)
        return self._first_open[0]

    def closed_until(self, first_open: date) -> None:
        self._first_open = (first_open,)

    def opened(self, loan_id: UUID, rule: AccountingRule, office: UUID) -> None:
        self._keep(loan_id, LoanBook(LoanAccounts(loan_id=loan_id, rule=rule), office))

    def preload(self, ids: Iterable[UUID]) -> None:
        """Read the loans of `ids` the journal holds and memory does not, in one go (a
        page's loans; those the journal does not hold are left out)."""
        missing = [loan_id for loan_id in dict.fromkeys(ids) if loan_id not in self.loans]
        if missing:
            self._load(missing)

    def of(self, ids: Iterable[UUID]) -> dict[UUID, LoanBook]:
        wanted = list(dict.fromkeys(ids))
        self.preload(wanted)
        return {loan_id: self.loans[loan_id] for loan_id in wanted}

    def _load(self, ids: list[UUID]) -> None:
        found = {
            row["loan_id"]: LoanBook(
                LoanAccounts(
                    loan_id=row["loan_id"],
                    rule=_rule(row["rule"]),
                    classification=Classification(row["classification"]),
                    written_off_on=row["written_off_on"],
                ),
                row["office"],
            )
            for row in self.read(LOANS, (id_array(ids),))
        }
        for row in self.read(BALANCES, (id_array(ids),)):
            found[row["loan_id"]].balances[Role(row["role"])] = row["balance"]
        for row in self.read(OPEN_LINES, (id_array(ids),)):
            items = found[row["loan_id"]].open_items
            line = Line(account=row["account"], debit=row["debit"], credit=row["credit"],
                        role=Role(row["role"]) if row["role"] else None)  # fmt: skip
            known = items.get(row["subject"])
            entry = (
                JournalEntry(kind=EntryKind(row["kind"]), value_date=row["value_date"],
                             lines=(line,), loan_id=row["loan_id"], subject=row["subject"])
                if known is None
                else known[1].model_copy(update={"lines": (*known[1].lines, line)})
            )  # fmt: skip
            items[row["subject"]] = (row["id"], entry)
        for loan_id, book in found.items():
            self._keep(loan_id, book)

    def _keep(self, loan_id: UUID, book: LoanBook) -> None:
        self.loans[loan_id] = book
        self.loans.move_to_end(loan_id)
        while len(self.loans) > MAX_LOANS:
            self.loans.popitem(last=False)


class EventPostings:
    """The entries one event posts, numbered in order."""

    def __init__(self, books: Books, event: Any, position: int) -> None:
        self.books = books
        self.event = event
        self.position = position
        self.seq = 0

    def post(
        self, entry: JournalEntry | None, reverses: str | None = None, office: UUID | None = None
    ) -> str | None:
        """Post `entry`, in its loan's office, or if it has none in `office` (None: the
        head office)."""
        if entry is None:
            return None
        self.seq += 1
        entry_id = f"{self.position}-{self.seq}"
        on = posted_on(entry.value_date, self.books.first_open)
        event, pending = self.event, self.books.pending
        loan_id = entry.loan_id
        if loan_id is not None:
            office = self.books.of([loan_id])[loan_id].office
        elif office is None:
            office = HEAD_OFFICE_ID
        pending.entries.append(
            (entry_id, self.position, self.seq, entry.kind.value, type(event).__qualname__,
             entry.value_date, on, loan_id, entry.subject, reverses, event.actor,
             entry.narration, event.timestamp, office)
        )  # fmt: skip
        for n, line in enumerate(entry.lines, 1):
            pending.lines.append(
                (entry_id, n, line.account, line.role.value if line.role else None, line.debit,
                 line.credit, loan_id, entry.value_date, on, self.position, self.seq, office)
            )  # fmt: skip
            pending.add_line(line.account, on, office, line.debit, line.credit)
        if entry.loan_id is not None:
            self._to_loan(entry_id, entry, reverses)
        return entry_id

    def _to_loan(self, entry_id: str, entry: JournalEntry, reverses: str | None) -> None:
        loan_id = entry.loan_id
        assert loan_id is not None
        book = self.books.of([loan_id])[loan_id]
        pending = self.books.pending
        for line in entry.lines:
            if line.role is not None:
                amount = line.debit - line.credit
                book.balances[line.role] = book.balances.get(line.role, Decimal(0)) + amount
                pending.balances[(loan_id, line.role.value)] += amount
        if entry.subject is not None and reverses is None:
            book.open_items[entry.subject] = (entry_id, entry)
            pending.open_items[(loan_id, entry.subject)] = entry_id

    def reverse(self, book: LoanBook, subjects: list[str]) -> None:
        """Take back what each of these subjects of the loan posted last (if anything)."""
        loan_id = book.accounts.loan_id
        for subject in subjects:  # in the order the event gives them
            found = book.open_items.pop(subject, None)
            if found is not None:
                original, entry = found
                self.post(reversal(entry), reverses=original)
                self.books.pending.open_items[(loan_id, subject)] = None
