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
from decimal import Decimal
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
ENDS = "unnest(%(ends)s::date[], %(prevs)s::date[]) AS e(month_end, prev_end)"
HOLDS = "{0}.valid_from <= {1} AND ({0}.valid_to IS NULL OR {0}.valid_to > {1})"


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


def recorded_query(
    ends: Sequence[date], dimensions: Sequence[str], offices: Collection[UUID] | None
) -> tuple[sql.Composed, dict[str, Any]]:
    """The grouped positions at `ends` (and the month end before each), as recorded."""
    dims, where = selected("h", dimensions, offices)
    keys = [sql.SQL(f"h.{k}") for k in KEYS[:4]] + [
        sql.SQL("p.status AS prev_status"), sql.SQL("p.bucket AS prev_bucket")
    ]  # fmt: skip
    query = sql.SQL(
        "SELECT e.month_end, e.prev_end, {columns}, count(*) AS loans,"
        " sum(h.outstanding_principal) AS principal,"
        " coalesce(sum(p.outstanding_principal), 0) AS prev_principal,"
        " sum(h.disbursed_amount) AS disbursed, sum(h.collected_amount) AS collected,"
        " coalesce(sum(p.collected_amount), 0) AS prev_collected,"
        " coalesce(sum(h.fees_collected), 0) AS fees_collected,"
        " coalesce(sum(p.fees_collected), 0) AS prev_fees_collected"
        " FROM {ends} JOIN loan_book_segments h ON {holds}"
        " LEFT JOIN loan_book_segments p ON p.loan_id = h.loan_id AND {prev}"
        " JOIN loan_records o ON o.id = h.loan_id WHERE true{where}"
        " GROUP BY {groups}"
    ).format(
        columns=sql.SQL(", ").join([*dims, *keys]),
        ends=sql.SQL(ENDS),
        holds=sql.SQL(HOLDS.format("h", "e.month_end")),
        prev=sql.SQL(HOLDS.format("p", "e.prev_end")),
        where=where,
        groups=sql.SQL(", ").join(
            sql.Literal(n) for n in range(1, 3 + len(dimensions) + len(KEYS))
        ),
    )
    return query, _params(ends, offices)


def _params(ends: Sequence[date], offices: Collection[UUID] | None) -> dict[str, Any]:
    params: dict[str, Any] = {"ends": list(ends), "prevs": [previous_end(e) for e in ends]}
    if offices is not None:
        params["offices"] = sorted(offices)
    return params


def current_query(
    ends: Sequence[date], dimensions: Sequence[str], offices: Collection[UUID] | None
) -> tuple[sql.Composed, dict[str, Any]]:
    """Each loan disbursed by each of `ends` (and the month ends before them), with
    what is known now of its principal and DPD basis on that date."""
    dims, where = selected("b", dimensions, offices)
    query = sql.SQL(
        "SELECT e.month_end, b.loan_id, {columns}, b.disbursement_month, b.disbursed_amount,"
        " (b.written_off_on IS NOT NULL AND b.written_off_on <= e.month_end) AS written_off,"
        " b.disbursed_amount - (SELECT coalesce(sum(r.principal), 0) FROM repayments r"
        "   WHERE r.loan_id = b.loan_id AND r.status = 'received'"
        "   AND r.value_date <= e.month_end) AS principal, paid.*,"
        " (SELECT min(i.due_date) FROM loan_book_installments i WHERE i.loan_id = b.loan_id"
        "   AND (i.owed_principal + i.owed_interest > 0 OR i.paid_off_on > e.month_end))"
        "   AS oldest_unpaid"
        " FROM unnest(%(days)s::date[]) AS e(month_end)"
        " JOIN loan_books b ON b.position IS NOT NULL AND b.disbursed_on <= e.month_end"
        " CROSS JOIN LATERAL (SELECT"
        "   coalesce(sum(r.principal + r.interest + r.fee + r.penalty), 0) AS collected,"
        "   coalesce(sum(r.fee), 0) AS fees_collected FROM repayments r"
        "   WHERE r.loan_id = b.loan_id AND r.status = 'received'"
        "   AND r.value_date <= e.month_end) AS paid"
        " JOIN loan_records o ON o.id = b.loan_id WHERE true{where}"
    ).format(columns=sql.SQL(", ").join(dims) if dims else sql.SQL("1 AS one"), where=where)
    params = _params(ends, offices)
    params["days"] = sorted(set(ends) | set(params["prevs"]))
    return query, params


def previous_end(month_end: date) -> date:
    """The month end before `month_end`."""
    return month_end.replace(day=1) - timedelta(days=1)


def _known_now(row: Row) -> tuple[str, str, str, Decimal, Decimal, Decimal]:
    """status, bucket, classification, outstanding principal, collected and fees
    collected of a current-basis row."""
    if row["written_off"]:
        status, principal = "written_off", Decimal(0)
    else:
        principal = row["principal"]
        status = "active" if principal > 0 else "closed"
    oldest = row["oldest_unpaid"] if status != "closed" else None
    day = row["month_end"]
    (stage,) = delinquency_over(oldest, day, day + timedelta(days=1))
    bucket, tier = stage.bucket.value, stage.classification.value
    return status, bucket, tier, principal, row["collected"], row["fees_collected"]


def group_current(rows: list[Row], ends: Sequence[date], dimensions: Sequence[str]) -> list[Row]:
    """The per-loan rows of `current_query` summed as `recorded_query` sums its rows."""
    at: dict[tuple[date, Any], tuple[str, str, str, Decimal, Decimal, Decimal]] = {}
    for row in rows:
        at[(row["month_end"], row["loan_id"])] = _known_now(row)
    groups: dict[tuple[Any, ...], list[Any]] = defaultdict(lambda: [0] * len(SUMS))
    wanted = set(ends)
    for row in rows:
        day = row["month_end"]
        if day not in wanted:
            continue
        status, bucket, tier, principal, collected, fees = at[(day, row["loan_id"])]
        prev = at.get((previous_end(day), row["loan_id"]))
        key = (
            day, previous_end(day), *(row[d] for d in dimensions), row["disbursement_month"],
            status, bucket, tier, prev[0] if prev else None, prev[1] if prev else None,
        )  # fmt: skip
        before = prev[3:] if prev else (0, 0, 0)
        added = (1, principal, before[0], row["disbursed_amount"], collected, before[1], fees,
                 before[2])  # fmt: skip
        groups[key] = [total + more for total, more in zip(groups[key], added, strict=True)]
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
        return group_current(await fetch_all(pool, query, params), ends, dimensions)
    query, params = recorded_query(ends, dimensions, offices)
    return await fetch_all(pool, query, params)
