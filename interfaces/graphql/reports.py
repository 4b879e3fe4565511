"""GraphQL `report`: a management report over a period (projections/reports.py), as a
table of named, typed columns and rows of cells (decimals and dates as strings)."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from infrastructure.tokens import Role
from interfaces.graphql.context import Context
from projections.reports import ReportRequest, check_request
from projections.reports import report as run_report

READERS = (Role.ANALYST, Role.RISK_OFFICER, Role.ADMIN, Role.AUDITOR)


@strawberry.enum
class ReportName(Enum):
    PAR_TREND = "par_trend"
    ROLL_RATES = "roll_rates"
    VINTAGES = "vintages"
    FLOWS = "flows"
    FUNNEL = "funnel"
    COLLECTOR_PERFORMANCE = "collector_performance"


@strawberry.enum
class ReportDimension(Enum):
    OFFICE = "office"
    PRODUCT = "product"
    REGION = "region"
    OFFICER = "officer"


@strawberry.enum
class ReportBasis(Enum):
    """RECORDED: the books as recorded at each month end (the same whenever run);
    CURRENT: as known now, later backdated events included."""

    RECORDED = "recorded"
    CURRENT = "current"


@strawberry.type
class ReportColumn:
    name: str
    kind: str = strawberry.field(description="date, text, int, money or ratio")


@strawberry.type
class ReportTable:
    name: ReportName
    basis: ReportBasis
    start: date = strawberry.field(name="from")
    end: date = strawberry.field(name="to")
    business_date: date | None
    columns: list[ReportColumn]
    rows: list[list[str | None]]


def _cell(value: Any) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, date) else str(value)


async def report(
    info: Info[Context, None],
    name: ReportName,
    start: Annotated[date, strawberry.argument(name="from")],
    end: Annotated[date, strawberry.argument(name="to")],
    group_by: list[ReportDimension] | None = None,
    basis: ReportBasis = ReportBasis.RECORDED,
) -> ReportTable:
    """The report `name` for the month ends from `from` to `to`, grouped by `groupBy`."""
    context = info.context
    context.require(*READERS)
    parts = check_request(name.value, start, end, [d.value for d in group_by or []], basis.value)
    found = await run_report(context.pool, ReportRequest(*parts, offices=await context.reach()))
    return ReportTable(
        name=name, basis=basis, start=found.start, end=found.end,
        business_date=found.business_date,
        columns=[ReportColumn(name=n, kind=k) for n, k in found.columns],
        rows=[[_cell(v) for v in row] for row in found.rows],
    )  # fmt: skip
