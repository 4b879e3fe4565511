"""The `loan_books` read model's charges, waivers and fee figures, and their queries.

Tables (written by `loan_books` alone, projections/loan_books.py):
  loan_book_charges: one row per fee the loan was charged. loan_id; position (event
    store position of the event that charged it) and line (its place on that event):
    the order charges of one installment are settled in; code, name (as the product
    named it when the loan was applied for), kind (disbursement, installment or
    specified_due_date); installment (null: deducted from the payout); charged_on (value
    date of the disbursement or of the added charge); amount.
  loan_book_waivers: one row per waiver. loan_id, id, component, amount (asked for),
    forgiven (what the ledger last recorded it forgave: its change.waivers), installment
    (null: oldest first), value_date, reason, actor.
  loan_book_refunds: one row per credit refund. loan_id, id, amount, value_date,
    channel, reference, actor.
Columns of loan_books: apr, effective_annual_rate (percent, as the disbursement recorded
  them; null before), fees_deducted, paid_out; fees_collected and fees_outstanding (the
  fee component of the books' paid and outstanding balances after the loan's last money
  event; fees_collected includes the deducted fees); charge_names (code -> name).
Columns of loan_book_segments (and so of arrears_history): fees_collected and
  fees_outstanding, as the books stood over the segment's dates.

Paid and waived are recorded per installment and component, not per charge. A charge's
share is worked out here from its installment's recorded figures, without a rule of its
own (the split domain/loan/charge_shares.py states, which `loan(id, asOf)` applies to
the loan as of a moment; a test holds the two equal): the installment's fee (what it
charges now), then its paid fee, then its paid and waived fee together fill its charges
in (position, line) order; `charged` is the first share, `paid` the second, `waived` the
third less the second, `outstanding` charged less paid and waived. A charge its
installment no longer charges (a payoff ahead of the due dates drops the later
installments) is charged, paid and owed nothing. A deducted charge is paid in full at
payout. Fee an installment charges beyond its charges (a late fee) comes after them.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.types.json import Jsonb
from psycopg_pool import AsyncConnectionPool

from projections.reads import Row, by_key, fetch_all, grouped

LOAN_COLUMNS = (
    "apr numeric", "effective_annual_rate numeric", "fees_deducted numeric",
    "paid_out numeric", "fees_collected numeric", "fees_outstanding numeric",
    "charge_names jsonb",
)  # fmt: skip
TABLES = ("loan_book_charges", "loan_book_waivers", "loan_book_refunds")
# What each segment of the loan's history copies of its fee columns (null in segments
# recorded before them).
SEGMENT_FEES = ("fees_collected", "fees_outstanding")
SCHEMA = (
    *(f"ALTER TABLE loan_books ADD COLUMN IF NOT EXISTS {column}" for column in LOAN_COLUMNS),
    *(f"ALTER TABLE loan_book_segments ADD COLUMN IF NOT EXISTS {c} numeric" for c in SEGMENT_FEES),
    """CREATE TABLE IF NOT EXISTS loan_book_charges (
        loan_id uuid NOT NULL,
        position bigint NOT NULL,
        line integer NOT NULL,
        code text NOT NULL,
        name text,
        kind text NOT NULL,
        installment integer,
        charged_on date NOT NULL,
        amount numeric NOT NULL,
        PRIMARY KEY (loan_id, position, line)
    )""",
    """CREATE TABLE IF NOT EXISTS loan_book_waivers (
        loan_id uuid NOT NULL,
        id text NOT NULL,
        component text NOT NULL,
        amount numeric NOT NULL,
        forgiven numeric NOT NULL,
        installment integer,
        value_date date NOT NULL,
        reason text NOT NULL,
        actor text NOT NULL,
        PRIMARY KEY (loan_id, id)
    )""",
    """CREATE TABLE IF NOT EXISTS loan_book_refunds (
        loan_id uuid NOT NULL,
        id text NOT NULL,
        amount numeric NOT NULL,
        value_date date NOT NULL,
        channel text NOT NULL,
        reference text NOT NULL,
        actor text NOT NULL,
        PRIMARY KEY (loan_id, id)
    )""",
)
INSERT_CHARGE = """INSERT INTO loan_book_charges
    (loan_id, position, line, code, name, kind, installment, charged_on, amount)
    VALUES (%s, %s, %s, %s,
        (SELECT charge_names ->> %s FROM loan_books WHERE loan_id = %s), %s, %s, %s, %s)
    ON CONFLICT DO NOTHING"""


def applied(cursor: Cursor[DictRow], event: Any) -> None:
    """The names of the product's charges, as the application carried them."""
    names = {c.code: c.name for c in getattr(event.application.product, "charges", ())}
    cursor.execute(
        "UPDATE loan_books SET charge_names = %s WHERE loan_id = %s",
        (Jsonb(names), event.originator_id),
    )


