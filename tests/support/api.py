"""A signed-in test client for the REST and GraphQL interfaces."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from uuid import UUID

from fastapi.testclient import TestClient

from domain.loan import Loan
from infrastructure.runtime import Runtime
from infrastructure.settings import Settings
from infrastructure.tokens import Role, issue
from interfaces.rest.app import create_app
from tests.support.settings import TEST_JWT_SECRET


def bearer(sub: str, *roles: Role) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue(TEST_JWT_SECRET, sub, list(roles))}"}


OFFICER = bearer("officer.zhang", Role.LOAN_OFFICER)
OTHER_OFFICER = bearer("officer.li", Role.LOAN_OFFICER)
AUDITOR = bearer("auditor.chen", Role.AUDITOR)
ANALYST = bearer("analyst.zhou", Role.ANALYST)


READ_ATTEMPTS = 12


@contextmanager
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), raise_server_exceptions=False) as test_client:
        yield test_client


def graphql(
    api: TestClient,
    query: str,
    headers: dict[str, str],
    variables: dict[str, Any] | None = None,
    min_position: int | None = None,
) -> dict[str, Any]:
    """Post a GraphQL request; with `min_position`, read what that write produced.

    The server waits at most 5 s for its read models. A test on a busy machine
    asks again, up to a minute, rather than read an answer that predates the write.
    """
    extra = {"X-Min-Position": str(min_position)} if min_position is not None else {}
    for _ in range(READ_ATTEMPTS):
        response = api.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers | extra
        )
        assert response.status_code == 200, response.text
        if min_position is None or int(response.headers["x-read-position"]) >= min_position:
            body: dict[str, Any] = response.json()
            return body
    raise AssertionError(f"the read models never reached position {min_position}")


def runtime_of(api: TestClient) -> Runtime:
    """The runtime behind a test client: its application and read models."""
    runtime: Runtime = api.app.state.runtime  # type: ignore[attr-defined]
    return runtime


def head(api: TestClient) -> int:
    """The position of the last event the service has stored."""
    return runtime_of(api).projections.head()


def stored_loan(api: TestClient, loan_id: str) -> Loan:
    """The loan as its stored events make it."""
    loan: Loan = runtime_of(api).app.repository.get(UUID(loan_id))
    return loan
