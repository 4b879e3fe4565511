"""Read model `loans`: one row per loan, from application to closure.

Columns analysts can rely on (view `loans`):
  id, borrower_id, product_id, product_code (as submitted), borrower_kind
  (individual|business), region and officer (the borrower's at submission; the
  officer then as the loan is assigned),
  status (submitted|approved|rejected|withdrawn|signed|active|closed|written_off),
  principal (as applied for, then as approved), annual_rate_percent, term
  (installment periods), frequency (weekly|fortnightly|monthly|quarterly), method
  (equal_installments|equal_principal|interest_only|bullet|flat), purpose, currency
  (ISO 4217), minor_unit (decimal places of the currency), signed_on,
  disbursed_amount (0 until disbursed), disbursed_on (value date), outstanding_
  principal, outstanding_interest (scheduled interest not yet paid), outstanding_
  fees, outstanding_penalty, credit_balance (overpayment held for the borrower),
  principal_repaid, interest_repaid, next_due_date (earliest installment not yet
  paid), maturity_date (last due date), days_past_due and classification
  (normal|special_mention|substandard|doubtful|loss) as last recorded (by close of
  business, or by a payment or reversal on its business date), version (of the loan aggregate),
  submitted_at, updated_at (recorded time of the last event), position (event
  store position of the submission; orders the list), office (the office the loan
  belongs to, recorded at its application; null for loans applied for before offices).
Amounts are unconstrained numeric at the currency's minor unit ("12000.00" for
CNY). Balances are 0 before disbursement: nothing is owed until money is lent.

`loans` is a SQL view: this read model writes every column but the delinquency into
its table `loan_records`; days_past_due and classification are the loan's recorded
delinquency as the `loan_books` read model holds it (0 and normal for an application).
"""

from __future__ import annotations

from decimal import Decimal
from functools import singledispatchmethod
from typing import Any
from uuid import UUID

from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg_pool import AsyncConnectionPool

from domain.loan import BooksChanged, Loan, LoanStatus
from domain.money import minor_unit
from projections.base import ReadModel
from projections.migrations import rebuild_unless_it_has, rename_table
from projections.reads import Row, by_key, fetch_all, grouped, page_filter

BALANCE_COLUMNS = (
    "disbursed_amount", "outstanding_principal", "outstanding_interest", "outstanding_fees",
    "outstanding_penalty", "credit_balance", "principal_repaid", "interest_repaid",
)  # fmt: skip
APPLICATION_COLUMNS = (
    "borrower_id", "product_id", "product_code", "borrower_kind", "region", "officer",
    "principal", "term", "frequency", "method", "annual_rate_percent", "purpose", "minor_unit",
    "office",
)  # fmt: skip
# Column for column as the table `loans` was; the delinquency is the one `loan_books` holds.
LOANS_VIEW = """CREATE OR REPLACE VIEW loans AS SELECT l.id, l.borrower_id, l.product_id,
    l.product_code, l.borrower_kind, l.region, l.officer, l.status, l.principal,
    l.annual_rate_percent, l.term, l.frequency, l.method, l.purpose, l.currency, l.minor_unit,
    l.signed_on, l.disbursed_amount, l.disbursed_on, l.outstanding_principal,
    l.outstanding_interest, l.outstanding_fees, l.outstanding_penalty, l.credit_balance,
    l.principal_repaid, l.interest_repaid, l.next_due_date, l.maturity_date,
    coalesce(b.days_past_due, 0) AS days_past_due,
    coalesce(b.classification, 'normal') AS classification,
    l.version, l.submitted_at, l.updated_at, l.position, l.office
FROM loan_records l LEFT JOIN loan_books b ON b.loan_id = l.id"""


