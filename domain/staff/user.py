"""Staff users: who may log in, in which office, with which roles.

The password is held only as an argon2id hash (the application hashes it; the domain
never sees a password, only the rules it must pass). A user's `credentials` count goes
up at every password reset, so sessions started before it end with it.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.domain import event

from domain.errors import InvalidTransition, InvalidValue, Refused
from domain.model import Aggregate
from domain.staff.roles import STAFF_ROLES, Role

USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{2,63}")
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256


class UserStatus(StrEnum):
    ACTIVE = "active"
    DEACTIVATED = "deactivated"


def normalize_username(username: str) -> str:
    """The form a username is kept and looked up in: trimmed, lower case."""
    return username.strip().lower()


def checked_username(username: str) -> str:
    normal = normalize_username(username)
    if not USERNAME.fullmatch(normal):
        raise InvalidValue(
            "username", "must be 3 to 64 letters, digits, dots, dashes or underscores"
        )
    return normal


def check_password(password: str, username: str) -> None:
    """A password a user may have: at least 10 characters, and not the username."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidValue("password", f"must be at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidValue("password", f"must be at most {MAX_PASSWORD_LENGTH} characters")
    if password.strip().casefold() == normalize_username(username).casefold():
        raise InvalidValue("password", "must not be the username")


def checked_roles(roles: list[Role] | tuple[Role, ...], field: str = "roles") -> tuple[Role, ...]:
    """Staff roles, each once, in a stable order."""
    if not roles:
        raise InvalidValue(field, "must name at least one role")
    if not set(roles) <= STAFF_ROLES:
        raise InvalidValue(field, "a staff user cannot hold the borrower role")
    return tuple(sorted(set(roles)))


class StaffUser(Aggregate):
    if TYPE_CHECKING:  # assigned by events
        username: str
        display_name: str
        office_id: UUID
        roles: tuple[Role, ...]
        status: UserStatus
        password_hash: str
        credentials: int

    class Registered(Aggregate.Created):
        username: str
        display_name: str
        office_id: UUID
        roles: tuple[Role, ...]
        password_hash: str

        def apply(self, aggregate: Any) -> None:
            aggregate.username = self.username
            aggregate.display_name = self.display_name
            aggregate.office_id = self.office_id
            aggregate.roles = self.roles
            aggregate.status = UserStatus.ACTIVE
            aggregate.password_hash = self.password_hash
            aggregate.credentials = 1

    @classmethod
    def register(
        cls,
        *,
        actor: str,
        username: str,
        display_name: str,
        office_id: UUID,
        roles: list[Role],
        password_hash: str,
        user_id: UUID | None = None,
    ) -> StaffUser:
        if not display_name.strip():
            raise InvalidValue("display_name", "must not be empty")
        return cls._create(
            cls.Registered,
            id=user_id,
            actor=actor,
            username=checked_username(username),
            display_name=display_name.strip(),
            office_id=office_id,
            roles=checked_roles(roles),
            password_hash=password_hash,
        )

    @property
    def active(self) -> bool:
        return self.status is UserStatus.ACTIVE

    def change_roles(self, *, actor: str, roles: list[Role]) -> None:
        """Give the user these roles instead; no one changes their own."""
        if actor == str(self.id):
            raise Refused("a user cannot change their own roles")
        self._require_active("change the roles of")
        wanted = checked_roles(roles)
        if wanted != self.roles:
            self._roles_changed(actor=actor, roles=wanted, previous=self.roles)

    @event("RolesChanged")
    def _roles_changed(
        self, actor: str, roles: tuple[Role, ...], previous: tuple[Role, ...]
    ) -> None:
        self.roles = roles

    def move(self, *, actor: str, office_id: UUID) -> None:
        self._require_active("move")
        if office_id != self.office_id:
            self._moved(actor=actor, office_id=office_id, previous=self.office_id)

    @event("Moved")
    def _moved(self, actor: str, office_id: UUID, previous: UUID) -> None:
        self.office_id = office_id

    def deactivate(self, *, actor: str, reason: str) -> None:
        """The user leaves: no login from now, and every session ends at once."""
        if actor == str(self.id):
            raise Refused("a user cannot deactivate themselves")
        self._require_active("deactivate")
        if not reason.strip():
            raise InvalidValue("reason", "must not be empty")
        self._deactivated(actor=actor, reason=reason.strip())

    @event("Deactivated")
    def _deactivated(self, actor: str, reason: str) -> None:
        self.status = UserStatus.DEACTIVATED

    def reset_password(self, *, actor: str, password_hash: str) -> None:
        """A new password; the sessions started with the old one end."""
        self._require_active("reset the password of")
        self._password_reset(actor=actor, password_hash=password_hash)

    @event("PasswordReset")
    def _password_reset(self, actor: str, password_hash: str) -> None:
        self.password_hash = password_hash
        self.credentials += 1

    def _require_active(self, action: str) -> None:
        if not self.active:
            raise InvalidTransition(f"{action} a user", "the user is deactivated")
