"""A loan's snapshot stores what its schedules cannot give again, and loads as replay does.

A long loan's snapshot was mostly the schedule twice, hundreds of untouched installments
and its penalty charges as named objects; it now keeps the schedule once, only the
installments something touched, and the charges as rows.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.application import project_aggregate
from eventsourcing.utils import get_topic

from domain.loan import Loan
from infrastructure.runtime import Runtime
from tests.support.portfolio import DISBURSED_ON, define_bench_product, disbursed_loan, pay

BOOKKEEPING = ("_id", "_version", "_pending_events")


def state_of(loan: Loan) -> dict[str, Any]:
    return dict(vars(loan))


def long_loan(runtime: Runtime) -> UUID:
    """A 30-year loan paid a little, late, again and again: penalty charged each time."""
    app = runtime.app
    define_bench_product(app)
    loan_id = disbursed_loan(app, 0, principal="500000.00", term=360)
    for n in range(12):
        pay(app, loan_id, "30.00", DISBURSED_ON + timedelta(days=40 + 7 * n), f"SNAP-{n}")
    return loan_id


def test_a_loan_loads_from_its_slim_snapshot_as_replay_builds_it(runtime: Runtime) -> None:
    app = runtime.app
    loan_id = long_loan(runtime)
    replayed = project_aggregate(None, app.events.get(loan_id))
    app.take_snapshot(loan_id)
    (recorded,) = app.snapshots.recorder.select_events(loan_id)  # type: ignore[union-attr]
    cipher = app.mapper.cipher
    raw = cipher.decrypt(recorded.state) if cipher else recorded.state
    stored = orjson.loads(raw)["state"]
    assert b"6222021234567890123" not in raw  # the payout account is sealed, as in events
    assert stored["schedule"] is None  # the contract's, kept once in the books
    assert 0 < len(stored["installments"]) < 100  # the later ones are as scheduled
    assert stored["charges"]
    assert all(isinstance(c, list) for c in stored["charges"])

    from_snapshot = app.repository.get(loan_id, version=replayed.version)
    assert state_of(from_snapshot) == state_of(replayed)
    # The next payment records the same events either way.
    on = DISBURSED_ON + timedelta(days=200)
    for loan in (from_snapshot, replayed):
        loan.receive_payment(
            actor="officer.zhang", repayment_id=UUID(int=7), amount=replayed.principal / 100,
            value_date=on, today=on,
        )  # fmt: skip
    assert [e.model_dump(exclude={"timestamp"}) for e in from_snapshot.collect_events()] == [
        e.model_dump(exclude={"timestamp"}) for e in replayed.collect_events()
    ]


def test_a_snapshot_that_kept_everything_still_loads(runtime: Runtime) -> None:
    app = runtime.app
    loan_id = long_loan(runtime)
    loan = app.repository.get(loan_id)
    kept = {k: v for k, v in state_of(loan).items() if k not in BOOKKEEPING}
    full = Loan.Snapshot(
        originator_id=loan.id, originator_version=loan.version,
        timestamp=Loan.Snapshot.create_timestamp(), topic=get_topic(Loan), state=kept,
    )  # fmt: skip
    assert full.state.schedule is not None
    assert len(full.state.installments) == 360
    stored = orjson.dumps(full.model_dump(mode="json"))
    restored = Loan.Snapshot.model_validate(orjson.loads(stored))
    assert state_of(restored.mutate(None)) == state_of(loan)
