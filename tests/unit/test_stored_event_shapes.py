"""Events already stored keep loading, and keep their topics and fields, whichever way
their classes are defined (`stored_events.jsonl` was written by the classes of before)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import orjson
from eventsourcing.persistence import StoredEvent

from domain.accounting import ManualEntry
from domain.approval import ApprovalCase, ApprovalRole, Outcome
from domain.borrower import Borrower
from domain.collections import CollectionCase, PromiseSettled
from domain.office import HEAD_OFFICE_ID
from infrastructure.eventstore import OrjsonTranscoder, PydanticMapper

STORED = Path(__file__).with_name("stored_events.jsonl")
MAPPER = PydanticMapper(transcoder=OrjsonTranscoder())


def stored() -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in STORED.read_bytes().splitlines()]


def loaded(record: dict[str, Any]) -> Any:
    state = record["state"]
    stored_event = StoredEvent(
        originator_id=UUID(state["originator_id"]),
        originator_version=state["originator_version"],
        topic=record["topic"],
        state=orjson.dumps(state),
    )
    return MAPPER.to_domain_event(stored_event)


def replayed(kind: str) -> Any:
    aggregate = None
    for record in stored():
        if record["topic"].split(":")[1].startswith(f"{kind}."):
            aggregate = loaded(record).mutate(aggregate)
    return aggregate


def test_each_stored_event_loads_under_its_topic_and_stores_as_it_was() -> None:
    for record in stored():
        event = loaded(record)
        again = MAPPER.to_stored_event(event)
        assert again.topic == record["topic"]
        assert orjson.loads(again.state) == record["state"]


def test_a_borrower_replays_from_its_stored_update() -> None:
    borrower: Borrower = replayed("Borrower")
    assert (borrower.version, borrower.profile.address) == (2, "7 River Road")


def test_an_update_stored_before_phone_digests_loads_without_one() -> None:
    record = next(r for r in stored() if r["topic"].endswith(":Borrower.Updated"))
    state = {k: v for k, v in record["state"].items() if k != "phone_digest"}
    state["originator_id"] = str(uuid4())
    update = loaded({"topic": record["topic"], "state": state})
    assert update.phone_digest is None
    assert update.changed == ["address"]


def test_an_approval_case_replays_its_route_steps_and_outcome() -> None:
    case: ApprovalCase = replayed("ApprovalCase")
    assert case.levels == (ApprovalRole.APPROVER,)
    assert [(s.level, s.actor, s.note) for s in case.steps] == [(1, "approver.sun", "ok")]
    assert str(case.steps[0].recorded_at) == "2026-03-17 10:00:00+00:00"
    assert (case.outcome, case.pending_level) == (Outcome.APPROVED, None)


def test_a_route_stored_before_overrides_were_recorded_loads_without_them() -> None:
    record = next(r for r in stored() if r["topic"].endswith(":ApprovalCase.RouteSet"))
    assert "overrides" not in record["state"]
    assert loaded(record).overrides is None
    recorded = loaded(record | {"state": record["state"] | {"overrides": ["grade E"]}})
    assert recorded.overrides == ("grade E",)
    assert orjson.loads(MAPPER.to_stored_event(recorded).state)["overrides"] == ["grade E"]


def test_a_collection_case_replays_its_actions_and_settled_promises() -> None:
    case: CollectionCase = replayed("CollectionCase")
    assert (case.actions_recorded, case.open_promises) == (2, {})
    settled = [loaded(r) for r in stored() if "Promise" in r["topic"]]
    assert all(isinstance(e, PromiseSettled) for e in settled)
    assert [(type(e).__name__, e.paid_amount) for e in settled] == [
        ("PromiseKept", Decimal("500.00")),
        ("PromiseBroken", Decimal("0.00")),
    ]


def test_a_manual_entry_stored_before_offices_loads_without_one_and_new_ones_keep_theirs() -> None:
    record = next(r for r in stored() if r["topic"].endswith(":ManualEntry.Posted"))
    assert "office" not in record["state"]
    entry: ManualEntry = replayed("ManualEntry")
    assert entry.office is None  # the head office's books (projections/journal_writer.py)
    assert [line.account for line in entry.entry.lines] == ["6602", "1002"]
    branch = uuid4()
    posted = loaded(record | {"state": record["state"] | {"office": str(branch)}})
    assert posted.office == branch
    assert orjson.loads(MAPPER.to_stored_event(posted).state)["office"] == str(branch)
    lines = [("6602", Decimal(1), Decimal(0)), ("1002", Decimal(0), Decimal(1))]
    new = ManualEntry.post(actor="admin.wu", value_date=posted.value_date, lines=lines,
                           narration="rent", office=HEAD_OFFICE_ID).collect_events()[0]  # fmt: skip
    again: Any = MAPPER.to_domain_event(MAPPER.to_stored_event(new))
    assert again.office == HEAD_OFFICE_ID
