"""Who must sign a credit decision, and when an approver overrides the assessment.

The levels depend on the amount applied for and on the credit assessment (grade,
soft flags, the engine's decision). Defaults, each configurable:

  principal <= 20,000, grade A or B, no flags, assessment clear -> approved automatically
  principal <= 20,000, grade D or E, flags, assessment not clear, or another concern
  (an APR above the legal ceiling)                      -> reviewer, approver
  principal <= 20,000 otherwise (grade C, or no grade)  -> one approver
  principal <= 200,000                                  -> reviewer, approver
  principal above 200,000                               -> reviewer, reviewer, approver

Settings change them: LENDING_APPROVAL='{"automatic_limit": "10000", "automatic_grades":
["A"], "single_review_limit": "100000", "referral_grades": ["D", "E"], "override_grades":
["E"]}' (any subset of the fields).
Approving at the final level overrides the assessment, and so needs a written reason,
when the grade is E, soft flags were raised, the engine's decision was to reject, or
the approved principal is above the assessed limit (an approver who lowers the
principal to the limit answers the assessment's `above_limit` flag that way).
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from pydantic import Field, model_validator

from domain.credit import ABOVE_LIMIT
from domain.model import Immutable


class ApprovalRole(StrEnum):
    """Who signs a level; the values are the token roles of the people who may."""

    SYSTEM = "system"
    REVIEWER = "reviewer"
    APPROVER = "approver"


class Signer(Immutable):
    """The person recording a step, with the roles their token grants."""

    name: str
    roles: frozenset[ApprovalRole]

    @classmethod
    def of(cls, name: str, *roles: ApprovalRole) -> Signer:
        return cls(name=name, roles=frozenset(roles))


class Basis(Immutable):
    """What routing used: the application's principal and the assessment's findings.

    Recorded with the route, so an auditor sees what the decision rested on and a
    replay never depends on today's model or policy.
    """

    principal: Decimal
    grade: str | None = None
    flags: tuple[str, ...] = ()
    decision: str | None = None  # the assessment engine's: rejected | review | clear
    limit: Decimal | None = None  # the most the assessment would lend


class Route(Immutable):
    levels: tuple[ApprovalRole, ...]
    reason: str
    # What approving the principal applied for would go against (see `overrides`).
    overrides: tuple[str, ...] = ()

    @property
    def automatic(self) -> bool:
        return self.levels == (ApprovalRole.SYSTEM,)


R, A = ApprovalRole.REVIEWER, ApprovalRole.APPROVER


class ApprovalPolicy(Immutable):
    automatic_limit: Decimal = Field(default=Decimal(20_000), ge=0)
    single_review_limit: Decimal = Field(default=Decimal(200_000), ge=0)
    automatic_grades: tuple[str, ...] = ("A", "B")
    referral_grades: tuple[str, ...] = ("D", "E")
    override_grades: tuple[str, ...] = ("E",)

    @model_validator(mode="after")
    def _limits_in_order(self) -> ApprovalPolicy:
        if self.automatic_limit > self.single_review_limit:
            raise ValueError("automatic_limit must not be above single_review_limit")
        return self

    def route(self, basis: Basis, concerns: tuple[str, ...] = ()) -> Route:
        """The levels `basis` needs and why, and what approving it as applied for would
        go against; `concerns` found elsewhere (the APR of the figures applied for above
        the legal ceiling) send a small application to a reviewer."""
        overrides = tuple(self.overrides(basis, basis.principal))
        return self._levels(basis, concerns).model_copy(update={"overrides": overrides})

    def _levels(self, basis: Basis, concerns: tuple[str, ...]) -> Route:
        principal = basis.principal
        if principal > self.single_review_limit:
            return Route(
                levels=(R, R, A),
                reason=f"principal {principal} is above {self.single_review_limit}",
            )
        if principal > self.automatic_limit:
            return Route(
                levels=(R, A), reason=f"principal {principal} is above {self.automatic_limit}"
            )
        found = [*self.concerns(basis), *concerns]
        if found:
            return Route(levels=(R, A), reason="; ".join(found))
        if basis.grade in self.automatic_grades and basis.decision in (None, "clear"):
            return Route(
                levels=(ApprovalRole.SYSTEM,),
                reason=(
                    f"principal {principal} is at most {self.automatic_limit}, "
                    f"grade {basis.grade}, no flags"
                ),
            )
        graded = f"grade {basis.grade}" if basis.grade else "no grade"
        return Route(
            levels=(A,),
            reason=f"principal {principal} is at most {self.automatic_limit}, {graded}",
        )

    def concerns(self, basis: Basis) -> list[str]:
        """What sends a small application to a reviewer."""
        found = []
        if basis.grade in self.referral_grades:
            found.append(f"grade {basis.grade}")
        if basis.flags:
            found.append(f"flags: {', '.join(basis.flags)}")
        if basis.decision == "rejected" or (basis.decision == "review" and not basis.flags):
            found.append(f"the assessment's decision is {basis.decision}")
        return found

    def overrides(self, basis: Basis, principal: Decimal) -> list[str]:
        """What approving `principal` goes against; each needs the approver's reason."""
        found = []
        if basis.grade in self.override_grades:
            found.append(f"grade {basis.grade}")
        # Asking above the limit is a flag; the approved principal decides if it still is.
        flags = [flag for flag in basis.flags if flag != ABOVE_LIMIT]
        if flags:
            found.append(f"flags: {', '.join(flags)}")
        if basis.decision == "rejected":
            found.append("the assessment's decision is rejected")
        if basis.limit is not None and principal > basis.limit:
            found.append(f"principal {principal} is above the assessed limit {basis.limit}")
        return found
