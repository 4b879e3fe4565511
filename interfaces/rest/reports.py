"""GET /reports/{name}: a management report (projections/reports.py) as a file, and its
chart as PNG or SVG (infrastructure/reports). Analysts, risk officers, admins and
auditors, over the loans of their office reach; bad parameters are 422 naming them."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from domain.errors import InvalidValue
from infrastructure.reports.charts import CHARTED
from infrastructure.reports.charts import FORMATS as CHART_FORMATS
from infrastructure.reports.charts import chart as render_chart
from infrastructure.reports.files import MEDIA, report_file
from infrastructure.tokens import Role, User
from interfaces.rest.auth import require
from interfaces.text import CONTROL_CHARACTERS
from projections.positions import wait_until_reached
from projections.reports import Report, ReportRequest, check_format, check_request, report
from projections.staff import offices_reached

router = APIRouter(tags=["reports"])

Reader = Annotated[User, Depends(require(Role.ANALYST, Role.RISK_OFFICER, Role.ADMIN,
                                         Role.AUDITOR))]  # fmt: skip
# Names and formats are checked against the lists by name (422 naming the parameter);
# the bounds only keep arbitrary text out.
ONE_LINE = f"^[^{CONTROL_CHARACTERS}]*$"
Name = Annotated[str, Path(max_length=40, pattern=ONE_LINE)]
Kind = Annotated[str, Path(max_length=8, pattern=ONE_LINE)]
FileFormat = Annotated[str, Query(max_length=8, pattern=ONE_LINE)]
From = Annotated[date, Query(alias="from", description="first date, included")]
To = Annotated[date, Query(alias="to", description="last date, included")]
GroupBy = Annotated[
    str | None,
    Query(max_length=100, pattern=ONE_LINE,
          description="office, product, region, officer: comma-separated"),
]  # fmt: skip
Basis = Annotated[
    str, Query(max_length=16, pattern=ONE_LINE,
               description="recorded (as recorded at each month end) or current (as known now)"),
]  # fmt: skip
READ_MODELS = ("loan_books", "repayments", "loans")
REPLICA_PATIENCE = 5.0  # seconds, as GraphQL's X-Min-Position waits
FILES: dict[int | str, dict[str, Any]] = {
    200: {"content": {media: {} for media in MEDIA.values()}, "description": "the report"}
}
CHARTS: dict[int | str, dict[str, Any]] = {
    200: {"content": {media: {} for media in CHART_FORMATS.values()}, "description": "chart"}
}


async def _report(
    request: Request, user: User, name: str, start: date, end: date,
    group_by: str | None, basis: str,
) -> Report:  # fmt: skip
    dimensions = [d.strip() for d in (group_by or "").split(",") if d.strip()]
    parts = check_request(name, start, end, dimensions, basis)
    runtime = request.app.state.runtime
    # What the caller wrote before asking is in the figures (the CLI waits the same way).
    head = runtime.projections.head()
    await run_in_threadpool(runtime.projections.wait, head, READ_MODELS)
    pool = request.app.state.read_pool
    # A replica (DATABASE_READ_URL) replays what the primary's read models wrote a moment
    # later; on the primary itself this is one query that finds them there.
    await wait_until_reached(pool, READ_MODELS, head, REPLICA_PATIENCE)
    offices = await offices_reached(pool, user.office)
    return await report(pool, ReportRequest(*parts, offices=offices))


@router.get("/reports/{name}", response_class=Response, responses=FILES)
async def report_as_file(
    name: Name, request: Request, user: Reader, start: From, end: To,
    group_by: GroupBy = None, format: FileFormat = "xlsx", basis: Basis = "recorded",
) -> Response:  # fmt: skip
    """The report `name` (par_trend, roll_rates, vintages) for the month ends from
    `from` to `to`, as xlsx, csv or pdf; `X-Report-Basis` says which basis it shows."""
    check_format(format)
    found = await _report(request, user, name, start, end, group_by, basis)
    content = await run_in_threadpool(report_file, found, format)
    filename = f"{name}-{start}-{end}-{found.basis}.{format}"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"',
               "X-Report-Basis": found.basis}  # fmt: skip
    return Response(content, media_type=MEDIA[format], headers=headers)


@router.get("/reports/{name}/chart.{kind}", response_class=Response, responses=CHARTS)
async def chart(
    name: Name, kind: Kind, request: Request, user: Reader, start: From, end: To,
    group_by: GroupBy = None, basis: Basis = "recorded",
) -> Response:  # fmt: skip
    """The report's chart as `chart.png` or `chart.svg`: PAR trend lines, the latest
    month's roll-rate heat map, vintage curves (in SVG each series is a group whose id
    is its label)."""
    if kind not in CHART_FORMATS:
        raise InvalidValue("format", f"one of chart.{', chart.'.join(CHART_FORMATS)}")
    if name not in CHARTED:
        raise InvalidValue("name", f"has no chart; charted: {', '.join(CHARTED)}")
    found = await _report(request, user, name, start, end, group_by, basis)
    content = await run_in_threadpool(render_chart, found, kind)
    headers = {"X-Report-Basis": found.basis}
    return Response(content, media_type=CHART_FORMATS[kind], headers=headers)
