"""What a person may do: the roles a token names and a staff user holds."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    LOAN_OFFICER = "loan_officer"
    REVIEWER = "reviewer"
    APPROVER = "approver"
    RISK_OFFICER = "risk_officer"
    COLLECTOR = "collector"
    AUDITOR = "auditor"
    ANALYST = "analyst"
    BORROWER = "borrower"


# Every role but the borrower's: what a staff user may hold.
STAFF_ROLES = frozenset(r for r in Role if r is not Role.BORROWER)
