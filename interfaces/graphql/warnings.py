"""GraphQL `riskWarnings`: read from the `risk_warnings` read model, newest first."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import strawberry
from strawberry.types import Info

from domain.risk import Severity as RecordedSeverity
from domain.risk import WarningRule as RecordedRule
from domain.risk import WarningStatus as RecordedStatus
from infrastructure.tokens import Role
from interfaces.graphql.context import Context
from interfaces.graphql.pagination import Connection, Page, connection
from projections.risk_warning_queries import warnings_page

READERS = (Role.RISK_OFFICER, Role.ADMIN, Role.ANALYST, Role.AUDITOR, Role.APPROVER)

# GraphQL shows the domain's values by name: DPD_THRESHOLD ..., LOW ..., OPEN ...
WarningRule = strawberry.enum(RecordedRule, name="WarningRule")
Severity = strawberry.enum(RecordedSeverity, name="Severity")
WarningStatus = strawberry.enum(RecordedStatus, name="WarningStatus")


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
    rows = await warnings_page(
        context.pool,
        page.after,
        None if status is None else RecordedStatus(status.value).value,
        None if severity is None else RecordedSeverity(severity.value).value,
        page.size + 1,
        await context.reach(),
    )
    found = connection([(row["position"], RiskWarning.from_row(row)) for row in rows], page)
    return RiskWarningConnection(edges=found.edges, page_info=found.page_info)
