"""`lending demo`: a small portfolio with every loan state and payment story, reproducibly."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import date
from typing import Any

import psycopg
import pytest
from psycopg.conninfo import make_conninfo

from application.calendar import business_date
from application.demo import load_demo
from application.demo.staff import CHENGDU, DEMO_PASSWORD, WUHAN
from application.demo.staff import STAFF as DEMO_STAFF
from domain.loan import LoanStatus
from infrastructure.runtime import Runtime
from infrastructure.settings import Settings
from tests.support.api import client, graphql
from tests.support.database import as_url, select
from tests.support.demo import BORROWERS, SEED, DemoStore
from tests.support.processes import lending_env

STAFF = ("admin.", "officer.", "approver.", "reviewer.", "collector.")


def one(url: str, sql: str) -> Any:
    return select(url, sql)[0][0]


def loaded(runtime: Runtime, seed: int = SEED) -> int:
    position = runtime.load_demo(BORROWERS, seed=seed)
    runtime.projections.wait(position, timeout=120)
    return position


def portfolio(url: str) -> list[tuple[Any, ...]]:
    """What two loads of one seed must agree on: per status, the count and the money."""
    return select(
        url,
        """SELECT l.status, count(*), sum(l.principal), sum(l.disbursed_amount),
                  sum(l.outstanding_principal), sum(l.credit_balance),
                  (SELECT count(*) FROM repayments r JOIN loans k ON k.id = r.loan_id
                    WHERE k.status = l.status),
                  (SELECT coalesce(sum(r.amount), 0) FROM repayments r
                    JOIN loans k ON k.id = r.loan_id WHERE k.status = l.status)
             FROM loans l GROUP BY l.status ORDER BY l.status""",
    )


@pytest.fixture
def second_store(database_server: str, settings: Settings) -> Iterator[Runtime]:
    """Another empty event store on the same server."""
    name = f"lending_demo_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(database_server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = as_url(make_conninfo(database_server, dbname=name))
    runtime = Runtime.open(settings.model_copy(update={"database_url": url}), url)
    try:
        yield runtime
    finally:
        runtime.close()
        with psycopg.connect(database_server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# A second load of 40 borrowers, with its staff (argon2 hashes) and contracts (PDFs),
# beside the shared one: about 20 s on a quiet machine, far more on a shared one.
@pytest.mark.timeout(300)
def test_a_small_demo_has_every_state_and_payment_story_and_its_seed_repeats_it(
    demo: DemoStore, second_store: Runtime
) -> None:
    runtime, db_url, position = demo.runtime, demo.url, demo.position

    assert one(db_url, "SELECT count(*) FROM borrowers") == BORROWERS
    assert one(db_url, "SELECT count(DISTINCT kind) FROM borrowers") == 2
    assert one(db_url, "SELECT count(*) FROM products") == 4
    statuses = {status for (status,) in select(db_url, "SELECT DISTINCT status FROM loans")}
    assert statuses == {status.value for status in LoanStatus}
    methods = {method for (method,) in select(db_url, "SELECT DISTINCT method FROM loans")}
    assert {"equal_installments", "equal_principal", "interest_only", "flat"} <= methods

    prepayments = select(
        db_url, "SELECT DISTINCT prepayment FROM repayments WHERE prepayment IS NOT NULL"
    )
    assert {kind for (kind,) in prepayments} == {"reduce_term", "reduce_installment"}
    assert one(db_url, "SELECT count(*) FROM repayments WHERE status = 'reversed'") > 0
    assert one(db_url, "SELECT count(*) FROM repayments WHERE credit > 0") > 0
    assert one(db_url, "SELECT count(*) FROM lending_events WHERE topic LIKE '%Rescheduled'") > 0

    unsettled = """SELECT count(*) FROM loans WHERE status IN ('closed', 'written_off')
                   AND outstanding_principal + outstanding_interest + outstanding_fees
                       + outstanding_penalty <> 0"""
    assert one(db_url, unsettled) == 0
    assert one(db_url, "SELECT count(*) FROM loans WHERE status = 'closed'") > 0
    assert one(db_url, "SELECT max(value_date) FROM repayments") <= date(2026, 11, 20)
    first, last = select(db_url, "SELECT min(disbursed_on), max(disbursed_on) FROM loans")[0]
    assert first >= date(2025, 1, 1)
    assert last <= date(2026, 11, 20)

    # Micro loans pay a 1.5% service fee out of the payout; SME loans a management fee on
    # every installment; no loan's APR, fees included, is above the 24% legal ceiling.
    micro = select(
        db_url,
        """SELECT b.fees_deducted, l.principal, b.paid_out FROM loan_books b
             JOIN loans l ON l.id = b.loan_id
            WHERE l.product_code = 'MICRO-BIZ' AND b.paid_out IS NOT NULL""",
    )
    assert micro
    assert all(fee == principal * 15 / 1000 == principal - paid for fee, principal, paid in micro)
    sme_fees = """SELECT count(*) FROM loan_book_charges c JOIN loans l ON l.id = c.loan_id
                   WHERE l.product_code = 'SME-TERM' AND c.code = 'MANAGEMENT'"""
    assert one(db_url, sme_fees) > 0
    assert one(db_url, "SELECT max(apr) FROM loan_books") <= 24
    assert one(db_url, "SELECT count(*) FROM loan_books WHERE apr > 0") > 0

    actors = {e.actor for page in runtime.projections.pages() for e, _ in page}
    # Decisions the credit policy takes by itself (automatic approval) name "system", the
    # first admin's creation "bootstrap".
    assert all(actor.startswith(STAFF) or actor in ("system", "bootstrap") for actor in actors)
    routes = {
        tuple(levels) for (levels,) in select(db_url, "SELECT DISTINCT levels FROM approvals")
    }
    assert {("system",), ("reviewer", "approver"), ("reviewer", "reviewer", "approver")} <= routes
    waiting = select(db_url, "SELECT DISTINCT pending_role FROM approvals WHERE status = 'pending'")
    assert waiting
    assert {role for (role,) in waiting} <= {"reviewer", "approver"}
    assert one(db_url, "SELECT count(*) FROM approval_steps WHERE override_reason <> ''") > 0
    # The warnings the late loans call for are raised once, on the demo's business date.
    warnings = select(db_url, "SELECT rule, count(*) FROM risk_warnings GROUP BY rule")
    assert {"dpd_threshold", "first_payment_default", "repeated_late"} <= dict(warnings).keys()
    policy = runtime.app.policies.risk
    findings = runtime.risk_findings(business_date(runtime.app), policy, position)
    assert findings == []
    assert demo.head == position

    # The same seed in another store: the same portfolio, to the cent.
    loaded(second_store)
    assert portfolio(db_url) == portfolio(second_store.url)
    assert len(portfolio(db_url)) == len(LoanStatus)


def test_without_loans_only_borrowers_are_registered(runtime: Runtime, db_url: str) -> None:
    runtime.projections.start()
    position = load_demo(runtime.app, borrowers=12, loans=False)
    runtime.projections.wait(position)
    assert one(db_url, "SELECT count(*) FROM borrowers") == 12
    assert one(db_url, "SELECT count(*) FROM loans") == 0
    assert one(db_url, "SELECT count(*) FROM products") == 0


def test_another_seed_adds_to_a_loaded_store_and_the_same_seed_adds_nothing(
    runtime: Runtime, db_url: str
) -> None:
    runtime.projections.start()
    load_demo(runtime.app, borrowers=4, seed=1)
    assert load_demo(runtime.app, borrowers=4, seed=1) == 0  # already registered: skipped
    position = load_demo(runtime.app, borrowers=4, seed=2)
    runtime.projections.wait(position, timeout=60)
    assert one(db_url, "SELECT count(*) FROM borrowers") == 8
    assert one(db_url, "SELECT count(*) FROM products") == 4


def test_the_demo_command_loads_borrowers_and_loans(settings: Settings, db_url: str) -> None:
    command = [sys.executable, "-c", "from interfaces.cli import main; main()"]
    done = subprocess.run(
        [*command, "demo", "--borrowers", "6", "--seed", "3"],
        env=lending_env(settings),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    events = one(db_url, "SELECT count(*) FROM lending_events")
    submitted = "SELECT count(*) FROM lending_events WHERE topic LIKE '%ApplicationSubmitted'"
    assert one(db_url, submitted) > 0
    assert f"position {events}" in done.stdout
    # The products' nominal rates beside their APRs, fees included.
    micro = next(line for line in done.stdout.splitlines() if "MICRO-BIZ: nominal" in line)
    assert "nominal 8.5% to 18% -> APR" in micro
    assert "Service fee" in micro


def test_the_demo_staff_log_in_and_see_their_branchs_book(demo: DemoStore) -> None:
    db_url, settings = demo.url, demo.settings
    assert one(db_url, "SELECT count(*) FROM staff_users") == len(DEMO_STAFF) + 1
    # Loans and borrowers belong to the branch of the officer who took them.
    branches = select(
        db_url, "SELECT DISTINCT o.name FROM loans l JOIN offices o ON o.id = l.office"
    )
    assert {name for (name,) in branches} == {WUHAN, CHENGDU}
    assert one(db_url, "SELECT count(*) FROM borrowers WHERE office IS NULL") == 0
    with client(settings) as api:
        answer = api.post(
            "/auth/login", json={"username": "officer.wang", "password": DEMO_PASSWORD}
        )
        assert answer.status_code == 200, answer.text
        officer = {"Authorization": f"Bearer {answer.json()['access_token']}"}
        seen = graphql(api, "{ loans(first: 100) { nodes { id } } }", officer)["data"]
        chengdu = """SELECT l.id::text FROM loans l JOIN offices o ON o.id = l.office
                      WHERE o.name = '{}' ORDER BY l.position LIMIT 100"""
        mine = [row[0] for row in select(db_url, chengdu.format(CHENGDU))]
        assert [node["id"] for node in seen["loans"]["nodes"]] == mine
