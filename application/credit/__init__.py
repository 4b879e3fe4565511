"""Credit decisions at intake: assess each application as it is submitted."""

from application.credit.intake import assess_application
from application.credit.records import ApplicantRecords

__all__ = ["ApplicantRecords", "assess_application"]
