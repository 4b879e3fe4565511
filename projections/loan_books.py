"""Read model `loan_books`: each loan's money, as its events recorded it, in one place.

Its tables and the views that keep the older read models' names (installments, arrears,
arrears_history, portfolio_loans, ...) are described in projections/loan_books_schema.py;
risk_warnings keeps its own views over these tables (projections/risk_warnings.py).

Every figure is copied from an event: balances and installment states from the ledger
change, the schedule from the disbursement or recast, delinquency from close of business,
and the DPD basis (oldest unpaid due date) and the next review date from the `timing` a
loan event records. An event stored before loans recorded their timing has none: the
basis is then read off the loan's installments, and the loan is due for review at once.

History: each disbursed loan has segments valid over ranges of business dates
(`loan_book_segments`). Events recorded on one business date revise that date's segment;
the first event of a later date closes it and opens a new one. An event takes effect on
the business date it is recorded on, or on its value date when that is later.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import singledispatchmethod
from typing import Any
from uuid import UUID

from eventsourcing.postgres import PostgresDatastore
from psycopg import Cursor
from psycopg.rows import DictRow

from domain.calendar import BusinessCalendar
from domain.ledger import InstallmentState
from domain.loan import BooksChanged, Loan, LoanStatus, Timing
from domain.loan.accounting import Balances, unpaid
from domain.money import minor_unit
from projections import loan_book_charges as charges
from projections import loan_book_history as history
from projections import loan_books_schema as layout
from projections.base import ReadModel
from projections.loan_book_history import Basis, CalendarMemory

PENDING = "pending"
DIMENSIONS = ("borrower_id", "product_code", "region", "officer", "borrower_kind")
INSTALLMENT_COLUMNS = (
    *layout.INSTALLMENT_COLUMNS, "owed_principal", "owed_interest", "owed_fee", "owed_penalty",
    "paid_off_on",
)  # fmt: skip
INSERT_INSTALLMENT = (
    f"INSERT INTO loan_book_installments ({', '.join(INSTALLMENT_COLUMNS)})"
    f" VALUES ({', '.join(['%s'] * len(INSTALLMENT_COLUMNS))})"
)
UPDATE_INSTALLMENT = """UPDATE loan_book_installments SET fee = %s, penalty = %s,
    paid_principal = %s, paid_interest = %s, paid_fee = %s, paid_penalty = %s, status = %s,
    version = %s, updated_at = %s, owed_principal = %s, owed_interest = %s, owed_fee = %s,
    owed_penalty = %s, paid_off_on = %s
