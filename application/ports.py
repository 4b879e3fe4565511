"""What the application asks of the read models, as the runtime wires them in."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol
from uuid import UUID

if TYPE_CHECKING:
    from application.contracts import ContractDocument


class ApplicantRecords(Protocol):
    """What intake asks the read models about an applicant (application/credit/records.py)."""

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


class PersonalKeyStore(Protocol):
    """The data keys personal fields are sealed with (infrastructure/personal_keys.py)."""

    def holds(self, borrower_id: UUID) -> bool:
        """Whether the borrower's fields are sealed with a key of its own (a borrower
        registered before per-borrower keys has none)."""
        ...

    def destroy(self, borrower_id: UUID, loan_ids: list[UUID]) -> list[str]:
        """Destroy the borrower's key and its loans' keys: the names of those destroyed."""
        ...

    def prefetch_borrowers(self, borrower_ids: list[UUID]) -> None:
        """As `prefetch_loans`, the keys of these borrowers' fields."""
        ...

    def prefetch_loans(self, loan_ids: list[UUID]) -> None:
        """Read the keys of these loans' fields not yet in memory, in one query (a batch
        of loans loaded together would otherwise ask for them one by one)."""
        ...


class LedgerRecords(Protocol):
    """What closing an account asks the journal read model (projections/journal_queries.py)."""

    def account_balance(self, code: str) -> Decimal:
        """The account's balance (debits less credits) over everything posted so far."""
        ...

    def open_sub_accounts(self, code: str) -> int:
        """How many of the account's sub-accounts are open."""
        ...


class ContractRenderer(Protocol):
    """What signing asks of the document edge (infrastructure/documents): the contract as
    PDF bytes, the same bytes for the same document every time."""

    lender: str  # the lender's name a new contract shows

    def render(self, document: ContractDocument) -> bytes: ...
