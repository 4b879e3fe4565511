"""What `lending serve` needs besides the app: the TLS options uvicorn takes."""

from __future__ import annotations

import typer
from rich.console import Console

from infrastructure.settings import Settings

console = Console()


def tls_options(settings: Settings) -> dict[str, str]:
    """uvicorn's TLS options, where LENDING_TLS_CERT and LENDING_TLS_KEY are set."""
    if settings.tls_cert is None or settings.tls_key is None:
        return {}
    for path in (settings.tls_cert, settings.tls_key):
        if not path.is_file():
            console.print(f"[red]no TLS file at {path}")
            raise typer.Exit(2)
    return {"ssl_certfile": str(settings.tls_cert), "ssl_keyfile": str(settings.tls_key)}
