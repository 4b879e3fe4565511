"""Which stored events are business events, and what they say."""

from __future__ import annotations

from datetime import date

from eventsourcing.utils import get_topic

from application.feed import TYPES, business_event, may_be_business
from tests.support.loans import disbursed, followed_by, pay, rejected


def test_a_loans_life_is_told_as_business_events_with_ids_amounts_and_dates_only() -> None:
    events = followed_by(disbursed(), pay("1066.19", date(2026, 2, 15)))
    found = [business_event(event) for event in events]
    kinds = [f.type if f else None for f in found]
    # submitted, approved, signed (internal), disbursed, the allocation (internal: the
    # Repayment aggregate's own event is repayment.received)
    assert kinds[:4] == ["loan.submitted", "loan.approved", None, "loan.disbursed"]
    paid_out = found[3]
    assert paid_out is not None
    assert paid_out.subject == str(events[0].originator_id)
    assert paid_out.data["principal"] == "12000.00"
    assert paid_out.data["first_due_date"] == "2026-02-15"
    assert "account" not in str(paid_out.data)
    assert all(f.type in TYPES for f in found if f)


def test_a_rejection_says_rejected_and_not_why() -> None:
    found = business_event(rejected()[-1])
    assert found is not None
    assert found.type == "loan.rejected"
    assert found.data == {"loan_id": found.subject, "status": "rejected"}


def test_every_business_event_is_found_by_its_topic_alone() -> None:
    events = [*followed_by(disbursed(), pay("1066.19", date(2026, 2, 15))), *rejected()]
    for event in events:
        if business_event(event) is not None:
            assert may_be_business(get_topic(type(event))), get_topic(type(event))
    assert not may_be_business("domain.loan.aggregate:Loan.ContractSigned")
