"""Read model `notifications`: every reminder and notice decided, and what became of it.

Written by close of business (the installment stages), by the notifier that follows the
store (disbursed, payment received, promise broken, risk warnings for risk officers) and
by the sender (application/notices.py, infrastructure/notice_sender.py). A notice
decided twice is one row: `dedupe_key` is unique (one per installment and stage).

Columns: id (bigserial, the cursor), dedupe_key, loan_id, borrower_id (null for a
staff notice), installment (null for an event stage), stage, channel (sms|email|in_app),
template, recipient_kind (borrower|staff), staff_id (a staff recipient's user id),
recipient (masked: phone 138****5678, email l***@example.com; set once sent), status
(queued|sent|failed|suppressed), reason (why suppressed or failed, or "quiet hours"
while an SMS waits for the morning), business_date (the day it was decided for),
position (the event that called for it; null from close of business), created_at,
send_after (not before: quiet hours, or the next try after a failed send), sent_at,
failures (sends the channel failed so far). No name, phone or email in plaintext.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Tracking
from eventsourcing.postgres import PostgresDatastore
from psycopg_pool import AsyncConnectionPool

from projections.feed_tracking import FeedTracking
from projections.installments import AMOUNT_DUE
from projections.reads import Row, fetch_all

STATUSES = ("queued", "sent", "failed", "suppressed")
SCHEMA = (
    """CREATE TABLE IF NOT EXISTS notifications (
        id bigserial PRIMARY KEY,
        dedupe_key text NOT NULL UNIQUE,
        loan_id uuid,
        borrower_id uuid,
        installment integer,
        stage text NOT NULL,
        channel text NOT NULL,
        template text NOT NULL,
        recipient_kind text NOT NULL DEFAULT 'borrower',
        staff_id text,
        amount numeric,
        due_date date,
        recipient text,
        status text NOT NULL,
        reason text,
        business_date date,
        position bigint,
        created_at timestamptz NOT NULL DEFAULT now(),
        send_after timestamptz,
        sent_at timestamptz,
        failures integer NOT NULL DEFAULT 0
    )""",
    # A store made before failed sends were tried again.
    "ALTER TABLE notifications ADD COLUMN IF NOT EXISTS failures integer NOT NULL DEFAULT 0",
    "CREATE INDEX IF NOT EXISTS notifications_queued ON notifications (id) WHERE status = 'queued'",
    "CREATE INDEX IF NOT EXISTS notifications_by_loan ON notifications (loan_id, id)",
    "CREATE INDEX IF NOT EXISTS notifications_by_borrower ON notifications (borrower_id, id)",
)
# The installments whose stage may fall on a day: due 3 days on, that day, 1, 7, 30 ago.
DUE_INSTALLMENTS = """SELECT i.loan_id, i.number, i.due_date, i.status = 'paid' AS paid,
    l.product_code, l.borrower_id
    FROM installments i JOIN loan_records l ON l.id = i.loan_id
    WHERE i.due_date = ANY(%s) AND l.status IN ('active', 'closed')
    ORDER BY l.product_code, i.loan_id, i.number"""


@dataclass(frozen=True)
class NewNotice:
    dedupe_key: str
    loan_id: UUID | None
    borrower_id: UUID | None
    installment: int | None
    stage: str
    channel: str
    template: str
    status: str = "queued"
    reason: str | None = None
    business_date: date | None = None
    position: int | None = None
    recipient_kind: str = "borrower"
    staff_id: str | None = None
    amount: Decimal | None = None
    due_date: date | None = None


def create_tables(datastore: PostgresDatastore) -> None:
    with datastore.transaction(commit=True) as cursor:
        for statement in SCHEMA:
            cursor.execute(statement)  # type: ignore[arg-type]


_INSERT = (
    "INSERT INTO notifications (dedupe_key, loan_id, borrower_id, installment, stage, "
    "channel, template, status, reason, business_date, position, recipient_kind, staff_id, "
    "amount, due_date) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) "
    "ON CONFLICT (dedupe_key) DO NOTHING"
)


def _rows(notices: Iterable[NewNotice]) -> list[tuple[Any, ...]]:
    return [
        (n.dedupe_key, n.loan_id, n.borrower_id, n.installment, n.stage, n.channel,
         n.template, n.status, n.reason, n.business_date, n.position, n.recipient_kind,
         n.staff_id, n.amount, n.due_date)
        for n in notices
    ]  # fmt: skip


def queue(datastore: PostgresDatastore, notices: Iterable[NewNotice]) -> None:
    """Record the notices decided; one already recorded (same dedupe key) stays as it is."""
    rows = _rows(notices)
    if not rows:
        return
    with datastore.transaction(commit=True) as cursor:
        cursor.executemany(_INSERT, rows)


def queue_tracked(
    tracking: FeedTracking, notices: Iterable[NewNotice], follower: str, position: int
) -> None:
    """The notices a follower of the store decided up to `position`, with its tracking
    row, in one transaction: a crash decides them again, and the dedupe keys keep one."""
    rows = _rows(notices)
    with tracking.datastore.transaction(commit=True) as cursor:
        if rows:
            cursor.executemany(_INSERT, rows)
        tracking._insert_tracking(cursor, Tracking(follower, position))


def due_installments(datastore: PostgresDatastore, days: Collection[date]) -> list[dict[str, Any]]:
    """Installments of active (or since closed) loans due on any of `days`."""
    with datastore.transaction(commit=False) as cursor:
        cursor.execute(DUE_INSTALLMENTS, (sorted(days),))
        return list(cursor.fetchall())


def queued(datastore: PostgresDatastore, now: datetime, limit: int) -> list[dict[str, Any]]:
    """Up to `limit` queued notices that may go out at `now`, oldest first, each with
    whether its installment is paid by now and the loan's product code."""
    with datastore.transaction(commit=False) as cursor:
        cursor.execute(
            "SELECT n.*, coalesce(i.status = 'paid', false) AS paid, l.product_code,"
            f" CASE WHEN i.loan_id IS NULL THEN n.amount ELSE {AMOUNT_DUE} END AS amount_due"
            " FROM notifications n"
            " LEFT JOIN installments i ON i.loan_id = n.loan_id AND i.number = n.installment"
            " LEFT JOIN loan_records l ON l.id = n.loan_id"
            " WHERE n.status = 'queued' AND (n.send_after IS NULL OR n.send_after <= %s)"
            " ORDER BY n.id LIMIT %s",
            (now, limit),
        )
        return list(cursor.fetchall())


