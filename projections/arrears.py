"""Read model `arrears`: what each active loan owes past due, and when that may change.

Tables analysts can rely on:
  arrears: loan_id, position (of the disbursement; orders the list), active (false
    once closed or written off), oldest_unpaid_due_date (earliest installment with
    principal or interest unpaid), days_past_due, bucket, classification and
    delinquency_since (as close of business or a cure last recorded them; current,
    normal and null before any), late_fee_lag (days from a due date to the day an
    unpaid installment is charged its late fee, as the loan's penalty terms say; null
    without a late fee), accrues_penalty (whether overdue principal earns penalty
    interest, crystallised at month ends), next_delinquency_change (the first
    business date on which close of business must look at the loan if nothing is
    paid: its bucket or classification may change, a late fee may fall due or penalty
    be crystallised; close of business loads only the loans due that day; null once
    not active).
    The loan decides all of these (its product's `PenaltyTerms` and each event's
    `Timing`); the table stores its answers.
  arrears_installments: loan_id, number, due_date, principal, interest, fee, penalty:
    what is still outstanding on each installment, as the loan's last event recorded.
  arrears_calendar: business_date, the date close of business has reached.
"As of" the business date: an installment is overdue once its due date is before the
business date, and its outstanding amounts count every payment recorded so far (no
payment may be valued after the business date, so that is the state on that date).
"""

from __future__ import annotations

from datetime import date
from functools import singledispatchmethod
from typing import Any
from uuid import UUID

from psycopg import Cursor
from psycopg.rows import DictRow

from domain.calendar import BusinessCalendar
from domain.ledger import InstallmentState
from domain.loan import BooksChanged, Loan, Timing
from domain.loan.accounting import unpaid
from projections.base import ReadModel


