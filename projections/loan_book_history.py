"""The history the `loan_books` read model keeps (projections/loan_books.py): each loan's
books and delinquency over ranges of business dates, for figures as of a date.

A row of `loan_book_segments` holds over a range of business dates through which
neither the books nor the bucket or tier changed. The books change by events: events
recorded on one business date revise that date's rows; the first event of a later date
closes the current rows and opens a new range. An event takes effect on the business
date it is recorded on, or on its value date when that is later.

Delinquency changes with the calendar alone: it is what domain.loan.delinquency works
out from the oldest unpaid due date the books record, on the date a range opens and on
each later date its bucket or tier changes if nothing is paid. The current row keeps
that next date (`next_change`); closing that business date splits the row there, so
the rows reach as far as the business date and no further, and a row is written when
something changes, never for a day that brings nothing.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, NamedTuple
from uuid import UUID

from psycopg import Cursor
from psycopg.rows import DictRow, dict_row

from domain.loan.delinquency import Delinquency, delinquency_over, next_delinquency_change
from projections.loan_book_charges import SEGMENT_FEES
from projections.loan_books_schema import SEGMENT_BOOKS

STAGE = ("days_past_due", "bucket", "classification", "next_change")
# What a later event on the date a range opened revises (the rest stays as disbursed).
REVISED = (
    "status", "outstanding_principal", "collected_amount", "oldest_unpaid_due_date",
    *SEGMENT_FEES,
)  # fmt: skip
# What a segment keeps of the loan's installments: those with anything outstanding.
UNPAID_JSON = """(SELECT coalesce(jsonb_agg(jsonb_build_object('number', i.number,
        'due_date', i.due_date, 'principal', i.owed_principal, 'interest', i.owed_interest,
        'fee', i.owed_fee, 'penalty', i.owed_penalty) ORDER BY i.number), '[]'::jsonb)
    FROM loan_book_installments i WHERE i.loan_id = s.loan_id
    AND i.owed_principal + i.owed_interest + i.owed_fee + i.owed_penalty > 0)"""
# A range opened on an earlier date closes on %(on)s, and a split made on %(on)s gives
# way to the range the books begin that day.
CLOSE = """WITH split AS (
        DELETE FROM loan_book_segments WHERE loan_id = %(loan)s AND valid_to IS NULL
        AND valid_from = %(on)s AND books_from < %(on)s)
    UPDATE loan_book_segments SET books_to = %(on)s, valid_to = coalesce(valid_to, %(on)s),
        next_change = NULL
    WHERE loan_id = %(loan)s AND books_to IS NULL AND books_from < %(on)s
    AND valid_from < %(on)s"""
# The current row as the books now stand: a new range from %(on)s, or the current one
# revised; then the installments of its range.
OPEN = f"""WITH s AS (
        INSERT INTO loan_book_segments (loan_id, valid_from, books_from,
            {", ".join(SEGMENT_BOOKS)}, {", ".join(STAGE)})
        SELECT loan_id, %(on)s, %(on)s, {", ".join(SEGMENT_BOOKS)},
            %(days_past_due)s, %(bucket)s, %(classification)s, %(next_change)s
        FROM loan_books WHERE loan_id = %(loan)s
        ON CONFLICT (loan_id) WHERE valid_to IS NULL DO UPDATE SET
            {", ".join(f"{c} = excluded.{c}" for c in (*REVISED, *STAGE))}
        RETURNING loan_id, books_from)
    INSERT INTO loan_book_segment_installments (loan_id, valid_from, installments)
    SELECT s.loan_id, s.books_from, {UNPAID_JSON} FROM s
    ON CONFLICT (loan_id, valid_from) DO UPDATE SET installments = excluded.installments"""
# The current rows whose bucket or tier changes by %(day)s close on the day it does.
SPLIT = f"""UPDATE loan_book_segments SET valid_to = next_change, next_change = NULL
    WHERE valid_to IS NULL AND next_change <= %(day)s
    RETURNING loan_id, valid_to, books_from, {", ".join(SEGMENT_BOOKS)}"""
SPLIT_COLUMNS = ("loan_id", "valid_from", "valid_to", "books_from", *SEGMENT_BOOKS, *STAGE)
INSERT_SPLIT = (
    f"INSERT INTO loan_book_segments ({', '.join(SPLIT_COLUMNS)})"
    f" VALUES ({', '.join(['%s'] * len(SPLIT_COLUMNS))})"
)


# The DPD basis of a loan whose event recorded no timing (stored before loans did), as
# its installments show it; and what its history then needs once the event has set it.
OLDEST_UNPAID = """(SELECT min(due_date) FROM loan_book_installments
    WHERE loan_id = %(loan)s AND owed_principal + owed_interest > 0)"""
RETURNING = """RETURNING oldest_unpaid_due_date,
    (SELECT business_date FROM loan_books_calendar) AS business_date"""


class Basis(NamedTuple):
    """What a loan's history is brought up to an event on."""

    business_date: date | None
    oldest_unpaid_due_date: date | None


