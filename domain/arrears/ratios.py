"""Portfolio ratios: PAR and NPL, as shares of outstanding principal."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

from domain.arrears.classification import BUCKET_FLOORS, Bucket
from domain.errors import InvalidValue

RATIO_PLACES = Decimal("0.0001")


def principal_share(part: Decimal, total: Decimal) -> Decimal:
    """`part` of `total` outstanding principal, rounded half-even to 4 places; 0 when
    nothing is outstanding. PAR30 is the share of loans more than 30 days past due, the
    NPL ratio that of loans classified substandard, doubtful or loss."""
    for amount in (part, total - part):
        if not amount.is_finite() or amount < 0:
            raise InvalidValue("outstanding_principal", "must be a finite, non-negative decimal")
    if total == 0:
        return Decimal(0).quantize(RATIO_PLACES)
    return (part / total).quantize(RATIO_PLACES, rounding=ROUND_HALF_EVEN)


def buckets_past(days: int) -> tuple[Bucket, ...]:
    """The buckets of loans more than `days` past due, best first: PAR30 is the share of
    outstanding principal in `buckets_past(30)`. `days` must be the last DPD of a bucket
    (0, 30, 60, 90 or 180), else `InvalidValue`."""
    if days < 0 or days + 1 not in {floor for floor, _ in BUCKET_FLOORS}:
        raise InvalidValue("days", "must be the last day past due of a bucket")
    return tuple(bucket for floor, bucket in reversed(BUCKET_FLOORS) if floor > days)