@dataclass(frozen=True)
class Settled:
    """What became of notice `id` (queued again with `send_after` in quiet hours or to
    be tried again; `failures`: the failed sends so far)."""

    id: int
    status: str
    reason: str | None
    recipient: str | None = None
    sent_at: datetime | None = None
    send_after: datetime | None = None
    failures: int = 0


# Each notice's outcome, all in one statement.
SETTLE = """UPDATE notifications n SET status = s.status, reason = s.reason,
    recipient = coalesce(s.recipient, n.recipient), sent_at = s.sent_at,
    send_after = s.send_after, failures = s.failures
FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[], %s::timestamptz[],
    %s::timestamptz[], %s::int[]) AS s(id, status, reason, recipient, sent_at, send_after,
    failures)
WHERE n.id = s.id"""


def settle(datastore: PostgresDatastore, settled: list[Settled]) -> None:
    """Record what became of these notices, in one transaction."""
    if not settled:
        return
    columns = list(zip(*((s.id, s.status, s.reason, s.recipient, s.sent_at, s.send_after,
                          s.failures) for s in settled), strict=True))  # fmt: skip
    with datastore.transaction(commit=True) as cursor:
        cursor.execute(SETTLE, [list(column) for column in columns])


def every(datastore: PostgresDatastore) -> list[dict[str, Any]]:
    """Every notice, oldest first (for operators and the tests)."""
    with datastore.transaction(commit=False) as cursor:
        cursor.execute("SELECT * FROM notifications ORDER BY id")
        return list(cursor.fetchall())


async def notifications_page(
    pool: AsyncConnectionPool, loan_id: UUID | None, status: str | None, after: int,
    limit: int, offices: Collection[UUID] | None = None,
) -> list[Row]:  # fmt: skip
    """Up to `limit` notices with an id above `after`, oldest first: of `loan_id` and of
    `status` if given, and only of loans in `offices` (None: every office; staff notices
    about no loan show to every office only)."""
    clauses: list[str] = ["n.id > %s"]
    params: list[Any] = [after]
    if loan_id is not None:
        clauses.append("n.loan_id = %s")
        params.append(loan_id)
    if status is not None:
        clauses.append("n.status = %s")
        params.append(status)
    if offices is not None:
        clauses.append("n.loan_id IN (SELECT id FROM loan_records WHERE office = ANY(%s))")
        params.append(sorted(offices))
    query = (
        "SELECT n.id, n.loan_id, n.borrower_id, n.installment, n.stage, n.channel,"
        " n.template, n.recipient_kind, n.recipient, n.status, n.reason, n.business_date,"
        " n.due_date,"
        " n.created_at, n.send_after, n.sent_at, n.failures FROM notifications n"
        f" WHERE {' AND '.join(clauses)} ORDER BY n.id LIMIT %s"
    )
    return await fetch_all(pool, query, [*params, limit])


async def borrower_notifications(
    pool: AsyncConnectionPool, borrower_id: UUID, limit: int
) -> list[Row]:
    """The borrower's own notices (none to staff), the latest `limit`, oldest first."""
    query = (
        "SELECT * FROM (SELECT n.id, n.loan_id, n.borrower_id, n.installment, n.stage,"
        " n.channel, n.template, n.recipient_kind, n.recipient, n.status, n.reason,"
        " n.business_date, n.due_date, n.created_at, n.send_after, n.sent_at, n.failures"
        " FROM notifications n WHERE n.borrower_id = %s AND n.recipient_kind = 'borrower'"
        " ORDER BY n.id DESC LIMIT %s) latest ORDER BY id"
    )
    return await fetch_all(pool, query, [borrower_id, limit])


def risk_officers(datastore: PostgresDatastore, loan_id: UUID) -> list[str]:
    """The usernames of the active risk officers of the loan's office."""
    with datastore.transaction(commit=False) as cursor:
        cursor.execute(
            "SELECT s.username FROM staff_users s JOIN loan_records l ON l.office = s.office_id"
            " WHERE l.id = %s AND 'risk_officer' = ANY(s.roles) AND s.status = 'active'"
            " ORDER BY s.username",
            (loan_id,),
        )
        return [row["username"] for row in cursor.fetchall()]
