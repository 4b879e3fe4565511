"""REST commands on risk warnings: a risk officer acknowledges, then resolves them."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends

from application import risk
from infrastructure.tokens import Role, User
from interfaces.rest.auth import require
from interfaces.rest.common import Accepted, App, Command, ExpectedVersion, Note, RequiredNote

router = APIRouter(prefix="/risk-warnings", tags=["risk warnings"])

RiskOfficer = Annotated[User, Depends(require(Role.RISK_OFFICER, Role.ADMIN))]


class AcknowledgeBody(Command):
    note: Note = ""


class ResolveBody(Command):
    note: RequiredNote


@router.post("/{warning_id}/acknowledge")
def acknowledge(
    warning_id: UUID,
    app: App,
    user: RiskOfficer,
    version: ExpectedVersion,
    body: AcknowledgeBody | None = None,
) -> Accepted:
    """Someone is looking into the warning; the note is optional."""
    note = body.note if body else ""
    return Accepted.of(risk.acknowledge(app, risk.Acknowledge(user.sub, warning_id, note, version)))


@router.post("/{warning_id}/resolve")
def resolve(
    warning_id: UUID, body: ResolveBody, app: App, user: RiskOfficer, version: ExpectedVersion
) -> Accepted:
    """Close the warning; the note says what was done about it."""
    return Accepted.of(risk.resolve(app, risk.Resolve(user.sub, warning_id, body.note, version)))
