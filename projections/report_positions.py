"""Each loan's position at month ends, summed, for the management reports
(projections/reports.py): outstanding principal by status, bucket and classification at
each month end, beside the same loans' position at the month end before it.

Two bases:
  recorded: the books as they stood at the close of each month end, as recorded then:
    the `loan_book_segments` row holding the date (projections/as_of.py), with the
    bucket and tier the read model recorded for it. A payment recorded later with an
    earlier value date leaves these figures as they were.
  current: the month end as known now: everything valued on or before it, whenever it
    was recorded. Outstanding principal is the disbursed amount less the principal of
    payments valued by then (`repayments`, as now allocated; nil once written off by
    then); the DPD basis the earliest due date of an installment then unpaid (principal
    or interest still owed, or cleared by a payment valued later); the bucket and tier
    are what domain.loan.delinquency says of that basis on the date.

Rows (one per group): month_end, prev_end, the dimensions asked for,
disbursement_month, status, bucket, classification, prev_status, prev_bucket (null when
not yet disbursed at prev_end), loans, principal, prev_principal, disbursed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from psycopg import sql
from psycopg_pool import AsyncConnectionPool

from domain.loan.delinquency import delinquency_over
from projections.reads import Row, fetch_all

# Column kinds: how exports type each cell.
DATE, TEXT, INT, MONEY, RATIO = "date", "text", "int", "money", "ratio"
# Report dimension -> column of loan_book_segments / loan_books (office: loan_records).
DIMENSIONS = {
    "office": "office",
    "product": "product_code",
    "region": "region",
    "officer": "officer",
}
KEYS = ("disbursement_month", "status", "bucket", "classification", "prev_status",
        "prev_bucket")  # fmt: skip
SUMS = ("loans", "principal", "prev_principal", "disbursed", "collected", "prev_collected",
        "fees_collected", "prev_fees_collected")  # fmt: skip


def _dimension(alias: str, name: str) -> sql.Composable:
    if name == "office":
        return sql.SQL("o.office")
    return sql.SQL("{}.{}").format(sql.Identifier(alias), sql.Identifier(DIMENSIONS[name]))


def selected(
    alias: str, dimensions: Sequence[str], offices: Collection[UUID] | None
) -> tuple[list[sql.Composable], sql.Composable]:
    """The dimensions' columns, and the filter to the offices of the caller's reach."""
    dims = [sql.SQL("{} AS {}").format(_dimension(alias, d), sql.Identifier(d)) for d in dimensions]
    return dims, sql.SQL(" AND o.office = ANY(%(offices)s)" if offices is not None else "")


# Each loan at each day as recorded: the segment holding the day.
RECORDED = """WITH at AS (SELECT d.day, h.loan_id, {columns} h.disbursement_month, h.status,
        h.bucket, h.classification, h.outstanding_principal AS principal, h.disbursed_amount,
        h.collected_amount AS collected, coalesce(h.fees_collected, 0) AS fees
    FROM unnest(%(days)s::date[]) AS d(day)
    JOIN loan_book_segments h ON h.valid_from <= d.day
        AND (h.valid_to IS NULL OR h.valid_to > d.day)
    JOIN loan_records o ON o.id = h.loan_id WHERE true{where})"""
# The loans at each month end beside themselves at the month end before, summed.
SUMMED = """SELECT e.month_end, e.prev_end, {names} h.disbursement_month, h.status, {keys}
    count(*) AS loans, sum(h.principal) AS principal,
    coalesce(sum(p.principal), 0) AS prev_principal, sum(h.disbursed_amount) AS disbursed,
    sum(h.collected) AS collected, coalesce(sum(p.collected), 0) AS prev_collected,
    sum(h.fees) AS fees_collected, coalesce(sum(p.fees), 0) AS prev_fees_collected
FROM unnest(%(ends)s::date[], %(prevs)s::date[]) AS e(month_end, prev_end)
JOIN at h ON h.day = e.month_end
LEFT JOIN at p ON p.day = e.prev_end AND p.loan_id = h.loan_id
GROUP BY {groups}"""
RECORDED_KEYS = "h.bucket, h.classification, p.status AS prev_status, p.bucket AS prev_bucket,"
CURRENT_KEYS = "h.oldest, p.status AS prev_status, p.oldest AS prev_oldest,"


def summed_query(
    within: tuple[str, str, str], ends: Sequence[date], dimensions: Sequence[str],
    offices: Collection[UUID] | None,
) -> tuple[sql.Composed, dict[str, Any]]:  # fmt: skip
    """`within`: the loans at each day (`at`), the alias of its loans' table and the keys
    it is summed by, at `ends` beside the month ends before them."""
    within, alias, keys = within
    dims, where = selected(alias, dimensions, offices)
    query = sql.SQL(within + "\n" + SUMMED).format(
        columns=sql.SQL("").join(sql.Composed([d, sql.SQL(", ")]) for d in dims),
        where=where,
        names=sql.SQL("").join(
            sql.Composed([sql.Identifier("h", d), sql.SQL(", ")]) for d in dimensions
        ),
        keys=sql.SQL(keys),
        groups=sql.SQL(", ").join(
            sql.Literal(n) for n in range(1, 5 + len(dimensions) + keys.count(","))
        ),
    )
    params = _params(ends, offices)
    params["days"] = sorted(set(ends) | set(params["prevs"]))
    return query, params


def recorded_query(
    ends: Sequence[date], dimensions: Sequence[str], offices: Collection[UUID] | None
) -> tuple[sql.Composed, dict[str, Any]]:
    """The grouped positions at `ends` (and the month end before each), as recorded."""
    return summed_query((RECORDED, "h", RECORDED_KEYS), ends, dimensions, offices)


def _params(ends: Sequence[date], offices: Collection[UUID] | None) -> dict[str, Any]:
    params: dict[str, Any] = {"ends": list(ends), "prevs": [previous_end(e) for e in ends]}
    if offices is not None:
        params["offices"] = sorted(offices)
    return params


# Each loan at each day as known now: its principal less the principal of payments
# valued by then (nil once written off by then), and its DPD basis: the earliest due date
# of an installment still unpaid (the loan's own, as its books recorded it), or cleared
# by a payment valued after the day.
CURRENT = """WITH days(day) AS (SELECT unnest(%(days)s::date[])),
paid AS (SELECT d.day, r.loan_id, sum(r.principal) AS principal,
        sum(r.principal + r.interest + r.fee + r.penalty) AS collected, sum(r.fee) AS fees
    FROM days d JOIN repayments r ON r.status = 'received' AND r.value_date <= d.day
    GROUP BY 1, 2),
