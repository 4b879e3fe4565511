"""The `lending` command: serve, worker, demo, token and projection admin."""

from __future__ import annotations

import getpass
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

from application.close_of_business import CloseOfBusiness, close_of_business
from domain.errors import DomainError
from infrastructure import secrets
from infrastructure.runtime import Runtime
from infrastructure.settings import Environment, Settings
from infrastructure.tokens import Role, issue
from interfaces.audit_cli import audit_cli
from interfaces.cob_cli import cob_worker
from interfaces.db_cli import db_cli
from interfaces.demo_cli import demo, load_demo_if_empty
from interfaces.keys_cli import keys_cli
from interfaces.ledger_cli import ledger_cli, reconcile_command
from interfaces.notifier_cli import notifier_command
from interfaces.publisher_cli import publisher_command
from interfaces.repayments_cli import repayments_cli
from interfaces.reports_cli import report_command
from interfaces.scorecard_cli import scorecard_cli
from interfaces.serving import tls_options
from interfaces.users_cli import users_cli
from projections.base import ReadModelError, ReadModelStopped
from projections.failures import SkipRefused, describe

cli = typer.Typer(help="Lending core: server, projections and admin tasks.", no_args_is_help=True)
projections_cli = typer.Typer(help="Read-model status and rebuilds.", no_args_is_help=True)
cli.add_typer(projections_cli, name="projections")
cli.add_typer(scorecard_cli, name="scorecard")
cli.add_typer(db_cli, name="db")
cli.add_typer(audit_cli, name="audit")
cli.add_typer(keys_cli, name="keys")
cli.command()(demo)
cli.add_typer(users_cli, name="users")
cli.add_typer(ledger_cli, name="ledger")
cli.add_typer(repayments_cli, name="repayments")
cli.command("reconcile")(reconcile_command)
cli.command("publisher")(publisher_command)
cli.command("report")(report_command)
cli.command("notifier")(notifier_command)
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
    logging.basicConfig(level=settings.log_level.upper())
    tls = tls_options(settings)
    if demo:
        load_demo_if_empty(settings)
    if workers > 1:
        _serve_processes(settings, workers, follow, tls)
        return
    uvicorn.run(
        create_app(settings, follow=follow, freeze=True),
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        **tls,
    )


def _serve_processes(settings: Settings, workers: int, follow: bool, tls: dict[str, str]) -> None:
    """Serve from `workers` processes while this one follows the store for them. A read
    model that fails stops alone (see /health); if the follower itself fails, every
    process stops and the exit status is 1, as a worker's is."""
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
            log_level=settings.log_level,
            **tls,
        )
        down = runtime.projections.follower_error()  # none without a follower
    finally:
        runtime.close()
    _exit_if_down(down)


def _stop_when_read_models_fail(runtime: Runtime) -> None:
    follower = runtime.projections.follower
    assert follower is not None
    follower.stopped.wait()
    if follower.error is not None:
        # The server stops its API processes on SIGTERM, then `serve` reports the failure.
        os.kill(os.getpid(), signal.SIGTERM)


@cli.command()
def worker(
    cob: Annotated[
        bool,
        typer.Option(
            "--cob", help="Work on close of business's partitions instead of the projections."
        ),
    ] = False,
) -> None:
    """Run the projections only, until stopped or the follower fails (a read model that
    fails stops alone, and shows in `lending projections status`). With --cob, review
    the loans of the close of business partitions it leases instead, until stopped."""
    logging.basicConfig(level=logging.INFO)
    runtime = Runtime.open(Settings())
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    if cob:
        cob_worker(runtime, stop)
        return
    runtime.projections.start()
    try:
        while not stop.wait(1.0):
            _exit_if_down(runtime.projections.follower_error())
    finally:
        runtime.close()


