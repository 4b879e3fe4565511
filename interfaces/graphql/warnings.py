"""GraphQL `riskWarnings`: read from the `risk_warnings` read model, newest first."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import strawberry
from psycopg.rows import dict_row
from strawberry.types import Info

from domain.risk import Severity as RecordedSeverity
from domain.risk import WarningRule as RecordedRule
from domain.risk import WarningStatus as RecordedStatus
from infrastructure.tokens import Role
from interfaces.graphql.context import Context
from interfaces.graphql.pagination import Connection, Page, connection

READERS = (Role.RISK_OFFICER, Role.ADMIN, Role.ANALYST, Role.AUDITOR, Role.APPROVER)

# GraphQL shows the domain's values by name: DPD_THRESHOLD ..., LOW ..., OPEN ...
WarningRule = strawberry.enum(RecordedRule, name="WarningRule")
Severity = strawberry.enum(RecordedSeverity, name="Severity")
WarningStatus = strawberry.enum(RecordedStatus, name="WarningStatus")

SELECT = """SELECT id, position, rule, severity, status, subject, threshold, loan_id,
    borrower_id, raised_on, detail, note, version FROM risk_warnings"""


@strawberry.type
class RiskWarning:
    id: strawberry.ID
    rule: WarningRule
    severity: Severity
    status: WarningStatus
    subject: str
    loan_id: strawberry.ID | None
    borrower_id: strawberry.ID | None
    threshold: Decimal
    raised_on: date
    detail: str
    note: str | None
    version: int

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> RiskWarning:
        return cls(
            id=strawberry.ID(str(row["id"])),
            rule=WarningRule(row["rule"]),
            severity=Severity(row["severity"]),
            status=WarningStatus(row["status"]),
            subject=row["subject"],
            loan_id=_id(row["loan_id"]),
            borrower_id=_id(row["borrower_id"]),
            threshold=row["threshold"],
            raised_on=row["raised_on"],
            detail=row["detail"],
            note=row["note"],
            version=row["version"],
        )


def _id(value: Any) -> strawberry.ID | None:
    return None if value is None else strawberry.ID(str(value))


@strawberry.type(name="RiskWarningConnection")
class RiskWarningConnection(Connection[RiskWarning]):
    pass


async def risk_warnings(
    info: Info[Context, None],
    status: WarningStatus | None = None,
    severity: Severity | None = None,
    first: int | None = None,
    after: str | None = None,
) -> RiskWarningConnection:
    """Warnings raised by the risk rules, the newest first."""
    context = info.context
    context.require(*READERS)
    page = Page.of(first, after)
    clauses: list[str] = []
    params: list[Any] = []
    if page.after:  # the cursor is the last position shown; older ones come next
        clauses.append("position < %s")
        params.append(page.after)
    if status is not None:
        clauses.append("status = %s")
        params.append(RecordedStatus(status.value).value)
    if severity is not None:
        clauses.append("severity = %s")
        params.append(RecordedSeverity(severity.value).value)
    where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
    query = f"{SELECT}{where} ORDER BY position DESC LIMIT %s"
    async with context.pool.connection() as conn, conn.cursor(row_factory=dict_row) as cursor:
        await cursor.execute(query, [*params, page.size + 1])
        rows = await cursor.fetchall()
    found = connection([(row["position"], RiskWarning.from_row(row)) for row in rows], page)
    return RiskWarningConnection(edges=found.edges, page_info=found.page_info)
