"""Routing: which levels an application needs, by amount, grade, flags; and overrides."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.approval import ApprovalPolicy, ApprovalRole, Basis

SYSTEM, R, A = ApprovalRole.SYSTEM, ApprovalRole.REVIEWER, ApprovalRole.APPROVER
POLICY = ApprovalPolicy()


def basis(principal: str, grade: str | None = None, **more: object) -> Basis:
    return Basis(principal=Decimal(principal), grade=grade, **more)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("application", "levels"),
    [
        (basis("20000.00", "A", decision="clear"), (SYSTEM,)),
        (basis("20000.00", "B"), (SYSTEM,)),
        (basis("20000.01", "A", decision="clear"), (R, A)),
        (basis("200000.00", "A"), (R, A)),
        (basis("200000.01", "A"), (R, R, A)),
        (basis("5000.00", "C"), (A,)),
        (basis("5000.00", None), (A,)),
        (basis("5000.00", "D"), (R, A)),
        (basis("5000.00", "E"), (R, A)),
        (basis("5000.00", "A", flags=("phone shared with another borrower",)), (R, A)),
        (basis("5000.00", "A", decision="review"), (R, A)),
        (basis("900000.00", "E"), (R, R, A)),
    ],
)
def test_levels_follow_amount_then_grade_and_flags(application: Basis, levels: tuple[str]) -> None:
    assert POLICY.route(application).levels == levels


def test_the_route_says_why() -> None:
    assert POLICY.route(basis("5000.00", "D", flags=("x",))).reason == "grade D; flags: x"
    assert "above 200000" in POLICY.route(basis("250000.00", "A")).reason
    assert POLICY.route(basis("5000.00", "B")).automatic


def test_thresholds_and_grades_are_configurable() -> None:
    strict = ApprovalPolicy(automatic_limit=Decimal(0), single_review_limit=Decimal(10_000))
    assert strict.route(basis("5000.00", "A")).levels == (R, A)
    assert strict.route(basis("10000.01", "A")).levels == (R, R, A)
    lenient = ApprovalPolicy(automatic_grades=("A", "B", "C"), referral_grades=("E",))
    assert lenient.route(basis("5000.00", "C")).automatic
    assert lenient.route(basis("5000.00", "D")).levels == (A,)


def test_overrides_name_what_an_approval_goes_against() -> None:
    flagged = basis("30000.00", "E", flags=("income unverified",), limit=Decimal("25000.00"))
    assert POLICY.overrides(flagged, Decimal("30000.00")) == [
        "grade E",
        "flags: income unverified",
        "principal 30000.00 is above the assessed limit 25000.00",
    ]
    assert POLICY.overrides(flagged.model_copy(update={"flags": ()}), Decimal("25000.00")) == [
        "grade E"
    ]
    assert POLICY.overrides(basis("30000.00", "D", decision="rejected"), Decimal(1)) == [
        "the assessment's decision is rejected"
    ]
    assert POLICY.overrides(basis("30000.00", "B", limit=Decimal(30000)), Decimal(30000)) == []


def test_lending_within_the_limit_answers_the_above_limit_flag() -> None:
    asked_too_much = basis("30000.00", "B", flags=("above_limit",), limit=Decimal("23916"))
    assert POLICY.route(asked_too_much).levels == (R, A)
    assert POLICY.overrides(asked_too_much, Decimal("23916.00")) == []
    assert POLICY.overrides(asked_too_much, Decimal("25000.00")) == [
        "principal 25000.00 is above the assessed limit 23916"
    ]


def test_an_apr_above_the_legal_ceiling_keeps_a_small_clear_application_from_going_through() -> (
    None
):
    clear = Basis(principal=Decimal(5000), grade="A", decision="clear")
    assert ApprovalPolicy().route(clear).automatic
    apr = "the APR of 27.95% (fees included) is above the legal ceiling of 24%"
    route = ApprovalPolicy().route(clear, (apr,))
    assert (route.levels, route.reason) == ((ApprovalRole.REVIEWER, ApprovalRole.APPROVER), apr)
