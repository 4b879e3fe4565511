"""The demo portfolio loaded once, and copies of it for the tests that read or write it.

A load of the small demo takes half a minute and more on a busy machine; a copy of
the loaded database (CREATE DATABASE ... TEMPLATE) takes well under a second.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg.conninfo import conninfo_to_dict

from infrastructure.runtime import Runtime
from infrastructure.settings import Settings
from tests.support.database import as_url, copy_of, new_database
from tests.support.settings import suite_settings

SEED = 20261122
BORROWERS = 40


@dataclass(frozen=True)
class DemoTemplate:
    conninfo: str  # a database no one is connected to: copy it, never open it
    position: int  # what the load returned
    head: int  # the store's head once the load was done


@dataclass(frozen=True)
class DemoStore:
    runtime: Runtime
    url: str
    settings: Settings
    position: int  # what the load returned
    head: int  # the store's head once the load was done, before any test ran


@contextmanager
def demo_template(server: str, data_dir: Path) -> Iterator[DemoTemplate]:
    """`BORROWERS` demo borrowers of seed `SEED` in a database of their own on `server`,
    the read models caught up with them; then closed, to be copied."""
    with new_database(server, "lending_demo") as conninfo:
        runtime = Runtime.open(suite_settings(as_url(conninfo), data_dir))
        try:
            position = runtime.load_demo(BORROWERS, seed=SEED)
            runtime.projections.wait(position, timeout=120)
            head = runtime.projections.head()
        finally:
            runtime.close()
        with psycopg.connect(server, autocommit=True) as admin:  # a copy needs it alone
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                (conninfo_to_dict(conninfo)["dbname"],),
            )
        yield DemoTemplate(conninfo, position, head)


@contextmanager
def demo_store(server: str, template: DemoTemplate, data_dir: Path) -> Iterator[DemoStore]:
    """A copy of the loaded demo, its service open and following it."""
    with copy_of(server, template.conninfo, "lending_demo_copy") as conninfo:
        url = as_url(conninfo)
        settings = suite_settings(url, data_dir)
        runtime = Runtime.open(settings)
        try:
            runtime.projections.start()
            yield DemoStore(runtime, url, settings, template.position, template.head)
        finally:
            runtime.close()
