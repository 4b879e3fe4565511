"""Loans loaded a batch at a time (close of business's review) are what loading each one
gives: from snapshots and events alike, and a broken history still raises."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import psycopg
import pytest

from application.batch_load import loans_loaded
from application.integrity import HistoryBroken
from domain.loan import Loan
from infrastructure.runtime import Runtime
from infrastructure.settings import Settings
from tests.support.portfolio import DISBURSED_ON, disbursed_loans, pay


def state_of(loan: Loan) -> dict[str, Any]:
    return dict(vars(loan))


def unexpected(*args: Any) -> Any:
    raise AssertionError("a loan of the batch was loaded on its own")


def fresh(settings: Settings) -> Runtime:
    """Another process's view of the store: nothing cached, nothing checked yet."""
    return Runtime.open(settings, create_tables=False)


def test_a_batch_loads_each_loan_as_its_own_load_does(settings: Settings) -> None:
    writer = Runtime.open(settings)
    try:
        loans = disbursed_loans(writer.app, 4)
        for n, loan_id in enumerate(loans[:3]):
            pay(writer.app, loan_id, "100.00", DISBURSED_ON + timedelta(days=20), f"BATCH-{n}")
        writer.app.take_snapshot(loans[0])  # one from its snapshot, then its later events
        pay(writer.app, loans[0], "50.00", DISBURSED_ON + timedelta(days=25), "BATCH-AFTER")
        writer.app.take_snapshot(loans[1])  # one from its snapshot alone
    finally:
        writer.close()
    reader, other = fresh(settings), fresh(settings)
    try:
        loaded_alone = reader.app.load
        reader.app.load = unexpected  # type: ignore[method-assign]
        batch = list(loans_loaded(reader.app, loans))  # all in one read: none on its own
        reader.app.load = loaded_alone  # type: ignore[method-assign]
        alone = [other.app.load(Loan, loan_id, "loan") for loan_id in loans]
        assert [loan.id for loan in batch] == loans
        assert [state_of(loan) for loan in batch] == [state_of(loan) for loan in alone]
        assert batch[0].version == alone[0].version > 0
        # What the batch put in the cache is what the next load starts from.
        again = reader.app.load(Loan, loans[2], "loan")
        assert state_of(again) == state_of(alone[2])
    finally:
        reader.close()
        other.close()


def test_a_loan_whose_history_broke_raises_and_the_rest_of_its_batch_loads(
    settings: Settings,
) -> None:
    writer = Runtime.open(settings)
    try:
        loans = disbursed_loans(writer.app, 3)
    finally:
        writer.close()
    with psycopg.connect(str(settings.database_url), autocommit=True) as conn:
        conn.execute(
            "UPDATE lending_events SET state = set_byte(state, 40, get_byte(state, 40) # 1) "
            "WHERE originator_id = %s AND originator_version = 2",
            (loans[1],),
        )
    reader = fresh(settings)
    try:
        loaded = loans_loaded(reader.app, loans)
        assert next(loaded).id == loans[0]
        with pytest.raises(HistoryBroken) as broken:
            next(loaded)
        assert broken.value.aggregate_id == str(loans[1])
        assert [loan.id for loan in loans_loaded(reader.app, [loans[2]])] == [loans[2]]
    finally:
        reader.close()
