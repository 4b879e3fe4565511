"""Read model `collections`: every collection action on a loan, with its promise to pay.

Columns analysts can rely on (table `collection_actions`, one row per action):
  case_id (the loan's collection case), loan_id, number (1-based per loan; with
  loan_id the primary key), borrower_id, kind (sms|call|visit|letter|legal), outcome,
  note, actor (who recorded it), action_date (the business date it was recorded on),
  promised_amount and promised_date (both null when no promise was made),
  promise_status (open|kept|broken; null without a promise), paid_amount (what the
  loan received from action_date through promised_date, as close of business counted
  it when it judged the promise; null while open), promise_settled_at (recorded time
  of that judgement), recorded_at (recorded time of the action), position (event
  store position of the action; orders the list).
Close of business finds the promises to judge through the open promises' index on
promised_date, never by scanning loans.
"""

from __future__ import annotations

from datetime import date
from functools import singledispatchmethod
from typing import Any
from uuid import UUID

from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg_pool import AsyncConnectionPool

from domain.collections import CollectionCase, PromiseSettled, PromiseStatus
from projections.base import ReadModel
from projections.reads import Row, by_key, fetch_all

COLUMNS = (
    "case_id", "loan_id", "number", "borrower_id", "kind", "outcome", "note", "actor",
    "action_date", "promised_amount", "promised_date", "promise_status", "recorded_at",
    "position",
)  # fmt: skip


class CollectionsView(ReadModel):
    name = "collections"
    tables = ("collection_actions",)
    schema = (
        """CREATE TABLE IF NOT EXISTS collection_actions (
            case_id uuid NOT NULL,
            loan_id uuid NOT NULL,
            number integer NOT NULL,
            borrower_id uuid NOT NULL,
            kind text NOT NULL,
            outcome text NOT NULL,
            note text NOT NULL,
            actor text NOT NULL,
            action_date date NOT NULL,
            promised_amount numeric,
            promised_date date,
            promise_status text,
            paid_amount numeric,
            promise_settled_at timestamptz,
            recorded_at timestamptz NOT NULL,
            position bigint NOT NULL UNIQUE,
            PRIMARY KEY (loan_id, number)
        )""",
        # Close of business looks up the open promises whose day is over.
        """CREATE INDEX IF NOT EXISTS collection_open_promises
            ON collection_actions (promised_date) WHERE promise_status = 'open'""",
    )

    @singledispatchmethod
    def handle(self, event: Any, cursor: Cursor[DictRow], position: int) -> None:
        """Other events do not change this read model."""

    @handle.register
    def _(
        self, event: CollectionCase.ActionRecorded, cursor: Cursor[DictRow], position: int
    ) -> None:
        promised = event.promised_amount is not None
        cursor.execute(
            f"INSERT INTO collection_actions ({', '.join(COLUMNS)})"
            f" VALUES ({', '.join(['%s'] * len(COLUMNS))})",
            (
                event.originator_id, event.loan_id, event.number, event.borrower_id,
                event.kind.value, event.outcome, event.note, event.actor, event.value_date,
                event.promised_amount, event.promised_date,
                PromiseStatus.OPEN.value if promised else None, event.timestamp, position,
            ),
        )  # fmt: skip

    @handle.register
    def _(self, event: PromiseSettled, cursor: Cursor[DictRow], position: int) -> None:
        kept = isinstance(event, CollectionCase.PromiseKept)
        status = PromiseStatus.KEPT if kept else PromiseStatus.BROKEN
        cursor.execute(
            "UPDATE collection_actions SET promise_status = %s, paid_amount = %s,"
            " promise_settled_at = %s WHERE loan_id = %s AND number = %s",
            (status.value, event.paid_amount, event.timestamp, event.loan_id,
             event.action_number),
        )  # fmt: skip

    def promises_due(self, day: date) -> list[UUID]:
        """Cases with an open promise whose promised date is before `day`, oldest first."""
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(
                "SELECT case_id FROM collection_actions"
                " WHERE promise_status = 'open' AND promised_date < %s"
                " GROUP BY case_id ORDER BY min(position)",
                (day,),
            )
            return [row["case_id"] for row in cursor.fetchall()]


# Queries, for the GraphQL layer.

LAST_ACTION = """SELECT DISTINCT ON (loan_id) * FROM collection_actions
WHERE loan_id = ANY(%s) ORDER BY loan_id, number DESC"""
OPEN_PROMISE = """SELECT DISTINCT ON (loan_id) * FROM collection_actions
WHERE loan_id = ANY(%s) AND promise_status = 'open' ORDER BY loan_id, promised_date, number"""


async def actions_of_loan(pool: AsyncConnectionPool, loan_id: UUID) -> list[Row]:
    """Every collection action recorded on the loan, oldest first."""
    query = "SELECT * FROM collection_actions WHERE loan_id = %s ORDER BY number"
    return await fetch_all(pool, query, [loan_id])


async def last_actions(pool: AsyncConnectionPool, loan_ids: list[UUID]) -> list[Row | None]:
    """Each loan's latest collection action in turn (None for a loan without one)."""
    return by_key(await fetch_all(pool, LAST_ACTION, [loan_ids]), "loan_id", loan_ids)


async def open_promises(pool: AsyncConnectionPool, loan_ids: list[UUID]) -> list[Row | None]:
    """Each loan's open promise to pay falling due first, in turn (None: no open promise)."""
    return by_key(await fetch_all(pool, OPEN_PROMISE, [loan_ids]), "loan_id", loan_ids)
