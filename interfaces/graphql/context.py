"""Per-request GraphQL context: the caller, the read pool and read-your-writes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from fastapi import Request, Response
from psycopg_pool import AsyncConnectionPool
from strawberry.dataloader import DataLoader
from strawberry.fastapi import BaseContext

from application.app import LendingApplication
from domain.errors import InvalidValue
from infrastructure.tokens import Role, User
from interfaces.auth import is_another_borrower, missing_role
from projections.office_tree import OfficeTree
from projections.positions import wait_until_reached

MIN_POSITION_HEADER = "x-min-position"
READ_POSITION_HEADER = "x-read-position"
MAX_WAIT_SECONDS = 5.0
STAFF = tuple(r for r in Role if r is not Role.BORROWER)


class Forbidden(Exception):
    """Shown to the client as a GraphQL error with code FORBIDDEN."""


@dataclass
class Context(BaseContext):
    user: User | None
    pool: AsyncConnectionPool
    app: LendingApplication
    read_models: tuple[str, ...]  # the names of those read-your-writes waits for
    loaders: dict[str, DataLoader[Any, Any]] = field(default_factory=dict)
    office_tree: OfficeTree = field(default_factory=OfficeTree)
    fresh: bool = False  # the request reads its own writes: the office tree too
    _reach: tuple[frozenset[UUID] | None] | None = None

    async def reach(self) -> frozenset[UUID] | None:
        """The offices the caller reaches (its own and those below it); None: every
        office and the records of none (head office, or a token without an office)."""
        if self._reach is None:
            office = None if self.user is None else self.user.office
            self._reach = (await self.offices_reached(office),)
        return self._reach[0]

    async def offices_reached(self, office: UUID | None) -> frozenset[UUID] | None:
        return await self.office_tree.reached(self.pool, office, fresh=self.fresh)

    async def reach_within(self, office: UUID | None) -> frozenset[UUID] | None:
        """The offices of `office` and below it that the caller reaches (None: every
        office; without `office`, the caller's reach). An office outside the caller's
        reach, or one no office has, gives none: nothing of it shows."""
        reach = await self.reach()
        if office is None:
            return reach
        if reach is not None and office not in reach:
            return frozenset()
        return await self.offices_reached(office)

    async def reaches(self, office: UUID | None) -> bool:
        """Whether the caller reaches a record of `office`."""
        reach = await self.reach()
        return reach is None or office in reach

    def staff_or_self(self, borrower_id: str) -> User:
        user = self.require(*STAFF, Role.BORROWER)
        if is_another_borrower(user, borrower_id):
            raise Forbidden("a borrower may see only its own records")
        return user

    def require(self, *roles: Role) -> User:
        if self.user is None:
            raise Forbidden("a bearer token is required")
        refused = missing_role(self.user, roles)
        if refused is not None:
            raise Forbidden(refused)
        return self.user


def _wants_ide(request: Request) -> bool:
    return request.method == "GET" and "text/html" in request.headers.get("accept", "")


async def get_context(request: Request, response: Response) -> Context:
    state = request.app.state
    user = None
    if not _wants_ide(request):
        user = await state.authenticator.authenticate_async(request.headers.get("authorization"))
    runtime = state.runtime
    read_models = tuple(runtime.projections.views)
    minimum = request.headers.get(MIN_POSITION_HEADER)
    context = Context(
        user=user, pool=state.read_pool, app=runtime.app, read_models=read_models,
        office_tree=state.office_tree, fresh=minimum is not None,
    )  # fmt: skip
    if minimum is not None:
        if not minimum.strip().isdigit():
            raise InvalidValue("X-Min-Position", "must be an event store position")
        reached = await wait_for_position(context, int(minimum))
        response.headers[READ_POSITION_HEADER] = str(reached)
    return context


async def wait_for_position(context: Context, position: int) -> int:
    """Wait (at most 5 s) until the read models the request may touch have processed
    `position` where this process reads them (the replica, if there is one); the least
    position they had reached."""
    return await wait_until_reached(context.pool, context.read_models, position, MAX_WAIT_SECONDS)
