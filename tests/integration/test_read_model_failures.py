"""One event a read model cannot hold stops that read model alone, and an operator's
recorded skip brings it back (issue 11, defect 0)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import psycopg
import pytest
from fastapi.testclient import TestClient

from application.app import LendingApplication
from application.demo import load_demo
from domain.borrower import Borrower, BorrowerKind, Profile
from domain.product import LoanProduct
from infrastructure.runtime import Runtime
from infrastructure.settings import Settings
from projections.base import ReadModelStopped
from projections.failures import SkipRefused
from tests.support.api import ANALYST, runtime_of
from tests.support.catalog import ADMIN, micro_12, product_terms
from tests.support.cli import invoke
from tests.support.people import WANG_FANG_ID
from tests.support.processes import lending_env

BORROWER = "query($id: ID!) { borrower(id: $id) { id } }"


def register_unholdable(app: LendingApplication) -> tuple[UUID, int]:
    """A borrower whose region holds U+0000, which no PostgreSQL text column can hold,
    saved below every check the interfaces and the domain make; its id and position.
    (The region: the borrowers read model keeps it as it is, and no longer any name.)"""
    profile = Profile(
        name="Wang Fang", phone="+8613800138000", address="12 Tea Garden Road, Wuhan",
        region="Hubei", monthly_income=Decimal("8500.00"),
    )  # fmt: skip
    borrower = Borrower.register(
        actor="officer.zhang", kind=BorrowerKind.INDIVIDUAL, id_number=WANG_FANG_ID,
        profile=profile,
    )  # fmt: skip
    (registered,) = borrower.collect_events()
    assert isinstance(registered, Borrower.Registered)
    nul = registered.profile.model_copy(update={"region": "Hu\x00bei"})
    (recording,) = app.save(registered.model_copy(update={"profile": nul}))
    return borrower.id, recording.notification.id


def define_unholdable_product(app: LendingApplication) -> int:
    """A product whose grace_days (10**12) no integer column holds, saved below every
    check; its position."""
    terms = product_terms(micro_12())
    product = LoanProduct.define(actor="admin.wu", code="HUGE-GRACE", terms=terms)
    (defined,) = product.collect_events()
    assert isinstance(defined, LoanProduct.Defined)
    huge = defined.terms.model_copy(update={"grace_days": 10**12})
    (recording,) = app.save(defined.model_copy(update={"terms": huge}))
    return recording.notification.id


def until(condition: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    """Wait for what another thread does (no fixed sleep: a condition, polled)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"never: {what}"
        time.sleep(0.01)


@pytest.fixture
def stopped(api: TestClient) -> tuple[Runtime, UUID, int, int]:
    """The borrowers read model stopped at a NUL region, and a demo portfolio after it:
    the runtime, the bad borrower's id and position, and the head."""
    runtime: Runtime = runtime_of(api)
    bad, position = register_unholdable(runtime.app)
    head = load_demo(runtime.app, borrowers=2)
    others = [name for name in runtime.projections.views if name != "borrowers"]
    runtime.projections.wait(head, others)
    return runtime, bad, position, head


def health_of(api: TestClient) -> tuple[int, dict[str, Any], dict[str, dict[str, Any]]]:
    response = api.get("/health")
    body = response.json()
    return response.status_code, body, {p["name"]: p for p in body["projections"]}


def test_an_event_one_read_model_cannot_hold_stops_that_read_model_alone(
    api: TestClient, stopped: tuple[Runtime, UUID, int, int], db_url: str
) -> None:
    runtime, bad, position, head = stopped
    projections = runtime.projections
    views = projections.views
    assert views["borrowers"].position() < position
    assert all(views[name].position() == head for name in views if name != "borrowers")
    with psycopg.connect(db_url) as conn:
        later = conn.execute(
            "SELECT count(*) FROM credit_assessments WHERE position > %s", (position,)
        ).fetchone()
        (letter,) = conn.execute(
            "SELECT name, position, topic, originator_id, originator_version, error "
            "FROM read_model_failures"
        ).fetchall()
    assert later is not None
    assert later[0] > 0
    assert letter[:5] == ("borrowers", position, "domain.borrower:Borrower.Registered", bad, 1)
    assert "NUL" in letter[5]
    assert "Wang" not in repr(letter)  # none of the event's data

    with pytest.raises(ReadModelStopped) as raised:  # at once, not after a timeout
        projections.wait(head)
    assert (raised.value.name, raised.value.position) == ("borrowers", position)
    assert runtime.loans_to_review(date(2030, 1, 1)) is not None  # arrears does not wait

    code, body, shown = health_of(api)
    assert code == 200
    assert body["status"] == "degraded"
    assert shown["borrowers"]["running"] is False
    assert shown["borrowers"]["stopped_at"] == position
    assert "NUL" in shown["borrowers"]["error"]
    assert all(shown[n]["running"] and shown[n]["lag"] == 0 for n in shown if n != "borrowers")
    assert [s.name for s in projections.failed()] == ["borrowers"]

    started = time.monotonic()
    answer = api.post(
        "/graphql",
        json={"query": "{ businessDate }"},
        headers=ANALYST | {"X-Min-Position": str(head)},
    )
    assert time.monotonic() - started < 2.5  # the stopped read model is not waited for
    assert int(answer.headers["x-read-position"]) < position


