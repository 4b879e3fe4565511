"""Databases of their own for tests, on the suite's PostgreSQL server."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from psycopg.rows import dict_row


@contextmanager
def new_database(server: str, prefix: str, template: str | None = None) -> Iterator[str]:
    """An empty database on `server` (its conninfo), dropped afterwards; with `template`,
    a copy of that database (its conninfo; nothing may be connected to it)."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    copied = f' TEMPLATE "{conninfo_to_dict(template)["dbname"]}"' if template else ""
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"{copied}')
        # A test's database need not survive a crash of its server: a commit that
        # waits for no disk flush changes nothing any session sees, and saves a
        # millisecond or more a write on a busy machine.
        admin.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    try:
        yield make_conninfo(server, dbname=name)
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def copy_of(server: str, template: str, prefix: str) -> AbstractContextManager[str]:
    """A copy of the database `template` (a conninfo no one is connected to) on `server`
    (its conninfo), dropped afterwards."""
    return new_database(server, prefix, template)


def as_url(conninfo: str) -> str:
    """A postgresql:// URL (what DATABASE_URL holds) for a libpq conninfo."""
    parts = conninfo_to_dict(conninfo)
    host = parts.get("host", "localhost")
    query = f"?host={host}" if str(host).startswith("/") else ""
    netloc = "" if query else f"{host}:{parts.get('port', 5432)}"
    user = parts.get("user", "postgres")
    return f"postgresql://{user}@{netloc}/{parts['dbname']}{query}"


def select(url: str, sql: str) -> list[tuple[Any, ...]]:
    """The rows a query returns, read straight from the database."""
    with psycopg.connect(url) as conn:
        return conn.execute(sql).fetchall()


def select_dicts(url: str, sql: str) -> list[dict[str, Any]]:
    """The rows a query returns, each as {column: value}."""
    with psycopg.connect(url, row_factory=dict_row) as conn:
        return conn.execute(sql).fetchall()
