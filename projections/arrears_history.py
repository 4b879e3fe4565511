"""Read model `arrears_history`: each loan's books as they stood at the close of every
business date, kept as segments valid over a range of business dates.

Tables analysts can rely on:
  arrears_history: one row per loan per range of business dates.
    loan_id; valid_from (the business date the row took effect); valid_to (the business
    date the next row took effect: exclusive, null while current); position (of the
    disbursement; orders lists); status (active|closed|written_off);
    outstanding_principal (0 once written off), disbursed_amount, collected_amount
    (everything repaid, after reversals); oldest_unpaid_due_date (earliest installment
    with principal or interest outstanding, due or not); product_code, region, officer,
    borrower_kind, disbursement_month ('YYYY-MM'): the portfolio's dimensions, copied
    so a figure as of a date is one scan.
  arrears_history_installments: loan_id, valid_from (the row of arrears_history it
    belongs to), installments: a jsonb array of the installments with anything
    outstanding, each {number, due_date, principal, interest, fee, penalty} (amounts are
    JSON numbers at the currency's minor unit, outstanding ones only).
  arrears_history_calendar: business_date, the date close of business has reached.

"As of D" means the books as they stood at the close of business date D, as recorded:
the row with valid_from <= D < valid_to (or valid_to null). Events recorded on one
business date revise that date's row; the first event of a later date closes it and
opens a new one, so a payment recorded later with an earlier value date changes the
reports from the date it was recorded, never the ones already made, as auditors expect.
An event takes effect on the business date it is recorded on, or on its value date when
that is later: close of business records a day's charges and delinquency before it
closes the day.

Days past due as of D = D - oldest_unpaid_due_date when that is before D (else 0);
installments due before D are overdue. Bucket and classification follow from DPD
(domain.arrears, default thresholds); `DAYS_PAST_DUE` and `classification_rank` are that
rule in SQL. Every status is computed from its books: a closed loan owes nothing; a
written-off one keeps its unpaid installments but no outstanding principal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import singledispatchmethod
from typing import Any
from uuid import UUID

from psycopg import Cursor
from psycopg.rows import DictRow

from domain.calendar import BusinessCalendar
from domain.ledger import InstallmentState
from domain.loan import BooksChanged, Loan, LoanStatus
from domain.loan.accounting import Balances, LedgerChange, unpaid
from projections.base import ReadModel

DIMENSIONS = ("product_code", "region", "officer", "borrower_kind")
COPIED = (
    "position", "status", "outstanding_principal", "disbursed_amount", "collected_amount",
    "oldest_unpaid_due_date", *DIMENSIONS, "disbursement_month",
)  # fmt: skip
OPEN_SEGMENT = """SELECT h.valid_from, c.business_date, r.*
    FROM arrears_history h LEFT JOIN arrears_history_calendar c ON true
    LEFT JOIN arrears_history_installments i USING (loan_id, valid_from)
    LEFT JOIN LATERAL jsonb_to_recordset(CASE WHEN %(books)s THEN i.installments END)
        AS r(number integer, due_date date, principal numeric, interest numeric,
             fee numeric, penalty numeric) ON true
    WHERE h.loan_id = %(loan)s AND h.valid_to IS NULL"""
INSTALLMENTS_JSON = """(SELECT coalesce(jsonb_agg(jsonb_build_object('number', n,
        'due_date', d, 'principal', p, 'interest', i, 'fee', f, 'penalty', pe)
        ORDER BY n), '[]'::jsonb)
    FROM unnest(%s::integer[], %s::date[], %s::numeric[], %s::numeric[], %s::numeric[],
                %s::numeric[]) AS t(n, d, p, i, f, pe))"""


UNPAID_FIELDS = ("number", "due_date", "principal", "interest", "fee", "penalty")


@dataclass(frozen=True)
class Unpaid:
    """What is still outstanding on one installment."""

    number: int
    due_date: date
    principal: Decimal
    interest: Decimal
    fee: Decimal
    penalty: Decimal

    @classmethod
    def of(cls, state: InstallmentState) -> Unpaid:
        owed = state.outstanding
        return cls(state.number, state.due_date, owed.principal, owed.interest, owed.fee,
                   owed.penalty)  # fmt: skip

    @property
    def total(self) -> Decimal:
        return self.principal + self.interest + self.fee + self.penalty


class ArrearsHistoryView(ReadModel):
    name = "arrears_history"
    tables = (
        "arrears_history", "arrears_history_installments", "arrears_history_calendar",
        "arrears_history_applications",
    )  # fmt: skip
    schema = (
        """CREATE TABLE IF NOT EXISTS arrears_history (
            loan_id uuid NOT NULL,
            valid_from date NOT NULL,
            valid_to date,
            position bigint NOT NULL,
            status text NOT NULL,
            outstanding_principal numeric NOT NULL,
            disbursed_amount numeric NOT NULL,
            collected_amount numeric NOT NULL,
            oldest_unpaid_due_date date,
            product_code text NOT NULL,
            region text NOT NULL,
            officer text NOT NULL,
            borrower_kind text NOT NULL,
            disbursement_month text NOT NULL,
            PRIMARY KEY (loan_id, valid_from)
        )""",
        # At most one current row per loan; finding it is the first step of every event.
        """CREATE UNIQUE INDEX IF NOT EXISTS arrears_history_current
            ON arrears_history (loan_id) WHERE valid_to IS NULL""",
        # `arrears(asOf)` pages through the loans in disbursement order.
        """CREATE INDEX IF NOT EXISTS arrears_history_position
            ON arrears_history (position, valid_from)""",
        """CREATE TABLE IF NOT EXISTS arrears_history_installments (
            loan_id uuid NOT NULL,
            valid_from date NOT NULL,
            installments jsonb NOT NULL,
            PRIMARY KEY (loan_id, valid_from)
        )""",
        "CREATE TABLE IF NOT EXISTS arrears_history_calendar (business_date date NOT NULL)",
        # Internal: the dimensions of loans not yet disbursed (the disbursement does not
        # repeat them).
        """CREATE TABLE IF NOT EXISTS arrears_history_applications (
            loan_id uuid PRIMARY KEY,
            product_code text NOT NULL,
            region text NOT NULL,
            officer text NOT NULL,
            borrower_kind text NOT NULL
        )""",
    )

    @singledispatchmethod
    def handle(self, event: Any, cursor: Cursor[DictRow], position: int) -> None:
        """Other events (other aggregates, approval, signing, delinquency) leave it as is:
        delinquency is worked out from the books for whatever date is asked."""

    @handle.register
    def _(self, event: BusinessCalendar.Opened, cursor: Cursor[DictRow], position: int) -> None:
        cursor.execute("DELETE FROM arrears_history_calendar")
        cursor.execute("INSERT INTO arrears_history_calendar VALUES (%s)", (event.business_date,))

    @handle.register
    def _(self, event: BusinessCalendar.DayClosed, cursor: Cursor[DictRow], position: int) -> None:
        cursor.execute("UPDATE arrears_history_calendar SET business_date = %s", (event.day,))

    @handle.register
    def _(self, event: Loan.ApplicationSubmitted, cursor: Cursor[DictRow], position: int) -> None:
        dimensions = [getattr(event.application, d) for d in DIMENSIONS]
        cursor.execute(
            f"INSERT INTO arrears_history_applications (loan_id, {', '.join(DIMENSIONS)})"
            " VALUES (%s, %s, %s, %s, %s)",
            (event.originator_id, *dimensions),
        )

    @handle.register
    def _(self, event: Loan.Rejected, cursor: Cursor[DictRow], position: int) -> None:
        self.forget(cursor, event.originator_id)

    @handle.register
    def _(self, event: Loan.Withdrawn, cursor: Cursor[DictRow], position: int) -> None:
        self.forget(cursor, event.originator_id)

    @handle.register
    def _(self, event: Loan.Disbursed, cursor: Cursor[DictRow], position: int) -> None:
        loan_id = event.originator_id
        cursor.execute("SELECT business_date FROM arrears_history_calendar")
        found = cursor.fetchone()
        on = max(event.value_date, found["business_date"]) if found else event.value_date
        installments = [Unpaid.of(unpaid(item)) for item in event.schedule.installments]
        values = (
            position, LoanStatus.ACTIVE.value, event.balances.outstanding.principal,
            event.terms.principal, event.balances.paid.total, oldest(installments),
            f"{event.value_date:%Y-%m}",
        )  # fmt: skip
        cursor.execute(
            f"INSERT INTO arrears_history (loan_id, valid_from, {', '.join(COPIED)})"
            f" SELECT loan_id, %s, %s, %s, %s, %s, %s, %s, {', '.join(DIMENSIONS)}, %s"
            " FROM arrears_history_applications WHERE loan_id = %s",
            (on, *values, loan_id),
        )
        cursor.execute(
            "INSERT INTO arrears_history_installments VALUES (%s, %s, '[]')", (loan_id, on)
        )
        self.write_installments(cursor, loan_id, on, installments)
        self.forget(cursor, loan_id)

    @handle.register
    def _(self, event: BooksChanged, cursor: Cursor[DictRow], position: int) -> None:
        self.books(cursor, event, event.change)

    @handle.register
    def _(self, event: Loan.WrittenOff, cursor: Cursor[DictRow], position: int) -> None:
        self.books(cursor, event, event.change, status=LoanStatus.WRITTEN_OFF)

    @handle.register
    def _(self, event: Loan.Closed, cursor: Cursor[DictRow], position: int) -> None:
        self.revise(cursor, event, {"status": LoanStatus.CLOSED.value})

    @handle.register
    def _(self, event: Loan.Reopened, cursor: Cursor[DictRow], position: int) -> None:
        self.revise(cursor, event, {"status": LoanStatus.ACTIVE.value})

    def books(
        self,
        cursor: Cursor[DictRow],
        event: Any,
        change: LedgerChange,
        status: LoanStatus | None = None,
    ) -> None:
        """The change's installments merged into the loan's unpaid ones, and its balances."""
        rows = self.open_segment(cursor, event.originator_id, books=True)
        if not rows:
            return
        kept = [] if change.schedule is not None else rows
        unpaid = {
            row["number"]: Unpaid(*(row[field] for field in UNPAID_FIELDS))
            for row in kept
            if row["number"] is not None
        }
        for state in change.installments:
            item = Unpaid.of(state)
            if item.total > 0:
                unpaid[item.number] = item
            else:
                unpaid.pop(item.number, None)
        installments = sorted(unpaid.values(), key=lambda item: item.number)
        columns = figures(change.balances) | {"oldest_unpaid_due_date": oldest(installments)}
        if status is not None:
            columns["status"] = status.value
        self.revise(cursor, event, columns, installments, rows[0])

    def revise(
        self,
        cursor: Cursor[DictRow],
        event: Any,
        columns: dict[str, Any],
        installments: list[Unpaid] | None = None,
        current: dict[str, Any] | None = None,
    ) -> None:
        """Set `columns` (and the installments) on the loan's row for the event's date,
        closing the current row first when that date is later than its own."""
        loan_id = event.originator_id
        if current is None:
            found = self.open_segment(cursor, loan_id, books=False)
            if not found:
                return
            current = found[0]
        since: date = current["valid_from"]
        on = max(day for day in (since, current["business_date"], event.value_date) if day)
        if on > since:
            cursor.execute(
                "UPDATE arrears_history SET valid_to = %s WHERE loan_id = %s AND valid_from = %s",
                (on, loan_id, since),
            )
            cursor.execute(
                f"INSERT INTO arrears_history (loan_id, valid_from, {', '.join(COPIED)})"
                f" SELECT loan_id, %s, {', '.join(COPIED)} FROM arrears_history"
                " WHERE loan_id = %s AND valid_from = %s",
                (on, loan_id, since),
            )
            cursor.execute(
                "INSERT INTO arrears_history_installments SELECT loan_id, %s, installments"
                " FROM arrears_history_installments WHERE loan_id = %s AND valid_from = %s",
                (on, loan_id, since),
            )
        assignments = ", ".join(f"{name} = %s" for name in columns)
        cursor.execute(
            f"UPDATE arrears_history SET {assignments} WHERE loan_id = %s AND valid_from = %s",
            (*columns.values(), loan_id, on),
        )
        if installments is not None:
            self.write_installments(cursor, loan_id, on, installments)

    @staticmethod
    def open_segment(cursor: Cursor[DictRow], loan_id: UUID, books: bool) -> list[DictRow]:
        """The loan's current row, once per unpaid installment when `books` asks for them."""
        cursor.execute(OPEN_SEGMENT, {"loan": loan_id, "books": books})
        return cursor.fetchall()

    @staticmethod
    def write_installments(
        cursor: Cursor[DictRow], loan_id: UUID, on: date, installments: list[Unpaid]
    ) -> None:
        arrays = [[getattr(item, field) for item in installments] for field in UNPAID_FIELDS]
        cursor.execute(
            f"UPDATE arrears_history_installments SET installments = {INSTALLMENTS_JSON}"
            " WHERE loan_id = %s AND valid_from = %s",
            (*arrays, loan_id, on),
        )

    @staticmethod
    def forget(cursor: Cursor[DictRow], loan_id: UUID) -> None:
        cursor.execute("DELETE FROM arrears_history_applications WHERE loan_id = %s", (loan_id,))


def figures(balances: Balances) -> dict[str, Any]:
    return {
        "outstanding_principal": balances.outstanding.principal,
        "collected_amount": balances.paid.total,
    }


def oldest(installments: list[Unpaid]) -> date | None:
    """The due date DPD counts from: fees and penalty alone do not keep a loan past due."""
    return min((i.due_date for i in installments if i.principal + i.interest > 0), default=None)
