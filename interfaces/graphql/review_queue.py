"""GraphQL review queue: applications waiting at a level the caller's role signs.

A person never sees an application they submitted or already signed a level of:
maker-checker would refuse their signature anyway. Oldest application first.
"""

from __future__ import annotations

from psycopg.rows import dict_row
from strawberry.types import Info

from infrastructure.tokens import Role
from interfaces.graphql.approvals import ReviewRole
from interfaces.graphql.context import Context
from interfaces.graphql.loans import Loan
from interfaces.graphql.pagination import Connection, Page, connection

QUEUE = """SELECT l.*, a.position AS queue_position
    FROM approvals a JOIN loans l ON l.id = a.loan_id
    WHERE a.status = 'pending' AND a.pending_role = %(role)s
      AND a.submitter <> %(me)s AND NOT (%(me)s = ANY(a.signers))
      AND a.position > %(after)s
    ORDER BY a.position LIMIT %(limit)s"""


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
    params = {"role": role.value, "me": user.sub, "after": page.after, "limit": page.size + 1}
    async with context.pool.connection() as conn, conn.cursor(row_factory=dict_row) as cursor:
        await cursor.execute(QUEUE, params)
        rows = await cursor.fetchall()
    return connection([(row["queue_position"], Loan.from_row(row)) for row in rows], page)
