"""Commands on one busy loan: clashes are retried inside the command, never a 5xx but 503."""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import httpx
import pytest

from application.app import LendingApplication, RetryPolicy
from application.repayments import ReceiveRepayment, receive_repayment, repayment_id
from domain.loan import Loan
from infrastructure.runtime import Runtime
from infrastructure.settings import Settings
from infrastructure.tokens import Role
from tests.support.api import OFFICER, bearer, client, runtime_of
from tests.support.portfolio import OFFICER as OFFICER_NAME
from tests.support.portfolio import disbursed_loans
from tests.support.processes import server_process

CONCURRENT = 50
PAID_ON = date(2026, 2, 15)  # before the first due date: each payment is a prepayment
APPROVER = bearer("approver.sun", Role.APPROVER)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"opening_date": PAID_ON})


def body(loan_id: UUID, reference: str, amount: str = "1.00") -> dict[str, str]:
    return {
        "loan_id": str(loan_id), "amount": amount, "value_date": PAID_ON.isoformat(),
        "channel": "bank", "external_reference": reference,
    }  # fmt: skip


@pytest.mark.timeout(180)
def test_fifty_concurrent_repayments_on_one_loan_are_all_recorded(
    settings: Settings, runtime: Runtime
) -> None:
    (loan_id,) = disbursed_loans(runtime.app, 1)
    start = threading.Barrier(CONCURRENT)

    def pay(n: int) -> httpx.Response:
        with httpx.Client(base_url=url, headers=OFFICER, timeout=60) as http:
            start.wait(timeout=60)
            return http.post("/repayments", json=body(loan_id, f"BUSY-{n}"))

    with server_process(settings) as (process, url):
        assert process.stdout is not None
        output = process.stdout  # drained, so the server's request log never fills the pipe
        drain = threading.Thread(target=lambda: output.read(), daemon=True)
        drain.start()
        with ThreadPoolExecutor(CONCURRENT) as pool:
            responses = list(pool.map(pay, range(CONCURRENT)))

    assert Counter(r.status_code for r in responses) == {201: CONCURRENT}, [
        r.text for r in responses if r.status_code != 201
    ]
    loan = runtime.app.load(Loan, loan_id, "loan")
    paid = {str(repayment_id(runtime.app, "bank", f"BUSY-{n}")) for n in range(CONCURRENT)}
    assert set(loan.payments) == paid
    assert set(loan.results) == paid
    allocated = sum((r.allocated + r.credit for r in loan.results.values()), Decimal(0))
    assert allocated == Decimal("1.00") * CONCURRENT
    # Each answer names its own repayment and a distinct position to read it at.
    assert {r.json()["id"] for r in responses} == paid
    assert len({r.json()["position"] for r in responses}) == CONCURRENT


@contextmanager
def overtaken(app: LendingApplication, env: dict[str, str]) -> Iterator[None]:
    """Make every load of a loan by `app` stale: a rival application records a repayment
    on the loan right after it is loaded, so the save that follows clashes in the store."""
    rival = LendingApplication(env)
    load = app.load
    rivals = iter(range(1, 1000))

    def overtaken_load(aggregate_type: Any, id_: UUID, kind: str) -> Any:
        loaded = load(aggregate_type, id_, kind)
        if aggregate_type is Loan:
            rival_pays = ReceiveRepayment(
                actor=OFFICER_NAME, loan_id=id_, amount=Decimal("1.00"), value_date=PAID_ON,
                channel="bank", external_reference=f"RIVAL-{next(rivals)}",
            )  # fmt: skip
            receive_repayment(rival, rival_pays)
        return loaded

    app.load = overtaken_load  # type: ignore[method-assign]
    try:
        yield
    finally:
        del app.load
        rival.close()


