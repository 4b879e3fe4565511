"""`lending db status|stop`: the embedded PostgreSQL server in the data directory."""

from __future__ import annotations

import typer
from rich.console import Console

from infrastructure.embedded import embedded_is_running, stop_embedded
from infrastructure.settings import Settings

db_cli = typer.Typer(help="The embedded PostgreSQL server.", no_args_is_help=True)
console = Console()


def _embedded_data() -> Settings:
    settings = Settings()
    if settings.database_url:
        console.print("DATABASE_URL is set: that server is not the embedded one, so not ours.")
        raise typer.Exit(2)
    return settings


@db_cli.command("status")
def status() -> None:
    """Say whether the embedded server is running (exit 0) or not (exit 1)."""
    pgdata = _embedded_data().data_dir / "pg"
    if embedded_is_running(pgdata):
        console.print(f"running in {pgdata}")
        return
    console.print(f"not running ({pgdata})")
    raise typer.Exit(1)


@db_cli.command("stop")
def stop() -> None:
    """Stop the embedded server; the next `make run` or `lending serve` starts it again."""
    pgdata = _embedded_data().data_dir / "pg"
    if stop_embedded(pgdata):
        console.print(f"stopped the server in {pgdata}")
    else:
        console.print(f"no server was running in {pgdata}")
