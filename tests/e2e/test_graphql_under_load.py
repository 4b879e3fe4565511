"""The real server keeps answering /health while a heavy (but allowed) GraphQL query runs.

The query rebuilds one busy loan from its events a few hundred times (`loan(asOf)`,
each at a different moment). GraphQL's store reads used to queue in the thread pool
that also runs /health, so /health waited for the whole query.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import httpx
import pytest

from infrastructure.settings import Settings
from interfaces.graphql.cost import MAX_COST, REBUILD
from tests.support.api import ANALYST, OFFICER
from tests.support.catalog import disbursed_loan, ok
from tests.support.processes import drained_server

PAYMENTS = 10
REBUILDS = 240
HEALTH_WITHIN = 1.0


def busy_loan(http: httpx.Client) -> tuple[str, int]:
    """A disbursed loan with PAYMENTS repayments: its id and the last write's position."""
    loan = disbursed_loan(http)
    position = loan["position"]
    for n in range(PAYMENTS):
        body = {
            "loan_id": loan["id"], "amount": "10.00", "value_date": "2026-02-10",
            "channel": "bank", "external_reference": f"LOAD-{n}",
        }  # fmt: skip
        position = ok(http.post("/repayments", json=body, headers=OFFICER), 201)["position"]
    return loan["id"], position


def rebuilds(count: int) -> str:
    """`count` aliases of the loan as of as many moments (one microsecond apart)."""
    fields = " ".join(
        f'r{n}: loan(id: $id, asOf: "2030-01-01T00:00:00.{n:06d}Z") {{ version }}'
        for n in range(count)
    )
    return f"query($id: ID!) {{ {fields} }}"


@pytest.mark.timeout(300)
def test_health_answers_while_a_heavy_query_runs(settings: Settings) -> None:
    assert REBUILDS * (REBUILD + 1) <= MAX_COST  # allowed: the cost limit does not refuse it
    with drained_server(settings) as base, httpx.Client(base_url=base, timeout=60) as http:
        loan_id, position = busy_loan(http)
        heavy: dict[str, Any] = {}

        def run_heavy() -> None:
            with httpx.Client(base_url=base, timeout=60) as own:
                began = time.perf_counter()
                response = own.post(
                    "/graphql",
                    json={"query": rebuilds(REBUILDS), "variables": {"id": loan_id}},
                    headers=ANALYST | {"X-Min-Position": str(position)},
                )
                heavy.update(seconds=time.perf_counter() - began, response=response)

        assert http.get("/health").status_code == 200  # a warm connection
        worker = threading.Thread(target=run_heavy)
        worker.start()
        latencies = []
        while worker.is_alive():  # ends with the query, which has a 60 s timeout
            began = time.perf_counter()
            answer = http.get("/health")
            latencies.append(time.perf_counter() - began)
            assert answer.status_code == 200, answer.text
        worker.join()

        body = heavy["response"].json()
        assert "errors" not in body, str(body)[:500]
        assert len(body["data"]) == REBUILDS
        assert {loan["version"] for loan in body["data"].values()} == {
            body["data"]["r0"]["version"]
        }
        print(
            f"\nheavy query {heavy['seconds']:.2f} s; {len(latencies)} /health answers, "
            f"slowest {max(latencies) * 1000:.0f} ms"
        )
        # /health answered several times while the query ran, each time within a second.
        assert len(latencies) >= 3, (heavy["seconds"], latencies)
        assert max(latencies) < HEALTH_WITHIN, (heavy["seconds"], latencies)
