"""Every test talks to a real PostgreSQL: DATABASE_URL's server, or an embedded one.

The session gets its own database on that server; each test that asks for
`db_url` starts from an empty schema. A module whose tests only read one shared
story asks for `module_db_url` instead: a database of its own, built once.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from infrastructure.database import start_embedded
from infrastructure.runtime import Runtime
from infrastructure.settings import Settings
from tests.support.broker import nats_server
from tests.support.database import as_url, new_database
from tests.support.processes import free_port
from tests.support.settings import suite_settings

ROOT = Path(__file__).resolve().parent.parent


def _server_url() -> str:
    configured = os.environ.get("DATABASE_URL")
    if configured:
        return configured
    home = ROOT / ".lending-test"
    home.mkdir(exist_ok=True)
    # Parallel test workers share one embedded server: the first starts it.
    with (home / "start.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        url = start_embedded(home / "pg")
        _without_durability(url)
        return url


# The suite's own server holds nothing that must outlive a crash of the machine. With
# fsync on, every commit waited for the disk, and every DROP DATABASE (a module's
# database, at its last test's teardown) for a checkpoint that flushed what the other
# worker had written: seconds a teardown on a busy machine.
NOT_DURABLE = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}


def _without_durability(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        changed = False
        for name, value in NOT_DURABLE.items():
            row = conn.execute(f"SHOW {name}").fetchone()
            if row is None or row[0] != value:
                conn.execute(f"ALTER SYSTEM SET {name} = {value}")
                changed = True
        if changed:
            conn.execute("SELECT pg_reload_conf()")


@pytest.fixture(scope="session")
def database_server() -> str:
    return _server_url()


@pytest.fixture(scope="session")
def nats_url() -> Iterator[str]:
    """A NATS JetStream server of the session's own, on a free loopback port."""
    with nats_server(free_port()) as url:
        yield url


@pytest.fixture(scope="session")
def session_database(database_server: str) -> Iterator[str]:
    with new_database(database_server, "lending_test") as conninfo:
        yield conninfo


@pytest.fixture(scope="module")
def module_db_url(database_server: str) -> Iterator[str]:
    with new_database(database_server, "lending_module") as conninfo:
        yield as_url(conninfo)


@pytest.fixture
def db_url(session_database: str) -> str:
    with psycopg.connect(session_database, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")
    return as_url(session_database)


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return suite_settings(db_url, tmp_path / "data")


@pytest.fixture
def runtime(settings: Settings) -> Iterator[Runtime]:
    opened = Runtime.open(settings)
    yield opened
    opened.close()