def test_a_command_that_loses_every_attempt_answers_503_with_retry_after(
    settings: Settings,
) -> None:
    with client(settings) as api:
        app: LendingApplication = runtime_of(api).app
        (loan_id,) = disbursed_loans(app, 1)
        app.retry_policy = RetryPolicy(attempts=3, first_wait=0)
        with overtaken(app, runtime_of(api).env):
            refused = api.post("/repayments", json=body(loan_id, "LOSER"), headers=OFFICER)

        assert refused.status_code == 503, refused.text
        assert refused.headers["retry-after"] == "1"
        assert refused.headers["content-type"] == "application/problem+json"
        assert "try again" in refused.json()["detail"]
        # Each attempt was overtaken by a real write; the refused payment is not recorded.
        loan = app.load(Loan, loan_id, "loan")
        assert len(loan.payments) == 3
        assert str(repayment_id(app, "bank", "LOSER")) not in loan.payments

        # Tried again once the loan is quiet, the same notification is recorded once.
        again = api.post("/repayments", json=body(loan_id, "LOSER"), headers=OFFICER)
        assert again.status_code == 201, again.text
        repeated = api.post("/repayments", json=body(loan_id, "LOSER"), headers=OFFICER)
        assert repeated.status_code == 200
        assert repeated.json()["id"] == again.json()["id"]


def test_an_if_match_write_that_a_rival_overtakes_is_a_conflict_not_a_retry(
    settings: Settings,
) -> None:
    """A retry reloads the loan: a client's If-Match then names a version that is gone."""
    with client(settings) as api:
        app: LendingApplication = runtime_of(api).app
        (loan_id,) = disbursed_loans(app, 1)
        version = app.load(Loan, loan_id, "loan").version
        change = {"value_date": PAID_ON.isoformat(), "reason": "uncollectable"}
        headers = APPROVER | {"If-Match": f'"{version}"'}
        with overtaken(app, runtime_of(api).env):
            answer = api.post(f"/loans/{loan_id}/write-off", json=change, headers=headers)
        assert answer.status_code in (409, 412), answer.text
        assert app.load(Loan, loan_id, "loan").status.value != "written_off"


def test_a_repayment_saved_by_a_concurrent_retry_is_received_once(runtime: Runtime) -> None:
    """Two notifications of one payment racing: one records it, the other's retry finds it."""
    app = runtime.app
    (loan_id,) = disbursed_loans(app, 1)
    command = ReceiveRepayment(
        actor=OFFICER_NAME, loan_id=loan_id, amount=Decimal("5.00"), value_date=PAID_ON,
        channel="bank", external_reference=f"TWICE-{uuid.uuid4().hex[:6]}",
    )  # fmt: skip
    start = threading.Barrier(8)

    def notify(_: int) -> int:
        start.wait(timeout=30)
        return receive_repayment(app, command).position

    with ThreadPoolExecutor(8) as pool:
        positions = list(pool.map(notify, range(8)))
    assert sum(1 for p in positions if p) == 1  # one write; the others answer position 0
    assert len(app.load(Loan, loan_id, "loan").payments) == 1


def test_a_repayment_recorded_between_the_check_and_the_load_is_received_once(
    runtime: Runtime,
) -> None:
    """The same notification recorded by a rival after this one found no repayment, but
    before it loaded the loan: it answers the recorded repayment, not a 4xx."""
    app = runtime.app
    (loan_id,) = disbursed_loans(app, 1)
    command = ReceiveRepayment(
        actor=OFFICER_NAME, loan_id=loan_id, amount=Decimal("5.00"), value_date=PAID_ON,
        channel="bank", external_reference="BETWEEN",
    )  # fmt: skip
    rival = LendingApplication(runtime.env)
    load = app.load

    def load_after_rival(aggregate_type: Any, id_: UUID, kind: str) -> Any:
        if aggregate_type is Loan:
            app.load = load  # type: ignore[method-assign]
            receive_repayment(rival, command)
        return load(aggregate_type, id_, kind)

    app.load = load_after_rival  # type: ignore[method-assign]
    try:
        written = receive_repayment(app, command)
    finally:
        app.load = load  # type: ignore[method-assign]
        rival.close()
    assert written.position == 0
    assert written.id == repayment_id(app, "bank", "BETWEEN")
    assert len(app.load(Loan, loan_id, "loan").payments) == 1
