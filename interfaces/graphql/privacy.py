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


def sees_contact(user: User | None, borrower_id: str | None) -> bool:
    """Whether `user` reads the contact details of borrower `borrower_id` in full.

    `borrower_id` None: a record whose borrower the caller does not know (a repayment,
    a loan's history). A borrower-only token reads it in full, since GraphQL shows such
    a token nothing but its own records; anyone else needs a contact role.
    """
    if user is None:
        return False
    if user.has_any(*SEES_CONTACT):
        return True
    if borrower_id is None:
        return user.is_borrower_only
    return user.has_any(Role.BORROWER) and user.sub == borrower_id
