"""Read model `risk_warnings`: the warnings raised, and what the risk rules look at.

Tables analysts can rely on:
  risk_warnings: id, rule (dpd_threshold|first_payment_default|repeated_late|
    broken_promise|exposure_limit|concentration), severity (low|medium|high|critical),
    status (open|acknowledged|resolved), subject (the loan id for loan rules, the
    borrower id for exposure_limit, `region:<name>` or `product:<code>` for
    concentration), threshold (days for dpd_threshold and first_payment_default, late
    installments for repeated_late, the broken promise's number on the loan for
    broken_promise, an amount for exposure_limit, a share for concentration), loan_id
    and borrower_id (null where the rule has none), raised_on (business date), detail
    (the figures, in words), raised_by, acknowledged_by, acknowledged_on, resolved_by,
    resolved_on (business dates), note (the latest note given), version (of the
    warning aggregate), updated_at (recorded time of its last event), position (event
    store position of the raise; orders the list, newest last).
    (rule, subject, threshold) is unique: a warning is raised once.
  risk_loans: loan_id, borrower_id, region, product_code (as submitted), status
    (submitted|active|closed|written_off; rejected and withdrawn applications are
    dropped), outstanding_principal (0 until disbursed, and once closed or written off),
    oldest_unpaid_due_date (earliest installment with principal or interest unpaid, due
    or not; null when none is, and once written off).
  risk_installments: loan_id, number, due_date, unpaid (principal and interest still
    owed), paid_off_on (value date of the payment that cleared everything on it; null
    while anything is owed). Written-off loans have none.
  risk_exposures: borrower_id, outstanding_principal (across the borrower's loans).
  risk_concentrations: dimension (region|product), value (the region or product code),
    outstanding_principal (across that region's or product's loans).
  risk_broken_promises: loan_id, action_number (the collection action that made the
    promise), borrower_id, number (1 for the loan's first broken promise, ...),
    promised_date, promised_amount, paid_amount.
Exposure and concentration totals move with every change of a loan's principal, so
close of business reads a few rows instead of summing the portfolio.
"""

from __future__ import annotations

from decimal import Decimal
from functools import singledispatchmethod
from typing import Any
from uuid import UUID

from psycopg import Cursor
from psycopg.rows import DictRow

from domain.collections import CollectionCase
from domain.ledger import InstallmentState
from domain.loan import BooksChanged, Loan, LoanStatus
from domain.loan.accounting import unpaid
from domain.risk import RiskWarning, WarningStatus
from projections.base import ReadModel

WARNING_COLUMNS = (
    "id", "position", "rule", "severity", "status", "subject", "threshold", "loan_id",
    "borrower_id", "raised_on", "detail", "raised_by", "version", "updated_at",
)  # fmt: skip


