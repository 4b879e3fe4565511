"""Who reads personal data in full; everyone else gets the masks of domain/masking.py.

- Identity and account numbers: auditors and admins (in histories).
- Contact details (a borrower's name, phone and address, a payer's name): the roles
  that call or visit the borrower, loan_officer and collector, and the borrower itself.
"""

from __future__ import annotations

from infrastructure.tokens import Role, User

SEES_IDENTITY = (Role.AUDITOR, Role.ADMIN)
SEES_CONTACT = (Role.LOAN_OFFICER, Role.COLLECTOR)


def sees_identity(user: User | None) -> bool:
    return user is not None and user.has_any(*SEES_IDENTITY)


def sees_contact(user: User | None, borrower_id: str | None = None) -> bool:
    """Whether `user` reads the contact details of borrower `borrower_id` in full (None:
    of a record that GraphQL shows a borrower only when it is the borrower's own)."""
    if user is None:
        return False
    if user.has_any(*SEES_CONTACT):
        return True
    return user.has_any(Role.BORROWER) and (borrower_id is None or user.sub == borrower_id)
