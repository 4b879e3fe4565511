"""The credit policy in force: settings reach the application as `CREDIT_POLICY` JSON."""

from __future__ import annotations

from application.app import LendingApplication
from domain.credit import CreditPolicy


def credit_policy(app: LendingApplication) -> CreditPolicy:
    value = app.env.get("CREDIT_POLICY")
    return CreditPolicy.model_validate_json(value) if value else CreditPolicy()
