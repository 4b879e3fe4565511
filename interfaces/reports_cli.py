"""`lending report NAME`: a management report (projections/reports.py) written as a
file (infrastructure/reports), with a progress bar over its steps. The command line
reads every office's loans."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress

from domain.errors import InvalidValue
from infrastructure.runtime import Runtime
from infrastructure.settings import Settings
from projections.base import ReadModelStopped
from projections.reports import Report, ReportRequest, check_format, check_request, report

console = Console()
Day = Annotated[datetime, typer.Option(formats=["%Y-%m-%d"])]


async def _read(url: str, request: ReportRequest) -> Report:
    from interfaces.graphql.router import open_read_pool

    async with open_read_pool(url) as pool:
        return await report(pool, request)


def report_command(
    name: Annotated[str, typer.Argument(help="par_trend, roll_rates or vintages")],
    since: Annotated[datetime, typer.Option("--from", formats=["%Y-%m-%d"])],
    until: Annotated[datetime, typer.Option("--to", formats=["%Y-%m-%d"])],
    group_by: Annotated[
        list[str] | None, typer.Option("--group-by", help="office, product, region, officer")
    ] = None,
    format: Annotated[str, typer.Option("--format", help="xlsx, csv or pdf")] = "xlsx",
    basis: Annotated[str, typer.Option(help="recorded or current (as known now)")] = "recorded",
    out: Annotated[Path | None, typer.Option(help="Default: NAME-FROM-TO-BASIS.FORMAT")] = None,
) -> None:
    """Write the report NAME for the month ends from FROM to TO (both included)."""
    # Imported here: the charts (matplotlib) and the GraphQL read pool cost every other
    # `lending` command a second or more of start-up.
    from infrastructure.reports.files import report_file
    from interfaces.rest.reports import READ_MODELS

    try:
        check_format(format)
        parts = check_request(name, since.date(), until.date(), group_by or [], basis)
    except InvalidValue as error:
        console.print(f"[red]--{error.field.replace('_', '-')}: {error.reason}")
        raise typer.Exit(2) from None
    request = ReportRequest(*parts)
    path = out or Path(f"{name}-{request.start}-{request.end}-{request.basis}.{format}")
    runtime = Runtime.open(Settings())
    runtime.projections.start()
    try:
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task(f"report {name}", total=3)
            runtime.projections.wait(runtime.projections.head(), READ_MODELS)
            progress.advance(task)
            found = asyncio.run(_read(runtime.url, request))
            progress.advance(task)
            path.write_bytes(report_file(found, format))
            progress.advance(task)
    except ReadModelStopped as error:
        console.print(f"[red]{error}; see `lending projections status`")
        raise typer.Exit(2) from None
    finally:
        runtime.close()
    console.print(f"Wrote {path}: {len(found.rows)} rows ({found.basis})")
