"""Credit decisions by levels: routing by amount and grade, maker-checker signatures."""

from domain.approval.case import (
    ApprovalCase,
    Decision,
    Outcome,
    Step,
    approval_case_id,
)
from domain.approval.policy import ApprovalPolicy, ApprovalRole, Basis, Route, Signer

__all__ = [
    "ApprovalCase",
    "ApprovalPolicy",
    "ApprovalRole",
    "Basis",
    "Decision",
    "Outcome",
    "Route",
    "Signer",
    "Step",
    "approval_case_id",
]
