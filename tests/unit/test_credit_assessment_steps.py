"""The credit assessment aggregate: its steps in order, its decision, and exact replay."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from domain.credit import Decision, Result, assessment_id
from domain.credit import checks as check
from domain.errors import InvalidTransition
from infrastructure.eventstore import OrjsonTranscoder, PydanticMapper
from tests.support.assessments import (
    POLICY,
    SCORE,
    activity,
    limit_of,
    passing,
    pricing,
    started,
)

D = Decimal


def assessed(checks: list[Any], amount: int = 35874, principal: str = "12000.00") -> Any:
    assessment = started(principal)
    for found in checks:
        assessment.record_check(actor="officer.zhang", check=found)
    assessment.complete_checks(actor="officer.zhang")
    if assessment.checks_passed:
        assessment.record_score(actor="officer.zhang", scoring=SCORE)
        assessment.set_limit(actor="officer.zhang", limit=limit_of(amount))
        assessment.set_price(actor="officer.zhang", pricing=pricing())
    assessment.decide(actor="officer.zhang")
    return assessment


def test_a_clean_application_is_clear_and_reads_back_its_figures() -> None:
    assessment = assessed(passing())
    assert assessment.id == assessment_id(assessment.loan_id)
    assert (assessment.decision, assessment.flags, assessment.reasons) == (Decision.CLEAR, (), ())
    assert (assessment.grade, assessment.score, assessment.pd) == ("C", 595, D("0.022977"))
    assert (assessment.model_version, assessment.limit, assessment.rate) == (1, D(35874), D(8))


def test_a_soft_signal_or_a_principal_above_the_limit_calls_for_review() -> None:
    flagged = assessed([*passing(), check.shared_phone(activity(1), POLICY)])
    assert (flagged.decision, flagged.flags) == (Decision.REVIEW, ("shared_phone",))
    assert flagged.reasons == ("shared_phone: the phone is shared with 1 other borrower(s)",)
    above = assessed(passing(), amount=10000)
    assert (above.decision, above.flags) == (Decision.REVIEW, ("above_limit",))
    assert above.reasons == ("above_limit: 12000.00 asked, limit 10000",)


def test_a_failed_hard_check_rejects_before_scoring() -> None:
    rejected = assessed([check.written_off(("loan-1",)), check.shared_phone(activity(2), POLICY)])
    assert rejected.decision is Decision.REJECTED
    assert rejected.reasons == ("written_off: 1 earlier loan(s) written off",)
    assert rejected.flags == ("shared_phone",)
    assert (rejected.grade, rejected.limit, rejected.rate) == (None, None, None)
    assert rejected.rejection_reason == (
        "failed intake checks: written_off: 1 earlier loan(s) written off"
    )
    with pytest.raises(InvalidTransition):
        rejected.record_score(actor="officer.zhang", scoring=SCORE)


def test_steps_go_in_order() -> None:
    assessment = started()
    with pytest.raises(InvalidTransition):
        assessment.record_score(actor="officer.zhang", scoring=SCORE)
    assessment.complete_checks(actor="officer.zhang")
    with pytest.raises(InvalidTransition):
        assessment.record_check(actor="officer.zhang", check=check.written_off(()))
    with pytest.raises(InvalidTransition):
        assessment.set_price(actor="officer.zhang", pricing=pricing())
    with pytest.raises(InvalidTransition):
        assessment.decide(actor="officer.zhang")  # neither rejected nor priced


def test_stored_events_replay_the_same_assessment() -> None:
    original = assessed([*passing(), check.shared_phone(activity(1), POLICY)])
    mapper = PydanticMapper(transcoder=OrjsonTranscoder())
    events = [mapper.to_domain_event(mapper.to_stored_event(e)) for e in original.collect_events()]
    assert [type(e).__name__ for e in events] == [
        "Started", "CheckRecorded", "CheckRecorded", "CheckRecorded", "ChecksCompleted",
        "Scored", "LimitSet", "Priced", "Decided",
    ]  # fmt: skip
    replayed: Any = None
    for stored in events:
        replayed = stored.mutate(replayed)  # type: ignore[attr-defined]
    assert vars(replayed) == vars(original)
    assert replayed.checks[2].result is Result.FLAG
    assert replayed.scoring == SCORE
