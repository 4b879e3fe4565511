"""What intake asks the read models: what other borrowers did with the same phone.

The read models hold no phones, only their keyed digests, so intake asks by digest.

The borrower's own applications are recorded on the borrower (exact, and two racing
applications conflict), but counting across borrowers needs an index the event store
does not keep, so intake asks the read models. They are as fresh as the projections:
a registration or application by another borrower recorded moments ago may not be
counted yet (each check that asked records the `read_position` it saw).

The borrower's loans from before intake recorded applications on the borrower are
found here too; every loan found is then loaded, so its status and schedule are exact.

The runtime wires the read models in (`use_records`) when it builds the application;
intake refuses to run without them rather than skip the checks.
"""

from __future__ import annotations

from datetime import date
from typing import Protocol
from uuid import UUID
from weakref import WeakKeyDictionary

from application.app import LendingApplication


class ApplicantRecords(Protocol):
    def loan_ids(self, borrower_id: UUID) -> list[UUID]:
        """Every loan the borrower applied for."""
        ...

    def others_applications_with_phone(self, digest: str, borrower_id: UUID, since: date) -> int:
        """Applications by other borrowers with the phone of this digest
        (`application.phones.phone_digest`), assessed on or after `since`."""
        ...

    def other_borrowers_with_phone(self, digest: str, borrower_id: UUID) -> int:
        """Other borrowers whose phone has this digest."""
        ...

    def read_position(self) -> int:
        """The event store position the read models have processed."""
        ...


_wired: WeakKeyDictionary[LendingApplication, ApplicantRecords] = WeakKeyDictionary()


def use_records(app: LendingApplication, records: ApplicantRecords) -> None:
    _wired[app] = records


def records_of(app: LendingApplication) -> ApplicantRecords:
    found = _wired.get(app)
    if found is None:
        raise RuntimeError("intake needs the read models: the runtime wires them (use_records)")
    return found