class RiskWarningsView(ReadModel):
    name = "risk_warnings"
    tables = (
        "risk_warnings", "risk_loans", "risk_installments", "risk_exposures",
        "risk_concentrations", "risk_broken_promises",
    )  # fmt: skip
    schema = (
        """CREATE TABLE IF NOT EXISTS risk_warnings (
            id uuid PRIMARY KEY,
            position bigint NOT NULL UNIQUE,
            rule text NOT NULL,
            severity text NOT NULL,
            status text NOT NULL,
            subject text NOT NULL,
            threshold numeric NOT NULL,
            loan_id uuid,
            borrower_id uuid,
            raised_on date NOT NULL,
            detail text NOT NULL,
            raised_by text NOT NULL,
            acknowledged_by text,
            acknowledged_on date,
            resolved_by text,
            resolved_on date,
            note text,
            version integer NOT NULL,
            updated_at timestamptz NOT NULL
        )""",
        # Close of business asks "raised yet?" for each candidate.
        """CREATE UNIQUE INDEX IF NOT EXISTS risk_warnings_key
            ON risk_warnings (rule, subject, threshold)""",
        "CREATE INDEX IF NOT EXISTS risk_warnings_status ON risk_warnings (status, position)",
        "CREATE INDEX IF NOT EXISTS risk_warnings_severity ON risk_warnings (severity, position)",
        "CREATE INDEX IF NOT EXISTS risk_warnings_loan ON risk_warnings (loan_id)",
        """CREATE TABLE IF NOT EXISTS risk_loans (
            loan_id uuid PRIMARY KEY,
            borrower_id uuid NOT NULL,
            region text NOT NULL,
            product_code text NOT NULL,
            status text NOT NULL,
            outstanding_principal numeric NOT NULL,
            oldest_unpaid_due_date date
        )""",
        # Close of business looks at loans in arrears only (DPD, first payment, lateness).
        """CREATE INDEX IF NOT EXISTS risk_loans_in_arrears
            ON risk_loans (oldest_unpaid_due_date) WHERE status = 'active'""",
        """CREATE TABLE IF NOT EXISTS risk_installments (
            loan_id uuid NOT NULL,
            number integer NOT NULL,
            due_date date NOT NULL,
            unpaid numeric NOT NULL,
            paid_off_on date,
            PRIMARY KEY (loan_id, number)
        )""",
        # Close of business looks at the loans with an installment falling due on a day,
        # and at first installments still unpaid.
        "CREATE INDEX IF NOT EXISTS risk_installments_due ON risk_installments (due_date)",
        """CREATE INDEX IF NOT EXISTS risk_installments_first_unpaid
            ON risk_installments (due_date) WHERE number = 1 AND unpaid > 0""",
        """CREATE TABLE IF NOT EXISTS risk_exposures (
            borrower_id uuid PRIMARY KEY,
            outstanding_principal numeric NOT NULL
        )""",
        """CREATE INDEX IF NOT EXISTS risk_exposures_amount
            ON risk_exposures (outstanding_principal)""",
        """CREATE TABLE IF NOT EXISTS risk_concentrations (
            dimension text NOT NULL,
            value text NOT NULL,
            outstanding_principal numeric NOT NULL,
            PRIMARY KEY (dimension, value)
        )""",
        """CREATE TABLE IF NOT EXISTS risk_broken_promises (
            loan_id uuid NOT NULL,
            action_number integer NOT NULL,
            borrower_id uuid NOT NULL,
            number integer NOT NULL,
            promised_date date NOT NULL,
            promised_amount numeric NOT NULL,
            paid_amount numeric NOT NULL,
            PRIMARY KEY (loan_id, action_number)
        )""",
    )

    @singledispatchmethod
    def handle(self, event: Any, cursor: Cursor[DictRow], position: int) -> None:
        """Other events do not change what the risk rules look at."""

    @handle.register
    def _(self, event: Loan.ApplicationSubmitted, cursor: Cursor[DictRow], position: int) -> None:
        application = event.application
        cursor.execute(
            "INSERT INTO risk_loans VALUES (%s, %s, %s, %s, %s, 0, NULL)",
            (event.originator_id, application.borrower_id, application.region,
             application.product_code, LoanStatus.SUBMITTED.value),
        )  # fmt: skip

    @handle.register
    def _(self, event: Loan.Rejected, cursor: Cursor[DictRow], position: int) -> None:
        cursor.execute("DELETE FROM risk_loans WHERE loan_id = %s", (event.originator_id,))

    @handle.register
    def _(self, event: Loan.Withdrawn, cursor: Cursor[DictRow], position: int) -> None:
        cursor.execute("DELETE FROM risk_loans WHERE loan_id = %s", (event.originator_id,))

    @handle.register
    def _(self, event: Loan.Disbursed, cursor: Cursor[DictRow], position: int) -> None:
        principal = event.balances.outstanding.principal
        self.principal(cursor, event.originator_id, principal, LoanStatus.ACTIVE)
        states = [unpaid(item) for item in event.schedule.installments]
        self.installments(cursor, event.originator_id, states)

    @handle.register
    def _(self, event: BooksChanged, cursor: Cursor[DictRow], position: int) -> None:
        change = event.change
        status = self.principal(cursor, event.originator_id, change.balances.outstanding.principal)
        if status == LoanStatus.WRITTEN_OFF.value:
            return  # recoveries: the written-off loan's installments no longer matter
        if change.schedule is not None:
            cursor.execute(
                "DELETE FROM risk_installments WHERE loan_id = %s", (event.originator_id,)
            )
        self.installments(cursor, event.originator_id, change.installments)

    @handle.register
    def _(self, event: Loan.WrittenOff, cursor: Cursor[DictRow], position: int) -> None:
        principal = event.change.balances.outstanding.principal
        self.principal(cursor, event.originator_id, principal, LoanStatus.WRITTEN_OFF)
        cursor.execute("DELETE FROM risk_installments WHERE loan_id = %s", (event.originator_id,))
        cursor.execute(
            "UPDATE risk_loans SET oldest_unpaid_due_date = NULL WHERE loan_id = %s",
            (event.originator_id,),
        )

    @handle.register
    def _(self, event: Loan.Closed, cursor: Cursor[DictRow], position: int) -> None:
        self.status(cursor, event.originator_id, LoanStatus.CLOSED)

    @handle.register
    def _(self, event: Loan.Reopened, cursor: Cursor[DictRow], position: int) -> None:
        self.status(cursor, event.originator_id, LoanStatus.ACTIVE)

    @handle.register
    def _(
        self, event: CollectionCase.PromiseBroken, cursor: Cursor[DictRow], position: int
    ) -> None:
        cursor.execute(
            """INSERT INTO risk_broken_promises
            SELECT %(loan)s, %(action)s, %(borrower)s,
                (SELECT count(*) + 1 FROM risk_broken_promises WHERE loan_id = %(loan)s),
                %(date)s, %(amount)s, %(paid)s""",
            {"loan": event.loan_id, "action": event.action_number,
             "borrower": event.borrower_id, "date": event.promised_date,
             "amount": event.promised_amount, "paid": event.paid_amount},
        )  # fmt: skip

    @handle.register
    def _(self, event: RiskWarning.Raised, cursor: Cursor[DictRow], position: int) -> None:
        cursor.execute(
            f"INSERT INTO risk_warnings ({', '.join(WARNING_COLUMNS)})"
            f" VALUES ({', '.join(['%s'] * len(WARNING_COLUMNS))})",
            (event.originator_id, position, event.rule.value, event.severity.value,
             WarningStatus.OPEN.value, event.subject, event.threshold, event.loan_id,
             event.borrower_id, event.raised_on, event.detail, event.actor,
             event.originator_version, event.timestamp),
        )  # fmt: skip

    @handle.register
    def _(self, event: RiskWarning.Acknowledged, cursor: Cursor[DictRow], position: int) -> None:
        self.warning(cursor, event, WarningStatus.ACKNOWLEDGED, "acknowledged")

    @handle.register
    def _(self, event: RiskWarning.Resolved, cursor: Cursor[DictRow], position: int) -> None:
        self.warning(cursor, event, WarningStatus.RESOLVED, "resolved")

    @staticmethod
    def warning(cursor: Cursor[DictRow], event: Any, status: WarningStatus, step: str) -> None:
        cursor.execute(
            f"UPDATE risk_warnings SET status = %s, {step}_by = %s, {step}_on = %s,"
            " note = coalesce(nullif(%s, ''), note), version = %s, updated_at = %s"
            " WHERE id = %s",
            (status.value, event.actor, event.on, event.note, event.originator_version,
             event.timestamp, event.originator_id),
        )  # fmt: skip

    @staticmethod
    def status(cursor: Cursor[DictRow], loan_id: UUID, status: LoanStatus) -> None:
        cursor.execute(
            "UPDATE risk_loans SET status = %s WHERE loan_id = %s", (status.value, loan_id)
        )

    @staticmethod
    def principal(
        cursor: Cursor[DictRow], loan_id: UUID, principal: Decimal, status: LoanStatus | None = None
    ) -> str | None:
        """Set the loan's outstanding principal and move its borrower's, region's and
        product's totals by the difference; the loan's status after (None: unknown loan)."""
        cursor.execute(
            """WITH before AS (
                SELECT loan_id, outstanding_principal FROM risk_loans WHERE loan_id = %(loan)s
            ), moved AS (
                UPDATE risk_loans l SET outstanding_principal = %(principal)s,
                    status = coalesce(%(status)s::text, l.status)
                FROM before b WHERE l.loan_id = b.loan_id
                RETURNING l.borrower_id, l.region, l.product_code, l.status,
                    %(principal)s - b.outstanding_principal AS delta
            ), exposure AS (
                INSERT INTO risk_exposures SELECT borrower_id, delta FROM moved
                ON CONFLICT (borrower_id) DO UPDATE SET outstanding_principal =
                    risk_exposures.outstanding_principal + excluded.outstanding_principal
            ), shares AS (
                INSERT INTO risk_concentrations
                SELECT 'region', region, delta FROM moved
                UNION ALL SELECT 'product', product_code, delta FROM moved
                ON CONFLICT (dimension, value) DO UPDATE SET outstanding_principal =
                    risk_concentrations.outstanding_principal + excluded.outstanding_principal
            )
            SELECT status FROM moved""",
            {"loan": loan_id, "principal": principal,
             "status": status.value if status else None},
        )  # fmt: skip
        row = cursor.fetchone()
        return str(row["status"]) if row else None

    @staticmethod
    def installments(
        cursor: Cursor[DictRow], loan_id: UUID, states: list[InstallmentState]
    ) -> None:
        cursor.executemany(
            """INSERT INTO risk_installments VALUES (%s, %s, %s, %s, %s)
            ON CONFLICT (loan_id, number) DO UPDATE SET due_date = excluded.due_date,
                unpaid = excluded.unpaid, paid_off_on = excluded.paid_off_on""",
            [
                (loan_id, s.number, s.due_date, s.outstanding.principal + s.outstanding.interest,
                 s.paid_off_on)
                for s in states
            ],
        )  # fmt: skip
        cursor.execute(
            """UPDATE risk_loans SET oldest_unpaid_due_date = (SELECT min(due_date)
                FROM risk_installments WHERE loan_id = %(loan)s AND unpaid > 0)
            WHERE loan_id = %(loan)s""",
            {"loan": loan_id},
        )
