"""Domain errors. They carry ids and field names; interfaces turn them into HTTP."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID


class DomainError(Exception):
    """Base of every error the domain or application raises on purpose."""


class InvalidValue(DomainError):
    """A value breaks a rule; `field` names where it came from."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class NotFound(DomainError):
    def __init__(self, kind: str, id_: UUID | str) -> None:
        super().__init__(f"{kind} {id_} not found")
        self.kind = kind
        self.id = id_


class Refused(DomainError):
    """This caller may not do it, whatever the state: maker-checker or signing authority."""


class Conflict(DomainError):
    """The command clashes with what is recorded (state, version, uniqueness)."""


class VersionMismatch(Conflict):
    def __init__(self, expected: int, actual: int) -> None:
        super().__init__(f"expected version {expected} but it is at version {actual}")
        self.expected = expected
        self.actual = actual


class DuplicateIdNumber(Conflict):
    def __init__(self, existing_borrower_id: UUID) -> None:
        super().__init__(f"id number already belongs to borrower {existing_borrower_id}")
        self.existing_borrower_id = existing_borrower_id


class InvalidTransition(Conflict):
    """A command that the aggregate's current state does not allow."""

    def __init__(self, action: str, state: str) -> None:
        super().__init__(f"cannot {action} while {state}")
        self.action = action
        self.state = state


class DuplicateProductCode(Conflict):
    def __init__(self, code: str, existing_product_id: UUID) -> None:
        super().__init__(f"product code {code} already belongs to product {existing_product_id}")
        self.code = code
        self.existing_product_id = existing_product_id


class Unauthenticated(DomainError):
    """The credentials or the session do not hold (a wrong password, a spent refresh
    token, a deactivated user): the caller must log in again."""


class AccountLocked(DomainError):
    """Too many failed logins: the username is locked until `until`."""

    def __init__(self, until: datetime) -> None:
        super().__init__(f"too many failed logins: try again after {until.isoformat()}")
        self.until = until
