"""With DATABASE_READ_URL naming a streaming replica, GraphQL reads the replica and
`X-Min-Position` waits for the replica to replay the write; commands, the event store
and the follower stay on the primary.

The module starts a primary of its own (wal_level=replica) and a physical standby made
from it with `pg_basebackup -R`, on loopback ports, and stops both at its end.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from interfaces.graphql.router import READ_APPLICATION_NAME
from tests.support.api import OFFICER, client, runtime_of
from tests.support.catalog import ok
from tests.support.database import as_url, select
from tests.support.people import LI_MING_ID, tea_shop, wang_fang
from tests.support.replication import REPLICA_NAME, Replication, streaming_replica
from tests.support.settings import suite_settings

BORROWER = "query($id: ID!) { borrower(id: $id) { id name region } }"
# The query X-Min-Position polls with reads the read models' tracking rows (the start of
# it: pg_stat_activity keeps the first 1 kB of a query).
POSITION_POLL = '%_tracking" WHERE application_name = %'
POLL_SEEN_SECONDS = 4.0  # within the 5 s the server waits


@pytest.fixture(scope="module")
def servers() -> Iterator[Replication]:
    with streaming_replica() as replication:
        yield replication


@pytest.fixture(scope="module")
def databases(servers: Replication) -> tuple[str, str]:
    """The store's database on the primary and on the replica."""
    return servers.new_database("lending")


@pytest.fixture(scope="module")
def replica_api(
    servers: Replication, databases: tuple[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    primary, replica = databases
    settings = suite_settings(as_url(primary), Path(tmp_path_factory.mktemp("replica")) / "data")
    settings = settings.model_copy(update={"database_read_url": as_url(replica)})
    with client(settings) as api:
        servers.wait_for_replay()  # the tables the service made on the primary
        yield api


def borrower_read(api: TestClient, borrower_id: str, **headers: str) -> Any:
    response = api.post(
        "/graphql", json={"query": BORROWER, "variables": {"id": borrower_id}},
        headers=OFFICER | headers,
    )  # fmt: skip
    assert response.status_code == 200, response.text
    return response


@contextmanager
def replay_paused(replica: str) -> Iterator[None]:
    """The replica receives the primary's WAL but applies none of it until the end."""
    with psycopg.connect(replica, autocommit=True) as conn:
        conn.execute("SELECT pg_wal_replay_pause()")
        try:
            yield
        finally:
            conn.execute("SELECT pg_wal_replay_resume()")


def wait_for_position_poll(replica: str, since: object) -> None:
    """Until the read pool has polled the replica's read model positions since `since`
    (the replica's clock): a request is waiting for its X-Min-Position there."""
    deadline = time.monotonic() + POLL_SEEN_SECONDS
    with psycopg.connect(replica, autocommit=True) as conn:
        while True:
            row = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s "
                "AND query LIKE %s AND query_start > %s",
                (READ_APPLICATION_NAME, POSITION_POLL, since),
            ).fetchone()
            if row is not None and row[0] > 0:
                return
            assert time.monotonic() < deadline, "no request waited on the replica's position"
            time.sleep(0.005)  # a bounded poll on what the replica's sessions ran


def test_a_read_with_x_min_position_waits_for_the_replica_to_replay_the_write(
    replica_api: TestClient, databases: tuple[str, str]
) -> None:
    primary, replica = databases
    with ThreadPoolExecutor(1) as reader, replay_paused(replica):
        written = ok(replica_api.post("/borrowers", json=wang_fang(), headers=OFFICER), 201)
        runtime_of(replica_api).projections.wait(written["position"])
        # The primary's read model has the borrower; the replica has not applied it yet,
        # and a read that does not ask for the position answers from the replica as it is.
        assert select(primary, f"SELECT region FROM borrowers WHERE id = '{written['id']}'") == [
            ("Hubei",)
        ]
        assert borrower_read(replica_api, written["id"]).json()["data"]["borrower"] is None
        since = select(replica, "SELECT clock_timestamp()")[0][0]
        at_the_write = {"X-Min-Position": str(written["position"])}
        waiting = reader.submit(borrower_read, replica_api, written["id"], **at_the_write)
        wait_for_position_poll(replica, since)
        assert not waiting.done()
    answered = waiting.result(timeout=30)
    assert int(answered.headers["x-read-position"]) >= written["position"]
    assert answered.json()["data"]["borrower"] == {
        "id": written["id"], "name": "Wang Fang", "region": "Hubei"
    }  # fmt: skip


def test_commands_go_to_the_primary_and_graphql_reads_go_to_the_replica(
    replica_api: TestClient, servers: Replication, databases: tuple[str, str]
) -> None:
    primary, replica = databases
    written = ok(replica_api.post("/borrowers", json=tea_shop(), headers=OFFICER), 201)
    at_the_write = {"X-Min-Position": str(written["position"])}
    read = borrower_read(replica_api, written["id"], **at_the_write)
    assert read.json()["data"]["borrower"]["name"] == "Wuhan Spring Tea Shop"

    # The event is in the primary's store; the replica is a standby streaming from it.
    events = "SELECT count(*) FROM lending_events WHERE originator_id = '{}'"
    assert select(primary, events.format(written["id"]))[0][0] >= 1
    assert select(replica, "SELECT pg_is_in_recovery()") == [(True,)]
    assert (REPLICA_NAME, "streaming") in select(
        servers.primary, "SELECT application_name, state FROM pg_stat_replication"
    )
    # The read pool's sessions are on the replica and only there; the writers and the
    # follower are on the primary.
    sessions = (
        "SELECT DISTINCT application_name FROM pg_stat_activity "
        "WHERE datname = 'lending' AND pid <> pg_backend_pid()"
    )
    assert {name for (name,) in select(replica, sessions)} == {READ_APPLICATION_NAME}
    on_primary = {name for (name,) in select(primary, sessions)}
    assert on_primary, "the service has no session on the primary"
    assert READ_APPLICATION_NAME not in on_primary


def test_health_shows_how_far_the_replica_has_replayed(
    replica_api: TestClient, databases: tuple[str, str]
) -> None:
    _, replica = databases
    li_ming = wang_fang(id_number=LI_MING_ID, name="Li Ming")
    with replay_paused(replica):
        written = ok(replica_api.post("/borrowers", json=li_ming, headers=OFFICER), 201)
        runtime_of(replica_api).projections.wait(written["position"])
        behind = replica_api.get("/health").json()
    assert behind["status"] == "ok"
    assert behind["replica"]["ok"] is True
    assert behind["replica"]["position"] < written["position"]
    assert (
        behind["replica"]["lag"] == behind["database"]["position"] - behind["replica"]["position"]
    )
    borrower_read(replica_api, written["id"], **{"X-Min-Position": str(written["position"])})
    caught_up = replica_api.get("/health").json()["replica"]
    assert caught_up["position"] >= written["position"]
