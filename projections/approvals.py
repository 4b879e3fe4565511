"""Read model `approvals`: each application's approval route, where it waits, each step.

Table `approvals`, one row per loan application routed for approval:
  loan_id (primary key), case_id (the approval case aggregate), submitter (who
  submitted the application: they sign no level), levels (the role signing each
  level, in order: system for an automatic approval, else reviewer | approver),
  route_reason (why the policy chose those levels), principal (as applied for: what
  routing used), grade (the credit assessment's A..E, null when not graded), flags
  (the assessment's soft signals), assessment_decision (rejected | review | clear,
  null without an assessment), assessed_limit (null without one), status (pending |
  approved | rejected | withdrawn), pending_level (number from 1 of the level waiting
  for a signature; null unless pending), pending_role (reviewer | approver; null
  unless pending), signers (who signed a level so far), opened_at and updated_at
  (recorded times), position (event store position of the opening; orders queues),
  overrides (what approving the principal applied for would go against, as routing
  found: while pending, each needs the final approver's override_reason).
Table `approval_steps`, one row per signed level:
  loan_id and level (the primary key), role (system | reviewer | approver), decision
  (approve | reject), note (a rejection's reason), override_reason (why an approver
  went against the assessment; empty if not needed), overrides (what it went
  against: grade, flags, limit), actor (who signed), recorded_at, position.
"""

from __future__ import annotations

from collections.abc import Collection
from functools import singledispatchmethod
from typing import Any
from uuid import UUID

from eventsourcing.postgres import PostgresDatastore
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg_pool import AsyncConnectionPool

from domain.approval import ApprovalCase, ApprovalPolicy, Decision
from domain.loan import Loan
from projections.base import ReadModel
from projections.migrations import drop_unless_it_has
from projections.reads import Row, by_key, fetch_all, grouped

STEP_COLUMNS = (
    "loan_id", "level", "role", "decision", "note", "override_reason", "overrides", "actor",
    "recorded_at", "position",
)  # fmt: skip


