"""`lending repayments import FILE.csv`: a bank's or payment platform's settlement file.

The file has a header row naming its columns: loan_id, amount, value_date (YYYY-MM-DD),
channel, external_reference, and optionally payer (others are ignored). Each row is
received as `POST /repayments` would receive it, idempotent on channel and reference:
after a crash, run the same file again and only the missing rows land. Rows refused
are written, with the field and the reason, to the `--errors` CSV; the rest still land.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress

from application.repayment_files import (
    COLUMNS,
    MAX_ROWS,
    ImportRepayments,
    RepaymentRow,
    RowResult,
    RowStatus,
    import_repayments,
)
from infrastructure.runtime import Runtime
from infrastructure.settings import Settings

repayments_cli = typer.Typer(help="Repayment files from banks and payment platforms.",
                             no_args_is_help=True)  # fmt: skip
console = Console()
REQUIRED = COLUMNS[:-1]  # all but the payer
ERROR_COLUMNS = ("line", "external_reference", "field", "reason")


def read_rows(path: Path) -> list[RepaymentRow]:
    """The file's rows (line 1 the first after the header); exit 2 on a bad header."""
    with path.open(newline="", encoding="utf-8-sig") as file:
        reader = csv.DictReader(file)
        missing = [c for c in REQUIRED if c not in (reader.fieldnames or ())]
        if missing:
            console.print(f"[red]{path}: the header lacks {', '.join(missing)}")
            raise typer.Exit(2)
        return [
            RepaymentRow(n, **{c: (row.get(c) or "") for c in COLUMNS})
            for n, row in enumerate(reader, start=1)
        ]


def write_errors(path: Path, results: list[RowResult]) -> None:
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(ERROR_COLUMNS)
        for result in results:
            if result.status is RowStatus.REFUSED:
                writer.writerow([result.line, result.external_reference, result.field or "",
                                 result.reason])  # fmt: skip


@repayments_cli.command("import")
def import_file(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    errors: Annotated[Path, typer.Option(help="Where refused rows are written.")] = Path(
        "repayment-errors.csv"
    ),
    actor: Annotated[str, typer.Option(help="Who imports it, as recorded.")] = "cli",
) -> None:
    """Receive every row of FILE; exit 1 if any row was refused (see --errors)."""
    rows = read_rows(file)
    runtime = Runtime.open(Settings())
    try:
        results: list[RowResult] = []
        with Progress(console=console) as progress:
            task = progress.add_task("repayments", total=len(rows))
            for start in range(0, len(rows), MAX_ROWS):
                batch = ImportRepayments(actor, rows[start : start + MAX_ROWS])
                results += import_repayments(
                    runtime.app, batch, lambda n: progress.advance(task, n)
                )
    finally:
        runtime.close()
    counts = {status: sum(r.status is status for r in results) for status in RowStatus}
    console.print(
        f"{counts[RowStatus.RECEIVED]} received, {counts[RowStatus.ALREADY_RECEIVED]} already"
        f" received, {counts[RowStatus.REFUSED]} refused",
        highlight=False,
    )
    if counts[RowStatus.REFUSED]:
        write_errors(errors, results)
        console.print(f"Refused rows, with the reason: {errors}")
        raise typer.Exit(1)
