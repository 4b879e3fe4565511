"""`lending keys ...`: the data keys and the master keys that wrap them."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from infrastructure import data_keys
from infrastructure.database import database_url
from infrastructure.keyring import KeyRingError
from infrastructure.runtime import key_ring
from infrastructure.settings import Settings

keys_cli = typer.Typer(help="Master key rotation: the data keys and what wraps them.")
console = Console()


@keys_cli.command("rotate")
def rotate() -> None:
    """Wrap every data key with the newest master key of LENDING_CIPHER_KEYS (the last
    listed). No event is rewritten; afterwards the older master keys may be removed."""
    settings = Settings()
    try:
        ring = key_ring(settings)
        rewrapped = data_keys.rotate(database_url(settings), ring)
    except KeyRingError as error:
        console.print(f"[red]{error}")
        raise typer.Exit(2) from None
    for key in rewrapped:
        console.print(f"data key {key.name}: now wrapped by master key {key.master_key_id}")
    console.print(
        f"{len(rewrapped)} data key(s) rewrapped; every data key is wrapped by "
        f"master key {ring.newest.id}"
    )


@keys_cli.command("list")
def listed() -> None:
    """Each data key and the master key that wraps it."""
    settings = Settings()
    ring_ids = {key.id for key in key_ring(settings).keys}
    table = Table("data key", "wrapped by", "configured", "created", "wrapped")
    for key in data_keys.listed(database_url(settings)):
        table.add_row(
            key.name, key.master_key_id, "yes" if key.master_key_id in ring_ids else "NO",
            key.created_at.isoformat(timespec="seconds"),
            key.wrapped_at.isoformat(timespec="seconds"),
        )  # fmt: skip
    console.print(table)