class CalendarMemory:
    """The business date `loan_books_calendar` holds, as the transaction writing this
    read model has it: read once a transaction, and moved by this read model's own
    handlers (no one else writes the table)."""

    def __init__(self) -> None:
        self._held: tuple[Cursor[DictRow], date | None] | None = None

    def business_date(self, cursor: Cursor[DictRow]) -> date | None:
        if self._held is None or self._held[0] is not cursor:
            # A cursor of its own: in the follower's pipeline one whose last statement
            # was an executemany would not wait for the row.
            with cursor.connection.cursor(row_factory=dict_row) as reader:
                reader.execute("SELECT business_date FROM loan_books_calendar")
                row = reader.fetchone()
            self._held = (cursor, row["business_date"] if row else None)
        return self._held[1]

    def moved(self, cursor: Cursor[DictRow], day: date) -> None:
        self._held = (cursor, day)


def record_books(
    cursor: Cursor[DictRow],
    loan_id: UUID,
    value_date: date,
    business_date: date | None,
    oldest_unpaid: date | None,
) -> None:
    """Bring the loan's history up to its books (loan_books, loan_book_installments) as
    of the date an event valued `value_date` takes effect."""
    on = value_date if business_date is None else max(value_date, business_date)
    (stage,) = delinquency_over(oldest_unpaid, on, on + timedelta(days=1))
    following = next_delinquency_change(oldest_unpaid, on)
    cursor.execute(CLOSE, {"loan": loan_id, "on": on})
    cursor.execute(OPEN, {"loan": loan_id, "on": on} | stage_columns(stage, following))


def close_day(cursor: Cursor[DictRow], day: date) -> None:
    """Split the current rows whose bucket or tier changes on or before `day`, the new
    business date, at each date it changes."""
    cursor.execute(SPLIT, {"day": day})
    rows = []
    for closed in cursor.fetchall():
        oldest = closed["oldest_unpaid_due_date"]
        stages = delinquency_over(oldest, closed["valid_to"], day + timedelta(days=1))
        ends: list[date | None] = [stage.since for stage in stages[1:]]
        for stage, end in zip(stages, [*ends, None], strict=True):
            following = next_delinquency_change(oldest, stage.since) if end is None else None
            columns = closed | {"valid_from": stage.since, "valid_to": end}
            columns |= stage_columns(stage, following)
            rows.append(tuple(columns[name] for name in SPLIT_COLUMNS))
    if rows:
        cursor.executemany(INSERT_SPLIT, rows)


def stage_columns(stage: Delinquency, next_change: date | None) -> dict[str, Any]:
    """The delinquency columns of a row that begins with `stage` (`next_change`: when the
    current row's bucket or tier changes next; None on a closed row)."""
    return {
        "days_past_due": stage.days_past_due,
        "bucket": stage.bucket.value,
        "classification": stage.classification.value,
        "next_change": next_change,
    }
