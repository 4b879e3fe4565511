"""GraphQL `loan(id)` and `portfolio` read through a streaming replica
(DATABASE_READ_URL) against the same queries on the primary.

A primary of the module's own and its physical standby (tests/support/replication.py)
hold the benchmark story (tests/benchmarks/seed.py) with REPLICA_BENCH_LOANS loans
(default 20,000), seeded on the primary and replayed by the replica. The service reads
one target, then the other, with the same requests after the same warm-up. Every line
is against single-row inserts into the same primary, in the same run.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from interfaces.rest.app import create_app
from tests.benchmarks.baseline import InsertRate, measure_insert_rate, ms, percentile
from tests.benchmarks.seed import BUSINESS_DATE, seed, settings_for
from tests.support.api import ANALYST
from tests.support.database import as_url, select
from tests.support.replication import Replication, streaming_replica

LOANS = int(os.environ.get("REPLICA_BENCH_LOANS", 20_000))
WARM_UP = 30
RUNS = 300
TOLERANCE = 1.10  # "no worse": within the noise of a shared machine
LOAN = """query($id: ID!) { loan(id: $id) {
    id status principal outstandingPrincipal outstandingInterest nextDueDate daysPastDue
    classification product { code } schedule { installments { number dueDate total } }
    repayments { id amount } } }"""
PORTFOLIO = """query($asOf: Date) { portfolio(groupBy: [REGION], asOf: $asOf) {
    region loanCount outstandingPrincipal par30 par90 nplRatio } }"""
QUERIES = {
    "loan": (LOAN, lambda ids: {"id": random.choice(ids)}),
    "portfolio": (PORTFOLIO, lambda ids: {"asOf": BUSINESS_DATE.isoformat()}),
}
TARGETS = ("primary", "replica")


@pytest.fixture(scope="module")
def servers() -> Iterator[Replication]:
    with streaming_replica() as replication:
        yield replication


@pytest.fixture(scope="module")
def store(servers: Replication, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """The seeded store on the primary and, once replayed, on the replica."""
    primary, replica = servers.new_database("lending_bench")
    began = time.perf_counter()
    seed(primary, tmp_path_factory.mktemp("seed"), LOANS)
    with psycopg.connect(primary, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")  # as the seed template is kept
    servers.wait_for_replay()
    elapsed = time.perf_counter() - began
    print(f"\nreplica bench: {LOANS:,} loans seeded and replayed in {elapsed:.0f} s")
    return primary, replica


@pytest.fixture(scope="module")
def timings(
    store: tuple[str, str], tmp_path_factory: pytest.TempPathFactory
) -> dict[tuple[str, str], list[float]]:
    """Each query's request times, read from each target by one service in turn."""
    primary, replica = store
    ids = [str(loan_id) for (loan_id,) in select(primary, "SELECT id FROM loan_records")]
    found: dict[tuple[str, str], list[float]] = {}
    for target in TARGETS:
        settings = settings_for(as_url(primary), tmp_path_factory.mktemp(target))
        if target == "replica":
            settings = settings.model_copy(update={"database_read_url": as_url(replica)})
        with TestClient(create_app(settings, freeze=True)) as api:
            for name, (query, variables) in QUERIES.items():
                random.seed(name)  # the same loans, in the same order, on both targets
                for _ in range(WARM_UP):
                    ask(api, query, variables(ids))
                found[(name, target)] = [timed(api, query, variables(ids)) for _ in range(RUNS)]
    return found


@pytest.fixture(scope="module")
def baseline(store: tuple[str, str]) -> InsertRate:
    return measure_insert_rate(store[0], 1, 2.0)


@pytest.mark.timeout(3600)
@pytest.mark.parametrize("name", list(QUERIES))
def test_graphql_through_the_replica_is_no_slower_than_on_the_primary(
    name: str,
    timings: dict[tuple[str, str], list[float]],
    baseline: InsertRate,
    report: Callable[..., str],
) -> None:
    p99 = {target: percentile(timings[(name, target)], 0.99) for target in TARGETS}
    for target in TARGETS:
        median = percentile(timings[(name, target)], 0.5)
        met = target == "primary" or p99["replica"] <= p99["primary"] * TOLERANCE
        report(
            f"graphql_{name}_{target}",
            f"p99 {ms(p99[target])}, median {ms(median)} over {RUNS} requests "
            f"({LOANS:,} loans, read from the {target})",
            baseline.per_insert(),
            p99[target] / baseline.round_trip,
            None if target == "primary" else f"p99 <= primary's {ms(p99['primary'])} (+10%)",
            met,
        )


def timed(api: TestClient, query: str, variables: dict[str, Any]) -> float:
    began = time.perf_counter()
    ask(api, query, variables)
    return time.perf_counter() - began


def ask(api: TestClient, query: str, variables: dict[str, Any]) -> Any:
    response = api.post("/graphql", json={"query": query, "variables": variables}, headers=ANALYST)
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    data = body["data"]
    assert data["loan"] if "loan" in data else sum(row["loanCount"] for row in data["portfolio"])
    return data
