"""The service as the integration tests call it: in-process, on a real database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from infrastructure.settings import Settings
from tests.support.api import client
from tests.support.borrower_channel import Channel, borrower_channel
from tests.support.demo import DemoStore, DemoTemplate, demo_store, demo_template
from tests.support.documents import tell_documents_story
from tests.support.reports import Book, told
from tests.support.settings import opened_on, suite_settings


@pytest.fixture
def api(settings: Settings) -> Iterator[TestClient]:
    """A client of a fresh service on an empty database, with the suite's settings."""
    with client(settings) as test_client:
        yield test_client


@pytest.fixture
def sms_channel(db_url: str, tmp_path: Path) -> Iterator[Channel]:
    """A fresh service whose SMS go to a real gateway on loopback (the borrower channel's)."""
    with borrower_channel(db_url, tmp_path / "data") as found:
        yield found


@pytest.fixture(scope="module")
def module_api(
    module_db_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    """One service, on a database of its own, shared by every test of a module."""
    data_dir = Path(tmp_path_factory.mktemp("module_api")) / "data"
    with client(suite_settings(module_db_url, data_dir)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def documents_story(
    module_db_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    """The documents' story (tests/support/documents.py), built once per module."""
    yield from tell_documents_story(module_db_url, Path(tmp_path_factory.mktemp("documents")))


@pytest.fixture(scope="module")
def book(module_db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Book]:
    """The management reports' small book (tests/support/reports.py), told once a module."""
    settings = opened_on(module_db_url, tmp_path_factory.mktemp("reports"), date(2030, 1, 1))
    with client(settings) as api:
        yield told(api, settings)


@pytest.fixture(scope="session")
def loaded_demo(
    database_server: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DemoTemplate]:
    """The demo portfolio (tests/support/demo.py), loaded once a test process, to copy:
    a load takes half a minute and more, a copy under a second."""
    data_dir = Path(tmp_path_factory.mktemp("demo")) / "data"
    with demo_template(database_server, data_dir) as template:
        yield template


@pytest.fixture(scope="session")
def demo(
    database_server: str, loaded_demo: DemoTemplate, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DemoStore]:
    """A copy of the demo shared by the tests that only read it (logging in is fine)."""
    data_dir = Path(tmp_path_factory.mktemp("demo_store")) / "data"
    with demo_store(database_server, loaded_demo, data_dir) as store:
        yield store


@pytest.fixture
def demo_copy(
    database_server: str, loaded_demo: DemoTemplate, tmp_path: Path
) -> Iterator[DemoStore]:
    """A copy of the demo of the test's own, to write to."""
    with demo_store(database_server, loaded_demo, tmp_path / "data") as store:
        yield store
