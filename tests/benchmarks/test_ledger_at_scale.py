"""The general ledger over the 100,000-loan store (tests/benchmarks/seed.py): the trial
balance as a query, and a month end's accruals, provisions and reconciliation.

The month end is the close-of-business step itself, run for 31 March on the store as
seeded (business date 1 March): every loan's facts from the read models, the domain's
decisions recorded on the month's MonthEnd, the journal posting them, and the
reconciliation of the journal with the loan books.

On a store smaller than 100,000 loans (LENDING_BENCH_LOANS) the month end's time is
also projected to 100,000 loans, linearly: every step is a set-based query or a batch
per 500 loans. The trial balance sums one row per account and day, whatever the loans.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import date

import psycopg
import pytest
from fastapi.testclient import TestClient

from application.month_end import closing_months
from infrastructure.runtime import Runtime
from interfaces.rest.app import create_app
from tests.benchmarks.baseline import InsertRate, ms, percentile
from tests.benchmarks.seed import FULL_SIZE, LOANS, settings_for
from tests.support.api import ANALYST, runtime_of

MONTH_END = date(2026, 3, 31)
MONTH_END_TARGET = 60.0
QUERY_TARGET = 0.100
RUNS = 100
TRIAL_BALANCE = """query($asOf: Date) { trialBalance(asOf: $asOf) { totalDebits totalCredits
    lines { account { code name type } debits credits balance } } }"""


@pytest.fixture(scope="module")
def seeded_api(seeded: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = settings_for(seeded, tmp_path_factory.mktemp("data"))
    with TestClient(create_app(settings, freeze=True)) as client:
        yield client


def postings(url: str, after: int) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM journal_entries WHERE position > %s", (after,)
        ).fetchone()
    return int(row[0]) if row else 0


@pytest.mark.timeout(3600)
def test_month_end_over_100k_loans(
    seeded_api: TestClient,
    seeded: str,
    insert_baseline: Callable[[int, float], InsertRate],
    report: Callable[..., str],
) -> None:
    runtime: Runtime = runtime_of(seeded_api)
    head = runtime.projections.head()
    runtime.projections.wait(head)
    baseline = insert_baseline(1, 2.0)
    step = closing_months(runtime.month_end_facts, runtime.reconcile_facts)
    began = time.perf_counter()
    last = step(runtime.app, "admin.wu", MONTH_END, None)
    elapsed = time.perf_counter() - began
    assert last is not None
    assert last > head
    runtime.projections.wait(last)
    made = postings(seeded, head)
    projected = elapsed * FULL_SIZE / LOANS
    scaled = "" if LOANS == FULL_SIZE else f", {projected:.1f} s projected to {FULL_SIZE:,}"
    report(
        "month_end",
        f"{elapsed:.1f} s for {MONTH_END} over {LOANS:,} loans: {made:,} postings "
        f"(accruals and provisions), journal reconciled{scaled}",
        baseline.per_insert(),
        elapsed / baseline.round_trip,
        f"< {MONTH_END_TARGET:g} s",
        projected < MONTH_END_TARGET,
    )
    assert made >= LOANS


@pytest.mark.timeout(1800)
def test_trial_balance_over_100k_loans(
    seeded_api: TestClient,
    insert_baseline: Callable[[int, float], InsertRate],
    report: Callable[..., str],
) -> None:
    runtime: Runtime = runtime_of(seeded_api)
    runtime.projections.wait(runtime.projections.head())
    baseline = insert_baseline(1, 2.0)
    variables = {"asOf": MONTH_END.isoformat()}
    first = ask(seeded_api, variables)
    timings = []
    for _ in range(RUNS):
        began = time.perf_counter()
        ask(seeded_api, variables)
        timings.append(time.perf_counter() - began)
    p99 = percentile(timings, 0.99)
    report(
        "trial_balance",
        f"p99 {ms(p99)}, median {ms(percentile(timings, 0.5))} over {RUNS} requests "
        f"({LOANS:,} loans)",
        baseline.per_insert(),
        p99 / baseline.round_trip,
        f"p99 < {QUERY_TARGET * 1000:g} ms",
        p99 < QUERY_TARGET,
    )
    balance = first["trialBalance"]
    assert balance["totalDebits"] == balance["totalCredits"]
    assert balance["lines"]


def ask(api: TestClient, variables: dict[str, str]) -> dict[str, object]:
    response = api.post(
        "/graphql", json={"query": TRIAL_BALANCE, "variables": variables}, headers=ANALYST
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    data: dict[str, object] = body["data"]
    return data
