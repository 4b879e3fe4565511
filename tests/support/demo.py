"""The demo portfolio loaded once, for the tests that only read it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from infrastructure.runtime import Runtime
from infrastructure.settings import Settings
from tests.support.database import as_url, new_database
from tests.support.settings import suite_settings

SEED = 20261122
BORROWERS = 40


@dataclass(frozen=True)
class DemoStore:
    runtime: Runtime
    url: str
    settings: Settings
    position: int  # what the load returned
    head: int  # the store's head once the load was done, before any test ran


@contextmanager
def demo_store(server: str, data_dir: Path) -> Iterator[DemoStore]:
    """`BORROWERS` demo borrowers of seed `SEED` in a database of their own on `server`,
    the read models caught up with them."""
    with new_database(server, "lending_demo") as conninfo:
        url = as_url(conninfo)
        settings = suite_settings(url, data_dir)
        runtime = Runtime.open(settings)
        try:
            position = runtime.load_demo(BORROWERS, seed=SEED)
            runtime.projections.wait(position, timeout=120)
            yield DemoStore(runtime, url, settings, position, runtime.projections.head())
        finally:
            runtime.close()
