"""Portfolio ratios: PAR and NPL, as shares of outstanding principal."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_EVEN, Decimal

from domain.arrears.classification import Classification, checked_dpd, is_non_performing
from domain.errors import InvalidValue

RATIO_PLACES = Decimal("0.0001")


def _principal(amount: Decimal) -> Decimal:
    if not amount.is_finite() or amount < 0:
        raise InvalidValue("outstanding_principal", "must be a finite, non-negative decimal")
    return amount


def _ratio(part: Decimal, total: Decimal) -> Decimal:
    if total == 0:
        return Decimal(0).quantize(RATIO_PLACES)
    return (part / total).quantize(RATIO_PLACES, rounding=ROUND_HALF_EVEN)


def par(loans: Iterable[tuple[Decimal, int]], over: int) -> Decimal:
    """Portfolio at risk: principal of loans more than `over` days past due ÷ all principal.

    `loans` are (outstanding principal, DPD). PAR30 is `par(loans, 30)`. The ratio is
    rounded half-even to 4 places; 0 when nothing is outstanding.
    """
    checked_dpd(over, "over")
    part = total = Decimal(0)
    for principal, dpd in loans:
        total += _principal(principal)
        if checked_dpd(dpd) > over:
            part += principal
    return _ratio(part, total)


def npl_ratio(loans: Iterable[tuple[Decimal, Classification]]) -> Decimal:
    """Principal of substandard, doubtful and loss loans ÷ all principal.

    `loans` are (outstanding principal, classification), the classification usually being
    `classify(dpd, thresholds)`. Rounded like `par`.
    """
    part = total = Decimal(0)
    for principal, classification in loans:
        total += _principal(principal)
        if is_non_performing(Classification(classification)):
            part += principal
    return _ratio(part, total)