def test_a_product_no_column_can_hold_stops_the_products_read_model_alone(
    api: TestClient,
) -> None:
    runtime: Runtime = runtime_of(api)
    position = define_unholdable_product(runtime.app)
    head = load_demo(runtime.app, borrowers=2)
    runtime.projections.wait(head, [n for n in runtime.projections.views if n != "products"])
    (failed,) = runtime.projections.failed()
    assert (failed.name, failed.stopped_at) == ("products", position)
    assert "out of range" in (failed.error or "")


def test_a_restart_retries_the_failed_event_and_stops_there_again(
    stopped: tuple[Runtime, UUID, int, int], db_url: str
) -> None:
    runtime, _, position, _head = stopped
    projections = runtime.projections
    projections.stop()
    projections.start()
    follower = projections.follower
    assert follower is not None
    until(lambda: "borrowers" in follower.group.stopped, "the retry fails again")
    assert follower.group.stopped == {"borrowers": position}
    (status,) = projections.failed()
    assert (status.name, status.stopped_at, status.attempts) == ("borrowers", position, 2)
    load_demo(runtime.app, borrowers=2, seed=11, loans=False)
    projections.wait(projections.head(), [n for n in projections.views if n != "borrowers"])


def test_an_operator_skip_brings_the_read_model_back_and_is_recorded(
    api: TestClient,
    stopped: tuple[Runtime, UUID, int, int],
    settings: Settings,
    db_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    runtime, bad, position, head = stopped
    projections = runtime.projections
    env = lending_env(settings)
    later_borrower = _a_borrower_registered_after(db_url, runtime, position)
    assert _graphql_borrower(api, later_borrower) is None  # not projected yet

    caplog.set_level(logging.INFO)
    reason = "NUL in a region; the registration is corrected by hand"
    done = invoke(
        "projections", "skip", "borrowers", str(position), "--reason", reason,
        "--actor", "ops.liu", env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"read model borrowers skips position {position}" in caplog.text
    # The follower of this process (another process, for the CLI) takes it back.
    projections.wait(head)
    assert projections.failed() == []
    assert "read model borrowers resumes" in caplog.text
    assert _graphql_borrower(api, later_borrower) == {"id": str(later_borrower)}
    assert _graphql_borrower(api, bad) is None

    code, body, shown = health_of(api)
    assert (code, body["status"]) == (200, "ok")
    assert shown["borrowers"]["running"] is True
    (skip,) = body["skips"]
    assert skip | {"skipped_at": None} == {
        "name": "borrowers", "position": position, "reason": reason, "actor": "ops.liu",
        "skipped_at": None,
    }  # fmt: skip
    status = invoke("projections", "status", env=env)
    assert status.returncode == 0, status.stderr
    assert "ops.liu" in status.stdout
    assert str(position) in status.stdout

    again = invoke("projections", "skip", "borrowers", str(position), "--reason", "x", env=env)
    assert again.returncode == 2  # it is no longer stopped there

    incremental = _rows(db_url, "borrowers")
    assert projections.rebuild("borrowers") == head
    assert _rows(db_url, "borrowers") == incremental
    assert projections.views["borrowers"].position() == head


def test_a_skip_is_refused_unless_it_names_the_recorded_failure(
    stopped: tuple[Runtime, UUID, int, int], settings: Settings
) -> None:
    runtime, _, position, head = stopped
    env = lending_env(settings)
    for wrong in (position - 1, position + 1):
        refused = invoke("projections", "skip", "borrowers", str(wrong), "--reason", "x", env=env)
        assert refused.returncode == 2
        assert f"no recorded failure at position {wrong}" in refused.stdout
    with pytest.raises(SkipRefused, match="it has not stopped"):
        runtime.projections.skip("loans", head, "loans has not stopped", "ops.liu")
    with pytest.raises(SkipRefused, match="no read model named"):
        runtime.projections.skip("nonsense", position, "no such read model", "ops.liu")
    assert runtime.projections.skips() == []
    assert [s.name for s in runtime.projections.failed()] == ["borrowers"]


def _a_borrower_registered_after(db_url: str, runtime: Runtime, position: int) -> UUID:
    with psycopg.connect(db_url) as conn:
        row = conn.execute(
            "SELECT borrower_id FROM credit_assessments WHERE position > %s LIMIT 1", (position,)
        ).fetchone()
    assert row is not None
    found: UUID = row[0]
    return found


def _graphql_borrower(api: TestClient, borrower_id: UUID) -> Any:
    answer = api.post(
        "/graphql", json={"query": BORROWER, "variables": {"id": str(borrower_id)}},
        headers=ANALYST,
    )  # fmt: skip
    assert answer.status_code == 200, answer.text
    return answer.json()["data"]["borrower"]


def _rows(db_url: str, table: str) -> list[str]:
    with psycopg.connect(db_url) as conn:
        return sorted(map(repr, conn.execute(f"SELECT * FROM {table}")))


def test_close_of_business_stops_at_once_when_a_read_model_it_needs_has_stopped(
    api: TestClient, db_url: str
) -> None:
    """Close of business reads the loan_books read model (the arrears it shows): stopped,
    the run answers 503 at once; the queries that read other read models do not wait for
    it."""
    runtime: Runtime = runtime_of(api)
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("ALTER TABLE loan_books ADD CONSTRAINT refused CHECK (false)")
    head = load_demo(runtime.app, borrowers=2)
    day = date(2030, 1, 2)
    assert list(runtime.promises_due(day, head)) == []
    with pytest.raises(ReadModelStopped) as raised:
        runtime.loans_to_review(day, head)
    assert raised.value.name == "loan_books"

    answer = api.post("/close-of-business", json={"business_date": str(day)}, headers=ADMIN)
    assert answer.status_code == 503
    assert answer.json()["read_model"] == "loan_books"