class ApprovalsView(ReadModel):
    """`policy`: the approval policy the service decides by, which answers, for a route
    stored before routing recorded its overrides, what they are (as it answered then)."""

    name = "approvals"
    tables = ("approvals", "approval_steps")
    schema = (
        # A store written before: its routes' overrides are filled from the store.
        drop_unless_it_has("approvals", "overrides", "approval_steps"),
        """CREATE TABLE IF NOT EXISTS approvals (
            loan_id uuid PRIMARY KEY,
            case_id uuid NOT NULL,
            submitter text NOT NULL,
            levels text[] NOT NULL,
            route_reason text NOT NULL,
            principal numeric,
            grade text,
            flags text[] NOT NULL,
            assessment_decision text,
            assessed_limit numeric,
            status text NOT NULL,
            pending_level integer,
            pending_role text,
            signers text[] NOT NULL,
            opened_at timestamptz NOT NULL,
            updated_at timestamptz NOT NULL,
            position bigint NOT NULL UNIQUE,
            overrides text[] NOT NULL DEFAULT '{}'
        )""",
        # A review queue: the applications waiting for one role, oldest first.
        """CREATE INDEX IF NOT EXISTS approvals_queue
            ON approvals (pending_role, position) WHERE status = 'pending'""",
        """CREATE TABLE IF NOT EXISTS approval_steps (
            loan_id uuid NOT NULL,
            level integer NOT NULL,
            role text NOT NULL,
            decision text NOT NULL,
            note text NOT NULL,
            override_reason text NOT NULL,
            overrides text[] NOT NULL,
            actor text NOT NULL,
            recorded_at timestamptz NOT NULL,
            position bigint NOT NULL,
            PRIMARY KEY (loan_id, level)
        )""",
    )

    def __init__(
        self, datastore: PostgresDatastore, *, policy: ApprovalPolicy, **kwargs: Any
    ) -> None:
        super().__init__(datastore, **kwargs)
        self.policy = policy

    @singledispatchmethod
    def handle(self, event: Any, cursor: Cursor[DictRow], position: int) -> None:
        """Other events do not change this read model."""

    @handle.register
    def _(self, event: ApprovalCase.Opened, cursor: Cursor[DictRow], position: int) -> None:
        cursor.execute(
            """INSERT INTO approvals (loan_id, case_id, submitter, levels, route_reason,
                   flags, status, signers, opened_at, updated_at, position)
               VALUES (%s, %s, %s, '{}', '', '{}', 'pending', '{}', %s, %s, %s)""",
            (
                event.loan_id, event.originator_id, event.submitter,
                event.timestamp, event.timestamp, position,
            ),
        )  # fmt: skip

    @handle.register
    def _(self, event: ApprovalCase.RouteSet, cursor: Cursor[DictRow], position: int) -> None:
        basis = event.basis
        overrides = event.overrides
        if overrides is None:  # stored before routing recorded them
            overrides = self.policy.overrides(basis, basis.principal)
        cursor.execute(
            """UPDATE approvals SET levels = %s, route_reason = %s, principal = %s, grade = %s,
                   flags = %s, assessment_decision = %s, assessed_limit = %s,
                   pending_level = 1, pending_role = %s, updated_at = %s, overrides = %s
               WHERE loan_id = %s""",
            (
                [level.value for level in event.levels], event.reason, basis.principal,
                basis.grade, list(basis.flags), basis.decision, basis.limit,
                event.levels[0].value, event.timestamp, list(overrides), event.loan_id,
            ),
        )  # fmt: skip

    @handle.register
    def _(self, event: ApprovalCase.StepRecorded, cursor: Cursor[DictRow], position: int) -> None:
        values = (
            event.loan_id, event.level, event.role.value, event.decision.value, event.note,
            event.override_reason, list(event.overrides), event.actor, event.timestamp,
            position,
        )  # fmt: skip
        cursor.execute(
            f"INSERT INTO approval_steps ({', '.join(STEP_COLUMNS)})"
            f" VALUES ({', '.join(['%s'] * len(STEP_COLUMNS))})",
            values,
        )
        # After an approval the next level waits (none after the last); after a rejection
        # nobody does. Completed, in the same save, then records the outcome.
        following = event.level + 1 if event.decision is Decision.APPROVE else None
        cursor.execute(
            """UPDATE approvals SET signers = array_append(signers, %s),
                   pending_level = CASE WHEN %s::integer <= cardinality(levels)
                                        THEN %s::integer END,
                   pending_role = levels[%s::integer], updated_at = %s
               WHERE loan_id = %s""",
            (event.actor, following, following, following, event.timestamp, event.loan_id),
        )

    @handle.register
    def _(self, event: ApprovalCase.Completed, cursor: Cursor[DictRow], position: int) -> None:
        self.close(cursor, event, event.loan_id, event.outcome.value)

    @handle.register
    def _(self, event: Loan.Withdrawn, cursor: Cursor[DictRow], position: int) -> None:
        self.close(cursor, event, event.originator_id, "withdrawn")

    @staticmethod
    def close(cursor: Cursor[DictRow], event: Any, loan_id: Any, status: str) -> None:
        """A decided or withdrawn application waits for nobody."""
        cursor.execute(
            """UPDATE approvals SET status = %s, pending_level = NULL, pending_role = NULL,
                   updated_at = %s
               WHERE loan_id = %s AND status = 'pending'""",
            (status, event.timestamp, loan_id),
        )


# Queries, for the GraphQL layer.


async def approvals_of_loans(
    pool: AsyncConnectionPool, loan_ids: list[UUID]
) -> list[tuple[Row, list[Row]] | None]:
    """Each loan's approval row with its steps by level (None for a loan never routed)."""
    cases = await fetch_all(pool, "SELECT * FROM approvals WHERE loan_id = ANY(%s)", [loan_ids])
    steps = await fetch_all(
        pool, "SELECT * FROM approval_steps WHERE loan_id = ANY(%s) ORDER BY level", [loan_ids]
    )
    return [
        None if case is None else (case, step_rows)
        for case, step_rows in zip(
            by_key(cases, "loan_id", loan_ids), grouped(steps, "loan_id", loan_ids), strict=True
        )
    ]


REVIEW_QUEUE = """SELECT l.*, a.position AS queue_position
    FROM approvals a JOIN loan_records l ON l.id = a.loan_id
    WHERE a.status = 'pending' AND a.pending_role = %(role)s
      AND a.submitter <> %(me)s AND NOT (%(me)s = ANY(a.signers))
      AND a.position > %(after)s
      AND (%(offices)s::uuid[] IS NULL OR l.office = ANY(%(offices)s::uuid[]))
    ORDER BY a.position LIMIT %(limit)s"""


async def review_queue(
    pool: AsyncConnectionPool,
    role: str,
    me: str,
    after: int,
    limit: int,
    offices: Collection[UUID] | None = None,
) -> list[Row]:
    """The `loans` rows (but the delinquency) of applications waiting at a level `role`
    signs that `me` neither submitted nor signed, with their `queue_position`, oldest first.

    Joins the `loans` read model's table for the loan; the main table is `approvals`.
    `offices` (None: all) keeps the loans of those offices.
    """
    params = {"role": role, "me": me, "after": after, "limit": limit}
    params["offices"] = None if offices is None else sorted(offices)
    return await fetch_all(pool, REVIEW_QUEUE, params)