class LoansView(ReadModel):
    name = "loans"
    views = ("loans",)
    tables = ("loan_records", *views)
    schema = (
        # A store written before: its `loans` table, without the delinquency, is the table.
        rename_table("loans", "loan_records", "days_past_due", "classification"),
        # Made before loans recorded their office: the store has it.
        rebuild_unless_it_has("loans", "loan_records", "office", ("loan_records",)),
        """CREATE TABLE IF NOT EXISTS loan_records (
            id uuid PRIMARY KEY,
            borrower_id uuid NOT NULL,
            product_id uuid NOT NULL,
            product_code text NOT NULL,
            borrower_kind text NOT NULL,
            region text NOT NULL,
            officer text NOT NULL,
            status text NOT NULL,
            principal numeric NOT NULL,
            annual_rate_percent numeric NOT NULL,
            term integer NOT NULL,
            frequency text NOT NULL,
            method text NOT NULL,
            purpose text NOT NULL,
            currency char(3) NOT NULL,
            minor_unit integer NOT NULL,
            signed_on date,
            disbursed_amount numeric NOT NULL,
            disbursed_on date,
            outstanding_principal numeric NOT NULL,
            outstanding_interest numeric NOT NULL,
            outstanding_fees numeric NOT NULL,
            outstanding_penalty numeric NOT NULL,
            credit_balance numeric NOT NULL,
            principal_repaid numeric NOT NULL,
            interest_repaid numeric NOT NULL,
            next_due_date date,
            maturity_date date,
            version integer NOT NULL,
            submitted_at timestamptz NOT NULL,
            updated_at timestamptz NOT NULL,
            position bigint NOT NULL UNIQUE,
            office uuid
        )""",
        "CREATE INDEX IF NOT EXISTS loans_office ON loan_records (office, position)",
        # A reach's loan ids from the index alone: the portfolio, arrears and reports
        # join their rows to these (a scan of the wide rows cost more than the sums).
        "CREATE INDEX IF NOT EXISTS loans_office_ids ON loan_records (office) INCLUDE (id)",
        "CREATE INDEX IF NOT EXISTS loans_borrower ON loan_records (borrower_id, position)",
        "CREATE INDEX IF NOT EXISTS loans_status ON loan_records (status, position)",
        "CREATE INDEX IF NOT EXISTS loans_product ON loan_records (product_code, position)",
        "CREATE INDEX IF NOT EXISTS loans_officer ON loan_records (officer, position)",
        "CREATE INDEX IF NOT EXISTS loans_region ON loan_records (region, position)",
        LOANS_VIEW,
    )

    @singledispatchmethod
    def handle(self, event: Any, cursor: Cursor[DictRow], position: int) -> None:
        """Events of other aggregates do not change this read model."""

    @handle.register
    def _(self, event: Loan.ApplicationSubmitted, cursor: Cursor[DictRow], position: int) -> None:
        application = event.application
        zero = Decimal(0).quantize(minor_unit(application.minor_unit))
        columns = (
            "id", *APPLICATION_COLUMNS, "currency", "status", *BALANCE_COLUMNS,
            "version", "submitted_at", "updated_at", "position",
        )  # fmt: skip
        values = (
            event.originator_id,
            *(getattr(application, c) for c in APPLICATION_COLUMNS),
            application.product.currency, LoanStatus.SUBMITTED.value,
            *([zero] * len(BALANCE_COLUMNS)),
            event.originator_version, event.timestamp, event.timestamp, position,
        )  # fmt: skip
        cursor.execute(
            f"INSERT INTO loan_records ({', '.join(columns)})"
            f" VALUES ({', '.join(['%s'] * len(columns))})",
            values,
        )

    @handle.register
    def _(self, event: Loan.Approved, cursor: Cursor[DictRow], position: int) -> None:
        self.change(
            cursor,
            event,
            status=LoanStatus.APPROVED.value,
            principal=event.principal,
            annual_rate_percent=event.annual_rate_percent,
            term=event.term,
        )

    @handle.register
    def _(self, event: Loan.Rejected, cursor: Cursor[DictRow], position: int) -> None:
        self.change(cursor, event, status=LoanStatus.REJECTED.value)

    @handle.register
    def _(self, event: Loan.Withdrawn, cursor: Cursor[DictRow], position: int) -> None:
        self.change(cursor, event, status=LoanStatus.WITHDRAWN.value)

    @handle.register
    def _(self, event: Loan.ContractSigned, cursor: Cursor[DictRow], position: int) -> None:
        self.change(cursor, event, status=LoanStatus.SIGNED.value, signed_on=event.signed_on)

    @handle.register
    def _(self, event: Loan.Disbursed, cursor: Cursor[DictRow], position: int) -> None:
        schedule = event.schedule
        installments = schedule.installments
        self.change(
            cursor,
            event,
            status=LoanStatus.ACTIVE.value,
            principal=event.terms.principal,
            disbursed_amount=event.terms.principal,
            disbursed_on=event.value_date,
            outstanding_principal=schedule.total_principal,
            outstanding_interest=schedule.total_interest,
            outstanding_fees=schedule.total_fees,
            next_due_date=installments[0].due_date,
            maturity_date=installments[-1].due_date,
        )

    @handle.register
    def _(self, event: BooksChanged, cursor: Cursor[DictRow], position: int) -> None:
        self.books(cursor, event)

    @handle.register
    def _(self, event: Loan.DelinquencyChanged, cursor: Cursor[DictRow], position: int) -> None:
        # The version only: `loans` shows the delinquency `loan_books` holds.
        self.change(cursor, event)

    @handle.register
    def _(self, event: Loan.Reviewed, cursor: Cursor[DictRow], position: int) -> None:
        self.change(cursor, event)  # the version: an If-Match names the loan's latest

    @handle.register
    def _(self, event: Loan.WrittenOff, cursor: Cursor[DictRow], position: int) -> None:
        self.books(cursor, event, status=LoanStatus.WRITTEN_OFF.value)

    @handle.register
    def _(self, event: Loan.Rescheduled, cursor: Cursor[DictRow], position: int) -> None:
        installments = event.schedule.installments
        self.books(
            cursor,
            event,
            annual_rate_percent=event.terms.annual_rate_percent,
            term=len(installments),
            maturity_date=installments[-1].due_date,
        )

    @handle.register
    def _(self, event: Loan.Closed, cursor: Cursor[DictRow], position: int) -> None:
        self.change(cursor, event, status=LoanStatus.CLOSED.value)

    @handle.register
    def _(self, event: Loan.OfficerAssigned, cursor: Cursor[DictRow], position: int) -> None:
        self.change(cursor, event, officer=event.officer)

    @handle.register
    def _(self, event: Loan.Reopened, cursor: Cursor[DictRow], position: int) -> None:
        self.change(cursor, event, status=LoanStatus.ACTIVE.value)

    def books(self, cursor: Cursor[DictRow], event: Any, **columns: Any) -> None:
        """Balances after a payment, reversal, write-off or reschedule, as recorded."""
        balances = event.change.balances
        outstanding, paid = balances.outstanding, balances.paid
        schedule = event.change.schedule
        if schedule is not None:
            columns["maturity_date"] = schedule.installments[-1].due_date
        self.change(
            cursor,
            event,
            outstanding_principal=outstanding.principal,
            outstanding_interest=outstanding.interest,
            outstanding_fees=outstanding.fee,
            outstanding_penalty=outstanding.penalty,
            credit_balance=balances.credit,
            principal_repaid=paid.principal,
            interest_repaid=paid.interest,
            next_due_date=balances.next_due_date,
            **columns,
        )

    @staticmethod
    def change(cursor: Cursor[DictRow], event: Any, **columns: Any) -> None:
        """Set `columns` on the event's loan and stamp its version and time."""
        assignments = "".join(f"{name} = %s, " for name in columns)
        cursor.execute(
            f"UPDATE loan_records SET {assignments}version = %s, updated_at = %s WHERE id = %s",
            (*columns.values(), event.originator_version, event.timestamp, event.originator_id),
        )


