"""A credit assessment: the intake checks, score, limit and price of one application.

Its id derives from the loan's, so whoever holds a loan id can find its assessment,
and a second assessment of the same loan cannot be saved by accident. Each step is an
event carrying its inputs and results (the scorecard's version and features
included), so a replay reproduces the assessment exactly whatever model or policy
is in force today.

The read API, for the approval workflow and others: `decision` (rejected | review |
clear), `flags` (soft signals raised), `reasons`, `grade`, `score`, `pd`, `limit`,
`rate`, and the full records `checks`, `scoring`, `limits` and `pricing`.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any
from uuid import UUID, uuid5

from eventsourcing.domain import event

from domain.credit.checks import Check, Result
from domain.credit.features import Features, Score
from domain.credit.limits import Limit
from domain.credit.policy import CreditPolicy
from domain.credit.pricing import Pricing
from domain.errors import InvalidTransition
from domain.model import Aggregate

ASSESSMENT_NAMESPACE = UUID("3c9b6f0e-2d7a-4e51-8f43-a1d5c0b7e962")
ABOVE_LIMIT = "above_limit"


def assessment_id(loan_id: UUID) -> UUID:
    return uuid5(ASSESSMENT_NAMESPACE, str(loan_id))


class Decision(StrEnum):
    REJECTED = "rejected"  # a hard check failed; the loan was rejected with it
    REVIEW = "review"  # soft signals were raised: a person must look
    CLEAR = "clear"


class CreditAssessment(Aggregate):
    if TYPE_CHECKING:  # assigned by events; annotations here would become __init__ fields
        loan_id: UUID
        borrower_id: UUID
        assessed_on: date
        principal: Decimal
        phone: str
        collateral_value: Decimal | None
        policy: CreditPolicy
        checks: list[Check]
        checks_passed: bool | None
        scoring: Score | None
        limits: Limit | None
        pricing: Pricing | None
        decision: Decision | None
        flags: tuple[str, ...]
        reasons: tuple[str, ...]

    class Started(Aggregate.Created):
        loan_id: UUID
        borrower_id: UUID
        assessed_on: date  # the business date
        principal: Decimal
        phone: str
        collateral_value: Decimal | None
        policy: CreditPolicy
        # The keyed digest of the phone, for the read model's lookups (see
        # Borrower.Registered). None in events recorded before.
        phone_digest: str | None = None

        def apply(self, aggregate: Any) -> None:
            for name in ("loan_id", "borrower_id", "assessed_on", "principal", "phone",
                         "collateral_value", "policy"):  # fmt: skip
                setattr(aggregate, name, getattr(self, name))
            aggregate.checks = []
            aggregate.checks_passed = None
            aggregate.scoring = None
            aggregate.limits = None
            aggregate.pricing = None
            aggregate.decision = None
            aggregate.flags = ()
            aggregate.reasons = ()

    @classmethod
    def start(
        cls,
        *,
        actor: str,
        loan_id: UUID,
        borrower_id: UUID,
        on: date,
        principal: Decimal,
        phone: str,
        policy: CreditPolicy,
        collateral_value: Decimal | None = None,
        phone_digest: str | None = None,
    ) -> CreditAssessment:
        return cls._create(
            cls.Started,
            id=assessment_id(loan_id),
            actor=actor,
            loan_id=loan_id,
            borrower_id=borrower_id,
            assessed_on=on,
            principal=principal,
            phone=phone,
            collateral_value=collateral_value,
            policy=policy,
            phone_digest=phone_digest,
        )

    def record_check(self, *, actor: str, check: Check) -> None:
        self._require(self.checks_passed is None, "record a check", "the checks are complete")
        self._check_recorded(actor=actor, check=check)

    @event("CheckRecorded")
    def _check_recorded(self, actor: str, check: Check) -> None:
        self.checks.append(check)

    def complete_checks(self, *, actor: str) -> None:
        self._require(self.checks_passed is None, "complete the checks", "they are complete")
        failed = [c for c in self.checks if c.result is Result.FAIL]
        self._checks_completed(
            actor=actor,
            passed=not failed,
            reasons=tuple(f"{c.name}: {c.detail}" for c in failed),
            flags=tuple(c.name for c in self.checks if c.result is Result.FLAG),
        )

    @event("ChecksCompleted")
    def _checks_completed(
        self, actor: str, passed: bool, reasons: tuple[str, ...], flags: tuple[str, ...]
    ) -> None:
        self.checks_passed = passed

    def record_score(self, *, actor: str, scoring: Score) -> None:
        self._require(self.checks_passed is True, "score", "the checks have not passed")
        self._require(self.scoring is None, "score", "it is scored")
        self._scored(
            actor=actor,
            features=scoring.features,
            model_version=scoring.model_version,
            pd=scoring.pd,
            score=scoring.score,
            grade=scoring.grade,
            reasons=scoring.reasons,
        )

    @event("Scored")
    def _scored(
        self,
        actor: str,
        features: Features,
        model_version: int,
        pd: Decimal,
        score: int,
        grade: str,
        reasons: tuple[str, ...],
    ) -> None:
        self.scoring = Score(
            features=features,
            model_version=model_version,
            pd=pd,
            score=score,
            grade=grade,
            reasons=reasons,
        )

    def set_limit(self, *, actor: str, limit: Limit) -> None:
        ready = self.scoring is not None and self.limits is None
        self._require(ready, "set a limit", "it is not scored, or has a limit")
        self._limit_set(actor=actor, limit=limit)

    @event("LimitSet")
    def _limit_set(self, actor: str, limit: Limit) -> None:
        self.limits = limit

    def set_price(self, *, actor: str, pricing: Pricing) -> None:
        ready = self.limits is not None and self.pricing is None
        self._require(ready, "price", "it has no limit, or is priced")
        self._priced(actor=actor, pricing=pricing)

    @event("Priced")
    def _priced(self, actor: str, pricing: Pricing) -> None:
        self.pricing = pricing

    def decide(self, *, actor: str) -> None:
        """Conclude: rejected on a failed hard check, review on any flag, else clear."""
        self._require(self.decision is None, "decide", "it is decided")
        failed = [c for c in self.checks if c.result is Result.FAIL]
        flagged = [c for c in self.checks if c.result is Result.FLAG]
        flags = [c.name for c in flagged]
        reasons = [f"{c.name}: {c.detail}" for c in failed or flagged]
        if not failed:
            self._require(self.pricing is not None, "decide", "it is not priced")
            assert self.limits is not None
            if self.principal > self.limits.amount:
                flags.append(ABOVE_LIMIT)
                reasons.append(f"{ABOVE_LIMIT}: {self.principal} asked, limit {self.limits.amount}")
        decision = Decision.REJECTED if failed else Decision.REVIEW if flags else Decision.CLEAR
        self._decided(actor=actor, decision=decision, flags=tuple(flags), reasons=tuple(reasons))

    @event("Decided")
    def _decided(
        self, actor: str, decision: Decision, flags: tuple[str, ...], reasons: tuple[str, ...]
    ) -> None:
        self.decision = decision
        self.flags = flags
        self.reasons = reasons

    # The read API.

    @property
    def grade(self) -> str | None:
        return self.scoring.grade if self.scoring else None

    @property
    def score(self) -> int | None:
        return self.scoring.score if self.scoring else None

    @property
    def pd(self) -> Decimal | None:
        return self.scoring.pd if self.scoring else None

    @property
    def model_version(self) -> int | None:
        return self.scoring.model_version if self.scoring else None

    @property
    def limit(self) -> Decimal | None:
        """The most this assessment would lend (after the grade's scaling)."""
        return self.limits.amount if self.limits else None

    @property
    def rate(self) -> Decimal | None:
        """The risk-based annual rate, percent."""
        return self.pricing.rate_percent if self.pricing else None

    @property
    def rejection_reason(self) -> str:
        return "failed intake checks: " + "; ".join(self.reasons)

    def _require(self, allowed: bool, action: str, state: str) -> None:
        if not allowed:
            raise InvalidTransition(action, state)
