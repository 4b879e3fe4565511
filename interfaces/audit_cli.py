"""`lending audit ...`: verify the store's hash chain, write and export checkpoints."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import orjson
import typer
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from rich.console import Console
from rich.progress import Progress

from application.integrity import BreakKind
from infrastructure import audit, checkpoints, secrets, signing
from infrastructure.chain_recorder import ChainedRecorder
from infrastructure.runtime import Runtime
from infrastructure.settings import Settings

audit_cli = typer.Typer(help="The store's hash chain: verify, checkpoint, export.")
console = Console()


@audit_cli.command("verify")
def verify(
    from_position: Annotated[
        int, typer.Option("--from", min=0, help="Verify the events from this position on.")
    ] = 0,
    checkpoint: Annotated[
        Path | None,
        typer.Option(help="A signed export (`lending audit export`) the store must still match."),
    ] = None,
) -> None:
    """Walk the store and report every break of its hash chain; exit 1 on any."""
    settings = Settings()
    runtime = Runtime.open(settings)
    try:
        head = runtime.projections.head()
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task("events", total=max(head - from_position, 1))
            found = audit.verify(runtime.app, from_position, lambda n: progress.advance(task, n))
        breaks = found.breaks
        if checkpoint is not None:
            breaks += _against_export(runtime, settings, checkpoint)
    finally:
        runtime.close()
    for each in breaks:
        console.print(f"[red]BROKEN {each.line()}", highlight=False, soft_wrap=True)
    console.print(
        f"{found.events} events verified in {found.seconds:.1f} s ({found.rate:,.0f}/s), "
        f"{found.checkpoints} checkpoints; {len(breaks)} breaks",
        highlight=False,
    )
    if breaks:
        raise typer.Exit(1)


def _against_export(runtime: Runtime, settings: Settings, path: Path) -> list[audit.Break]:
    """The store's checkpoint at the export's position must be the one the export signed."""
    expected = signing.public_bytes(_signing_key(settings))
    try:
        signed = signing.checked(json.loads(path.read_text()), expected)
    except (signing.BadSignature, ValueError) as error:
        console.print(f"[red]{path}: {error}")
        raise typer.Exit(2) from None
    recorder = runtime.app.recorder
    assert isinstance(recorder, ChainedRecorder)
    with recorder.datastore.transaction(commit=False) as curs:
        stored = checkpoints.at(curs, recorder.chain, int(signed["position"]))
    held = {k: v for k, v in signed.items() if k != "verified_at"}
    if stored is None or {k: v for k, v in stored.payload().items() if k in held} != held:
        position = int(signed["position"])
        detail = f"the store's checkpoint at {position} is not the one {path.name} signed"
        return [audit.Break(BreakKind.CHECKPOINT, None, None, position, detail)]
    return []


@audit_cli.command("checkpoint")
def checkpoint_now(
    reason: Annotated[str, typer.Option(help="Why, as recorded with it.")] = "on demand",
) -> None:
    """Write a checkpoint at the store's head now, and verify the events it adds."""
    runtime = Runtime.open(Settings())
    try:
        written, found = audit.checkpoint(runtime.app, reason)
    finally:
        runtime.close()
    state = "verified" if written.breaks == 0 else f"{len(found.breaks)} breaks"
    console.print(
        f"checkpoint at position {written.position}: {written.events} events, "
        f"digest {written.digest.hex()} ({state})",
        highlight=False,
    )
    if found.breaks:
        raise typer.Exit(1)


@audit_cli.command("export")
def export(
    position: Annotated[
        int | None, typer.Option(help="The checkpoint's position (default: the last verified).")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Write here instead of printing.")] = None,
) -> None:
    """A checkpoint signed with LENDING_SIGNING_KEY (Ed25519), to keep outside the database."""
    settings = Settings()
    key = _signing_key(settings)
    runtime = Runtime.open(settings)
    try:
        recorder = runtime.app.recorder
        assert isinstance(recorder, ChainedRecorder)
        with recorder.datastore.transaction(commit=False) as curs:
            if position is None:
                found = checkpoints.latest(curs, recorder.chain, verified=True)
            else:
                found = checkpoints.at(curs, recorder.chain, position)
    finally:
        runtime.close()
    if found is None:
        console.print("[red]no such checkpoint (see `lending audit checkpoint`)")
        raise typer.Exit(2)
    document = orjson.dumps(signing.sign(found.payload(), key), option=orjson.OPT_INDENT_2)
    if out is None:
        print(document.decode())
    else:
        out.write_bytes(document + b"\n")
        console.print(f"checkpoint at position {found.position} signed into {out}")


def _signing_key(settings: Settings) -> Ed25519PrivateKey:
    try:
        return signing.private_key(secrets.signing_key(settings))
    except ValueError as error:
        console.print(f"[red]{error}")
        raise typer.Exit(2) from None
