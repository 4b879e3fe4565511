"""GraphQL `me`: a borrower's own record, loans and notices, for the borrower's token.

It reads what `borrower(id)`, `loans` and `notifications` read, for the token's
borrower only (a staff token is refused: staff name the borrower they look at). The
borrower sees its own contact details in full and everything else as any reader
does (identity numbers masked); its notices name their recipient masked.
"""

from __future__ import annotations

from uuid import UUID

import strawberry
from strawberry.types import Info

from infrastructure.tokens import Role
from interfaces.graphql.borrowers import Borrower
from interfaces.graphql.context import Context, Forbidden
from interfaces.graphql.loaders import borrowers_by_id, loans_by_borrower
from interfaces.graphql.loans import Loan
from interfaces.graphql.notifications import Notification
from projections.notifications import borrower_notifications

LATEST_AT_MOST = 100


@strawberry.type
class Me:
    borrower_id: strawberry.Private[UUID]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.borrower_id))

    @strawberry.field
    async def borrower(self, info: Info[Context, None]) -> Borrower | None:
        row = await borrowers_by_id(info.context).load(self.borrower_id)
        return Borrower.from_row(row) if row else None

    @strawberry.field
    async def loans(self, info: Info[Context, None]) -> list[Loan]:
        """Every loan the borrower applied for, oldest first."""
        rows = await loans_by_borrower(info.context).load(self.borrower_id)
        return [Loan.from_row(row) for row in rows]

    @strawberry.field
    async def notifications(self, info: Info[Context, None], last: int = 50) -> list[Notification]:
        """The borrower's latest `last` notices (1 to 100), oldest first."""
        count = min(max(last, 1), LATEST_AT_MOST)
        rows = await borrower_notifications(info.context.pool, self.borrower_id, count)
        return [Notification.from_row(row) for row in rows]


async def me(info: Info[Context, None]) -> Me:
    """The caller's own borrower record (a borrower token only)."""
    user = info.context.require(Role.BORROWER)
    if not user.is_borrower_only:
        raise Forbidden("`me` is for a borrower's token; staff read borrower(id)")
    try:
        return Me(borrower_id=UUID(user.sub))
    except ValueError:
        raise Forbidden("the token names no borrower") from None
