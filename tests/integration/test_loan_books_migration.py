"""A store written when installments, arrears, arrears_history, portfolio and the risk
rules each kept their own tables, and `loans` its own delinquency: opened now, those
tables and positions go, `loans` keeps its rows and position, and the `loan_books` read
model, rebuilt from the events, gives the same answers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest

from application.calendar import business_date
from application.demo import load_demo
from infrastructure.runtime import Runtime
from infrastructure.settings import Settings
from projections.loan_books import LoanBooksView
from projections.loan_books_schema import TABLES
from projections.risk_warnings import VIEWS as RISK_VIEWS
from tests.support.database import as_url, new_database, select
from tests.support.settings import suite_settings

# The tables the retired read models kept, now views, and what each is ordered by.
OLD_TABLES = dict.fromkeys((*LoanBooksView.views, *RISK_VIEWS), "1, 2") | {
    "arrears_calendar": "1",
    "arrears_history_calendar": "1",
    "risk_exposures": "1",
    "loans": "1",
}
RETIRED = ("installments", "arrears", "arrears_history", "portfolio")


def answers(url: str, runtime: Runtime) -> dict[str, Any]:
    found: dict[str, Any] = {
        name: select(url, f"SELECT * FROM {name} ORDER BY {order}")
        for name, order in OLD_TABLES.items()
    }
    day = business_date(runtime.app) + timedelta(days=40)
    found["due for review"] = list(runtime.loans_to_review(day))
    return found


@dataclass(frozen=True)
class DemoStore:
    """A store with the demo portfolio, its read models caught up: what they answered,
    the head, and the position `loans` reached. Each test upgrades a copy of it."""

    conninfo: str
    head: int
    before: dict[str, Any]
    loans_reached: int


@pytest.fixture(scope="module")
def demo_store(
    database_server: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DemoStore]:
    with new_database(database_server, "demo_store") as conninfo:
        url = as_url(conninfo)
        runtime = Runtime.open(suite_settings(url, tmp_path_factory.mktemp("demo") / "data"))
        try:
            runtime.projections.start()
            head = load_demo(runtime.app, borrowers=12)
            runtime.projections.wait(head, timeout=120)
            before = answers(url, runtime)
            loans_reached = runtime.projections.views["loans"].position()
        finally:
            runtime.close()
        yield DemoStore(conninfo, head, before, loans_reached)


@pytest.fixture
def copied(database_server: str, demo_store: DemoStore, tmp_path: Path) -> Iterator[Settings]:
    """The settings of a service on a copy of the demo store."""
    with new_database(database_server, "migration", template=demo_store.conninfo) as conninfo:
        yield suite_settings(as_url(conninfo), tmp_path / "data")


def make_it_an_old_store(url: str) -> None:
    """The views become the tables they were; loan_books and its position are not there
    yet; the retired read models have their positions."""
    with psycopg.connect(url, autocommit=True) as conn:
        for name in OLD_TABLES:
            conn.execute(f"CREATE TABLE old_{name} AS SELECT * FROM {name}")
        for name in OLD_TABLES:
            conn.execute(f"DROP VIEW {name}")
        conn.execute(f"DROP TABLE {', '.join(TABLES)}, loan_books_tracking, loan_records")
        for name in OLD_TABLES:
            conn.execute(f"ALTER TABLE old_{name} RENAME TO {name}")
        conn.execute(
            "CREATE TABLE arrears_history_applications AS SELECT * FROM portfolio_applications"
        )
        for name in RETIRED:
            conn.execute(f"CREATE TABLE {name}_tracking (LIKE borrowers_tracking INCLUDING ALL)")
            conn.execute(f"INSERT INTO {name}_tracking SELECT * FROM borrowers_tracking")
        kinds = conn.execute(
            "SELECT DISTINCT table_type FROM information_schema.tables"
            " WHERE table_schema = current_schema() AND table_name = ANY(%s)",
            (list(OLD_TABLES),),
        ).fetchall()
    assert kinds == [("BASE TABLE",)]


def test_an_old_store_drops_its_old_tables_and_rebuilds_the_same_answers(
    demo_store: DemoStore, copied: Settings
) -> None:
    settings, db_url = copied, str(copied.database_url)
    head, before, loans_reached = demo_store.head, demo_store.before, demo_store.loans_reached
    assert all(before[name] for name in ("installments", "arrears_history", "risk_loans"))
    make_it_an_old_store(db_url)

    upgraded = Runtime.open(settings)
    try:
        assert upgraded.projections.views[LoanBooksView.name].position() == 0
        assert upgraded.projections.views["loans"].position() == loans_reached
        upgraded.projections.start()
        upgraded.projections.wait(head, timeout=120)
        assert answers(db_url, upgraded) == before
    finally:
        upgraded.close()
    assert select(
        db_url,
        "SELECT DISTINCT table_type FROM information_schema.tables"
        f" WHERE table_schema = current_schema() AND table_name IN"
        f" ({', '.join(repr(name) for name in OLD_TABLES)})",
    ) == [("VIEW",)]
    left = select(
        db_url,
        "SELECT table_name FROM information_schema.tables WHERE table_schema ="
        " current_schema() AND table_name IN ('arrears_history_applications',"
        f" {', '.join(repr(f'{name}_tracking') for name in RETIRED)})",
    )
    assert left == []


# The segments as they were when each row held its installments and no delinquency.
INLINE_SEGMENTS = """SELECT h.*, i.installments FROM arrears_history h
    JOIN arrears_history_installments i USING (loan_id, valid_from)"""


def test_a_store_whose_segments_held_their_installments_builds_loan_books_again(
    demo_store: DemoStore, copied: Settings
) -> None:
    settings, db_url = copied, str(copied.database_url)
    head, before = demo_store.head, demo_store.before
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute(f"CREATE TABLE old_segments AS {INLINE_SEGMENTS}")
        conn.execute("DROP TABLE loan_book_segments, loan_book_segment_installments CASCADE")
        conn.execute("ALTER TABLE old_segments RENAME TO loan_book_segments")

    upgraded = Runtime.open(settings)
    try:
        assert upgraded.projections.views[LoanBooksView.name].position() == 0
        upgraded.projections.start()
        upgraded.projections.wait(head, timeout=120)
        assert answers(db_url, upgraded) == before
    finally:
        upgraded.close()
    columns = select(
        db_url,
        "SELECT column_name FROM information_schema.columns WHERE table_schema ="
        " current_schema() AND table_name = 'loan_book_segments'",
    )
    assert ("installments",) not in columns
    assert ("bucket",) in columns