WHERE loan_id = %s AND number = %s"""


class LoanBooksView(ReadModel):
    name = "loan_books"
    views = tuple(layout.VIEWS)
    tables = (*layout.TABLES, *views)
    schema = layout.SCHEMA

    @singledispatchmethod
    def handle(self, event: Any, cursor: Cursor[DictRow], position: int) -> None:
        """Other events (other aggregates, approval, signing) leave the books as they are."""

    def __init__(self, datastore: PostgresDatastore, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        self.calendar = CalendarMemory()

    @handle.register
    def _(self, event: BusinessCalendar.Opened, cursor: Cursor[DictRow], position: int) -> None:
        cursor.execute("DELETE FROM loan_books_calendar")
        cursor.execute("INSERT INTO loan_books_calendar VALUES (%s)", (event.business_date,))
        self.calendar.moved(cursor, event.business_date)

    @handle.register
    def _(self, event: BusinessCalendar.DayClosed, cursor: Cursor[DictRow], position: int) -> None:
        cursor.execute("UPDATE loan_books_calendar SET business_date = %s", (event.day,))
        history.close_day(cursor, event.day)
        self.calendar.moved(cursor, event.day)

    @handle.register
    def _(self, event: Loan.ApplicationSubmitted, cursor: Cursor[DictRow], position: int) -> None:
        application = event.application
        cursor.execute(
            f"INSERT INTO loan_books (loan_id, {', '.join(DIMENSIONS)}, status,"
            " outstanding_principal, version) VALUES (%s, %s, %s, %s, %s, %s, %s, 0, %s)",
            (event.originator_id, *(getattr(application, d) for d in DIMENSIONS),
             LoanStatus.SUBMITTED.value, event.originator_version),
        )  # fmt: skip
        charges.applied(cursor, event)

    @handle.register
    def _(self, event: Loan.OfficerAssigned, cursor: Cursor[DictRow], position: int) -> None:
        cursor.execute(  # the portfolio's officer is the loan's now
            "UPDATE loan_books SET officer = %s WHERE loan_id = %s",
            (event.officer, event.originator_id),
        )

    @handle.register
    def _(self, event: Loan.Rejected, cursor: Cursor[DictRow], position: int) -> None:
        cursor.execute("DELETE FROM loan_books WHERE loan_id = %s", (event.originator_id,))

    @handle.register
    def _(self, event: Loan.Withdrawn, cursor: Cursor[DictRow], position: int) -> None:
        cursor.execute("DELETE FROM loan_books WHERE loan_id = %s", (event.originator_id,))

    @handle.register
    def _(self, event: Loan.Disbursed, cursor: Cursor[DictRow], position: int) -> None:
        loan_id = event.originator_id
        zero = Decimal(0).quantize(minor_unit(event.terms.minor_unit))
        rows = []
        for item in event.schedule.installments:
            owed = unpaid(item).outstanding
            rows.append(
                (loan_id, item.number, item.due_date, item.principal, item.interest, item.fee,
                 zero, item.total, item.balance_after, zero, zero, zero, zero, PENDING,
                 event.originator_version, event.timestamp, owed.principal, owed.interest,
                 owed.fee, owed.penalty, None)
            )  # fmt: skip
        cursor.executemany(INSERT_INSTALLMENT, rows)
        penalties = event.penalties
        lag = penalties.late_fee_lag if penalties else None
        accrues = penalties.accrues_penalty if penalties else False
        books = self.loan(
            cursor, event,
            position=position, status=LoanStatus.ACTIVE.value, disbursed_on=event.value_date,
            disbursement_month=f"{event.value_date:%Y-%m}",
            disbursed_amount=event.terms.principal, late_fee_lag=lag, accrues_penalty=accrues,
            version=event.originator_version, **figures(event.balances),
            **charges.disbursed(cursor, event, position),
        )  # fmt: skip
        self.segment(cursor, event, books)

    @handle.register
    def _(self, event: BooksChanged, cursor: Cursor[DictRow], position: int) -> None:
        self.books(cursor, event)

    @handle.register
    def _(self, event: Loan.ChargeAdded, cursor: Cursor[DictRow], position: int) -> None:
        self.books(cursor, event)
        charges.charge_added(cursor, event, position)

    @handle.register
    def _(self, event: Loan.Waived, cursor: Cursor[DictRow], position: int) -> None:
        charges.waived(cursor, event)
        self.books(cursor, event)

    @handle.register
    def _(self, event: Loan.CreditRefunded, cursor: Cursor[DictRow], position: int) -> None:
        self.books(cursor, event)
        charges.refunded(cursor, event)

    @handle.register
    def _(self, event: Loan.WrittenOff, cursor: Cursor[DictRow], position: int) -> None:
        self.books(
            cursor, event, status=LoanStatus.WRITTEN_OFF.value, written_off_on=event.value_date
        )

    @handle.register
    def _(self, event: Loan.Closed, cursor: Cursor[DictRow], position: int) -> None:
        closed = LoanStatus.CLOSED.value
        self.segment(
            cursor, event, self.loan(cursor, event, status=closed, version=event.originator_version)
        )

    @handle.register
    def _(self, event: Loan.Reopened, cursor: Cursor[DictRow], position: int) -> None:
        active = LoanStatus.ACTIVE.value
        self.segment(
            cursor, event, self.loan(cursor, event, status=active, version=event.originator_version)
        )

    @handle.register
    def _(self, event: Loan.Reviewed, cursor: Cursor[DictRow], position: int) -> None:
        self.loan(cursor, event)

    @handle.register
    def _(self, event: Loan.DelinquencyChanged, cursor: Cursor[DictRow], position: int) -> None:
        delinquency = event.delinquency
        self.loan(
            cursor, event,
            days_past_due=delinquency.days_past_due, bucket=delinquency.bucket.value,
            classification=delinquency.classification.value,
            delinquency_since=event.value_date,
        )  # fmt: skip

    def books(self, cursor: Cursor[DictRow], event: Any, **columns: Any) -> None:
        """The installments a payment, reversal, charge, write-off or recast moved, the
        balances after it, and the segment of the day."""
        change = event.change
        loan_id = event.originator_id
        if change.schedule is not None:
            # A recast or reschedule replaces the schedule: copy the new one whole.
            cursor.execute("DELETE FROM loan_book_installments WHERE loan_id = %s", (loan_id,))
            states = {item.number: item for item in change.installments}
            cursor.executemany(
                INSERT_INSTALLMENT,
                [recast_row(event, item, states[item.number]) for item in
                 change.schedule.installments],
            )  # fmt: skip
        else:
            cursor.executemany(
                UPDATE_INSTALLMENT, [state_row(event, item) for item in change.installments]
            )
        charges.forgiven(cursor, event)
        books = self.loan(
            cursor, event, version=event.originator_version, **figures(change.balances), **columns,
        )  # fmt: skip
        self.segment(cursor, event, books)

    def loan(self, cursor: Cursor[DictRow], event: Any, **columns: Any) -> Basis | None:
        """Set `columns` on the event's loan with its DPD basis and next review, as the
        event's `timing` records them. An event stored before loans recorded their timing
        leaves the loan due for review at once (its review records the timing), and its
        DPD basis as its installments show. A loan that is not active is not reviewed.
        The history's basis: with the timing, known without waiting for the update's
        answer (a loan with no books has no history to write); else that answer."""
        timing: Timing | None = event.timing
        params = {"loan": event.originator_id, "status": columns.get("status")}
        assignments = [f"{name} = %({name})s" for name in columns]
        if timing is None:
            params["next_review"] = event.value_date
            assignments.append(f"oldest_unpaid_due_date = {history.OLDEST_UNPAID}")
        else:
            params["next_review"] = timing.next_review
            columns["oldest_unpaid_due_date"] = timing.oldest_unpaid_due_date
            assignments.append("oldest_unpaid_due_date = %(oldest_unpaid_due_date)s")
        assignments.append(
            "next_review = CASE WHEN coalesce(%(status)s, status) = 'active'"
            " THEN %(next_review)s::date END"
        )
        update = f"UPDATE loan_books SET {', '.join(assignments)} WHERE loan_id = %(loan)s"
        if timing is not None:
            cursor.execute(update, params | columns)
            return Basis(self.calendar.business_date(cursor), timing.oldest_unpaid_due_date)
        cursor.execute(f"{update} {history.RETURNING}", params | columns)
        row = cursor.fetchone()
        return None if row is None else Basis(row["business_date"], row["oldest_unpaid_due_date"])

    @staticmethod
    def segment(cursor: Cursor[DictRow], event: Any, basis: Basis | None) -> None:
        """The loan's history from the event's date, on `basis` (None: it has no books)."""
        if basis is not None:
            history.record_books(cursor, event.originator_id, event.value_date, *basis)

    def due_for_review(
        self, day: date, low: UUID | None = None, high: UUID | None = None
    ) -> list[UUID]:
        """Active loans close of business must look at on or before `day`, of ids from
        `low` (included) to `high` (excluded) where given: a partition's."""
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(
                "SELECT loan_id FROM loan_books WHERE status = 'active' AND next_review <= %s"
                " AND (%s::uuid IS NULL OR loan_id >= %s) AND (%s::uuid IS NULL OR loan_id < %s)"
                " ORDER BY position",
                (day, low, low, high, high),
            )
            return [row["loan_id"] for row in cursor.fetchall()]


