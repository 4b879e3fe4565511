"""What intake asks the read models: what other borrowers did with the same phone.

The read models hold no phones, only their keyed digests, so intake asks by digest.

The borrower's own applications are recorded on the borrower (exact, and two racing
applications conflict), but counting across borrowers needs an index the event store
does not keep, so intake asks the read models. They are as fresh as the projections:
a registration or application by another borrower recorded moments ago may not be
counted yet (each check that asked records the `read_position` it saw).

The borrower's loans from before intake recorded applications on the borrower are
found here too; every loan found is then loaded, so its status and schedule are exact.

The runtime passes the read models to the application when it builds it
(`LendingApplication(applicant_records=...)`); intake refuses to run without them
rather than skip the checks.
"""

from __future__ import annotations

from application.ports import ApplicantRecords

__all__ = ["ApplicantRecords"]
