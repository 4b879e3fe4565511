"""Each read-model table has one writer: the read model that owns it.

Every read model handles the whole store an earlier version wrote (tests/support/
old_store.py: the demo portfolio and a cohort through 35 days of close of business), each
in a transaction of its own that is rolled back; PostgreSQL counts the rows each one
inserted, updated or deleted, table by table.
"""

from __future__ import annotations

from typing import Any

from infrastructure.runtime import Runtime
from infrastructure.settings import Settings
from tests.support.old_store import FIXTURE, restore

# Counted since the transaction began, and (until they are flushed) by earlier ones on
# the same connection: what a read model wrote is the difference.
CHANGES = "SELECT relname, n_tup_ins + n_tup_upd + n_tup_del AS n FROM pg_stat_xact_user_tables"


def changes(cursor: Any) -> dict[str, int]:
    cursor.execute(CHANGES)
    return {row["relname"]: row["n"] for row in cursor.fetchall()}


def test_no_read_model_table_is_written_by_more_than_one_read_model(settings: Settings) -> None:
    Runtime.open(settings).close()  # today's tables, empty
    restore(settings.database_url, FIXTURE)
    runtime = Runtime.open(settings)
    try:
        projections = runtime.projections
        events = [event for page in projections.pages() for event in page]
        owned = {
            name: set(view.tables) - set(view.views) for name, view in projections.views.items()
        }
        written = {}
        for name, view in projections.views.items():
            with view.datastore.transaction(commit=False) as cursor:
                before = changes(cursor)
                for event, position in events:
                    view.handle(event, cursor, position)
                view.flush(cursor)
                after = changes(cursor)
            written[name] = {table for table, n in after.items() if n > before.get(table, 0)}
    finally:
        runtime.close()
    for name, tables in written.items():
        assert tables <= owned[name], f"{name} writes {tables - owned[name]}"
    for name, tables in owned.items():
        others = {t for other, found in owned.items() if other != name for t in found}
        assert not tables & others, f"{name} shares {tables & others}"
    # The store exercises the money: every loan_books table is written, by it alone, but
    # those of charges, waivers and refunds, which the store (written before them) cannot
    # hold.
    new = {"loan_book_charges", "loan_book_waivers", "loan_book_refunds"}
    before_charges = owned["loan_books"] - new
    assert written["loan_books"] == before_charges
    every = set().union(*written.values())
    assert {"loan_records", "repayments", "borrowers", "risk_warnings"} <= every
