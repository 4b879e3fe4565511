"""The `flows` report (projections/reports.py): what moved in each month of the period,
from the month-end positions (projections/report_positions.py) and the installments.

Per month end: loans disbursed (count, amount); collected: everything repaid, the
principal and fee parts of it and the rest (interest and penalty); due: principal,
interest, fees and penalty of installments due in the month, the part of it paid
(as now allocated, on either basis) and the collection rate (paid ÷ due); new overdue
(active loans current at the month end before and past due at this one: count,
principal), cured (past due before, current now), written off (count; the principal
outstanding at the month end before) and recovered (collected on loans written off by
the month end before).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from psycopg import sql
from psycopg_pool import AsyncConnectionPool

from domain.arrears import principal_share as share
from projections.reads import Row, fetch_all
from projections.report_positions import DATE, INT, MONEY, RATIO, TEXT, previous_end, selected

COLUMNS = (
    ("disbursed_count", INT), ("disbursed_amount", MONEY), ("collected", MONEY),
    ("collected_principal", MONEY), ("collected_fees", MONEY),
    ("collected_interest_and_penalty", MONEY), ("due", MONEY), ("paid_of_due", MONEY),
    ("collection_rate", RATIO), ("new_overdue_count", INT), ("new_overdue_principal", MONEY),
    ("cured_count", INT), ("cured_principal", MONEY), ("written_off_count", INT),
    ("written_off_principal", MONEY), ("recovered", MONEY),
)  # fmt: skip


async def due_in_months(
    pool: AsyncConnectionPool,
    ends: Sequence[date],
    dimensions: Sequence[str],
    offices: Collection[UUID] | None,
) -> list[Row]:
    """Per month end and group: what installments due in the month asked for, and what
    has been paid of them."""
    if not ends:
        return []
    dims, where = selected("b", dimensions, offices)
    query = sql.SQL(
        "SELECT e.month_end, {columns} sum(i.principal + i.interest + i.fee + i.penalty) AS due,"
        " sum(i.paid_principal + i.paid_interest + i.paid_fee + i.paid_penalty) AS paid"
        " FROM unnest(%(ends)s::date[], %(prevs)s::date[]) AS e(month_end, prev_end)"
        " JOIN loan_book_installments i ON i.due_date > e.prev_end AND i.due_date <= e.month_end"
        " JOIN loan_books b ON b.loan_id = i.loan_id"
        " JOIN loan_records o ON o.id = b.loan_id WHERE true{where} GROUP BY {groups}"
    ).format(
        columns=sql.SQL("").join(sql.Composed([d, sql.SQL(", ")]) for d in dims),
        where=where,
        groups=sql.SQL(", ").join(sql.Literal(n) for n in range(1, 2 + len(dimensions))),
    )
    params: dict[str, Any] = {"ends": list(ends), "prevs": [previous_end(e) for e in ends]}
    if offices is not None:
        params["offices"] = sorted(offices)
    return await fetch_all(pool, query, params)


DUE = due_in_months


def _moved(row: Row, totals: dict[str, Decimal]) -> None:
    """Add what one group of positions moved in its month to `totals`."""
    was, now = row["prev_status"], row["status"]
    collected = row["collected"] - row["prev_collected"]
    if was is None:
        totals["disbursed_count"] += row["loans"]
        totals["disbursed_amount"] += row["disbursed"]
        before = row["disbursed"]
    else:
        before = row["prev_principal"]
    if was == "written_off":
        totals["recovered"] += collected
    elif now == "written_off":
        totals["written_off_count"] += row["loans"]
        totals["written_off_principal"] += before
    else:
        totals["collected_principal"] += before - row["principal"]
    totals["collected"] += collected
    totals["collected_fees"] += row["fees_collected"] - row["prev_fees_collected"]
    if was == "active" and now == "active":
        if row["prev_bucket"] == "current" and row["bucket"] != "current":
            totals["new_overdue_count"] += row["loans"]
            totals["new_overdue_principal"] += row["principal"]
        elif row["prev_bucket"] != "current" and row["bucket"] == "current":
            totals["cured_count"] += row["loans"]
            totals["cured_principal"] += row["principal"]


def flows(
    request: Any, rows: list[Row], due: list[Row]
) -> tuple[list[tuple[str, str]], list[list[Any]]]:
    names = tuple(request.group_by)
    columns = [("month_end", DATE), *((d, TEXT) for d in names), *COLUMNS]
    totals: dict[tuple[Any, ...], dict[str, Decimal]] = defaultdict(
        lambda: {name: Decimal(0) for name, _ in COLUMNS}
    )
    for row in rows:
        _moved(row, totals[(row["month_end"], *(row[d] for d in names))])
    for row in due:
        found = totals[(row["month_end"], *(row[d] for d in names))]
        found["due"] += row["due"]
        found["paid_of_due"] += row["paid"]
    out = []
    for key in sorted(totals, key=lambda k: [str(part) for part in k]):
        found = totals[key]
        found["collected_interest_and_penalty"] = (
            found["collected"] - found["collected_principal"] - found["collected_fees"]
        )
        found["collection_rate"] = share(min(found["paid_of_due"], found["due"]), found["due"])
        out.append([*key, *(int(found[n]) if k == INT else found[n] for n, k in COLUMNS)])
    return columns, out
