"""The `collector_performance` report (projections/reports.py): per collector (the
actor who recorded the actions), from the `collections` and `repayments` read models.

Per collector (and group): actions recorded in the period (by their business date);
promises made, kept and broken (as close of business judged them; still open ones are
neither), and promised_amount; kept_rate (kept ÷ judged); collected_after_action: what
the loans received (payments valued in the period, as now allocated) from the day of a
collector's action until the loan's next action, each payment counted once, for the
latest action before it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from psycopg import sql
from psycopg_pool import AsyncConnectionPool

from domain.arrears import principal_share as share
from projections.reads import Row, fetch_all
from projections.report_positions import INT, MONEY, RATIO, TEXT, selected

COLUMNS = (
    ("collector", TEXT), ("actions", INT), ("promises_made", INT), ("promises_kept", INT),
    ("promises_broken", INT), ("promised_amount", MONEY), ("kept_rate", RATIO),
    ("collected_after_action", MONEY),
)  # fmt: skip
ACTIONS = """SELECT {columns} c.actor AS collector, count(*) AS actions,
    count(c.promised_amount) AS promises_made,
    count(*) FILTER (WHERE c.promise_status = 'kept') AS promises_kept,
    count(*) FILTER (WHERE c.promise_status = 'broken') AS promises_broken,
    coalesce(sum(c.promised_amount), 0) AS promised_amount
FROM collection_actions c JOIN loan_records o ON o.id = c.loan_id
WHERE c.action_date BETWEEN %(start)s AND %(end)s{where} GROUP BY {groups}"""
# Each payment valued in the period, for the latest action on its loan on or before it.
AFTER = """SELECT {columns} last.actor AS collector,
    sum(r.principal + r.interest + r.fee + r.penalty) AS collected
FROM repayments r JOIN loan_records o ON o.id = r.loan_id
CROSS JOIN LATERAL (SELECT c.actor FROM collection_actions c WHERE c.loan_id = r.loan_id
    AND c.action_date BETWEEN %(start)s AND r.value_date
    ORDER BY c.action_date DESC, c.number DESC LIMIT 1) AS last
WHERE r.status = 'received' AND r.value_date BETWEEN %(start)s AND %(end)s{where}
GROUP BY {groups}"""


async def collector_performance(
    pool: AsyncConnectionPool, request: Any
) -> tuple[list[tuple[str, str]], list[list[Any]]]:
    """The report's columns and rows for `request` (a ReportRequest)."""
    names = tuple(request.group_by)
    dims, where = selected("o", names, request.offices)
    parts = {
        "columns": sql.SQL("").join(sql.Composed([d, sql.SQL(", ")]) for d in dims),
        "where": where,
        "groups": sql.SQL(", ").join(sql.Literal(n) for n in range(1, len(names) + 2)),
    }
    params: dict[str, Any] = {"start": request.start, "end": request.end}
    if request.offices is not None:
        params["offices"] = sorted(request.offices)
    actions = await fetch_all(pool, sql.SQL(ACTIONS).format(**parts), params)
    after = await fetch_all(pool, sql.SQL(AFTER).format(**parts), params)
    key = (*names, "collector")
    collected = {tuple(row[k] for k in key): row["collected"] for row in after}
    rows = sorted(actions, key=lambda row: [str(row[k]) for k in key])
    return [*((d, TEXT) for d in names), *COLUMNS], [_row(names, row, collected) for row in rows]


def _row(names: tuple[str, ...], row: Row, collected: dict[tuple[Any, ...], Decimal]) -> list[Any]:
    judged = Decimal(row["promises_kept"] + row["promises_broken"])
    found = collected.get((*(row[d] for d in names), row["collector"]), Decimal(0))
    return [
        *(row[d] for d in names), row["collector"], row["actions"], row["promises_made"],
        row["promises_kept"], row["promises_broken"], row["promised_amount"],
        share(Decimal(row["promises_kept"]), judged), found,
    ]  # fmt: skip
