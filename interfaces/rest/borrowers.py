"""REST commands on borrowers."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, HTTPException

from application.borrower_sessions import RevokeSessions, revoke_sessions
from application.borrowers import Blacklisting, RegisterBorrower, UpdateBorrower, lift_blacklist
from application.borrowers import blacklist_borrower as blacklist
from application.borrowers import register_borrower as register
from application.borrowers import update_borrower as update
from application.erasure import EraseBorrower
from application.erasure import erase_borrower as erase
from domain.borrower import BorrowerKind, Profile
from infrastructure.tokens import Role, User
from interfaces.rest.auth import require
from interfaces.rest.common import (
    Accepted,
    App,
    BusinessDate,
    Command,
    Email,
    ExpectedVersion,
    Money,
    OptionalText,
    Percent,
    Reason,
    Text,
)

router = APIRouter(prefix="/borrowers", tags=["borrowers"])


class ProfileFields(Command):
    name: Text
    phone: Text
    address: OptionalText = ""
    region: Text
    monthly_income: Money
    assets: Money | None = None
    liabilities: Money | None = None
    annual_sales: Money | None = None
    margin_percent: Percent | None = None
    email: Email | None = None
    marketing_opt_out: bool | None = None


class RegisterBody(ProfileFields):
    kind: BorrowerKind
    id_number: Text
    birth_date: BusinessDate | None = None


class UpdateBody(Command):
    name: Text | None = None
    phone: Text | None = None
    address: OptionalText | None = None
    region: Text | None = None
    monthly_income: Money | None = None
    assets: Money | None = None
    liabilities: Money | None = None
    annual_sales: Money | None = None
    margin_percent: Percent | None = None
    email: Email | None = None
    marketing_opt_out: bool | None = None


@router.post("", status_code=201)
def register_borrower(
    body: RegisterBody,
    app: App,
    user: Annotated[User, Depends(require(Role.LOAN_OFFICER, Role.BORROWER))],
) -> Accepted:
    borrower_id = None
    if user.is_borrower_only:
        # A borrower registers itself: its token's subject becomes its id.
        try:
            borrower_id = UUID(user.sub)
        except ValueError:
            raise HTTPException(403, "a borrower token's subject must be its borrower id") from None
    profile = Profile(**body.model_dump(include=set(Profile.model_fields)))
    command = RegisterBorrower(
        actor=user.sub,
        kind=body.kind,
        id_number=body.id_number,
        profile=profile,
        birth_date=body.birth_date,
        borrower_id=borrower_id,
        office=user.office,
    )
    return Accepted.of(register(app, command))


@router.post("/{borrower_id}/update")
def update_borrower(
    borrower_id: UUID,
    body: UpdateBody,
    app: App,
    version: ExpectedVersion,
    user: Annotated[User, Depends(require(Role.LOAN_OFFICER))],
) -> Accepted:
    changes = body.model_dump(exclude_unset=True)
    command = UpdateBorrower(user.sub, borrower_id, changes, expected_version=version)
    return Accepted.of(update(app, command))


class ReasonBody(Command):
    reason: Reason


RiskOfficer = Annotated[User, Depends(require(Role.RISK_OFFICER, Role.ADMIN))]


@router.post("/{borrower_id}/blacklist")
def blacklist_borrower(
    borrower_id: UUID, body: ReasonBody, app: App, version: ExpectedVersion, user: RiskOfficer
) -> Accepted:
    """Refuse the borrower credit: intake rejects their applications from now on."""
    command = Blacklisting(user.sub, borrower_id, body.reason, expected_version=version)
    return Accepted.of(blacklist(app, command))


@router.post("/{borrower_id}/lift-blacklist")
def lift_borrower_blacklist(
    borrower_id: UUID, body: ReasonBody, app: App, version: ExpectedVersion, user: RiskOfficer
) -> Accepted:
    command = Blacklisting(user.sub, borrower_id, body.reason, expected_version=version)
    return Accepted.of(lift_blacklist(app, command))


@router.post("/{borrower_id}/sessions/revoke")
def revoke_borrower_sessions(
    borrower_id: UUID,
    body: ReasonBody,
    app: App,
    version: ExpectedVersion,
    user: Annotated[User, Depends(require(Role.ADMIN, Role.LOAN_OFFICER))],
) -> Accepted:
    """End every session of the borrower: its tokens are 401 from the next request on
    (recorded as the borrower's `SessionsRevoked`, with who and why). 409 once erased."""
    command = RevokeSessions(user.sub, borrower_id, body.reason, expected_version=version)
    return Accepted.of(revoke_sessions(app, command))


class ErasureAccepted(Accepted):
    status: Literal["requested", "erased"]


@router.post("/{borrower_id}/erase")
def erase_borrower(
    borrower_id: UUID,
    body: ReasonBody,
    app: App,
    version: ExpectedVersion,
    user: Annotated[User, Depends(require(Role.ADMIN))],
) -> ErasureAccepted:
    """Ask for the borrower's personal data to be erased; a second admin's same request
    approves it and destroys the borrower's data key. 409 while a loan is unfinished,
    within the retention period (LENDING_RETENTION_YEARS after the last loan ended),
    once erased, or for a borrower registered before per-borrower keys; 403 when the
    admin who asked approves."""
    result = erase(app, EraseBorrower(user.sub, borrower_id, body.reason, version))
    written = result.written
    return ErasureAccepted(
        id=written.id,
        version=written.version,
        position=written.position,
        status="erased" if result.erased else "requested",
    )
