"""Logins (argon2id at OWASP's cost), the session check every request makes, and
the audit trail over the 100,000-loan store, each against raw inserts in the same run."""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from application.staff.passwords import hash_password, verify_password
from infrastructure.rate_limits import RateLimits
from infrastructure.settings import Settings
from interfaces.graphql.audit import encode_cursor
from interfaces.rest.app import create_app
from tests.benchmarks.baseline import InsertRate, ms, percentile, timed
from tests.benchmarks.seed import LOANS, seeded_copy, settings_for
from tests.support.api import AUDITOR, client, runtime_of
from tests.support.staff import ADMIN, ADMIN_PASSWORD, bearer_of, first_admin, log_in

LOGINS = 20
LOGIN_TARGET = 0.100
REQUESTS = 200
QUERIES = 100
TRAIL_TARGET = 0.100
QUERY = """query($actor: String, $type: String, $id: ID, $from: DateTime, $to: DateTime,
                 $after: String) {
  auditTrail(actor: $actor, eventType: $type, entityId: $id, from: $from, to: $to,
             after: $after, first: 50) {
    nodes { position recordedAt actor office entityType entityId eventType valueDate }
    pageInfo { endCursor hasNextPage }
  }
}"""


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """One admin logging in 20 times a second is far past a person's rate: unlimited."""
    unlimited = RateLimits(auth_per_client=None, auth_per_user=None)
    return settings.model_copy(update={"rate_limits": unlimited})


@pytest.mark.timeout(600)
def test_login_and_the_session_check(
    settings: Settings,
    insert_baseline: Callable[[int, float], InsertRate],
    report: Callable[..., str],
) -> None:
    baseline = insert_baseline(1, 2.0)
    hashed = hash_password(ADMIN_PASSWORD)
    argon2 = statistics.median(timed(lambda: verify_password(hashed, ADMIN_PASSWORD), LOGINS))
    with client(settings) as api:
        first_admin(runtime_of(api).app)
        log_in(api, ADMIN, ADMIN_PASSWORD)  # warm: the dummy hash, the pools, the caches
        logins = timed(lambda: log_in(api, ADMIN, ADMIN_PASSWORD), LOGINS)
        login = statistics.median(logins)
        report(
            "login (POST /auth/login, argon2id at OWASP cost)",
            f"{ms(login)} median, {ms(percentile(logins, 0.99))} p99 of {LOGINS} "
            f"(argon2 verify alone {ms(argon2)})",
            baseline.per_insert(),
            login / baseline.round_trip,
            f"< {LOGIN_TARGET * 1000:g} ms",
            login < LOGIN_TARGET,
        )
        session = bearer_of(log_in(api, ADMIN, ADMIN_PASSWORD))

        def read(headers: dict[str, str]) -> None:
            answer = api.post("/graphql", json={"query": "{ businessDate }"}, headers=headers)
            assert answer.status_code == 200, answer.text

        read(session)
        with_session = statistics.median(timed(lambda: read(session), REQUESTS))
        without = statistics.median(timed(lambda: read(AUDITOR), REQUESTS))
        added = with_session - without
        report(
            "session check (a request with a login's token vs one without a session)",
            f"{ms(with_session)} vs {ms(without)} median: {ms(added)} added per request",
            baseline.per_insert(),
            added / baseline.round_trip,
        )


@pytest.fixture(scope="module")
def seeded_api(
    database_server: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    with seeded_copy(database_server, tmp_path_factory.mktemp("seed")) as url:
        settings = settings_for(url, tmp_path_factory.mktemp("data"))
        with TestClient(create_app(settings, freeze=True)) as api:
            yield api


def shapes(url: str) -> dict[str, list[dict[str, Any]]]:
    """Each shape of question an auditor asks, with variables drawn from the store."""
    rng = random.Random(15)
    with psycopg.connect(url) as conn:
        loans = [str(r[0]) for r in conn.execute("SELECT id FROM loans ORDER BY id LIMIT 5000")]
        actors = [r[0] for r in conn.execute("SELECT DISTINCT actor FROM audit_log LIMIT 20")]
        marks = [
            {"recorded_at": at, "entry": entry}
            for at, entry in conn.execute(
                "SELECT recorded_at, entry FROM audit_log TABLESAMPLE SYSTEM (1) LIMIT %s",
                (QUERIES,),
            )
        ]
    middle = sorted(mark["recorded_at"] for mark in marks)[len(marks) // 2]
    return {
        "a loan's entries (entityId)": [{"id": rng.choice(loans)} for _ in range(QUERIES)],
        "an actor's entries (actor)": [{"actor": rng.choice(actors)} for _ in range(QUERIES)],
        "a type, deep page (eventType, after)": [
            {"type": "LoanDisbursed", "after": encode_cursor(mark)} for mark in marks
        ],
        "an hour (from, to)": [
            {"from": middle.isoformat(), "to": (middle + timedelta(hours=1)).isoformat()}
            for _ in range(QUERIES)
        ],
    }


@pytest.mark.timeout(7200)
def test_audit_trail_over_100k_loans(
    seeded_api: TestClient,
    insert_baseline: Callable[[int, float], InsertRate],
    report: Callable[..., str],
) -> None:
    runtime = runtime_of(seeded_api)
    runtime.projections.wait(runtime.projections.head(), ["audit_log"])
    with psycopg.connect(runtime.url) as conn:
        rows = conn.execute("SELECT count(*) FROM audit_log").fetchone()
    baseline = insert_baseline(1, 2.0)
    for shape, variables in shapes(runtime.url).items():

        def ask(values: dict[str, Any]) -> None:
            answer = seeded_api.post(
                "/graphql", json={"query": QUERY, "variables": values}, headers=AUDITOR
            )
            assert answer.status_code == 200
            assert "errors" not in answer.json(), answer.text

        ask(variables[0])
        timings = []
        for values in variables:
            began = time.perf_counter()
            ask(values)
            timings.append(time.perf_counter() - began)
        p99 = percentile(timings, 0.99)
        report(
            f"auditTrail: {shape}",
            f"p99 {ms(p99)}, median {ms(statistics.median(timings))} over {QUERIES} queries, "
            f"{rows[0] if rows else 0:,} rows, {LOANS:,} loans",
            baseline.per_insert(),
            p99 / baseline.round_trip,
            f"p99 < {TRAIL_TARGET * 1000:g} ms",
            p99 < TRAIL_TARGET,
        )
