"""An approval case: given its route and steps, when someone signs, then steps or refusal."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from domain.approval import (
    ApprovalCase,
    ApprovalPolicy,
    ApprovalRole,
    Basis,
    Outcome,
    Signer,
    approval_case_id,
)
from domain.errors import InvalidTransition, InvalidValue, Refused
from tests.support.story import given, history

LOAN = UUID("7b1e0c3d-2a4f-4b6e-8d9c-5f0a1e2b3c4d")
R, A = ApprovalRole.REVIEWER, ApprovalRole.APPROVER
POLICY = ApprovalPolicy()
OFFICER = "officer.zhang"
QIAN = Signer.of("reviewer.qian", R)
HE = Signer.of("reviewer.he", R)
SUN = Signer.of("approver.sun", A)
BOTH = Signer.of("manager.lin", R, A)


def opened(principal: str, grade: str | None = "C", **more: object) -> list[Any]:
    """A case opened on the route the default policy gives this basis."""
    basis = Basis(principal=Decimal(principal), grade=grade, **more)  # type: ignore[arg-type]
    case = ApprovalCase.open(
        actor=OFFICER, loan_id=LOAN, submitter=OFFICER, route=POLICY.route(basis), basis=basis
    )
    return history(case)


def case_for(principal: str, grade: str | None = "C", **more: object) -> ApprovalCase:
    case: ApprovalCase = given(*opened(principal, grade, **more)).aggregate
    return case


def approve(case: ApprovalCase, signer: Signer, **more: str) -> bool:
    return case.approve(signer=signer, policy=POLICY, principal=case.basis.principal, **more)


def recorded(case: ApprovalCase) -> list[tuple[str, ...]]:
    return [
        (type(e).__name__, *(str(getattr(e, f)) for f in ("level", "decision") if hasattr(e, f)))
        for e in case.collect_events()
    ]


def test_the_case_id_follows_from_the_loan() -> None:
    assert case_for("5000.00").id == approval_case_id(LOAN) != LOAN


def test_two_reviews_then_an_approval_each_by_someone_else() -> None:
    case = case_for("250000.00")
    assert case.levels == (R, R, A)
    assert approve(case, QIAN, note="cash flow is sound") is False
    assert approve(case, HE) is False
    assert approve(case, SUN, note="agreed") is True
    assert recorded(case) == [
        ("StepRecorded", "1", "approve"),
        ("StepRecorded", "2", "approve"),
        ("StepRecorded", "3", "approve"),
        ("Completed",),
    ]
    assert case.outcome is Outcome.APPROVED
    assert [(s.actor, s.role) for s in case.steps] == [
        ("reviewer.qian", R),
        ("reviewer.he", R),
        ("approver.sun", A),
    ]
    assert case.steps[0].note == "cash flow is sound"


@pytest.mark.parametrize("at_level", [1, 2, 3])
def test_a_rejection_at_any_level_ends_the_case(at_level: int) -> None:
    case = case_for("250000.00")
    for signer in (QIAN, HE, SUN)[: at_level - 1]:
        approve(case, signer)
    case.reject(signer=(QIAN, HE, SUN)[at_level - 1], reason="turnover does not support it")
    assert case.outcome is Outcome.REJECTED
    assert case.pending_level is None
    with pytest.raises(InvalidTransition, match="already rejected"):
        approve(case, BOTH)


def test_the_submitter_signs_no_level() -> None:
    case = case_for("30000.00")
    maker = Signer.of(OFFICER, R, A)
    with pytest.raises(Refused, match=r"officer\.zhang submitted this application"):
        approve(case, maker)
    with pytest.raises(Refused, match="submitted"):
        case.reject(signer=maker, reason="changed my mind")
    assert recorded(case) == []


def test_one_person_signs_one_level() -> None:
    case = case_for("30000.00")
    approve(case, BOTH)
    case.collect_events()
    with pytest.raises(Refused, match=r"manager\.lin already signed level 1"):
        approve(case, BOTH)
    with pytest.raises(Refused, match="already signed level 1"):
        case.reject(signer=BOTH, reason="second thoughts")


def test_a_level_needs_its_role_and_a_later_role_must_wait() -> None:
    case = case_for("30000.00")
    with pytest.raises(InvalidTransition, match="level 1 of 2 waits for the reviewer role"):
        approve(case, SUN)
    approve(case, QIAN)
    with pytest.raises(Refused, match="level 2 of 2 is signed by the approver role"):
        approve(case, HE)


def test_an_override_needs_a_reason_at_the_final_level_only() -> None:
    case = case_for("30000.00", grade="E", flags=("income unverified",))
    approve(case, QIAN)  # a review is not the decision: no override to explain
    with pytest.raises(InvalidValue) as refused:
        approve(case, SUN)
    assert refused.value.field == "override_reason"
    assert "grade E; flags: income unverified" in refused.value.reason
    approve(case, SUN, override_reason="guarantor pledged the stall")
    step = case.steps[-1]
    assert step.override_reason == "guarantor pledged the stall"
    assert step.overrides == ("grade E", "flags: income unverified")


def test_an_automatic_route_is_signed_by_the_system() -> None:
    case = (
        given(*opened("5000.00", grade="A", decision="clear"))
        .when(lambda case: case.approve_automatically(actor="system"))
        .then(ApprovalCase.StepRecorded, ApprovalCase.Completed)
        .aggregate
    )
    assert case.outcome is Outcome.APPROVED
    assert (case.steps[0].actor, case.steps[0].role) == ("system", ApprovalRole.SYSTEM)
    given(*opened("5000.00", grade="C")).when(
        lambda manual: manual.approve_automatically(actor="system")
    ).raises(InvalidTransition)


def test_opening_records_the_case_then_its_route_and_the_basis_it_rests_on() -> None:
    basis = Basis(principal=Decimal("30000.00"), grade="C")
    opening = given().when(
        lambda _: ApprovalCase.open(
            actor=OFFICER, loan_id=LOAN, submitter=OFFICER, route=POLICY.route(basis), basis=basis
        )
    )
    opened_, route = opening.then(ApprovalCase.Opened, ApprovalCase.RouteSet).events
    assert (opened_.loan_id, opened_.submitter) == (LOAN, OFFICER)
    assert route.levels == (R, A)
    assert str(route.basis.principal) == "30000.00"
    assert "30000.00" in route.reason


def test_the_route_records_what_approving_as_applied_would_go_against() -> None:
    basis = Basis(principal=Decimal("30000.00"), grade="E", limit=Decimal("20000.00"))
    opening = given().when(
        lambda _: ApprovalCase.open(
            actor=OFFICER, loan_id=LOAN, submitter=OFFICER, route=POLICY.route(basis), basis=basis
        )
    )
    _, route = opening.then(ApprovalCase.Opened, ApprovalCase.RouteSet).events
    assert route.overrides == (
        "grade E", "principal 30000.00 is above the assessed limit 20000.00",
    )  # fmt: skip
    strict = ApprovalPolicy(override_grades=("D", "E"))
    graded_d = basis.model_copy(update={"grade": "D", "limit": None})
    assert strict.route(graded_d).overrides == ("grade D",)
    assert POLICY.route(graded_d).overrides == ()


def test_a_rejection_records_its_step_and_completes_the_case_rejected() -> None:
    rejection = (
        given(*opened("30000.00"))
        .when(lambda case: case.reject(signer=QIAN, reason="  stall lease ends in May "))
        .then(ApprovalCase.StepRecorded, ApprovalCase.Completed)
    )
    step, completed = rejection.events
    assert (step.level, step.role, step.note, step.actor) == (
        1,
        R,
        "stall lease ends in May",
        "reviewer.qian",
    )
    assert (completed.outcome, completed.loan_id) == (Outcome.REJECTED, LOAN)


def test_a_rejection_needs_a_reason() -> None:
    refused = (
        given(*opened("30000.00"))
        .when(lambda case: case.reject(signer=QIAN, reason="  "))
        .raises(InvalidValue)
    )
    assert (refused.error.field, refused.events) == ("reason", [])
