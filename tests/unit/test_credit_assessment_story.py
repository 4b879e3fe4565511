"""A credit assessment, told as stories: started, its checks recorded and completed, then
scored, limited and priced, and decided; each step refused out of turn, recording nothing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from domain.credit import CreditAssessment, Decision, Result, assessment_id
from domain.credit import checks as check
from domain.errors import InvalidTransition
from tests.support.assessments import (
    POLICY,
    SCORE,
    activity,
    limit_of,
    passing,
    pricing,
    started,
)
from tests.support.story import followed_by, given, history

D = Decimal
ACTOR = "officer.zhang"


def record(*checks: Any) -> Any:
    def command(assessment: Any) -> None:
        for found in checks:
            assessment.record_check(actor=ACTOR, check=found)

    return command


def complete(assessment: Any) -> None:
    assessment.complete_checks(actor=ACTOR)


def score(assessment: Any) -> None:
    assessment.record_score(actor=ACTOR, scoring=SCORE)


def limit(amount: int = 35874) -> Any:
    return lambda assessment: assessment.set_limit(actor=ACTOR, limit=limit_of(amount))


def price(assessment: Any) -> None:
    assessment.set_price(actor=ACTOR, pricing=pricing())


def decide(assessment: Any) -> None:
    assessment.decide(actor=ACTOR)


def opened() -> list[Any]:
    return history(started())


def checked(*checks: Any) -> list[Any]:
    return followed_by(opened(), record(*checks), complete)


def priced(amount: int = 35874) -> list[Any]:
    return followed_by(checked(*passing()), score, limit(amount), price)


def test_an_assessment_starts_under_the_loans_id_with_the_principal_asked_for() -> None:
    event = given().when(lambda _: started()).then(CreditAssessment.Started).events[0]
    assert event.originator_id == assessment_id(event.loan_id)
    assert (str(event.principal), event.policy) == ("12000.00", POLICY)


def test_each_check_is_recorded_then_completion_says_what_failed_and_what_flagged() -> None:
    written_off, shared = check.written_off(("loan-1",)), check.shared_phone(activity(1), POLICY)
    recording = given(*opened()).when(record(written_off, shared))
    both = recording.then(CreditAssessment.CheckRecorded, CreditAssessment.CheckRecorded).events
    assert [event.check.result for event in both] == [Result.FAIL, Result.FLAG]
    recorded = followed_by(opened(), record(written_off, shared))
    completed = given(*recorded).when(complete).then(CreditAssessment.ChecksCompleted).events[0]
    assert (completed.passed, completed.flags) == (False, ("shared_phone",))
    assert completed.reasons == ("written_off: 1 earlier loan(s) written off",)


def test_no_check_is_recorded_once_the_checks_are_complete() -> None:
    refused = given(*checked(*passing())).when(record(*passing())).raises(InvalidTransition)
    assert refused.events == []


def test_a_passed_assessment_is_scored_limited_and_priced_in_turn() -> None:
    scored = given(*checked(*passing())).when(score).then(CreditAssessment.Scored).events[0]
    assert (scored.grade, scored.score, scored.model_version) == ("C", 595, 1)
    assert str(scored.pd) == "0.022977"
    limited = given(*followed_by(checked(*passing()), score)).when(limit())
    assert str(limited.then(CreditAssessment.LimitSet).events[0].limit.amount) == "35874"
    pricing_ = given(*followed_by(checked(*passing()), score, limit())).when(price)
    assert pricing_.then(CreditAssessment.Priced).aggregate.rate == D(8)


@pytest.mark.parametrize(
    ("past", "step"),
    [
        (opened, score),  # the checks are not complete
        (lambda: checked(check.written_off(("loan-1",))), score),  # a hard check failed
        (lambda: checked(*passing()), limit()),  # not scored
        (lambda: checked(*passing()), price),  # no limit
        (lambda: checked(*passing()), decide),  # neither rejected nor priced
        (priced, price),  # priced already
    ],
)
def test_a_step_out_of_turn_is_refused(past: Any, step: Any) -> None:
    refused = given(*past()).when(step).raises(InvalidTransition)
    assert refused.events == []


def test_a_priced_assessment_within_its_limit_is_decided_clear() -> None:
    decided = given(*priced()).when(decide).then(CreditAssessment.Decided).events[0]
    assert (decided.decision, decided.flags, decided.reasons) == (Decision.CLEAR, (), ())


def test_a_principal_above_the_limit_is_decided_for_review() -> None:
    decided = given(*priced(10000)).when(decide).then(CreditAssessment.Decided).events[0]
    assert (decided.decision, decided.flags) == (Decision.REVIEW, ("above_limit",))
    assert decided.reasons == ("above_limit: 12000.00 asked, limit 10000",)


def test_a_failed_hard_check_is_decided_rejected_without_a_score() -> None:
    rejected = checked(check.written_off(("loan-1",)))
    decided = given(*rejected).when(decide).then(CreditAssessment.Decided).events[0]
    assert decided.decision is Decision.REJECTED


def test_a_decided_assessment_is_not_decided_again() -> None:
    refused = given(*followed_by(priced(), decide)).when(decide).raises(InvalidTransition)
    assert refused.events == []