cleared AS (SELECT d.day, i.loan_id, min(i.due_date) AS oldest
    FROM (SELECT loan_id, due_date, paid_off_on FROM loan_book_installments
        WHERE paid_off_on > (SELECT min(day) FROM days)) i
    JOIN days d ON i.paid_off_on > d.day GROUP BY 1, 2),
at AS (SELECT d.day, b.loan_id, {columns} b.disbursement_month, b.disbursed_amount,
        CASE WHEN b.written_off_on <= d.day THEN 'written_off'
            WHEN b.disbursed_amount > coalesce(p.principal, 0) THEN 'active'
            ELSE 'closed' END AS status,
        CASE WHEN b.written_off_on <= d.day THEN 0
            ELSE b.disbursed_amount - coalesce(p.principal, 0) END AS principal,
        coalesce(p.collected, 0) AS collected, coalesce(p.fees, 0) AS fees,
        least(b.oldest_unpaid_due_date, c.oldest) AS oldest
    FROM days d JOIN loan_books b ON b.position IS NOT NULL AND b.disbursed_on <= d.day
    JOIN loan_records o ON o.id = b.loan_id
    LEFT JOIN paid p ON p.day = d.day AND p.loan_id = b.loan_id
    LEFT JOIN cleared c ON c.day = d.day AND c.loan_id = b.loan_id
    WHERE true{where})"""


def current_query(
    ends: Sequence[date], dimensions: Sequence[str], offices: Collection[UUID] | None
) -> tuple[sql.Composed, dict[str, Any]]:
    """The loans disbursed by each of `ends` (and the month ends before them) summed by
    what is known now of their status, principal and DPD basis on those dates."""
    return summed_query((CURRENT, "b", CURRENT_KEYS), ends, dimensions, offices)


def previous_end(month_end: date) -> date:
    """The month end before `month_end`."""
    return month_end.replace(day=1) - timedelta(days=1)


def _stage(oldest: date | None, day: date) -> tuple[str, str]:
    """The bucket and tier domain.loan.delinquency gives the DPD basis `oldest` on `day`."""
    (stage,) = delinquency_over(oldest, day, day + timedelta(days=1))
    return stage.bucket.value, stage.classification.value


def group_current(rows: list[Row], dimensions: Sequence[str]) -> list[Row]:
    """The rows of `current_query`, their DPD bases turned into buckets and tiers, summed
    as `recorded_query` sums its rows."""
    groups: dict[tuple[Any, ...], list[Any]] = defaultdict(lambda: [0] * len(SUMS))
    for row in rows:
        day, status = row["month_end"], row["status"]
        bucket, tier = _stage(row["oldest"] if status != "closed" else None, day)
        prev_bucket = None
        if row["prev_status"] is not None:
            before = row["prev_oldest"] if row["prev_status"] != "closed" else None
            prev_bucket = _stage(before, row["prev_end"])[0]
        key = (
            day, row["prev_end"], *(row[d] for d in dimensions), row["disbursement_month"],
            status, bucket, tier, row["prev_status"], prev_bucket,
        )  # fmt: skip
        groups[key] = [total + row[name] for total, name in zip(groups[key], SUMS, strict=True)]
    names = ("month_end", "prev_end", *dimensions, *KEYS)
    return [
        dict(zip(names, key, strict=True)) | dict(zip(SUMS, sums, strict=True))
        for key, sums in groups.items()
    ]


async def positions(
    pool: AsyncConnectionPool,
    ends: Sequence[date],
    dimensions: Sequence[str],
    offices: Collection[UUID] | None,
    current: bool,
) -> list[Row]:
    """The grouped positions at `ends`, as recorded or (`current`) as known now."""
    if not ends:
        return []
    if current:
        query, params = current_query(ends, dimensions, offices)
        return group_current(await fetch_all(pool, query, params), dimensions)
    query, params = recorded_query(ends, dimensions, offices)
    return await fetch_all(pool, query, params)
