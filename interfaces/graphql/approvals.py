"""GraphQL approval of an application: its route, where it waits and who signed what.

Read from the `approvals` read model. The notes are credit staff's working notes,
so only staff see them.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any
from uuid import UUID

import strawberry
from psycopg_pool import AsyncConnectionPool
from strawberry.dataloader import DataLoader

from domain.approval import ApprovalRole as RecordedRole
from domain.approval import Decision
from interfaces.graphql.context import STAFF, Context
from projections.approvals import approvals_of_loans

Row = dict[str, Any]
LOADER = "approvals_by_loan"

ApprovalRole = strawberry.enum(RecordedRole, name="ApprovalRole")
ApprovalDecision = strawberry.enum(Decision, name="ApprovalDecision")


@strawberry.enum
class ReviewRole(Enum):
    """The roles whose holders sign approval levels."""

    REVIEWER = "reviewer"
    APPROVER = "approver"


@strawberry.enum
class ApprovalStatus(Enum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


@strawberry.type
class ApprovalLevel:
    level: int
    role: ApprovalRole


@strawberry.type
class ApprovalStep:
    level: int
    role: ApprovalRole
    decision: ApprovalDecision
    note: str
    override_reason: str
    overrides: list[str]
    actor: str
    recorded_at: datetime

    @classmethod
    def from_row(cls, row: Row) -> ApprovalStep:
        return cls(
            level=row["level"],
            role=ApprovalRole(row["role"]),
            decision=ApprovalDecision(row["decision"]),
            note=row["note"],
            override_reason=row["override_reason"],
            overrides=list(row["overrides"]),
            actor=row["actor"],
            recorded_at=row["recorded_at"],
        )


@strawberry.type
class Approval:
    """Levels in order; `pending` is the level waiting for a signature (null once decided)."""

    status: ApprovalStatus
    route: str  # the signing roles in order, e.g. "reviewer, approver"
    reason: str  # why the policy chose that route
    levels: list[ApprovalLevel]
    pending: ApprovalLevel | None
    steps: list[ApprovalStep]
    submitter: str
    grade: str | None
    flags: list[str]
    # What approving the principal applied for would go against: while this is not
    # empty, the final approval needs an override_reason (or a lower principal).
    overrides: list[str]

    @classmethod
    def from_rows(cls, row: Row, steps: list[Row]) -> Approval:
        pending = None
        if row["pending_level"] is not None:
            pending = ApprovalLevel(
                level=row["pending_level"], role=ApprovalRole(row["pending_role"])
            )
        return cls(
            status=ApprovalStatus(row["status"]),
            route=", ".join(row["levels"]),
            reason=row["route_reason"],
            levels=[
                ApprovalLevel(level=n, role=ApprovalRole(role))
                for n, role in enumerate(row["levels"], 1)
            ],
            pending=pending,
            steps=[ApprovalStep.from_row(step) for step in steps],
            submitter=row["submitter"],
            grade=row["grade"],
            flags=list(row["flags"]),
            overrides=list(row["overrides"]) if pending else [],
        )


async def approval_of(context: Context, loan_id: UUID) -> Approval | None:
    """The loan's approval; null for one never routed (submitted before approval levels)."""
    context.require(*STAFF)
    loader = context.loaders.get(LOADER)
    if loader is None:

        async def batch(keys: list[UUID]) -> list[Approval | None]:
            return await _approvals(context.pool, keys)

        loader = context.loaders[LOADER] = DataLoader(load_fn=batch)
    found: Approval | None = await loader.load(loan_id)
    return found


async def _approvals(pool: AsyncConnectionPool, loan_ids: list[UUID]) -> list[Approval | None]:
    return [
        None if found is None else Approval.from_rows(*found)
        for found in await approvals_of_loans(pool, loan_ids)
    ]
