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
  risk_exposures: borrower_id, outstanding_principal (across the borrower's disbursed
    loans).
  risk_concentrations: dimension (region|product), value (the region or product code),
    outstanding_principal (across that region's or product's disbursed loans).
  risk_broken_promises: loan_id, action_number (the collection action that made the
    promise), borrower_id, number (1 for the loan's first broken promise, ...),
    promised_date, promised_amount, paid_amount.
risk_loans, risk_installments, risk_exposures and risk_concentrations are SQL views over
the `loan_books` read model (projections/loan_books.py), which holds each loan's money;
this read model writes risk_warnings and risk_broken_promises alone.
"""

from __future__ import annotations

from functools import singledispatchmethod
from typing import Any

from psycopg import Cursor
from psycopg.rows import DictRow

from domain.collections import CollectionCase
from domain.risk import RiskWarning, WarningStatus
from projections.base import ReadModel
from projections.migrations import drop_tables

# The loans' side of the rules, as the loan books hold it.
VIEWS = {
    "risk_loans": """SELECT loan_id, borrower_id, region, product_code, status,
        outstanding_principal, CASE WHEN written_off_on IS NULL THEN oldest_unpaid_due_date
        END AS oldest_unpaid_due_date FROM loan_books""",
    "risk_installments": """SELECT i.loan_id, i.number, i.due_date,
        i.owed_principal + i.owed_interest AS unpaid, i.paid_off_on
        FROM loan_book_installments i JOIN loan_books b USING (loan_id)
        WHERE b.written_off_on IS NULL""",
    "risk_exposures": """SELECT borrower_id, sum(outstanding_principal) AS outstanding_principal
        FROM loan_books WHERE position IS NOT NULL GROUP BY borrower_id""",
    "risk_concentrations": """SELECT 'region'::text AS dimension, region AS value,
        sum(outstanding_principal) AS outstanding_principal
        FROM loan_books WHERE position IS NOT NULL GROUP BY region
        UNION ALL SELECT 'product', product_code, sum(outstanding_principal)
        FROM loan_books WHERE position IS NOT NULL GROUP BY product_code""",
}
WARNING_COLUMNS = (
    "id", "position", "rule", "severity", "status", "subject", "threshold", "loan_id",
    "borrower_id", "raised_on", "detail", "raised_by", "version", "updated_at",
)  # fmt: skip


class RiskWarningsView(ReadModel):
    name = "risk_warnings"
    views = tuple(VIEWS)
    tables = ("risk_warnings", "risk_broken_promises", *VIEWS)
    schema = (
        drop_tables(*VIEWS),
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
        *(f"CREATE OR REPLACE VIEW {name} AS {query}" for name, query in VIEWS.items()),
    )

    @singledispatchmethod
    def handle(self, event: Any, cursor: Cursor[DictRow], position: int) -> None:
        """Other events do not change what the risk rules look at."""

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
