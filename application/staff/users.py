"""Staff user use cases: create (with a unique username), roles, moves, deactivation,
password resets, and the first admin of a new store."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from application.app import LendingApplication, Written, check_version
from application.offices import existing_office, head_office
from application.staff.passwords import hash_password
from domain.claims import Claim
from domain.errors import Conflict
from domain.staff import Role, StaffUser, check_password, checked_username, normalize_username

# The claim the first admin takes: a store bootstraps once.
FIRST_ADMIN = ("bootstrap", "first-admin")
BOOTSTRAP = "bootstrap"  # who creates the first admin, as recorded


class DuplicateUsername(Conflict):
    def __init__(self) -> None:
        super().__init__("the username is taken")


@dataclass(frozen=True)
class CreateUser:
    actor: str
    username: str
    display_name: str
    office_id: UUID
    roles: list[Role]
    password: str = field(repr=False)
    user_id: UUID | None = None


def create_user(app: LendingApplication, command: CreateUser) -> Written:
    return _create(app, command)


def _create(app: LendingApplication, command: CreateUser, *claims: Claim) -> Written:
    username = checked_username(command.username)
    check_password(command.password, username)
    existing_office(app, command.office_id, "office_id", command.actor)
    claim_id = app.claim_id("username", username)
    if app.exists(claim_id):
        raise DuplicateUsername()
    user = StaffUser.register(
        actor=command.actor,
        username=username,
        display_name=command.display_name,
        office_id=command.office_id,
        roles=command.roles,
        password_hash=hash_password(command.password),
        user_id=command.user_id,
    )
    claim = Claim.make(claim_id=claim_id, owner_id=user.id, actor=command.actor)
    try:
        return app.save_all(user, claim, *claims)
    except IntegrityError:
        # A concurrent creation took the username (or the first admin's claim) first.
        if app.exists(claim_id):
            raise DuplicateUsername() from None
        raise Conflict("the store has its first admin already") from None


@dataclass(frozen=True)
class CreateFirstAdmin:
    username: str
    password: str = field(repr=False)
    display_name: str = "Administrator"


def create_first_admin(app: LendingApplication, command: CreateFirstAdmin) -> Written:
    """The store's first admin, at the head office; refused once there is one (every
    later user is created by an admin)."""
    claim_id = app.claim_id(*FIRST_ADMIN)
    if app.exists(claim_id):
        raise Conflict("the store has its first admin already")
    office = head_office(app, BOOTSTRAP)
    user_id = StaffUser.create_id()
    create = CreateUser(
        actor=BOOTSTRAP,
        username=command.username,
        display_name=command.display_name,
        office_id=office.id,
        roles=[Role.ADMIN],
        password=command.password,
        user_id=user_id,
    )
    first = Claim.make(claim_id=claim_id, owner_id=user_id, actor=BOOTSTRAP)
    return _create(app, create, first)


def user_named(app: LendingApplication, username: str) -> StaffUser | None:
    """The user with this username, if any (any text: no user has an invalid one)."""
    claim_id = app.claim_id("username", normalize_username(username))
    if not app.exists(claim_id):
        return None
    owner = app.load(Claim, claim_id, "claim").owner_id
    return app.load(StaffUser, owner, "user")


@dataclass(frozen=True)
class ChangeRoles:
    actor: str
    user_id: UUID
    roles: list[Role]
    expected_version: int | None = None


def change_roles(app: LendingApplication, command: ChangeRoles) -> Written:
    return _act(
        app,
        command.user_id,
        command.expected_version,
        lambda user: user.change_roles(actor=command.actor, roles=command.roles),
    )


@dataclass(frozen=True)
class MoveUser:
    actor: str
    user_id: UUID
    office_id: UUID
    expected_version: int | None = None


def move_user(app: LendingApplication, command: MoveUser) -> Written:
    existing_office(app, command.office_id, "office_id", command.actor)
    return _act(
        app,
        command.user_id,
        command.expected_version,
        lambda user: user.move(actor=command.actor, office_id=command.office_id),
    )


@dataclass(frozen=True)
class DeactivateUser:
    actor: str
    user_id: UUID
    reason: str
    expected_version: int | None = None


def deactivate_user(app: LendingApplication, command: DeactivateUser) -> Written:
    """Every session of the user ends at once: each request checks the user is active."""
    return _act(
        app,
        command.user_id,
        command.expected_version,
        lambda user: user.deactivate(actor=command.actor, reason=command.reason),
    )


@dataclass(frozen=True)
class ResetPassword:
    actor: str
    user_id: UUID
    password: str = field(repr=False)
    expected_version: int | None = None


def reset_password(app: LendingApplication, command: ResetPassword) -> Written:
    """A new password; the user's sessions end (they were opened with the old one)."""
    user = _user(app, command.user_id)
    check_password(command.password, user.username)
    hashed = hash_password(command.password)
    return _act(
        app,
        command.user_id,
        command.expected_version,
        lambda user: user.reset_password(actor=command.actor, password_hash=hashed),
    )


def _user(app: LendingApplication, user_id: UUID) -> StaffUser:
    return app.load(StaffUser, user_id, "user")


def _act(
    app: LendingApplication,
    user_id: UUID,
    expected_version: int | None,
    action: Callable[[StaffUser], None],
) -> Written:
    def attempt() -> Written:
        user = _user(app, user_id)
        check_version(user, expected_version)
        action(user)
        return app.save_all(user)

    return app.retrying(attempt)