def disbursed(cursor: Cursor[DictRow], event: Any, position: int) -> dict[str, Any]:
    """The disbursement's fee lines; the loan's columns it sets."""
    loan = event.originator_id
    cursor.executemany(
        INSERT_CHARGE,
        [(loan, position, line, fee.code, fee.code, loan, str(fee.kind), fee.installment,
          event.value_date, fee.amount) for line, fee in enumerate(getattr(event, "fees", ()))],
    )  # fmt: skip
    rates = {"apr": getattr(event, "apr", None),
             "effective_annual_rate": getattr(event, "effective_annual_rate", None)}  # fmt: skip
    if not getattr(event, "fees", ()) and rates["apr"] is None:
        return {}
    return rates | {"fees_deducted": event.fees_deducted, "paid_out": event.paid_out}


def charge_added(cursor: Cursor[DictRow], event: Any, position: int) -> None:
    loan, charge = event.originator_id, event.charge
    cursor.execute(
        INSERT_CHARGE,
        (loan, position, 0, event.code, event.code, loan, "specified_due_date",
         charge.installment, event.value_date, charge.amount),
    )  # fmt: skip
    cursor.execute(
        "UPDATE loan_book_charges SET name = %s WHERE loan_id = %s AND position = %s",
        (event.name, loan, position),
    )


def waived(cursor: Cursor[DictRow], event: Any) -> None:
    waiver = event.waiver
    cursor.execute(
        """INSERT INTO loan_book_waivers (loan_id, id, component, amount, forgiven,
            installment, value_date, reason, actor)
        VALUES (%s, %s, %s, %s, 0, %s, %s, %s, %s) ON CONFLICT DO NOTHING""",
        (event.originator_id, waiver.id, str(waiver.component), waiver.amount,
         waiver.installment, event.value_date, event.reason, event.actor),
    )  # fmt: skip


def refunded(cursor: Cursor[DictRow], event: Any) -> None:
    refund = event.refund
    cursor.execute(
        """INSERT INTO loan_book_refunds (loan_id, id, amount, value_date, channel,
            reference, actor) VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING""",
        (event.originator_id, refund.id, refund.amount, refund.value_date, refund.channel,
         refund.reference, event.actor),
    )  # fmt: skip


def forgiven(cursor: Cursor[DictRow], event: Any) -> None:
    """What each waiver the event's change recorded now forgives."""
    results = getattr(event.change, "waivers", ())
    cursor.executemany(
        "UPDATE loan_book_waivers SET forgiven = %s WHERE loan_id = %s AND id = %s",
        [(result.waived, event.originator_id, result.waiver_id) for result in results],
    )


def fee_figures(balances: Any) -> dict[str, Any]:
    """The fee columns, as the event's balances recorded them."""
    return {"fees_collected": balances.paid.fee, "fees_outstanding": balances.outstanding.fee}


CHARGES = """WITH c AS (
    SELECT ch.*, coalesce(i.due_date, ch.charged_on) AS due_date,
        coalesce(i.fee, ch.amount * 0) AS fee, coalesce(i.paid_fee, ch.amount * 0) AS paid_fee,
        coalesce(i.fee - i.owed_fee, ch.amount * 0) AS settled_fee,
        coalesce(sum(ch.amount) OVER (PARTITION BY ch.loan_id, ch.installment
            ORDER BY ch.position, ch.line ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING),
            ch.amount * 0) AS before
    FROM loan_book_charges ch LEFT JOIN loan_book_installments i
        ON i.loan_id = ch.loan_id AND i.number = ch.installment
    WHERE ch.loan_id = ANY(%s)),
d AS (
    SELECT c.*, CASE WHEN installment IS NULL THEN amount
        ELSE least(amount, greatest(fee - before, amount * 0)) END AS charged
    FROM c),
s AS (
    SELECT d.*, CASE WHEN installment IS NULL THEN amount
            ELSE least(charged, greatest(paid_fee - before, amount * 0)) END AS paid,
        CASE WHEN installment IS NULL THEN amount
            ELSE least(charged, greatest(settled_fee - before, amount * 0)) END AS settled
    FROM d)
SELECT loan_id, code, name, kind, installment, due_date, amount, charged, paid,
    settled - paid AS waived, charged - settled AS outstanding
FROM s ORDER BY loan_id, installment NULLS FIRST, position, line"""


async def charges_of_loans(pool: AsyncConnectionPool, loan_ids: list[UUID]) -> list[list[Row]]:
    """Each loan's charges in turn, with what of each is paid, waived and outstanding."""
    return grouped(await fetch_all(pool, CHARGES, [loan_ids]), "loan_id", loan_ids)


async def waivers_of_loans(pool: AsyncConnectionPool, loan_ids: list[UUID]) -> list[list[Row]]:
    rows = await fetch_all(
        pool,
        "SELECT * FROM loan_book_waivers WHERE loan_id = ANY(%s) ORDER BY loan_id, value_date, id",
        [loan_ids],
    )
    return grouped(rows, "loan_id", loan_ids)


async def fees_of_loans(pool: AsyncConnectionPool, loan_ids: list[UUID]) -> list[Row | None]:
    """Each loan's APR, effective annual rate, deducted fees and payout (None: no books)."""
    rows = await fetch_all(
        pool,
        "SELECT loan_id, apr, effective_annual_rate, fees_deducted, paid_out"
        " FROM loan_books WHERE loan_id = ANY(%s)",
        [loan_ids],
    )
    return by_key(rows, "loan_id", loan_ids)
