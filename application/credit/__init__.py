"""Credit decisions at intake: assess each application as it is submitted."""

from application.credit.intake import assess_application
from application.credit.policy import credit_policy
from application.credit.records import ApplicantRecords, records_of, use_records

__all__ = [
    "ApplicantRecords",
    "assess_application",
    "credit_policy",
    "records_of",
    "use_records",
]
