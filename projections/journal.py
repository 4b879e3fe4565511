"""Read model `journal`: the general ledger, posted from the events by the loans' rules.

Each money event of a loan posts what `domain.accounting.postings` says for the facts it
recorded, by the accounting rule the loan recorded at submission. A change to earlier
facts (a backdated payment re-allocating later ones, a reversal, a charge taken back, a
write-off turning later payments into recoveries) posts the reversal of what those facts
posted, then their new postings: nothing is edited. Month ends post what close of
business decided (`MonthEnd.LoansAccounted`), manual entries their own lines, and a
closed month moves the posting date of anything valued in it to the first open day.
Every entry belongs to its loan's office, a manual entry to its own
(projections/journal_writer.py).

Tables: projections/journal_schema.py. Queries: projections/journal_queries.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from functools import singledispatchmethod
from typing import Any

from eventsourcing.postgres import PostgresDatastore
from psycopg import Cursor
from psycopg.rows import DictRow

from domain.accounting import Account, AccountingPeriods, JournalEntry, ManualEntry, MonthEnd
from domain.accounting import postings as rules
from domain.accounting.postings import RECEIVABLE, WRITE_OFF
from domain.accounting.rules import LOAN_ROLES
from domain.ledger import Component
from domain.loan import BooksChanged, Loan
from domain.office import HEAD_OFFICE_ID
from projections import journal_schema as layout
from projections.base import ReadModel
from projections.journal_batch import records
from projections.journal_writer import Books, EventPostings, LoanBook, rule_json

# A month end's rows (up to 500 loans an event), as JSON (see journal_batch).
MONTH_END_COLUMNS = (
    "loan_id uuid", "earned_interest numeric", "accrued_interest numeric",
    "non_accrual boolean", "classification text", "principal numeric",
    "provision_rate numeric", "required_reserve numeric", "provision numeric",
)  # fmt: skip
MONTH_END_ROWS = f"""INSERT INTO journal_month_ends (loan_id, value_date, earned_interest,
    accrued_interest, non_accrual, classification, principal, provision_rate,
    required_reserve, provision, position)
SELECT loan_id, %(on)s, earned_interest, accrued_interest, non_accrual, classification,
    principal, provision_rate, required_reserve, provision, %(position)s
FROM jsonb_to_recordset(%(rows)s::jsonb) AS m ({", ".join(MONTH_END_COLUMNS)})"""
RECOGNISED = """UPDATE journal_loans j SET recognised_interest = m.earned_interest,
    last_month_end = %(on)s
