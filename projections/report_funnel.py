"""The `funnel` report (projections/reports.py): applications submitted in the period
(by the date their submission was recorded), and what became of them, from the `loans`
and `approvals` read models.

Per group: submitted; auto_approved (approved by the policy's system level alone);
approved (auto-approvals included); rejected (by assessment or by a signer); withdrawn;
pending; approval_rate (approved ÷ approved and rejected); median_hours_to_decision
(from the approval route's opening to its approval or rejection); overrides (levels an
approver signed against the assessment, with a reason). Applications are recorded as
they happen, never backdated: both bases show the same figures.
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
    ("submitted", INT), ("auto_approved", INT), ("approved", INT), ("rejected", INT),
    ("withdrawn", INT), ("pending", INT), ("approval_rate", RATIO),
    ("median_hours_to_decision", MONEY), ("overrides", INT),
)  # fmt: skip
COUNTS = """count(*) AS submitted,
    count(*) FILTER (WHERE a.status = 'approved' AND a.levels = ARRAY['system']) AS auto_approved,
    count(*) FILTER (WHERE a.status = 'approved') AS approved,
    count(*) FILTER (WHERE o.status = 'rejected' OR a.status = 'rejected') AS rejected,
    count(*) FILTER (WHERE o.status = 'withdrawn') AS withdrawn,
    count(*) FILTER (WHERE a.status = 'pending'
        OR (a.status IS NULL AND o.status = 'submitted')) AS pending,
    percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM a.updated_at - a.opened_at))
        FILTER (WHERE a.status IN ('approved', 'rejected')) AS median_seconds,
    coalesce(sum((SELECT count(*) FROM approval_steps s WHERE s.loan_id = o.id
        AND s.override_reason <> '')), 0) AS overrides"""


async def funnel(
    pool: AsyncConnectionPool, request: Any
) -> tuple[list[tuple[str, str]], list[list[Any]]]:
    """The funnel's columns and rows for `request` (a ReportRequest)."""
    names = tuple(request.group_by)
    dims, where = selected("o", names, request.offices)
    query = sql.SQL(
        "SELECT {columns} {counts} FROM loan_records o LEFT JOIN approvals a ON a.loan_id = o.id"
        " WHERE (o.submitted_at AT TIME ZONE 'UTC')::date BETWEEN %(start)s AND %(end)s{where}"
        "{groups}"
    ).format(
        columns=sql.SQL("").join(sql.Composed([d, sql.SQL(", ")]) for d in dims),
        counts=sql.SQL(COUNTS),
        where=where,
        groups=sql.SQL(
            " GROUP BY " + ", ".join(str(n) for n in range(1, len(names) + 1))
            + " ORDER BY " + ", ".join(str(n) for n in range(1, len(names) + 1))
            if names else ""
        ),
    )  # fmt: skip
    params: dict[str, Any] = {"start": request.start, "end": request.end}
    if request.offices is not None:
        params["offices"] = sorted(request.offices)
    rows = await fetch_all(pool, query, params)
    columns = [*((d, TEXT) for d in names), *COLUMNS]
    return columns, [_row(names, row) for row in rows if row["submitted"]]


def _row(names: tuple[str, ...], row: Row) -> list[Any]:
    decided = Decimal(row["approved"] + row["rejected"])
    seconds = row["median_seconds"]
    hours = None if seconds is None else (Decimal(str(seconds)) / 3600).quantize(Decimal("0.01"))
    return [
        *(row[d] for d in names), row["submitted"], row["auto_approved"], row["approved"],
        row["rejected"], row["withdrawn"], row["pending"],
        share(Decimal(row["approved"]), decided), hours, row["overrides"],
    ]  # fmt: skip
