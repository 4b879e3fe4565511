"""Every test talks to a real PostgreSQL: DATABASE_URL's server, or an embedded one.

The session gets its own database on that server; each test that asks for
`db_url` starts from an empty schema. A module whose tests only read one shared
story asks for `module_db_url` instead: a database of its own, built once.
"""

from __future__ import annotations

import fcntl
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from infrastructure.database import start_embedded
from infrastructure.runtime import Runtime
from infrastructure.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
TEST_CIPHER_KEY = "b2QnV2c9k6qv1hL0yq3n8r4TtYzQm2xW5sJfA7uEo1I="
TEST_JWT_SECRET = "test-secret-that-is-long-enough-for-hs256-signing"


def _server_url() -> str:
    configured = os.environ.get("DATABASE_URL")
    if configured:
        return configured
    home = ROOT / ".lending-test"
    home.mkdir(exist_ok=True)
    # Parallel test workers share one embedded server: the first starts it.
    with (home / "start.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return start_embedded(home / "pg")


@pytest.fixture(scope="session")
def database_server() -> str:
    return _server_url()


@pytest.fixture(scope="session")
def session_database(database_server: str) -> Iterator[str]:
    with new_database(database_server, "lending_test") as conninfo:
        yield conninfo


@contextmanager
def new_database(server: str, prefix: str) -> Iterator[str]:
    """An empty database on `server` (its conninfo), dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_conninfo(server, dbname=name)
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


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


def as_url(conninfo: str) -> str:
    """A postgresql:// URL (what DATABASE_URL holds) for a libpq conninfo."""
    parts = conninfo_to_dict(conninfo)
    host = parts.get("host", "localhost")
    query = f"?host={host}" if str(host).startswith("/") else ""
    netloc = "" if query else f"{host}:{parts.get('port', 5432)}"
    user = parts.get("user", "postgres")
    return f"postgresql://{user}@{netloc}/{parts['dbname']}{query}"


def suite_settings(db_url: str, data_dir: Path) -> Settings:
    return Settings(
        database_url=db_url,
        data_dir=data_dir,
        jwt_secret=TEST_JWT_SECRET,
        cipher_key=TEST_CIPHER_KEY,
        # Late enough that every value date in the older tests is in the past.
        opening_date=date(2030, 1, 1),
    )


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return suite_settings(db_url, tmp_path / "data")


@pytest.fixture
def runtime(settings: Settings) -> Iterator[Runtime]:
    opened = Runtime.open(settings)
    yield opened
    opened.close()
