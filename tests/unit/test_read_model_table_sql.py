"""Each read-model table has one writer: the read model that owns it.

A table two read models wrote would hold two copies of one rule's answer, and a rebuild
of either would truncate what the other wrote. Views over another's tables are read
only.
"""

from __future__ import annotations

import inspect
import re
import sys

from projections.catalog import ReadModelSet

WRITES = re.compile(r"\b(?:INSERT INTO|UPDATE|DELETE FROM|TRUNCATE)\s+([a-z_]+)\b")


def own_tables(kind: type) -> set[str]:
    return set(kind.tables) - set(kind.views)


def test_no_two_read_models_own_one_table() -> None:
    owners: dict[str, str] = {}
    for kind in ReadModelSet.kinds():
        for table in own_tables(kind):
            assert table not in owners, f"{table}: {owners.get(table)} and {kind.name}"
            owners[table] = kind.name


def test_a_read_model_writes_only_its_own_tables() -> None:
    for kind in ReadModelSet.kinds():
        source = inspect.getsource(sys.modules[kind.__module__])
        written = set(WRITES.findall(source))
        assert written, kind.name
        assert written <= own_tables(kind), (kind.name, written - own_tables(kind))


def test_loans_keep_no_delinquency_of_their_own() -> None:
    """DPD and classification are the loan's, recorded once: `loans` shows `loan_books`'."""
    (loans,) = (kind for kind in ReadModelSet.kinds() if kind.name == "loans")
    table = next(s for s in loans.schema if "CREATE TABLE IF NOT EXISTS loan_records" in s)
    assert "days_past_due" not in table
    assert "classification" not in table
    assert "loans" in loans.views
