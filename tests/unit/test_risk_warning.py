"""A risk warning's life: raised, acknowledged, resolved; nothing else."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from domain.errors import InvalidTransition, InvalidValue
from domain.risk import RiskWarning, Severity, WarningStatus, first_payment_default
from tests.support.story import given, history

LOAN = UUID("00000000-0000-4000-8000-00000000a001")
BORROWER = UUID("00000000-0000-4000-8000-00000000b001")
TODAY = date(2026, 5, 1)


def raised() -> RiskWarning:
    finding = first_payment_default(
        LOAN, BORROWER, date(2026, 3, 31), Decimal("1066.19"), TODAY, 30
    )
    assert finding is not None
    return RiskWarning.raise_for(actor="admin.wu", finding=finding, on=TODAY)


def opened() -> list[Any]:
    """The events of a warning just raised: a first payment 30 days late."""
    return history(raised())


def names(warning: RiskWarning) -> list[str]:
    return [type(e).__name__ for e in warning.collect_events()]


def test_a_raised_warning_is_open_under_the_findings_id() -> None:
    warning = raised()
    assert warning.status is WarningStatus.OPEN
    assert warning.severity is Severity.HIGH
    assert (warning.loan_id, warning.borrower_id, warning.raised_on) == (LOAN, BORROWER, TODAY)
    assert warning.id == raised().id


def test_acknowledged_then_resolved() -> None:
    warning = raised()
    warning.acknowledge(actor="risk.he", on=TODAY, note="calling the borrower")
    warning.resolve(actor="risk.he", on=TODAY, note="paid in full")
    assert warning.status is WarningStatus.RESOLVED
    assert names(warning) == ["Raised", "Acknowledged", "Resolved"]


def test_an_open_warning_may_be_resolved_directly() -> None:
    note = "false alarm: payment was in transit"
    warning = (
        given(*opened())
        .when(lambda warning: warning.resolve(actor="risk.he", on=TODAY, note=note))
        .then(RiskWarning.Resolved)
        .aggregate
    )
    assert warning.status is WarningStatus.RESOLVED


def test_resolving_needs_a_note() -> None:
    refused = (
        given(*opened())
        .when(lambda warning: warning.resolve(actor="risk.he", on=TODAY, note="   "))
        .raises(InvalidValue)
    )
    assert refused.error.field == "note"


@pytest.mark.parametrize("done", ["acknowledge", "resolve"])
def test_a_warning_is_acknowledged_only_while_open(done: str) -> None:
    warning = raised()
    getattr(warning, done)(actor="risk.he", on=TODAY, note="seen")
    with pytest.raises(InvalidTransition):
        warning.acknowledge(actor="risk.he", on=TODAY)


def test_a_resolved_warning_stays_resolved() -> None:
    resolved = (
        given(*opened())
        .when(lambda warning: warning.resolve(actor="risk.he", on=TODAY, note="restructured"))
        .then(RiskWarning.Resolved)
    )
    given(*opened(), *resolved.events).when(
        lambda warning: warning.resolve(actor="risk.he", on=TODAY, note="again")
    ).raises(InvalidTransition)


def test_raising_records_the_findings_rule_severity_and_threshold() -> None:
    event = given().when(lambda _: raised()).then(RiskWarning.Raised).events[0]
    assert (event.severity, event.threshold, event.raised_on) == (Severity.HIGH, Decimal(30), TODAY)
    assert (event.loan_id, event.borrower_id, event.subject) == (LOAN, BORROWER, str(LOAN))
    assert "1066.19" in event.detail


def test_an_acknowledgement_records_its_note() -> None:
    acknowledged = (
        given(*opened())
        .when(lambda warning: warning.acknowledge(actor="risk.he", on=TODAY, note=" calling "))
        .then(RiskWarning.Acknowledged)
    )
    assert (acknowledged.events[0].note, acknowledged.events[0].on) == ("calling", TODAY)
    assert acknowledged.aggregate.status is WarningStatus.ACKNOWLEDGED
