"""What readers ask the event store about one borrower: the borrower as recorded at a
moment, for auditors. The answer is plain data, never the aggregate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from application.app import LendingApplication
from domain.borrower import Blacklisting, Borrower, BorrowerKind, Profile
from domain.errors import NotFound


@dataclass(frozen=True)
class RecordedBorrower:
    """A borrower as its events recorded it: identity, profile in full, blacklisting."""

    id: UUID
    kind: BorrowerKind
    id_number: str
    birth_date: date | None
    officer: str
    version: int
    profile: Profile
    blacklisting: Blacklisting | None
    erased_on: date | None = None  # the business date its personal data was erased

    @classmethod
    def of(cls, borrower: Borrower) -> RecordedBorrower:
        return cls(
            id=borrower.id,
            kind=borrower.kind,
            id_number=borrower.id_number,
            birth_date=borrower.birth_date,
            officer=borrower.officer,
            version=borrower.version,
            profile=borrower.profile,
            blacklisting=borrower.blacklisting,
            erased_on=borrower.erased_on if borrower.is_erased else None,
        )


def borrower_as_of(
    app: LendingApplication, borrower_id: UUID, at: datetime
) -> RecordedBorrower | None:
    """The borrower as recorded at `at`; None if not registered yet. NotFound for an id
    that is no borrower's."""
    found = app.as_of(borrower_id, at, "borrower")
    if found is None:
        return None
    if not isinstance(found, Borrower):
        raise NotFound("borrower", borrower_id)
    return RecordedBorrower.of(found)
