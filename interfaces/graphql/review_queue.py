"""GraphQL review queue: applications waiting at a level the caller's role signs.

A person never sees an application they submitted or already signed a level of:
maker-checker would refuse their signature anyway. Oldest application first.
"""

from __future__ import annotations

from strawberry.types import Info

from infrastructure.tokens import Role
from interfaces.graphql.approvals import ReviewRole
from interfaces.graphql.context import Context
from interfaces.graphql.loans import Loan
from interfaces.graphql.pagination import Connection, Page, connection
from projections.approvals import review_queue as queued


async def review_queue(
    info: Info[Context, None],
    role: ReviewRole,
    first: int | None = None,
    after: str | None = None,
) -> Connection[Loan]:
    """Applications waiting for a `role` to sign, that the caller may sign.

    Holders of the role see their own queue; admins and auditors may look at any.
    """
    context = info.context
    user = context.require(Role(role.value), Role.ADMIN, Role.AUDITOR)
    page = Page.of(first, after)
    reach = await context.reach()
    rows = await queued(context.pool, role.value, user.sub, page.after, page.size + 1, reach)
    return connection([(row["queue_position"], Loan.from_row(row)) for row in rows], page)
