"""Arrears: days past due, buckets, the five-tier classification, PAR and NPL.

Pure calculations: no clock, no I/O. Everything is "as of" a date the caller passes; see
`domain.arrears.dpd` for the contract on the installment states it is given.
"""

from domain.arrears.classification import (
    DEFAULT_THRESHOLDS,
    Bucket,
    Classification,
    ClassificationThresholds,
    bucket_of,
    classify,
    is_non_performing,
)
from domain.arrears.dpd import (
    PAST_DUE_COMPONENTS,
    dpd_since,
    oldest_unpaid_due_date,
    unpaid_due_dates,
)
from domain.arrears.ratios import buckets_past, principal_share

__all__ = [
    "DEFAULT_THRESHOLDS",
    "PAST_DUE_COMPONENTS",
    "Bucket",
    "Classification",
    "ClassificationThresholds",
    "bucket_of",
    "buckets_past",
    "classify",
    "dpd_since",
    "is_non_performing",
    "oldest_unpaid_due_date",
    "principal_share",
    "unpaid_due_dates",
]