# Queries, for the GraphQL layer. Their rows are the table's, every column of `loans` but
# the delinquency (GraphQL shows a loan's DPD from the arrears), without the view's join.


async def loans_of_ids(pool: AsyncConnectionPool, ids: list[UUID]) -> list[Row | None]:
    """Each loan's row in turn (None for an id no loan has)."""
    rows = await fetch_all(pool, "SELECT * FROM loan_records WHERE id = ANY(%s)", [ids])
    return by_key(rows, "id", ids)


async def loans_of_borrowers(
    pool: AsyncConnectionPool, borrower_ids: list[UUID]
) -> list[list[Row]]:
    """Each borrower's loans in turn, oldest application first."""
    query = "SELECT * FROM loan_records WHERE borrower_id = ANY(%s) ORDER BY position"
    return grouped(await fetch_all(pool, query, [borrower_ids]), "borrower_id", borrower_ids)


async def loans_page(
    pool: AsyncConnectionPool, after: int, limit: int, equal: dict[str, Any]
) -> list[Row]:
    """Up to `limit` loans after position `after`, in position order, whose columns hold
    the values in `equal` (None: any)."""
    clauses, params = page_filter(after, equal)
    where = " AND ".join(clauses)
    query = f"SELECT * FROM loan_records WHERE {where} ORDER BY position LIMIT %s"
    return await fetch_all(pool, query, [*params, limit])
