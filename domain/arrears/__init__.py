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
    bucket_changes,
    bucket_history,
    days_past_due,
    dpd_since,
    next_bucket_change,
    oldest_unpaid_due_date,
    unpaid_due_dates,
)
from domain.arrears.ratios import npl_ratio, par

__all__ = [
    "DEFAULT_THRESHOLDS",
    "PAST_DUE_COMPONENTS",
    "Bucket",
    "Classification",
    "ClassificationThresholds",
    "bucket_changes",
    "bucket_history",
    "bucket_of",
    "classify",
    "days_past_due",
    "dpd_since",
    "is_non_performing",
    "next_bucket_change",
    "npl_ratio",
    "oldest_unpaid_due_date",
    "par",
    "unpaid_due_dates",
]
