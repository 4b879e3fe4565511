"""Mount GraphQL (with GraphiQL) and open its read-only connection pool."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager

import orjson
from cross_web import HTTPException
from psycopg_pool import AsyncConnectionPool
from strawberry.fastapi import GraphQLRouter

from interfaces.graphql.context import Context, get_context
from interfaces.graphql.schema import schema


class LendingGraphQLRouter(GraphQLRouter[Context, None]):
    """Strawberry's router, reading JSON with orjson: a body nested deeper than orjson's
    1,024 levels, or one that is not a JSON object, is a 400 that says so (the standard
    library's parser recursed until it failed with a 500)."""

    def parse_json(self, data: str | bytes) -> object:
        try:
            decoded = orjson.loads(data)
        except orjson.JSONDecodeError as error:
            raise HTTPException(400, f"Unable to parse request body as JSON: {error}") from None
        if not isinstance(decoded, dict | list):
            raise HTTPException(400, "A GraphQL request and its variables must be JSON objects")
        return decoded


def graphql_router() -> GraphQLRouter[Context, None]:
    return LendingGraphQLRouter(schema, context_getter=get_context, graphql_ide="graphiql")


# How the read pool's sessions show in pg_stat_activity, unless the URL names another.
READ_APPLICATION_NAME = "lending-read"


def open_read_pool(url: str) -> AbstractAsyncContextManager[AsyncConnectionPool]:
    """The read models' pool: on the primary, or on a streaming replica (DATABASE_READ_URL),
    where every query it runs can go, since none of them writes."""
    options = {"autocommit": True, "fallback_application_name": READ_APPLICATION_NAME}
    return AsyncConnectionPool(url, min_size=1, max_size=8, open=False, kwargs=options)
