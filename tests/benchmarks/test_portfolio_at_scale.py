"""Close of business and the arrears queries over 100,000 active loans.

The loans come from a seeded template database (tests/benchmarks/seed.py): 5,000 of
them fall due on each of 1 to 20 March and the business date is 1 March. Closing
1 March turns the first 5,000 overdue, which is the day the targets are about.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from infrastructure.runtime import Runtime
from interfaces.rest.app import create_app
from tests.benchmarks.baseline import InsertRate, ms, percentile
from tests.benchmarks.seed import BUSINESS_DATE, LOANS, seeded_copy, settings_for
from tests.support.api import ANALYST, runtime_of
from tests.support.catalog import ADMIN
from tests.support.processes import lending, lending_env

NEXT_DAY = date(2026, 3, 2)
DUE_ON_THE_DAY = LOANS // 20
COB_TARGET = 60.0
QUERY_TARGET = 0.100
RUNS = 100
ARREARS = """query($asOf: Date) { arrears(asOf: $asOf, first: 100) {
    edges { node { loan { id } daysPastDue bucket classification overduePrincipal
                   overdueInterest overdueFees overduePenalty } } } }"""
PORTFOLIO = """query($asOf: Date) { portfolio(groupBy: [REGION], asOf: $asOf) {
    region loanCount outstandingPrincipal par30 par90 nplRatio } }"""


@pytest.fixture(scope="module")
def seeded_api(seeded: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The service with its read models following, as `lending serve` runs it."""
    settings = settings_for(seeded, tmp_path_factory.mktemp("data"))
    with TestClient(create_app(settings, freeze=True)) as client:
        yield client


@pytest.fixture(scope="module")
def runtime(seeded_api: TestClient) -> Runtime:
    opened: Runtime = runtime_of(seeded_api)
    return opened


def close_and_report(
    api: TestClient, shape: str, baseline: InsertRate, report: Callable[..., str]
) -> None:
    """`POST /close-of-business` for 2 March, as an operator would run it."""
    app = runtime_of(api).app
    head = app.recorder.max_notification_id() or 0
    began = time.perf_counter()
    closed = api.post("/close-of-business", json={"business_date": str(NEXT_DAY)}, headers=ADMIN)
    elapsed = time.perf_counter() - began
    assert closed.status_code == 200, closed.text
    written = (app.recorder.max_notification_id() or 0) - head
    report(
        f"close_of_business ({shape})",
        f"{elapsed:.1f} s for {BUSINESS_DATE} over {LOANS:,} active loans "
        f"({DUE_ON_THE_DAY:,} falling due), {written:,} events written",
        baseline.per_insert(),
        elapsed / baseline.round_trip,
        f"< {COB_TARGET:g} s",
        elapsed < COB_TARGET,
    )
    # Each loan due that day records its late fee and its first day past due, and gets a
    # DPD warning; the calendar records the day. No other loan is touched.
    assert DUE_ON_THE_DAY <= written <= 3 * DUE_ON_THE_DAY + 1


@pytest.mark.timeout(7200)
def test_close_of_business_over_100k_loans(
    seeded_api: TestClient,
    insert_baseline: Callable[[int, float], InsertRate],
    report: Callable[..., str],
) -> None:
    """As `lending serve` runs it: the API and the read models in one process."""
    close_and_report(
        seeded_api, "API and read models in one process", insert_baseline(1, 2.0), report
    )


@pytest.mark.timeout(7200)
def test_close_of_business_beside_a_worker(
    database_server: str,
    tmp_path: Path,
    insert_baseline: Callable[[int, float], InsertRate],
    report: Callable[..., str],
) -> None:
    """As docker-compose runs it: the API (`serve --no-follow`) and a `lending worker`."""
    baseline = insert_baseline(1, 2.0)
    with seeded_copy(database_server, tmp_path / "seed") as url:
        settings = settings_for(url, tmp_path / "data")
        worker = lending("worker", env=lending_env(settings))
        try:
            with TestClient(create_app(settings, follow=False, freeze=True)) as api:
                close_and_report(api, "API beside a worker process", baseline, report)
        finally:
            worker.terminate()
            worker.wait(timeout=30)


@pytest.mark.timeout(1800)
@pytest.mark.parametrize(("name", "query"), [("arrears", ARREARS), ("portfolio", PORTFOLIO)])
@pytest.mark.parametrize("as_of", [NEXT_DAY, BUSINESS_DATE], ids=["today", "yesterday"])
def test_queries_over_100k_loans(
    seeded_api: TestClient,
    runtime: Runtime,
    name: str,
    query: str,
    as_of: date,
    insert_baseline: Callable[[int, float], InsertRate],
    report: Callable[..., str],
) -> None:
    # Closed once, by the test above or here when run alone (a date reached does nothing).
    closed = seeded_api.post(
        "/close-of-business", json={"business_date": str(NEXT_DAY)}, headers=ADMIN
    )
    assert closed.status_code == 200, closed.text
    runtime.projections.wait(runtime.projections.head())
    baseline = insert_baseline(1, 2.0)
    variables = {"asOf": as_of.isoformat()}
    first = ask(seeded_api, query, variables)
    timings = []
    for _ in range(RUNS):
        began = time.perf_counter()
        ask(seeded_api, query, variables)
        timings.append(time.perf_counter() - began)
    p99 = percentile(timings, 0.99)
    report(
        f"{name}_as_of_{as_of}",
        f"p99 {ms(p99)}, median {ms(percentile(timings, 0.5))} over {RUNS} requests "
        f"({LOANS:,} loans)",
        baseline.per_insert(),
        p99 / baseline.round_trip,
        f"p99 < {QUERY_TARGET * 1000:g} ms",
        p99 < QUERY_TARGET,
    )
    rows = first["arrears"]["edges"] if name == "arrears" else first["portfolio"]
    assert rows, f"{name} as of {as_of} found nothing"
    if name == "portfolio":
        assert sum(row["loanCount"] for row in rows) == LOANS


def ask(api: TestClient, query: str, variables: dict[str, Any]) -> Any:
    response = api.post("/graphql", json={"query": query, "variables": variables}, headers=ANALYST)
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return body["data"]