FROM jsonb_to_recordset(%(rows)s::jsonb) AS m (loan_id uuid, earned_interest numeric)
WHERE j.loan_id = m.loan_id"""

# Interest receivable a loan was posted with value dates after its write-off date.
RECOGNISED_AFTER = """SELECT value_date, sum(debit - credit) AS amount FROM journal_lines
WHERE loan_id = %s AND value_date > %s AND role = 'interest_receivable'
GROUP BY value_date HAVING sum(debit - credit) <> 0 ORDER BY value_date"""


# The loan events whose handlers start from the loan's books (`_start`).
POSTED_BY_LOAN = (
    Loan.Disbursed, BooksChanged, Loan.CreditRefunded, Loan.RepaymentReversed,
    Loan.WrittenOff, Loan.DelinquencyChanged,
)  # fmt: skip


class JournalView(ReadModel):
    name = "journal"
    tables = layout.TABLES
    schema = layout.SCHEMA

    def __init__(self, datastore: PostgresDatastore, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        self._memory: Books | None = None

    def books(self, cursor: Cursor[DictRow]) -> Books:
        """The loans as the transaction of `cursor` has posted them."""
        memory = self._memory
        if memory is None or memory.cursor is not cursor:
            memory = self._memory = Books(cursor)
        return memory

    def prefetch(self, events: Sequence[Any], cursor: Cursor[DictRow]) -> None:
        """The page's loans whose events post, read in one go rather than each as its
        first event comes."""
        loans = [event.originator_id for event in events if isinstance(event, POSTED_BY_LOAN)]
        if loans:
            self.books(cursor).preload(loans)

    def flush(self, cursor: Cursor[DictRow]) -> None:
        memory = self._memory
        if memory is not None and memory.cursor is cursor:
            memory.flush()

    @singledispatchmethod
    def handle(self, event: Any, cursor: Cursor[DictRow], position: int) -> None:
        """Other events post nothing."""

    @handle.register
    def _(self, event: Account.Opened, cursor: Cursor[DictRow], position: int) -> None:
        account = event.definition
        cursor.execute(
            "INSERT INTO ledger_accounts (code, name, type, parent, position)"
            " VALUES (%s, %s, %s, %s, %s)",
            (account.code, account.name, account.type.value, account.parent, position),
        )

    @handle.register
    def _(self, event: Account.Closed, cursor: Cursor[DictRow], position: int) -> None:
        cursor.execute("UPDATE ledger_accounts SET closed = true WHERE code = %s", (event.code,))

    @handle.register
    def _(
        self, event: AccountingPeriods.PeriodClosed, cursor: Cursor[DictRow], position: int
    ) -> None:
        cursor.execute("DELETE FROM journal_periods")
        cursor.execute("INSERT INTO journal_periods VALUES (%s)", (event.first_open_day,))
        self.books(cursor).closed_until(event.first_open_day)

    @handle.register
    def _(self, event: Loan.ApplicationSubmitted, cursor: Cursor[DictRow], position: int) -> None:
        rule = event.application.product.accounting
        # The loan's entries stay with the office it was applied for in: a borrower's
        # transfer or the loan's reassignment to another officer does not move it.
        office = event.application.office or HEAD_OFFICE_ID
        cursor.execute(
            "INSERT INTO journal_loans (loan_id, rule, basis, office) VALUES (%s, %s, %s, %s)",
            (event.originator_id, rule_json(rule), rule.basis.value, office),
        )
        self.books(cursor).opened(event.originator_id, rule, office)

    @handle.register
    def _(self, event: Loan.Disbursed, cursor: Cursor[DictRow], position: int) -> None:
        terms = event.terms
        cursor.execute(
            "UPDATE journal_loans SET day_count = %s, rounding = %s, minor_unit = %s,"
            " disbursed_on = %s WHERE loan_id = %s",
            (terms.day_count.value, terms.rounding.value, terms.minor_unit, event.value_date,
             event.originator_id),
        )  # fmt: skip
        book, postings = self._start(event, cursor, position)
        deducted = getattr(event, "fees_deducted", None) or terms.principal * 0
        loan = book.accounts
        postings.post(rules.disbursement(loan, event.value_date, terms.principal, deducted))
        self._charged(book, postings, event.value_date, event.balances)

    @handle.register
    def _(self, event: BooksChanged, cursor: Cursor[DictRow], position: int) -> None:
        book, postings = self._start(event, cursor, position)
        self._changed(book, postings, event)
        self._written_off_again(book, postings, event)

    @handle.register
    def _(self, event: Loan.CreditRefunded, cursor: Cursor[DictRow], position: int) -> None:
        book, postings = self._start(event, cursor, position)
        self._changed(book, postings, event)
        self._written_off_again(book, postings, event)
        postings.post(rules.credit_refund(book.accounts, event.value_date, event.refund.amount))

    @handle.register
    def _(self, event: Loan.RepaymentReversed, cursor: Cursor[DictRow], position: int) -> None:
        book, postings = self._start(event, cursor, position)
        postings.reverse(book, [event.repayment_id])
        self._changed(book, postings, event)
        self._written_off_again(book, postings, event)

    @handle.register
    def _(self, event: Loan.WrittenOff, cursor: Cursor[DictRow], position: int) -> None:
        cursor.execute(
            "UPDATE journal_loans SET written_off_on = %s WHERE loan_id = %s",
            (event.value_date, event.originator_id),
        )
        book, postings = self._start(event, cursor, position)
        book.accounts = book.accounts.model_copy(update={"written_off_on": event.value_date})
        self._changed(book, postings, event)
        self._write_off(book, postings, event.value_date, event.amounts.principal)

    @handle.register
    def _(self, event: Loan.DelinquencyChanged, cursor: Cursor[DictRow], position: int) -> None:
        book, postings = self._start(event, cursor, position)
        to = event.delinquency.classification
        principal = book.held(*LOAN_ROLES)
        postings.post(rules.reclassification(book.accounts, event.value_date, to, principal))
        book.accounts = book.accounts.model_copy(update={"classification": to})
        cursor.execute(
            "UPDATE journal_loans SET classification = %s WHERE loan_id = %s",
            (to.value, event.originator_id),
        )

    @handle.register
    def _(self, event: MonthEnd.LoansAccounted, cursor: Cursor[DictRow], position: int) -> None:
        books = self.books(cursor)
        found = books.of(line.loan_id for line in event.lines)
        postings = EventPostings(books, event, position)
        lines = event.lines
        for line in lines:
            entry = rules.month_end(found[line.loan_id].accounts, event.value_date,
                                    line.accrued_interest, line.provision)  # fmt: skip
            postings.post(entry)
        if not lines:
            return
        rows = records(
            ((line.loan_id, line.earned_interest, line.accrued_interest, line.non_accrual,
              line.classification.value, line.principal, line.provision_rate,
              line.required_reserve, line.provision) for line in lines),
            MONTH_END_COLUMNS,
        )  # fmt: skip
        columns = {"on": event.value_date, "position": position, "rows": rows}
        cursor.execute(MONTH_END_ROWS, columns)
        cursor.execute(RECOGNISED, columns)

    @handle.register
    def _(self, event: ManualEntry.Posted, cursor: Cursor[DictRow], position: int) -> None:
        EventPostings(self.books(cursor), event, position).post(event.entry, office=event.office)

    def _start(
        self, event: Any, cursor: Cursor[DictRow], position: int
    ) -> tuple[LoanBook, EventPostings]:
        books = self.books(cursor)
        book = books.of([event.originator_id])[event.originator_id]
        return book, EventPostings(books, event, position)

    @staticmethod
    def _write_off(book: LoanBook, postings: EventPostings, on: date, principal: Decimal) -> None:
        """Post the write-off of `principal` and of the receivables the loan holds, after
        taking back any earlier posting of it, and the interest recognised after `on`
        (a month end's accrual posted before a backdated write-off), each on its date."""
        postings.reverse(book, [WRITE_OFF])
        later = postings.books.read(RECOGNISED_AFTER, (book.accounts.loan_id, on))
        for row in later:
            postings.post(rules.after_write_off(book.accounts, row["value_date"], row["amount"]))
        receivables = {role: book.held(role) for role in set(RECEIVABLE.values())}
        postings.post(rules.write_off(book.accounts, on, principal, receivables))

    def _written_off_again(self, book: LoanBook, postings: EventPostings, event: Any) -> None:
        """A change valued before a loan's write-off (a backdated payment, a reversal)
        changes what was written off: the write-off is posted again, so the loan holds
        neither principal nor receivables."""
        written_off_on = book.accounts.written_off_on
        if written_off_on is None:
            return
        if not any(book.held(role) for role in (*LOAN_ROLES, *RECEIVABLE.values())):
            return
        written = event.change.balances.written_off
        principal = written.principal if written is not None else Decimal(0)
        self._write_off(book, postings, written_off_on, principal)

    @staticmethod
    def _charged(
        book: LoanBook,
        postings: EventPostings,
        on: date,
        balances: Any,
        replaced: list[tuple[str, JournalEntry | None]] | None = None,
    ) -> None:
        """Bring the loan's fee and penalty receivables to what its books say it owes
        (before a write-off moved it), from what the journal holds for them with the
        `replaced` subjects' entries in place."""
        owed = balances.written_off or balances.outstanding
        fees = {Component.FEE: owed.fee, Component.PENALTY: owed.penalty}
        held = book.before_write_off(replaced or [])
        postings.post(rules.charges(book.accounts, on, fees, held))

    @staticmethod
    def _changed(book: LoanBook, postings: EventPostings, event: Any) -> None:
        """What a ledger change posts: the fees and penalty it charged less those it took
        back; then the allocation of every payment it changed and what every waiver it
        changed forgave, each after the reversal of what it posted before."""
        change, loan = event.change, book.accounts
        payments = [(r.payment_id, rules.repayment(loan, r)) for r in change.results]
        waivers = [(r.waiver_id, rules.waiver(loan, r)) for r in getattr(change, "waivers", ())]
        JournalView._charged(book, postings, event.value_date, change.balances,
                             [*payments, *waivers])  # fmt: skip
        for changed in (payments, waivers):
            postings.reverse(book, [subject for subject, _ in changed])
            for _, entry in changed:
                postings.post(entry)
