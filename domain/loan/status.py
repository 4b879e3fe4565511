"""Where a loan is in its life, and which commands each state allows."""

from __future__ import annotations

from enum import StrEnum

from domain.errors import InvalidTransition


class LoanStatus(StrEnum):
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    SIGNED = "signed"
    ACTIVE = "active"
    CLOSED = "closed"
    WRITTEN_OFF = "written_off"


ALLOWED_FROM: dict[str, tuple[LoanStatus, ...]] = {
    "approve": (LoanStatus.SUBMITTED,),
    "reject": (LoanStatus.SUBMITTED,),
    "withdraw": (LoanStatus.SUBMITTED, LoanStatus.APPROVED, LoanStatus.SIGNED),
    "sign": (LoanStatus.APPROVED,),
    "disburse": (LoanStatus.SIGNED,),
    "repay": (LoanStatus.ACTIVE, LoanStatus.CLOSED, LoanStatus.WRITTEN_OFF),
    "reschedule": (LoanStatus.ACTIVE,),
    "write off": (LoanStatus.ACTIVE,),
    "charge": (LoanStatus.ACTIVE,),
    "waive": (LoanStatus.ACTIVE,),
    "refund": (LoanStatus.ACTIVE, LoanStatus.CLOSED, LoanStatus.WRITTEN_OFF),
}


def require(action: str, status: LoanStatus) -> None:
    if status not in ALLOWED_FROM[action]:
        raise InvalidTransition(action, f"the loan is {status.value}")
