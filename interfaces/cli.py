"""The `lending` command: serve, worker, demo, token and projection admin."""

from __future__ import annotations

import logging
import os
import signal
import threading
from datetime import datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from application.close_of_business import close_of_business
from domain.errors import DomainError
from infrastructure import secrets
from infrastructure.runtime import Runtime
from infrastructure.settings import Settings
from infrastructure.tokens import Role, issue
from interfaces.db_cli import db_cli
from interfaces.scorecard_cli import scorecard_cli
from projections.runner import Status

cli = typer.Typer(help="Lending core: server, projections and admin tasks.", no_args_is_help=True)
projections_cli = typer.Typer(help="Read-model status and rebuilds.", no_args_is_help=True)
cli.add_typer(projections_cli, name="projections")
cli.add_typer(scorecard_cli, name="scorecard")
cli.add_typer(db_cli, name="db")
console = Console()


@cli.command()
def serve(
    demo: Annotated[
        bool, typer.Option(help="Load the demo portfolio if the store is empty.")
    ] = False,
    follow: Annotated[
        bool, typer.Option(help="Also run the projections (off when a worker runs them).")
    ] = True,
    workers: Annotated[
        int, typer.Option(min=1, help="API processes; with more than one, this one follows.")
    ] = 1,
) -> None:
    """Run the API and the projections in one process, or in `workers` API processes
    and this one following the store for them."""
    import uvicorn

    from interfaces.rest.app import create_app

    settings = Settings()
    if demo:
        _load_demo_if_empty(settings)
    if workers > 1:
        _serve_processes(settings, workers, follow)
        return
    uvicorn.run(
        create_app(settings, follow=follow, freeze=True),
        host=settings.host,
        port=settings.port,
        log_level="info",
    )


def _serve_processes(settings: Settings, workers: int, follow: bool) -> None:
    """Serve from `workers` processes while this one follows the store for them. If the
    read models fail, every process stops and the exit status is 1, as a worker's is."""
    import uvicorn

    runtime = Runtime.open(settings)
    if follow:
        runtime.projections.start()
        threading.Thread(target=_stop_when_read_models_fail, args=(runtime,), daemon=True).start()
    try:
        uvicorn.run(
            "interfaces.rest.app:api_process",
            factory=True,
            workers=workers,
            host=settings.host,
            port=settings.port,
            log_level="info",
        )
        failed = runtime.projections.failed()  # none without a follower
    finally:
        runtime.close()
    _exit_if_failed(failed)


def _stop_when_read_models_fail(runtime: Runtime) -> None:
    follower = runtime.projections.follower
    assert follower is not None
    follower.stopped.wait()
    if follower.error is not None:
        # The server stops its API processes on SIGTERM, then `serve` reports the failure.
        os.kill(os.getpid(), signal.SIGTERM)


@cli.command()
def worker() -> None:
    """Run the projections only, until stopped or a projection fails."""
    logging.basicConfig(level=logging.INFO)
    runtime = Runtime.open(Settings())
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    runtime.projections.start()
    try:
        while not stop.wait(1.0):
            _exit_if_failed(runtime.projections.failed())
    finally:
        runtime.close()


def _exit_if_failed(failed: list[Status]) -> None:
    """Say which read models stopped and why, then exit with status 1."""
    for status in failed:
        console.print(f"[red]projection {status.name} stopped: {status.error}")
    if failed:
        raise typer.Exit(1)


@cli.command()
def demo(
    borrowers: int = 300,
    loans: Annotated[
        bool, typer.Option(help="Also load products, loans and repayments (else borrowers only).")
    ] = True,
    seed: Annotated[int, typer.Option(help="The same seed loads the same portfolio.")] = 20261122,
) -> None:
    """Load the demo portfolio."""
    runtime = Runtime.open(Settings())
    try:
        with Progress(console=console) as progress:
            task = progress.add_task("borrowers", total=borrowers)
            position = runtime.load_demo(
                borrowers, progress=lambda n: progress.advance(task, n), seed=seed, loans=loans
            )
        console.print(f"Loaded up to event store position {position}")
    finally:
        runtime.close()


def _load_demo_if_empty(settings: Settings) -> None:
    runtime = Runtime.open(settings)
    try:
        if runtime.projections.head() == 0:
            console.print("Empty store: loading the demo portfolio…")
            runtime.load_demo()
    finally:
        runtime.close()


@cli.command()
def cob(
    date: Annotated[datetime, typer.Option(formats=["%Y-%m-%d"], help="Advance to this date.")],
    actor: Annotated[str, typer.Option(help="Who runs it, as recorded.")] = "cli",
) -> None:
    """Close of business for every day up to DATE (a date already reached does nothing)."""
    runtime = Runtime.open(Settings())
    # The arrears index is a read model: follow the store while the days are closed.
    runtime.projections.start()
    try:
        result = close_of_business(
            runtime.app, actor, date.date(), runtime.close_of_business_steps()
        )
        console.print(
            f"Closed {result.days_closed} day(s); business date {date.date()}, "
            f"position {result.written.position}"
        )
    except DomainError as error:
        console.print(f"[red]{error}")
        raise typer.Exit(2) from None
    finally:
        runtime.close()


@cli.command()
def token(
    sub: Annotated[str, typer.Option(help="User id, or the borrower id for a borrower.")],
    role: Annotated[list[Role], typer.Option(help="A role; repeat for several.")],
    hours: int = 12,
) -> None:
    """Print a bearer token (alone on the last line)."""
    from datetime import timedelta

    print(issue(secrets.jwt_secret(Settings()), sub, role, timedelta(hours=hours)))


@projections_cli.command("status")
def projections_status() -> None:
    runtime = Runtime.open(Settings())
    try:
        table = Table("read model", "position", "lag")
        for status in runtime.projections.status():
            table.add_row(status.name, str(status.position), str(status.lag))
        console.print(table)
    finally:
        runtime.close()


@projections_cli.command("rebuild")
def projections_rebuild(name: Annotated[str | None, typer.Argument()] = None) -> None:
    """Rebuild one read model (or all) from the event store."""
    runtime = Runtime.open(Settings())
    try:
        names = [name] if name else list(runtime.projections.views)
        unknown = [n for n in names if n not in runtime.projections.views]
        if unknown:
            console.print(f"[red]no read model named {unknown[0]}")
            raise typer.Exit(2)
        head = runtime.projections.head()
        with Progress(console=console) as progress:
            for each in names:
                task = progress.add_task(each, total=head)
                position = runtime.projections.rebuild(
                    each, lambda n, t=task: progress.advance(t, n)
                )
                progress.update(task, completed=head)
                console.print(f"{each}: rebuilt to position {position}")
    finally:
        runtime.close()


def main() -> None:
    cli()
