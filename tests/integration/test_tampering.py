"""Someone with the database changes the history behind the service's back, in SQL.

Two loans, each disbursed and repaid twice over REST (so both sit in the warm aggregate
cache), and a checkpoint over the store. Each test then breaks the store one way, as an
administrator could: `audit verify` names the aggregate, the version and the kind of
break; a command on the loan is refused with 409 naming it, from the cache and from a
fresh process alike; its history is refused over GraphQL; the other loan works on.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID, uuid4

import psycopg
import pytest
from fastapi.testclient import TestClient

from application.integrity import BreakKind, HistoryBroken
from domain.loan import Loan
from infrastructure import audit
from infrastructure.settings import Settings
from tests.support.api import AUDITOR, OFFICER, client, graphql, runtime_of
from tests.support.portfolio import disbursed_loans
from tests.support.processes import lending_env, run

HISTORY = "query($id: ID!) { loanHistory(id: $id) { version type } }"


@dataclass
class Store:
    api: TestClient
    url: str
    first: UUID
    second: UUID
    paid: int = 0

    def sql(self, statement: str, *params: object) -> None:
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(statement, params)

    def newest(self, loan: UUID) -> int:
        with psycopg.connect(self.url) as conn:
            row = conn.execute(
                "SELECT max(originator_version) FROM lending_events WHERE originator_id = %s",
                (loan,),
            ).fetchone()
        assert row is not None
        return int(row[0])

    def repay(self, loan: UUID, api: TestClient | None = None) -> int:
        self.paid += 1
        body = {
            "loan_id": str(loan), "amount": "100.00", "value_date": "2026-02-20",
            "channel": "bank", "external_reference": f"TAMPER-{self.paid}",
        }  # fmt: skip
        response = (api or self.api).post("/repayments", json=body, headers=OFFICER)
        if response.status_code == 409:
            assert response.json()["title"] == "History broken", response.text
        return response.status_code

    def breaks(self) -> list[audit.Break]:
        return audit.verify(runtime_of(self.api).app).breaks


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    with client(settings) as api:
        app = runtime_of(api).app
        first, second = disbursed_loans(app, 2)
        tampered = Store(api, settings.database_url or "", first, second)
        for loan in (first, second, first, second):
            assert tampered.repay(loan) == 201
        written, checked = audit.checkpoint(app, "before the tampering")
        assert checked.breaks == []
        assert written.breaks == 0
        yield tampered


def refused(store: Store, loan: UUID, settings: Settings, *, other: int = 201) -> None:
    """A command on `loan` is refused from the warm cache and from a new process, and
    so is reading its history; the other loan is served as before (answers `other`)."""
    response = store.api.post(
        "/repayments",
        json={"loan_id": str(loan), "amount": "5.00", "value_date": "2026-02-21",
              "channel": "bank", "external_reference": f"REFUSED-{loan}"},
        headers=OFFICER,
    )  # fmt: skip
    assert response.status_code == 409, response.text
    problem = response.json()
    assert problem["aggregate_id"] == str(loan)
    assert str(loan) in problem["detail"]
    history = graphql(store.api, HISTORY, AUDITOR, {"id": str(loan)})
    assert history["errors"][0]["extensions"]["code"] == "HISTORY_BROKEN"
    assert str(loan) in history["errors"][0]["message"]
    with client(settings) as fresh:
        with pytest.raises(HistoryBroken) as cold:
            runtime_of(fresh).app.load(Loan, loan, "loan")
        assert cold.value.aggregate_id == str(loan)
        assert store.repay(loan, fresh) == 409
    assert store.repay(store.second if loan == store.first else store.first) == other


def found(store: Store) -> set[tuple[BreakKind, UUID | None, int | None]]:
    return {(b.kind, b.aggregate_id, b.version) for b in store.breaks()}


def test_an_untouched_store_verifies_and_its_checkpoint_is_shown(store: Store) -> None:
    assert store.breaks() == []
    health = store.api.get("/health").json()
    assert health["audit"]["verified_checkpoint"]["reason"] == "before the tampering"
    assert health["audit"]["checkpoint"]["breaks"] == 0


def test_a_flipped_byte_in_one_event_is_named(store: Store, settings: Settings) -> None:
    store.sql(
        "UPDATE lending_events SET state = set_byte(state, 40, get_byte(state, 40) # 1) "
        "WHERE originator_id = %s AND originator_version = 3",
        store.first,
    )
    breaks = store.breaks()
    assert [(b.kind, b.aggregate_id, b.version) for b in breaks] == [
        (BreakKind.CHANGED, store.first, 3)
    ]
    assert "no longer decrypt" in breaks[0].detail
    refused(store, store.first, settings)


def test_an_event_deleted_from_the_middle_is_named(store: Store, settings: Settings) -> None:
    store.sql(
        "DELETE FROM lending_events WHERE originator_id = %s AND originator_version = 4",
        store.first,
    )
    assert (BreakKind.MISSING, store.first, 4) in found(store)
    assert any(b.kind is BreakKind.CHECKPOINT for b in store.breaks())
    refused(store, store.first, settings)


def test_events_swapped_between_two_loans_are_named(store: Store, settings: Settings) -> None:
    store.sql(
        "UPDATE lending_events e SET state = o.state FROM lending_events o "
        "WHERE e.originator_version = 5 AND o.originator_version = 5 "
        "AND e.originator_id IN (%s, %s) AND o.originator_id IN (%s, %s) "
        "AND e.originator_id <> o.originator_id",
        store.first, store.second, store.first, store.second,
    )  # fmt: skip
    assert found(store) == {
        (BreakKind.MOVED, store.first, 5),
        (BreakKind.MOVED, store.second, 5),
    }
    moved = {b.aggregate_id: b.detail for b in store.breaks()}
    assert moved[store.first] == f"it holds version 5 of {store.second}"
    refused(store, store.first, settings, other=409)  # the second is as broken


def test_an_old_event_inserted_again_at_a_new_version_is_named(
    store: Store, settings: Settings
) -> None:
    again = store.newest(store.first) + 1
    store.sql(
        "INSERT INTO lending_events (originator_id, originator_version, topic, state, "
        "chain_hash, recorded_at) SELECT originator_id, %s, topic, state, chain_hash, "
        "recorded_at FROM lending_events WHERE originator_id = %s AND originator_version = 3",
        again, store.first,
    )  # fmt: skip
    breaks = [b for b in store.breaks() if b.aggregate_id == store.first]
    assert [(b.kind, b.version) for b in breaks] == [(BreakKind.DUPLICATED, again)]
    assert breaks[0].detail == "it repeats version 3"
    refused(store, store.first, settings)


def test_the_newest_event_dropped_is_named(store: Store, settings: Settings) -> None:
    newest = store.newest(store.first)
    loaded = runtime_of(store.api).app.load(Loan, store.first, "loan")
    store.sql(
        "DELETE FROM lending_events WHERE originator_id = %s AND originator_version = %s",
        store.first, newest,
    )  # fmt: skip
    assert (BreakKind.MISSING, store.first, newest) in found(store)
    assert any(b.kind is BreakKind.CHECKPOINT for b in store.breaks())
    # A save from a copy loaded before the drop would extend the shortened history.
    on = date(2026, 2, 22)
    loaded.receive_payment(
        actor="teller.li", repayment_id=uuid4(), amount=Decimal("1.00"), value_date=on, today=on
    )
    with pytest.raises(HistoryBroken):
        runtime_of(store.api).app.save_all(loaded)
    refused(store, store.first, settings)


def test_audit_verify_exits_1_and_names_the_break(store: Store, settings: Settings) -> None:
    env = lending_env(settings)
    intact = run("audit", "verify", env=env)
    assert intact.returncode == 0, intact.stdout + intact.stderr
    assert "0 breaks" in intact.stdout
    store.sql(
        "DELETE FROM lending_events WHERE originator_id = %s AND originator_version = 2",
        store.second,
    )
    broken = run("audit", "verify", env=env)
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert f"missing: aggregate {store.second} version 2" in broken.stdout.replace("\n", " ")
