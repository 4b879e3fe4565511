"""What intake recorded for a loan: its credit assessment aggregate, by the loan's id."""

from __future__ import annotations

from uuid import UUID

from application.app import LendingApplication
from domain.credit import CreditAssessment, assessment_id


def assessment_of(app: LendingApplication, loan_id: UUID) -> CreditAssessment | None:
    """The loan's assessment; None for a loan submitted before intake assessed them."""
    found = assessment_id(loan_id)
    if not app.exists(found):
        return None
    return app.load(CreditAssessment, found, "credit assessment")
