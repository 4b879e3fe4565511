"""Mount GraphQL (with GraphiQL) and open its read-only connection pool."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager

from psycopg_pool import AsyncConnectionPool
from strawberry.fastapi import GraphQLRouter

from interfaces.graphql.context import Context, get_context
from interfaces.graphql.schema import schema


def graphql_router() -> GraphQLRouter[Context, None]:
    return GraphQLRouter(schema, context_getter=get_context, graphql_ide="graphiql")


def open_read_pool(url: str) -> AbstractAsyncContextManager[AsyncConnectionPool]:
    return AsyncConnectionPool(url, min_size=1, max_size=8, open=False, kwargs={"autocommit": True})
