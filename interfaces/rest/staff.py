"""REST commands on staff users and offices (admins only)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from pydantic import Field

from application.offices import OpenOffice, open_office
from application.staff import users
from domain.staff import Role
from infrastructure.tokens import User
from interfaces.rest.auth import require
from interfaces.rest.common import Accepted, App, Command, ExpectedVersion, Reason, Secret, Text

router = APIRouter(tags=["staff"])
Admin = Annotated[User, Depends(require(Role.ADMIN))]
Roles = Annotated[list[Role], Field(min_length=1, max_length=len(Role))]


class OfficeBody(Command):
    name: Text
    parent_id: UUID


@router.post("/offices", status_code=201)
def open_an_office(body: OfficeBody, app: App, user: Admin, request: Request) -> Accepted:
    """A branch of `parent_id` (the head office's id is in GraphQL `offices`)."""
    opened = open_office(app, OpenOffice(user.sub, body.name, body.parent_id))
    request.app.state.office_tree.opened(opened.id)  # its parents' staff reach it at once
    return Accepted.of(opened)


class UserBody(Command):
    username: Text
    display_name: Text
    office_id: UUID
    roles: Roles
    password: Secret


@router.post("/users", status_code=201)
def create_user(body: UserBody, app: App, user: Admin) -> Accepted:
    """A staff user; the username is unique (409), the password at least 10 characters
    and not the username (422)."""
    command = users.CreateUser(
        user.sub, body.username, body.display_name, body.office_id, body.roles, body.password
    )
    return Accepted.of(users.create_user(app, command))


class RolesBody(Command):
    roles: Roles


@router.post("/users/{user_id}/roles")
def change_roles(
    user_id: UUID, body: RolesBody, app: App, version: ExpectedVersion, user: Admin
) -> Accepted:
    """The user's roles from now on; no one changes their own (403). Their tokens that
    name a role taken away are refused from the next request."""
    command = users.ChangeRoles(user.sub, user_id, body.roles, expected_version=version)
    return Accepted.of(users.change_roles(app, command))


class MoveBody(Command):
    office_id: UUID


@router.post("/users/{user_id}/move")
def move_user(
    user_id: UUID, body: MoveBody, app: App, version: ExpectedVersion, user: Admin
) -> Accepted:
    command = users.MoveUser(user.sub, user_id, body.office_id, expected_version=version)
    return Accepted.of(users.move_user(app, command))


class DeactivateBody(Command):
    reason: Reason


@router.post("/users/{user_id}/deactivate")
def deactivate_user(
    user_id: UUID, body: DeactivateBody, app: App, version: ExpectedVersion, user: Admin
) -> Accepted:
    """The user can no longer log in, and every token of theirs is refused at once."""
    command = users.DeactivateUser(user.sub, user_id, body.reason, expected_version=version)
    return Accepted.of(users.deactivate_user(app, command))


class PasswordBody(Command):
    password: Secret


@router.post("/users/{user_id}/reset-password")
def reset_password(
    user_id: UUID, body: PasswordBody, app: App, version: ExpectedVersion, user: Admin
) -> Accepted:
    """A new password; the user's sessions end."""
    command = users.ResetPassword(user.sub, user_id, body.password, expected_version=version)
    return Accepted.of(users.reset_password(app, command))
