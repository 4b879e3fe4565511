"""Read model `repayments`: one row per payment received, with how it was allocated.

Columns analysts can rely on:
  id, loan_id, amount, value_date, channel, external_reference, masked_payer (the
  payer's name as `domain.masking.mask_name` shows it; empty when none was given; the
  full name stays in the event store, see application/contacts.py), prepayment
  (reduce_term|reduce_installment or null), status (received|reversed),
  principal, interest, fee, penalty (what the payment paid of each, as currently
  allocated: a backdated payment or a reversal can change a later payment's split),
  credit (what it left as overpayment credit), reversal_reason, received_at,
  updated_at, position (event store position of the receipt; orders the list).
Tables made before payers left them (a `payer` column) are built again from the store.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import singledispatchmethod
from typing import Any
from uuid import UUID

from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg_pool import AsyncConnectionPool

from domain.ledger import Component, PaymentResult
from domain.loan import BooksChanged
from domain.masking import mask_name
from domain.repayment import Repayment, RepaymentStatus
from projections.base import ReadModel
from projections.migrations import drop_if_it_has
from projections.reads import Row, fetch_all, grouped


class RepaymentsView(ReadModel):
    name = "repayments"
    tables = ("repayments",)
    schema = (
        drop_if_it_has("repayments", "payer"),
        """CREATE TABLE IF NOT EXISTS repayments (
            id uuid PRIMARY KEY,
            loan_id uuid NOT NULL,
            amount numeric NOT NULL,
            value_date date NOT NULL,
            channel text NOT NULL,
            external_reference text NOT NULL,
            masked_payer text NOT NULL,
            prepayment text,
            status text NOT NULL,
            principal numeric NOT NULL,
            interest numeric NOT NULL,
            fee numeric NOT NULL,
            penalty numeric NOT NULL,
            credit numeric NOT NULL,
            reversal_reason text,
            received_at timestamptz NOT NULL,
            updated_at timestamptz NOT NULL,
            position bigint NOT NULL UNIQUE
        )""",
        "CREATE INDEX IF NOT EXISTS repayments_loan ON repayments (loan_id, value_date)",
    )

    @singledispatchmethod
    def handle(self, event: Any, cursor: Cursor[DictRow], position: int) -> None:
        """Other events do not change this read model."""

    @handle.register
    def _(self, event: Repayment.Received, cursor: Cursor[DictRow], position: int) -> None:
        receipt = event.receipt
        zero = receipt.amount * 0  # 0 at the amount's minor unit: "0.00"
        cursor.execute(
            """INSERT INTO repayments (id, loan_id, amount, value_date, channel,
                external_reference, masked_payer, prepayment, status, principal, interest, fee,
                penalty, credit, received_at, updated_at, position)
            VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)""",
            (
                event.originator_id, receipt.loan_id, receipt.amount, receipt.value_date,
                receipt.channel, receipt.external_reference, mask_name(receipt.payer),
                receipt.prepayment.value if receipt.prepayment else None,
                RepaymentStatus.RECEIVED.value, zero, zero, zero, zero, zero,
                event.timestamp, event.timestamp, position,
            ),
        )  # fmt: skip

    @handle.register
    def _(self, event: Repayment.Reversed, cursor: Cursor[DictRow], position: int) -> None:
        cursor.execute(
            """UPDATE repayments SET status = %s, reversal_reason = %s, principal = amount * 0,
                interest = amount * 0, fee = amount * 0, penalty = amount * 0,
                credit = amount * 0, updated_at = %s WHERE id = %s""",
            (RepaymentStatus.REVERSED.value, event.reason, event.timestamp, event.originator_id),
        )

    @handle.register
    def _(self, event: BooksChanged, cursor: Cursor[DictRow], position: int) -> None:
        self.allocations(cursor, event.change.results, event)

    @staticmethod
    def allocations(cursor: Cursor[DictRow], results: Iterable[PaymentResult], event: Any) -> None:
        rows = []
        for result in results:
            split = dict.fromkeys(Component, result.credit * 0)  # "0.00", not "0"
            for allocation in result.allocations:
                split[allocation.component] += allocation.amount
            rows.append(
                (split[Component.PRINCIPAL], split[Component.INTEREST], split[Component.FEE],
                 split[Component.PENALTY], result.credit, event.timestamp, result.payment_id)
            )  # fmt: skip
        cursor.executemany(
            """UPDATE repayments SET principal = %s, interest = %s, fee = %s, penalty = %s,
                credit = %s, updated_at = %s WHERE id = %s""",
            rows,
        )


async def repayments_of_loans(pool: AsyncConnectionPool, loan_ids: list[UUID]) -> list[list[Row]]:
    """Each loan's repayments in turn, reversed ones included, by value date."""
    query = "SELECT * FROM repayments WHERE loan_id = ANY(%s) ORDER BY value_date, position"
    return grouped(await fetch_all(pool, query, [loan_ids]), "loan_id", loan_ids)
