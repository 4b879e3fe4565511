"""Risk warnings: the rules that raise them, what they found, and the warning itself."""

from domain.risk.findings import (
    Finding,
    broken_promise,
    concentrated,
    dpd_reached,
    exposure_over_limit,
    first_payment_default,
    ledger_differences,
    repeatedly_late,
    warning_id,
)
from domain.risk.rules import (
    DEFAULT_POLICY,
    DueInstallment,
    RiskPolicy,
    Severity,
    WarningRule,
)
from domain.risk.warning import RiskWarning, WarningStatus

__all__ = [
    "DEFAULT_POLICY",
    "DueInstallment",
    "Finding",
    "RiskPolicy",
    "RiskWarning",
    "Severity",
    "WarningRule",
    "WarningStatus",
    "broken_promise",
    "concentrated",
    "dpd_reached",
    "exposure_over_limit",
    "first_payment_default",
    "ledger_differences",
    "repeatedly_late",
    "warning_id",
]