def _exit_if_down(error: str | None) -> None:
    """If the follower stopped (every read model with it), say why and exit with status 1."""
    if error is not None:
        console.print(f"[red]read models stopped: {error}")
        raise typer.Exit(1)


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
        steps = runtime.close_of_business_steps(until=date.date())
        command = CloseOfBusiness(actor, date.date(), steps)
        result = close_of_business(runtime.app, command)
        console.print(
            f"Closed {result.days_closed} day(s); business date {date.date()}, "
            f"position {result.written.position}"
        )
    except DomainError as error:
        console.print(f"[red]{error}")
        raise typer.Exit(2) from None
    except ReadModelStopped as error:
        console.print(f"[red]{error}; see `lending projections status`")
        raise typer.Exit(1) from None
    finally:
        runtime.close()


@cli.command()
def token(
    sub: Annotated[str, typer.Option(help="User id, or the borrower id for a borrower.")],
    role: Annotated[list[Role], typer.Option(help="A role; repeat for several.")],
    hours: int = 12,
) -> None:
    """Print a bearer token (alone on the last line); for development and tests only: in
    production staff log in (POST /auth/login)."""
    from datetime import timedelta

    settings = Settings()
    if settings.env is Environment.PRODUCTION:
        console.print("[red]`lending token` is for development: in production, log in")
        raise typer.Exit(2)
    print(issue(secrets.jwt_secret(settings), sub, role, timedelta(hours=hours)))


@projections_cli.command("status")
def projections_status() -> None:
    """Each read model's position and lag; those stopped at a failing event; the skips."""
    runtime = Runtime.open(Settings())
    try:
        table = Table("read model", "position", "lag", "stopped at", "event", "error")
        for status in runtime.projections.status():
            event = f"{status.topic} {status.originator}" if status.stopped_at else ""
            stopped = str(status.stopped_at or "")
            table.add_row(
                status.name, str(status.position), str(status.lag), stopped, event,
                status.error or "",
            )  # fmt: skip
        console.print(table)
        skips = runtime.projections.skips()
        if skips:
            listed = Table("skipped", "position", "reason", "by", "at")
            for skip in skips:
                listed.add_row(
                    skip.name, str(skip.position), skip.reason, skip.actor,
                    skip.skipped_at.isoformat(timespec="seconds"),
                )  # fmt: skip
            console.print(listed)
    finally:
        runtime.close()


@projections_cli.command("skip")
def projections_skip(
    name: Annotated[str, typer.Argument(help="The read model that stopped.")],
    position: Annotated[int, typer.Argument(help="The position it stopped at.")],
    reason: Annotated[str, typer.Option(help="Why the event is skipped, as recorded.")],
    actor: Annotated[str | None, typer.Option(help="Who skips it (default: the OS user).")] = None,
) -> None:
    """Move a stopped read model past the event it failed on, without applying it.

    Refused unless NAME stopped at POSITION. The skip is recorded, and the follower
    (here or in a running `serve` or `worker`) resumes NAME after it; a rebuild of NAME
    leaves the event out as well.
    """
    logging.basicConfig(level=logging.INFO)
    if not reason.strip():
        console.print("[red]--reason must say why")
        raise typer.Exit(2)
    runtime = Runtime.open(Settings())
    try:
        skip = runtime.projections.skip(name, position, reason, actor or getpass.getuser())
        console.print(f"{skip.name}: skipped position {skip.position}, by {skip.actor}")
    except SkipRefused as error:
        console.print(f"[red]{error}")
        raise typer.Exit(2) from None
    finally:
        runtime.close()


@projections_cli.command("rebuild")
def projections_rebuild(name: Annotated[str | None, typer.Argument()] = None) -> None:
    """Rebuild one read model (or all) from the event store, leaving out skipped events."""
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
                try:
                    position = runtime.projections.rebuild(
                        each, lambda n, t=task: progress.advance(t, n)
                    )
                except ReadModelError as error:  # nothing was changed
                    console.print(f"[red]{error}: {describe(error.__cause__ or error)}")
                    raise typer.Exit(1) from None
                progress.update(task, completed=head)
                console.print(f"{each}: rebuilt to position {position}")
    finally:
        runtime.close()


def main() -> None:
    cli()
