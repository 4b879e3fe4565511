"""Read model `portfolio`: one row per disbursed loan, shaped for grouping.

Table `portfolio_loans`, columns analysts can rely on:
  loan_id (primary key), product_code, region, officer, borrower_kind
  (individual|business) — the dimensions as recorded at application;
  disbursement_month ('YYYY-MM' of disbursed_on), disbursed_on (value date),
  status (active|closed|written_off), disbursed_amount, outstanding_principal
  (0 once written off), collected_amount (everything repaid: principal, interest,
  fees and penalty, after reversals; overpayment credit is not included),
  written_off_principal (0 unless written off), version (of the loan aggregate).
Amounts are numeric at the currency's minor unit. A loan appears when it is
disbursed: applications that never paid out are not part of the portfolio.
Figures by product, region, officer, kind or month are a GROUP BY over this table.

Table `portfolio_applications` is internal: the dimensions of loans not yet
disbursed, because the disbursement event does not repeat them.
"""

from __future__ import annotations

from decimal import Decimal
from functools import singledispatchmethod
from typing import Any

from psycopg import Cursor
from psycopg.rows import DictRow

from domain.loan import BooksChanged, Loan, LoanStatus
from domain.loan.accounting import Balances
from projections.base import ReadModel

DIMENSIONS = ("product_code", "region", "officer", "borrower_kind")


class PortfolioView(ReadModel):
    name = "portfolio"
    tables = ("portfolio_loans", "portfolio_applications")
    schema = (
        """CREATE TABLE IF NOT EXISTS portfolio_loans (
            loan_id uuid PRIMARY KEY,
            product_code text NOT NULL,
            region text NOT NULL,
            officer text NOT NULL,
            borrower_kind text NOT NULL,
            disbursement_month text NOT NULL,
            disbursed_on date NOT NULL,
            status text NOT NULL,
            disbursed_amount numeric NOT NULL,
            outstanding_principal numeric NOT NULL,
            collected_amount numeric NOT NULL,
            written_off_principal numeric NOT NULL,
            version integer NOT NULL
        )""",
        # `asOf` reads the loans disbursed up to a date.
        "CREATE INDEX IF NOT EXISTS portfolio_loans_disbursed ON portfolio_loans (disbursed_on)",
        """CREATE TABLE IF NOT EXISTS portfolio_applications (
            loan_id uuid PRIMARY KEY,
            product_code text NOT NULL,
            region text NOT NULL,
            officer text NOT NULL,
            borrower_kind text NOT NULL
        )""",
    )

    @singledispatchmethod
    def handle(self, event: Any, cursor: Cursor[DictRow], position: int) -> None:
        """Other events (other aggregates, approval, signing) leave the portfolio as it is."""

    @handle.register
    def _(self, event: Loan.ApplicationSubmitted, cursor: Cursor[DictRow], position: int) -> None:
        application = event.application
        cursor.execute(
            f"INSERT INTO portfolio_applications (loan_id, {', '.join(DIMENSIONS)}) "
            "VALUES (%s, %s, %s, %s, %s)",
            (event.originator_id, *(getattr(application, d) for d in DIMENSIONS)),
        )

    @handle.register
    def _(self, event: Loan.Rejected, cursor: Cursor[DictRow], position: int) -> None:
        self.forget(cursor, event)

    @handle.register
    def _(self, event: Loan.Withdrawn, cursor: Cursor[DictRow], position: int) -> None:
        self.forget(cursor, event)

    @handle.register
    def _(self, event: Loan.Disbursed, cursor: Cursor[DictRow], position: int) -> None:
        figures = self.figures(event.balances)
        recorded = ("disbursement_month", "disbursed_on", "status", "disbursed_amount",
                    *figures, "version")  # fmt: skip
        dimensions = ", ".join(DIMENSIONS)
        # The dimensions were kept from the application; the disbursement brings the rest.
        cursor.execute(
            f"INSERT INTO portfolio_loans (loan_id, {dimensions}, {', '.join(recorded)}) "
            f"SELECT loan_id, {dimensions}, {', '.join(['%s'] * len(recorded))} "
            "FROM portfolio_applications WHERE loan_id = %s",
            (
                f"{event.value_date:%Y-%m}", event.value_date, LoanStatus.ACTIVE.value,
                event.terms.principal, *figures.values(), event.originator_version,
                event.originator_id,
            ),
        )  # fmt: skip
        self.forget(cursor, event)

    @handle.register
    def _(self, event: BooksChanged, cursor: Cursor[DictRow], position: int) -> None:
        self.change(cursor, event, **self.figures(event.change.balances))

    @handle.register
    def _(self, event: Loan.WrittenOff, cursor: Cursor[DictRow], position: int) -> None:
        figures = self.figures(event.change.balances)
        self.change(cursor, event, status=LoanStatus.WRITTEN_OFF.value, **figures)

    @handle.register
    def _(self, event: Loan.Closed, cursor: Cursor[DictRow], position: int) -> None:
        self.change(cursor, event, status=LoanStatus.CLOSED.value)

    @handle.register
    def _(self, event: Loan.Reopened, cursor: Cursor[DictRow], position: int) -> None:
        self.change(cursor, event, status=LoanStatus.ACTIVE.value)

    @staticmethod
    def figures(balances: Balances) -> dict[str, Decimal]:
        """The money columns, as the event's books recorded them."""
        principal = balances.outstanding.principal
        written_off = balances.written_off
        return {
            "outstanding_principal": principal,
            "collected_amount": balances.paid.total,
            # Zero at the same minor unit as the other amounts.
            "written_off_principal": (
                written_off.principal if written_off else Decimal(0).quantize(principal)
            ),
        }

    @staticmethod
    def forget(cursor: Cursor[DictRow], event: Any) -> None:
        cursor.execute(
            "DELETE FROM portfolio_applications WHERE loan_id = %s", (event.originator_id,)
        )

    @staticmethod
    def change(cursor: Cursor[DictRow], event: Any, **columns: Any) -> None:
        """Set `columns` on the event's loan, if it is in the portfolio, and stamp its version."""
        assignments = ", ".join(f"{name} = %s" for name in columns)
        cursor.execute(
            f"UPDATE portfolio_loans SET {assignments}, version = %s WHERE loan_id = %s",
            (*columns.values(), event.originator_version, event.originator_id),
        )
