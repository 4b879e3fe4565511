"""Who a borrower or a payer is, in full, from the event store.

The read models keep names, phones and addresses only masked (domain/masking.py).
The few readers who must call or visit someone (and a borrower reading itself) get
them here, decrypted from the Borrower or Repayment aggregate. A reader asks for a
batch of ids at once, so a list of borrowers costs one call, not one per field.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from application.app import LendingApplication
from application.batch_load import preloaded
from domain.borrower import Borrower
from domain.errors import NotFound
from domain.repayment import Repayment


@dataclass(frozen=True)
class Contact:
    """How to reach a borrower, as its profile holds it now."""

    borrower_id: UUID
    name: str
    phone: str  # E.164
    address: str
    email: str | None = None
    marketing_opt_out: bool = False


def contacts(app: LendingApplication, borrower_ids: Sequence[UUID]) -> list[Contact | None]:
    """Each borrower's contact details, in the order asked; None for an unknown id."""
    keys = app.personal_keys
    batch = preloaded(app, Borrower, borrower_ids, keys.prefetch_borrowers if keys else None)
    found: list[Contact | None] = []
    for borrower_id in borrower_ids:
        try:
            borrower = batch.get(borrower_id) or app.load(Borrower, borrower_id, "borrower")
        except NotFound:
            found.append(None)
            continue
        profile = borrower.profile
        found.append(
            Contact(
                borrower_id,
                profile.name,
                profile.phone,
                profile.address,
                profile.email,
                bool(profile.marketing_opt_out),
            )
        )
    return found


def payers(app: LendingApplication, repayment_ids: Sequence[UUID]) -> list[str | None]:
    """Who paid each repayment, as the channel named them (may be empty), in the order
    asked; None for an unknown id."""
    found: list[str | None] = []
    for repayment_id in repayment_ids:
        try:
            found.append(app.load(Repayment, repayment_id, "repayment").receipt.payer)
        except NotFound:
            found.append(None)
    return found
