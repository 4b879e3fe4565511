"""An application's approval: the levels it must pass and who signed each.

One case per loan, under an id derived from the loan's, opened with the application
and saved with it. The loan's own events stay about the loan; the case records every
step, so an auditor sees who reviewed, who approved, what they wrote and why an
approver went against the assessment.

Maker-checker: the person who submitted the application signs no level, and nobody
signs two levels of one case.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any
from uuid import UUID, uuid5

from eventsourcing.domain import event
from pydantic import SerializerFunctionWrapHandler, model_serializer, model_validator

from domain.approval.policy import ApprovalPolicy, ApprovalRole, Basis, Route, Signer
from domain.errors import InvalidTransition, InvalidValue, Refused
from domain.model import Aggregate, Immutable

CASE_NAMESPACE = UUID("8d2f6b41-3c9e-4a57-b0e8-5f1a7c3d9e26")
MAX_TEXT = 2000


class Decision(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"


class Outcome(StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"


class Step(Immutable):
    level: int
    role: ApprovalRole
    decision: Decision
    note: str
    override_reason: str
    overrides: tuple[str, ...]
    actor: str
    recorded_at: datetime


def approval_case_id(loan_id: UUID) -> UUID:
    return uuid5(CASE_NAMESPACE, str(loan_id))


class ApprovalCase(Aggregate):
    if TYPE_CHECKING:  # assigned by events; annotations here would become __init__ fields
        loan_id: UUID
        submitter: str
        levels: tuple[ApprovalRole, ...]
        reason: str
        basis: Basis
        steps: list[Step]
        outcome: Outcome | None

    class Event(Aggregate.Event):
        """The base of the case's events (eventsourcing finds it here for `ApprovalCase`).

        `RouteSet` came to record its `overrides` later: one stored before has none
        (None), and stores again as it was stored."""

        @model_validator(mode="before")
        @classmethod
        def _stored_before_overrides(cls, data: Any) -> Any:
            if isinstance(data, dict) and "overrides" in cls.model_fields:
                return {"overrides": None, **data}
            return data

        @model_serializer(mode="wrap")
        def _without_overrides_unrecorded(self, handler: SerializerFunctionWrapHandler) -> Any:
            stored = handler(self)
            if isinstance(stored, dict) and stored.get("overrides", ()) is None:
                del stored["overrides"]
            return stored

    class Opened(Aggregate.Created):
        loan_id: UUID
        submitter: str  # who submitted the application: the maker

        def apply(self, aggregate: Any) -> None:
            aggregate.loan_id = self.loan_id
            aggregate.submitter = self.submitter
            aggregate.levels = ()
            aggregate.reason = ""
            aggregate.steps = []
            aggregate.outcome = None

    @classmethod
    def open(
        cls, *, actor: str, loan_id: UUID, submitter: str, route: Route, basis: Basis
    ) -> ApprovalCase:
        case = cls._create(
            cls.Opened,
            id=approval_case_id(loan_id),
            actor=actor,
            loan_id=loan_id,
            submitter=submitter,
        )
        case._route_set(
            actor=actor,
            loan_id=loan_id,
            levels=route.levels,
            reason=route.reason,
            basis=basis,
            overrides=route.overrides,
        )
        return case

    @event("RouteSet")
    def _route_set(
        self,
        actor: str,
        loan_id: UUID,
        levels: tuple[ApprovalRole, ...],
        reason: str,
        basis: Basis,
        # What approving the principal applied for goes against, as the policy found at
        # routing; None in a route stored before it was recorded.
        overrides: tuple[str, ...] | None = None,
    ) -> None:
        self.levels = levels
        self.reason = reason
        self.basis = basis

    @property
    def pending_level(self) -> int | None:
        """The number (from 1) of the level waiting for a signature; None once decided."""
        if self.outcome is not None or len(self.steps) >= len(self.levels):
            return None
        return len(self.steps) + 1

    def approve_automatically(self, *, actor: str) -> None:
        """Sign an automatic route's only level: the policy approved it at submission."""
        if self.levels != (ApprovalRole.SYSTEM,) or self.pending_level != 1:
            raise InvalidTransition("approve automatically", "the route needs people to sign")
        self._record(actor, 1, Decision.APPROVE, self.reason, "", ())
        self._complete(actor, Outcome.APPROVED)

    def approve(
        self,
        *,
        signer: Signer,
        policy: ApprovalPolicy,
        principal: Decimal,
        note: str = "",
        override_reason: str = "",
    ) -> bool:
        """Sign the pending level in favour; True when that was the final level.

        `principal` is what the loan would be approved at: the final level checks it
        against the assessment, and any override needs `override_reason`.
        """
        level = self.signable_level(signer, "approve")
        final = level == len(self.levels)
        override_reason = _text(override_reason, "override_reason")
        overrides = tuple(policy.overrides(self.basis, principal)) if final else ()
        if overrides and not override_reason:
            raise InvalidValue(
                "override_reason",
                f"approving against the assessment ({'; '.join(overrides)}) needs a reason",
            )
        self._record(
            signer.name, level, Decision.APPROVE, _text(note, "note"), override_reason, overrides
        )
        if final:
            self._complete(signer.name, Outcome.APPROVED)
        return final

    def reject(self, *, signer: Signer, reason: str) -> None:
        """Sign the pending level against: the application is declined, no level follows."""
        level = self.signable_level(signer, "reject")
        reason = _text(reason, "reason")
        if not reason:
            raise InvalidValue("reason", "must not be empty")
        self._record(signer.name, level, Decision.REJECT, reason, "", ())
        self._complete(signer.name, Outcome.REJECTED)

    def signable_level(self, signer: Signer, action: str) -> int:
        """The pending level if `signer` may sign it; otherwise why not (403 or 409)."""
        level = self.pending_level
        if level is None:
            decided = self.outcome.value if self.outcome else "decided"
            raise InvalidTransition(action, f"the application is already {decided}")
        if signer.name == self.submitter:
            raise Refused(
                f"{signer.name} submitted this application and so may not review or approve it"
            )
        for step in self.steps:
            if step.actor == signer.name:
                raise Refused(
                    f"{signer.name} already signed level {step.level}; "
                    f"level {level} needs someone else"
                )
        role = self.levels[level - 1]
        if role not in signer.roles:
            later = [r for r in self.levels[level:] if r in signer.roles]
            if later:
                raise InvalidTransition(
                    action, f"level {level} of {len(self.levels)} waits for the {role.value} role"
                )
            raise Refused(
                f"level {level} of {len(self.levels)} is signed by the {role.value} role, "
                f"which {signer.name} does not hold"
            )
        return level

    def _record(
        self,
        actor: str,
        level: int,
        decision: Decision,
        note: str,
        override_reason: str,
        overrides: tuple[str, ...],
    ) -> None:
        self._step_recorded(
            actor=actor,
            loan_id=self.loan_id,
            level=level,
            role=self.levels[level - 1],
            decision=decision,
            note=note,
            override_reason=override_reason,
            overrides=overrides,
        )

    @event("StepRecorded")
    def _step_recorded(
        self,
        actor: str,
        loan_id: UUID,
        level: int,
        role: ApprovalRole,
        decision: Decision,
        note: str,
        override_reason: str,
        overrides: tuple[str, ...],  # what an approval went against, for the reason to answer
        timestamp: datetime | None = None,
    ) -> None:
        # The event's own timestamp: None only on the way in, which stamps the event.
        assert timestamp is not None
        step = Step(
            level=level,
            role=role,
            decision=decision,
            note=note,
            override_reason=override_reason,
            overrides=overrides,
            actor=actor,
            recorded_at=timestamp,
        )
        self.steps.append(step)

    def _complete(self, actor: str, outcome: Outcome) -> None:
        self._completed(actor=actor, loan_id=self.loan_id, outcome=outcome)

    @event("Completed")
    def _completed(self, actor: str, loan_id: UUID, outcome: Outcome) -> None:
        self.outcome = outcome


def _text(value: str, field: str) -> str:
    value = value.strip()
    if len(value) > MAX_TEXT:
        raise InvalidValue(field, f"must be at most {MAX_TEXT} characters")
    return value
