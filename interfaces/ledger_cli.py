"""`lending reconcile` and `lending ledger export`: the books for the finance team."""

from __future__ import annotations

import csv
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any
from uuid import UUID

import typer
from rich.console import Console

from application.calendar import business_date
from application.month_end import reconcile
from domain.accounting.statements import AccountTotals
from infrastructure.runtime import Runtime
from infrastructure.settings import Settings
from projections.base import ReadModelStopped
from projections.ledger_reports import export_rows
from projections.staff import offices_reached_on

ledger_cli = typer.Typer(help="The general ledger's journal and trial balance.",
                         no_args_is_help=True)  # fmt: skip
console = Console()
Day = Annotated[datetime, typer.Option(formats=["%Y-%m-%d"])]
JOURNAL_COLUMNS = ("entry", "posting_date", "value_date", "kind", "event_type", "loan_id",
                   "subject", "reverses", "actor", "narration", "line", "account", "role",
                   "debit", "credit", "office")  # fmt: skip
BALANCE_COLUMNS = ("account", "name", "type", "debits", "credits", "balance")


class Format(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


def reconcile_command(
    as_of: Annotated[
        datetime | None,
        typer.Option("--as-of", formats=["%Y-%m-%d"], help="Default: the business date."),
    ] = None,
) -> None:
    """Compare the journal with the loan books on a date; exit 1 naming every difference."""
    runtime = Runtime.open(Settings())
    runtime.projections.start()
    try:
        on = as_of.date() if as_of else business_date(runtime.app)
        found = reconcile(runtime.reconcile_facts(on))
    except ReadModelStopped as error:
        console.print(f"[red]{error}; see `lending projections status`")
        raise typer.Exit(2) from None
    finally:
        runtime.close()
    for difference in found:
        typer.echo(str(difference))  # one line each, however wide: for scripts to read
    if found:
        console.print(f"{len(found)} difference(s) on {on}")
        raise typer.Exit(1)
    console.print(f"The journal agrees with the loan books on {on}")


@ledger_cli.command("export")
def export(
    since: Annotated[datetime, typer.Option("--from", formats=["%Y-%m-%d"])],
    until: Annotated[datetime, typer.Option("--to", formats=["%Y-%m-%d"])],
    format: Annotated[Format, typer.Option("--format")] = Format.XLSX,
    out: Annotated[Path | None, typer.Option(help="Default: ledger-FROM-TO.FORMAT")] = None,
    office: Annotated[
        UUID | None,
        typer.Option(help="Only the entries of this office (its id) and those below it."),
    ] = None,
) -> None:
    """Write the journal posted from FROM to TO and the trial balance at TO. CSV writes
    two files (…-journal.csv and …-trial-balance.csv); XLSX one workbook of two sheets."""
    start, end = since.date(), until.date()
    if end < start:
        console.print("[red]--to must not be before --from")
        raise typer.Exit(2)
    path = out or Path(f"ledger-{start}-{end}.{format.value}")
    runtime = Runtime.open(Settings())
    runtime.projections.start()
    try:
        runtime.projections.wait(runtime.projections.head(), ["journal", "staff"])
        with runtime.projections.datastore.transaction(commit=False) as cursor:
            offices = offices_reached_on(cursor, office)
            if offices is not None and not offices:  # an office reaches at least itself
                console.print("[red]--office: no office has this id")
                raise typer.Exit(2)
            lines, balances = export_rows(cursor, start, end, offices)
    finally:
        runtime.close()
    journal = [_journal_row(line) for line in lines]
    trial = [_balance_row(account) for account in balances]
    written = write(path, format, journal, trial)
    console.print(f"Wrote {', '.join(map(str, written))}: {len(journal)} journal lines")


def write(
    path: Path, format: Format, journal: list[tuple[Any, ...]], trial: list[tuple[Any, ...]]
) -> list[Path]:
    if format is Format.CSV:
        files = [path.with_name(f"{path.stem}-journal.csv"),
                 path.with_name(f"{path.stem}-trial-balance.csv")]  # fmt: skip
        for file, header, rows in zip(files, (JOURNAL_COLUMNS, BALANCE_COLUMNS),
                                      (journal, trial), strict=True):  # fmt: skip
            with file.open("w", newline="", encoding="utf-8") as stream:
                writer = csv.writer(stream)
                writer.writerow(header)
                writer.writerows(rows)
        return files
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Journal"
    for row in (JOURNAL_COLUMNS, *journal):
        sheet.append(list(row))
    balances = book.create_sheet("Trial balance")
    for row in (BALANCE_COLUMNS, *trial):
        balances.append(list(row))
    book.save(path)
    return [path]


def _journal_row(row: dict[str, Any]) -> tuple[Any, ...]:
    return (row["id"], _day(row["posting_date"]), _day(row["value_date"]), row["kind"],
            row["event_type"], str(row["loan_id"] or ""), row["subject"] or "",
            row["reverses"] or "", row["actor"], row["narration"], row["line"],
            row["account"], row["role"] or "", row["debit"], row["credit"],
            str(row["office"]))  # fmt: skip


def _balance_row(account: AccountTotals) -> tuple[Any, ...]:
    return (account.code, account.name, account.type.value, account.debits, account.credits,
            account.debits - account.credits)  # fmt: skip


def _day(value: date) -> str:
    return value.isoformat()