def figures(balances: Balances) -> dict[str, Decimal]:
    """The money columns, as the event's books recorded them."""
    principal = balances.outstanding.principal
    written_off = balances.written_off
    return {
        **charges.fee_figures(balances),
        "outstanding_principal": principal,
        "collected_amount": balances.paid.total,
        # Zero at the same minor unit as the other amounts.
        "written_off_principal": (
            written_off.principal if written_off else Decimal(0).quantize(principal)
        ),
    }


def owed(state: InstallmentState) -> tuple[Any, ...]:
    left = state.outstanding
    return (left.principal, left.interest, left.fee, left.penalty, state.paid_off_on)


def state_row(event: Any, state: InstallmentState) -> tuple[Any, ...]:
    return (
        state.due.fee, state.due.penalty, state.paid.principal, state.paid.interest,
        state.paid.fee, state.paid.penalty, state.status, event.originator_version,
        event.timestamp, *owed(state), event.originator_id, state.number,
    )  # fmt: skip


def recast_row(event: Any, item: Any, state: InstallmentState) -> tuple[Any, ...]:
    return (
        event.originator_id, item.number, item.due_date, item.principal, item.interest,
        state.due.fee, state.due.penalty, item.total, item.balance_after,
        state.paid.principal, state.paid.interest, state.paid.fee, state.paid.penalty,
        state.status, event.originator_version, event.timestamp, *owed(state),
    )  # fmt: skip
