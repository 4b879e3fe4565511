"""The GraphQL schema: queries only; commands go through REST."""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors, MaxTokensLimiter, QueryDepthLimiter
from strawberry.types import ExecutionContext

from application.integrity import HistoryBroken
from domain.errors import DomainError, InvalidValue, NotFound
from interfaces.graphql import (
    arrears,
    audit,
    borrowers,
    collections,
    delinquency,
    history,
    journal,
    ledger,
    loans,
    me,
    notifications,
    portfolio,
    products,
    reminders,
    reports,
    review_queue,
    scorecards,
    staff,
    warnings,
    webhooks,
)
from interfaces.graphql.context import Forbidden
from interfaces.graphql.cost import QueryCost
from interfaces.graphql.scalars import SCALARS
from interfaces.graphql.text_arguments import RefuseControlCharacters

log = logging.getLogger(__name__)

MAX_DEPTH = 10
# Tokens (names, punctuation, values) in one document: the parser stops at the next
# one, so 100,000 aliases are refused before an AST is built for them. Every query the
# clients send is a few hundred; the cap keeps graphql-core's validation, some of whose
# rules take time with the square of the fields, to milliseconds.
MAX_TOKENS = 5_000


@strawberry.type
class Query:
    me = strawberry.field(resolver=me.me)  # first: it shadows the module from here on
    borrower = strawberry.field(resolver=borrowers.borrower)
    borrowers = strawberry.field(resolver=borrowers.borrowers)
    borrower_history = strawberry.field(resolver=history.borrower_history)
    # `product` first: once `products` is assigned it shadows the module in this class body.
    product = strawberry.field(resolver=products.product)
    products = strawberry.field(resolver=products.products)
    loan = strawberry.field(resolver=loans.loan)
    loan_history = strawberry.field(resolver=history.loan_history)
    delinquency_history = strawberry.field(resolver=delinquency.delinquency_history)
    loans = strawberry.field(resolver=loans.loans)  # last: it shadows the module from here on
    portfolio = strawberry.field(resolver=portfolio.portfolio)
    report = strawberry.field(resolver=reports.report)
    business_date = strawberry.field(resolver=arrears.business_date)
    arrears = strawberry.field(resolver=arrears.arrears)  # last: it shadows the module
    review_queue = strawberry.field(resolver=review_queue.review_queue)
    collection_queue = strawberry.field(resolver=collections.collection_queue)
    collection_actions = strawberry.field(resolver=collections.collection_actions)
    upcoming_installments = strawberry.field(resolver=reminders.upcoming_installments)
    risk_warnings = strawberry.field(resolver=warnings.risk_warnings)
    scorecards = strawberry.field(resolver=scorecards.scorecards)  # shadows the module
    offices = strawberry.field(resolver=staff.offices)
    users = strawberry.field(resolver=staff.users)
    audit_trail = strawberry.field(resolver=audit.audit_trail)
    accounts = strawberry.field(resolver=ledger.accounts)
    trial_balance = strawberry.field(resolver=ledger.trial_balance)
    general_ledger = strawberry.field(resolver=ledger.general_ledger)
    balance_sheet = strawberry.field(resolver=ledger.balance_sheet)
    income_statement = strawberry.field(resolver=ledger.income_statement)
    journal = strawberry.field(resolver=journal.journal)  # last: it shadows the module
    webhook_deliveries = strawberry.field(resolver=webhooks.webhook_deliveries)
    notifications = strawberry.field(resolver=notifications.notifications)  # shadows the module


def _expected(error: GraphQLError) -> bool:
    original = _original(error)
    return isinstance(original, DomainError | Forbidden) or original is None


def _original(error: GraphQLError) -> Exception | None:
    """What was raised, through graphql-core's wrappers (a bad variable's error wraps the
    scalar's error, which wraps what the scalar raised)."""
    original = error.original_error
    while isinstance(original, GraphQLError) and original.original_error is not None:
        original = original.original_error
    return original


class LendingSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        for error in errors:
            code = _code(_original(error))
            if code:
                error.extensions = {**(error.extensions or {}), "code": code}
        # Logged by message and path alone: strawberry's own log line quotes the
        # document, and a document's literals may be personal data (a name searched for).
        for error in errors:
            original = _original(error)
            where = ".".join(str(step) for step in error.path or ()) or "request"
            if original is None or _expected(error):
                log.warning("GraphQL %s refused: %s", where, error.message)
            else:
                log.error("GraphQL %s failed", where, exc_info=original)


def _code(error: Any) -> str | None:
    if isinstance(error, Forbidden):
        return "FORBIDDEN"
    if isinstance(error, NotFound):
        return "NOT_FOUND"
    if isinstance(error, HistoryBroken):
        return "HISTORY_BROKEN"
    if isinstance(error, InvalidValue):
        return "BAD_USER_INPUT"
    return None


# Factories, so that each request has extensions of its own. In order: the token cap
# at parsing, the cost before validation, the depth during it, masking at the end.
schema = LendingSchema(
    query=Query,
    extensions=[
        partial(MaxTokensLimiter, max_token_count=MAX_TOKENS),
        partial(QueryCost, max_depth=MAX_DEPTH),
        RefuseControlCharacters,
        partial(QueryDepthLimiter, max_depth=MAX_DEPTH),
        partial(MaskErrors, should_mask_error=lambda error: not _expected(error)),
    ],
    scalar_overrides=SCALARS,
)