class ArrearsView(ReadModel):
    name = "arrears"
    tables = ("arrears", "arrears_installments", "arrears_calendar")
    schema = (
        """CREATE TABLE IF NOT EXISTS arrears (
            loan_id uuid PRIMARY KEY,
            position bigint NOT NULL UNIQUE,
            active boolean NOT NULL,
            oldest_unpaid_due_date date,
            days_past_due integer NOT NULL,
            bucket text NOT NULL,
            classification text NOT NULL,
            delinquency_since date,
            next_delinquency_change date,
            late_fee_lag integer,
            accrues_penalty boolean NOT NULL DEFAULT false
        )""",
        """CREATE TABLE IF NOT EXISTS arrears_installments (
            loan_id uuid NOT NULL,
            number integer NOT NULL,
            due_date date NOT NULL,
            principal numeric NOT NULL,
            interest numeric NOT NULL,
            fee numeric NOT NULL,
            penalty numeric NOT NULL,
            PRIMARY KEY (loan_id, number)
        )""",
        "CREATE TABLE IF NOT EXISTS arrears_calendar (business_date date NOT NULL)",
        "CREATE INDEX IF NOT EXISTS arrears_next ON arrears (next_delinquency_change)",
        "CREATE INDEX IF NOT EXISTS arrears_bucket ON arrears (bucket, position)",
    )

    @singledispatchmethod
    def handle(self, event: Any, cursor: Cursor[DictRow], position: int) -> None:
        """Other events do not change arrears."""

    @handle.register
    def _(self, event: BusinessCalendar.Opened, cursor: Cursor[DictRow], position: int) -> None:
        cursor.execute("DELETE FROM arrears_calendar")
        cursor.execute("INSERT INTO arrears_calendar VALUES (%s)", (event.business_date,))

    @handle.register
    def _(self, event: BusinessCalendar.DayClosed, cursor: Cursor[DictRow], position: int) -> None:
        cursor.execute("UPDATE arrears_calendar SET business_date = %s", (event.day,))

    @handle.register
    def _(self, event: Loan.Disbursed, cursor: Cursor[DictRow], position: int) -> None:
        penalties = event.penalties
        lag = penalties.late_fee_lag if penalties else None
        accrues = penalties.accrues_penalty if penalties else False
        cursor.execute(
            "INSERT INTO arrears (loan_id, position, active, days_past_due, bucket,"
            " classification, late_fee_lag, accrues_penalty)"
            " VALUES (%s, %s, true, 0, 'current', 'normal', %s, %s)",
            (event.originator_id, position, lag, accrues),
        )
        self.installments(
            cursor, event.originator_id, [unpaid(i) for i in event.schedule.installments]
        )
        self.timed(cursor, event.originator_id, event.timing, event.value_date)

    @handle.register
    def _(self, event: BooksChanged, cursor: Cursor[DictRow], position: int) -> None:
        change = event.change
        if change.schedule is not None:
            cursor.execute(
                "DELETE FROM arrears_installments WHERE loan_id = %s", (event.originator_id,)
            )
        self.installments(cursor, event.originator_id, change.installments)
        if isinstance(event, Loan.WrittenOff):
            self.set_active(cursor, event.originator_id, False)
        self.timed(cursor, event.originator_id, event.timing, event.value_date)

    @handle.register
    def _(self, event: Loan.Closed, cursor: Cursor[DictRow], position: int) -> None:
        self.set_active(cursor, event.originator_id, False)
        self.timed(cursor, event.originator_id, event.timing, event.value_date)

    @handle.register
    def _(self, event: Loan.Reopened, cursor: Cursor[DictRow], position: int) -> None:
        self.set_active(cursor, event.originator_id, True)
        self.timed(cursor, event.originator_id, event.timing, event.value_date)

    @handle.register
    def _(self, event: Loan.Reviewed, cursor: Cursor[DictRow], position: int) -> None:
        self.timed(cursor, event.originator_id, event.timing, event.value_date)

    @handle.register
    def _(self, event: Loan.DelinquencyChanged, cursor: Cursor[DictRow], position: int) -> None:
        cursor.execute(
            "UPDATE arrears SET days_past_due = %s, bucket = %s, classification = %s,"
            " delinquency_since = %s WHERE loan_id = %s",
            (event.delinquency.days_past_due, event.delinquency.bucket.value,
             event.delinquency.classification.value,
             event.value_date, event.originator_id),
        )  # fmt: skip
        self.timed(cursor, event.originator_id, event.timing, event.value_date)

    @staticmethod
    def installments(
        cursor: Cursor[DictRow], loan_id: UUID, states: list[InstallmentState]
    ) -> None:
        cursor.executemany(
            """INSERT INTO arrears_installments VALUES (%s, %s, %s, %s, %s, %s, %s)
            ON CONFLICT (loan_id, number) DO UPDATE SET due_date = excluded.due_date,
                principal = excluded.principal, interest = excluded.interest,
                fee = excluded.fee, penalty = excluded.penalty""",
            [
                (loan_id, s.number, s.due_date, s.outstanding.principal, s.outstanding.interest,
                 s.outstanding.fee, s.outstanding.penalty)
                for s in states
            ],
        )  # fmt: skip

    @staticmethod
    def set_active(cursor: Cursor[DictRow], loan_id: UUID, active: bool) -> None:
        cursor.execute("UPDATE arrears SET active = %s WHERE loan_id = %s", (active, loan_id))

    @staticmethod
    def timed(
        cursor: Cursor[DictRow], loan_id: UUID, timing: Timing | None, value_date: date
    ) -> None:
        """Store when close of business must next look at the loan, as its event decided.

        An event recorded before loans kept their timing leaves the loan due at once
        (its review records the timing) and its DPD basis as its installments show.
        """
        if timing is None:
            cursor.execute(
                """UPDATE arrears a SET next_delinquency_change = CASE WHEN active THEN %s END,
                oldest_unpaid_due_date = (SELECT min(due_date) FROM arrears_installments i
                    WHERE i.loan_id = a.loan_id AND i.principal + i.interest > 0)
                WHERE loan_id = %s""",
                (value_date, loan_id),
            )
            return
        cursor.execute(
            "UPDATE arrears SET oldest_unpaid_due_date = %s, next_delinquency_change = %s"
            " WHERE loan_id = %s",
            (timing.oldest_unpaid_due_date, timing.next_review, loan_id),
        )

    def due_for_review(self, day: date) -> list[UUID]:
        """Active loans whose timing asks close of business to look at them by `day`."""
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(
                "SELECT loan_id FROM arrears WHERE active AND next_delinquency_change <= %s"
                " ORDER BY position",
                (day,),
            )
            return [row["loan_id"] for row in cursor.fetchall()]
