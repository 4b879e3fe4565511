"""Take an application through its approval levels, each signed by another person."""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from uuid import UUID

from application.app import LendingApplication, Written
from application.approvals import Approve, approve, overrides_needed, pending
from domain.approval import ApprovalRole, Signer

QIAN = Signer.of("reviewer.qian", ApprovalRole.REVIEWER)
HE = Signer.of("reviewer.he", ApprovalRole.REVIEWER)
SUN = Signer.of("approver.sun", ApprovalRole.APPROVER)
OVERRIDE = "the site visit and the guarantor outweigh the model"


def signed_through(app: LendingApplication, loan_id: UUID, **figures: Any) -> Written | None:
    """Approve at every pending level (the final one with `figures`, and a reason when it
    goes against the assessment); the last write, or None when nothing was pending
    (approved automatically at submission)."""
    reviewers = iter((QIAN, HE))
    written = None
    while (level := pending(app, loan_id)) is not None:
        if not level.final:
            written = approve(app, Approve(next(reviewers), loan_id))
            continue
        change = Approve(SUN, loan_id, **figures)
        if overrides_needed(app, loan_id, change.principal):
            change = replace(change, override_reason=OVERRIDE)
        written = approve(app, change)
    return written
