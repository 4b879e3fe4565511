"""Repayments waiting together over HTTP are saved in one transaction, and each caller is
answered as if its command had been received alone.

A gate holds the writer's turn: the first repayment's load of its loan waits until the
test has seen every other command join the queue, so those are written as one group.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from fastapi.testclient import TestClient

from application.app import LendingApplication
from application.group_commit import RepaymentWriter
from application.loans import SubmitApplication, submit_application
from application.repayments import ReceiveRepayment, receive_repayment, repayment_id
from domain.loan import Loan
from domain.schedule import Frequency, Method
from infrastructure.settings import Settings
from tests.support.api import OFFICER, client, runtime_of
from tests.support.portfolio import OFFICER as OFFICER_NAME
from tests.support.portfolio import PRODUCT, books, disbursed_loans, register

PAID_ON = date(2026, 2, 15)  # the business date, before the loans' first due date
UNKNOWN_LOAN = "9c7f0d6e-0000-4000-8000-000000000000"


@pytest.fixture
def api(settings: Settings) -> Iterator[TestClient]:
    grouping = {"opening_date": PAID_ON, "group_commit": True}
    with client(settings.model_copy(update=grouping)) as test_client:
        yield test_client


def body(loan_id: UUID | str, reference: str, amount: str = "1.00", on: date = PAID_ON) -> Any:
    return {
        "loan_id": str(loan_id), "amount": amount, "value_date": on.isoformat(),
        "channel": "bank", "external_reference": reference,
    }  # fmt: skip


class Gate:
    """Holds the writer's turn on the gate loan's first load until `others` commands
    are queued behind it, then lets the writer go on."""

    def __init__(
        self,
        app: LendingApplication,
        writer: RepaymentWriter,
        gate_loan: UUID,
        after_load: Callable[[UUID], None] = lambda _: None,
    ) -> None:
        self.app, self.writer, self.gate_loan = app, writer, gate_loan
        self.after_load = after_load  # told of each load once the gate opened
        self.held = threading.Event()
        self.queue_length = 0
        self.queued = threading.Condition()
        self.saves: list[int] = []  # aggregates per save, from the gate's own on

    def joined(self, length: int) -> None:
        with self.queued:
            self.queue_length = length
            self.queued.notify_all()

    @contextmanager
    def holding(self, others: int) -> Iterator[Callable[[], None]]:
        app, load, save, released = self.app, self.app.load, self.app.save, threading.Event()

        def gated_load(aggregate_type: Any, id_: UUID, kind: str) -> Any:
            if id_ == self.gate_loan and not self.held.is_set():
                self.held.set()
                assert released.wait(timeout=60)
            loaded = load(aggregate_type, id_, kind)
            if released.is_set():
                self.after_load(id_)
            return loaded

        def counted_save(*aggregates: Any, **kwargs: Any) -> Any:
            if released.is_set():
                self.saves.append(len(aggregates))
            return save(*aggregates, **kwargs)

        def release() -> None:
            assert self.held.wait(timeout=60)
            with self.queued:
                assert self.queued.wait_for(lambda: self.queue_length >= others, timeout=60)
            released.set()

        app.load, app.save = gated_load, counted_save  # type: ignore[method-assign]
        self.writer.queued = self.joined
        try:
            yield release
        finally:
            del app.load, app.save
            self.writer.queued = None


def post_together(
    api: TestClient,
    gate_loan: UUID,
    bodies: list[dict[str, str]],
    after_load: Callable[[UUID], None] = lambda _: None,
) -> tuple[httpx.Response, list[httpx.Response], Gate]:
    """The gate's repayment, then `bodies` posted at once while it holds the writer's
    turn: they are queued, in order, and written together once it lets go."""
    runtime = runtime_of(api)
    writer: RepaymentWriter = api.app.state.repayments  # type: ignore[attr-defined]
    gate = Gate(runtime.app, writer, gate_loan, after_load)
    with gate.holding(len(bodies)) as release, ThreadPoolExecutor(len(bodies) + 1) as pool:
        first = pool.submit(api.post, "/repayments", json=body(gate_loan, f"GATE-{uuid4()}"),
                            headers=OFFICER)  # fmt: skip
        assert gate.held.wait(timeout=60)
        answers = []
        for n, each in enumerate(bodies):  # one by one, so they queue in this order
            answers.append(pool.submit(api.post, "/repayments", json=each, headers=OFFICER))
            with gate.queued:
                assert gate.queued.wait_for(lambda n=n: gate.queue_length > n, timeout=60)
        release()
        return first.result(), [a.result() for a in answers], gate


def loan_as_recorded_at(app: LendingApplication, loan_id: UUID, position: int) -> Loan:
    """The loan as the events stored up to `position` make it: what a read model that
    has processed `position` shows."""
    stored = app.recorder.select_notifications(start=1, limit=position, stop=position)
    version = max(n.originator_version for n in stored if n.originator_id == loan_id)
    loan: Loan = app.repository.get(loan_id, version=version)
    return loan


AMOUNTS = ("1.00", "250.00", "1066.19", "3.33")


def test_a_group_lands_every_payment_once_and_books_as_one_at_a_time(api: TestClient) -> None:
    app = runtime_of(api).app
    gate_loan, *loans = disbursed_loans(app, 9)
    grouped, alone = loans[:4], loans[4:]
    # 24 payments over 4 loans, each loan taking 6 in arrival order in one group.
    plan = [(n % 4, AMOUNTS[(n // 4) % 4]) for n in range(24)]
    run = uuid4().hex[:6]
    bodies = [body(grouped[i], f"G-{run}-{n}", amount) for n, (i, amount) in enumerate(plan)]

    _, answers, gate = post_together(api, gate_loan, bodies)

    assert [a.status_code for a in answers] == [201] * 24, [a.text for a in answers]
    # The gate's payment, then ONE save: the four loans and the 24 repayments.
    assert gate.saves == [2, 4 + 24]
    ids = [a.json()["id"] for a in answers]
    assert ids == [str(repayment_id(app, "bank", b["external_reference"])) for b in bodies]
    assert len({a.json()["position"] for a in answers}) == 24
    # The same payments received one at a time, as with LENDING_GROUP_COMMIT=off.
    one_by_one = RepaymentWriter(app, grouping=False)
    for n, (i, amount) in enumerate(plan):
        command = ReceiveRepayment(
            actor=OFFICER_NAME, loan_id=alone[i], amount=Decimal(amount), value_date=PAID_ON,
            channel="bank", external_reference=f"A-{run}-{n}",
        )  # fmt: skip
        one_by_one.receive(command)
    for together, apart in zip(grouped, alone, strict=True):
        loan = app.load(Loan, together, "loan")
        assert len(loan.payments) == 6
        assert books(loan) == books(app.load(Loan, apart, "loan"))
    again = [api.post("/repayments", json=each, headers=OFFICER) for each in bodies[:3]]
    assert [(a.status_code, a.json()["id"]) for a in again] == [(200, i) for i in ids[:3]]


def test_each_callers_position_covers_its_own_events(api: TestClient) -> None:
    app = runtime_of(api).app
    gate_loan, first, second = disbursed_loans(app, 3)
    bodies = [body((first, second)[n % 2], f"P-{uuid4()}", "100.00") for n in range(6)]

    _, answers, _ = post_together(api, gate_loan, bodies)

    for each, answer in zip(bodies, answers, strict=True):
        assert answer.status_code == 201, answer.text
        position, payment = answer.json()["position"], answer.json()["id"]
        assert payment in loan_as_recorded_at(app, UUID(each["loan_id"]), position).payments
        stored = app.recorder.select_notifications(start=1, limit=position, stop=position)
        assert UUID(payment) in {n.originator_id for n in stored}


def submitted_loan(app: LendingApplication, n: int) -> UUID:
    """A loan applied for and not yet disbursed: it cannot take a payment."""
    command = SubmitApplication(
        actor=OFFICER_NAME, borrower_id=register(app, n), product_code=PRODUCT,
        principal=Decimal("12000.00"), term=12, frequency=Frequency.MONTHLY,
        method=Method.EQUAL_INSTALLMENTS, purpose="shop fitting", annual_rate_percent=Decimal("12"),
    )  # fmt: skip
    return submit_application(app, command).id


def test_a_refused_command_gets_its_own_answer_and_the_rest_of_the_group_lands(
    api: TestClient,
) -> None:
    app = runtime_of(api).app
    gate_loan, busy, other = disbursed_loans(app, 3)
    pending = submitted_loan(app, 3)
    run = uuid4().hex[:6]
    bodies = [
        body(busy, f"R-{run}-1", "10.00"),
        body(pending, f"R-{run}-2"),  # not disbursed: 409
        body(busy, f"R-{run}-3", "20.00", on=date(2026, 1, 1)),  # before the disbursement
        body(other, f"R-{run}-4", "30.00"),
        body(UNKNOWN_LOAN, f"R-{run}-5"),  # no such loan
        body(busy, f"R-{run}-6", "40.00"),  # after the refused one, in order
    ]

    _, answers, _ = post_together(api, gate_loan, bodies)

    assert [a.status_code for a in answers] == [201, 409, 422, 201, 422, 201]
    assert "loan is submitted" in answers[1].json()["detail"]
    assert [e["field"] for e in answers[2].json()["errors"]] == ["value_date"]
    assert [e["field"] for e in answers[4].json()["errors"]] == ["loan_id"]
    recorded = app.load(Loan, busy, "loan")
    paid = [recorded.payments[a.json()["id"]].amount for a in (answers[0], answers[5])]
    assert paid == [Decimal("10.00"), Decimal("40.00")]
    assert len(recorded.payments) == 2
    assert len(app.load(Loan, other, "loan").payments) == 1
    refused = [repayment_id(app, "bank", f"R-{run}-{n}") for n in (2, 3, 5)]
    assert not app.existing(refused)  # nothing of a refused command is stored


def test_duplicates_in_a_group_and_against_the_store_answer_as_alone(api: TestClient) -> None:
    app = runtime_of(api).app
    gate_loan, loan = disbursed_loans(app, 2)
    stored = api.post("/repayments", json=body(loan, "DUP-STORED", "5.00"), headers=OFFICER)
    assert stored.status_code == 201
    bodies = [
        body(loan, "DUP-NEW", "7.00"),
        body(loan, "DUP-STORED", "5.00"),  # received before: 200, the same repayment
        body(loan, "DUP-NEW", "7.00"),  # twice in the group: the second writes nothing
        body(loan, "DUP-NEW", "8.00"),  # the same reference with other details: 409
        body(loan, "DUP-STORED", "6.00"),
    ]

    _, answers, _ = post_together(api, gate_loan, bodies)

    assert [a.status_code for a in answers] == [201, 200, 200, 409, 409]
    new = str(repayment_id(app, "bank", "DUP-NEW"))
    assert [a.json()["id"] for a in answers[:3]] == [new, stored.json()["id"], new]
    assert [a.json()["position"] for a in answers[1:3]] == [0, 0]
    recorded = app.load(Loan, loan, "loan")
    assert set(recorded.payments) == {new, stored.json()["id"]}


def test_a_group_overtaken_by_another_process_is_received_one_at_a_time(
    api: TestClient,
) -> None:
    runtime = runtime_of(api)
    app = runtime.app
    gate_loan, contested, quiet = disbursed_loans(app, 3)
    rival = LendingApplication(runtime.env)
    bodies = [body((contested, quiet)[n % 2], f"O-{uuid4()}") for n in range(6)]
    overtaken = threading.Event()

    def rival_pays(loan_id: UUID) -> None:
        """Once the group is queued, another process pays the contested loan: the copy
        this process holds of it, that the group decides on, is overtaken."""
        if loan_id == gate_loan and not overtaken.is_set():
            overtaken.set()
            rival_payment = ReceiveRepayment(
                actor=OFFICER_NAME, loan_id=contested, amount=Decimal("2.00"), value_date=PAID_ON,
                channel="bank", external_reference=f"RIVAL-{uuid4()}",
            )  # fmt: skip
            receive_repayment(rival, rival_payment)

    try:
        _, answers, gate = post_together(api, gate_loan, bodies, after_load=rival_pays)
    finally:
        rival.close()

    assert [a.status_code for a in answers] == [201] * 6, [a.text for a in answers]
    # The group's save clashed and wrote nothing; each command was then saved alone.
    assert gate.saves == [2, 2 + 6] + [2] * 6
    assert len(app.load(Loan, contested, "loan").payments) == 3 + 1
    assert len(app.load(Loan, quiet, "loan").payments) == 3
    assert {a.json()["id"] for a in answers} == {
        str(repayment_id(app, "bank", b["external_reference"])) for b in bodies
    }


def test_group_commit_is_a_setting(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LENDING_GROUP_COMMIT", raising=False)
    assert Settings().group_commit is False  # off unless asked for
    monkeypatch.setenv("LENDING_GROUP_COMMIT", "off")
    assert Settings().group_commit is False
    monkeypatch.setenv("LENDING_GROUP_COMMIT", "on")
    assert Settings().group_commit is True
    with client(settings.model_copy(update={"group_commit": False})) as api:
        assert api.app.state.repayments.grouping is False  # type: ignore[attr-defined]
