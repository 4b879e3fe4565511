"""A row about one loan of one borrower, with both resolved only when asked for."""

from __future__ import annotations

from uuid import UUID

import strawberry
from strawberry.types import Info

from interfaces.graphql.borrowers import Borrower
from interfaces.graphql.context import Context
from interfaces.graphql.loaders import borrowers_by_id
from interfaces.graphql.loans import Loan, loan


@strawberry.type
class LoanRow:
    loan_id: strawberry.ID
    borrower_id: strawberry.ID

    @strawberry.field
    async def loan(self, info: Info[Context, None]) -> Loan | None:
        return await loan(info, self.loan_id)

    @strawberry.field
    async def borrower(self, info: Info[Context, None]) -> Borrower | None:
        row = await borrowers_by_id(info.context).load(UUID(self.borrower_id))
        return Borrower.from_row(row) if row else None
