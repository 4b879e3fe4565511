"""Who may call what: tokens, roles, and authentication before anything else."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
import pytest
from fastapi.testclient import TestClient

from infrastructure.tokens import ALGORITHM, Role
from tests.support.api import OFFICER, bearer, client, graphql
from tests.support.people import wang_fang
from tests.support.settings import TEST_JWT_SECRET, suite_settings


@pytest.fixture(scope="module")
def api(module_db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = suite_settings(module_db_url, Path(tmp_path_factory.mktemp("auth")) / "data")
    with client(settings) as test_client:
        yield test_client


def token(**claims: Any) -> dict[str, str]:
    """A correctly signed token with the usual claims, changed by `claims` (None drops one)."""
    now = datetime.now(UTC)
    body = {"sub": "officer.zhang", "roles": ["loan_officer"], "iat": now,
            "exp": now + timedelta(hours=1)}  # fmt: skip
    body.update(claims)
    kept = {name: value for name, value in body.items() if value is not None}
    return {"Authorization": f"Bearer {jwt.encode(kept, TEST_JWT_SECRET, ALGORITHM)}"}


UNACCEPTABLE = {
    "no exp": {"exp": None},
    "no iat": {"iat": None},
    "iat in the future": {"iat": datetime.now(UTC) + timedelta(hours=1)},
    "no roles": {"roles": None},
    "empty roles": {"roles": []},
}


@pytest.mark.parametrize("claims", UNACCEPTABLE.values(), ids=UNACCEPTABLE.keys())
def test_a_token_without_exp_iat_or_roles_is_401_on_rest_and_graphql(
    api: TestClient, claims: dict[str, Any]
) -> None:
    headers = token(**claims)
    rest = api.post("/borrowers", json=wang_fang(), headers=headers)
    assert rest.status_code == 401, rest.text
    assert rest.headers["www-authenticate"] == "Bearer"
    query = api.post("/graphql", json={"query": "{ businessDate }"}, headers=headers)
    assert query.status_code == 401, query.text


def test_the_same_token_with_every_claim_is_accepted(api: TestClient) -> None:
    """The refusals above come from the missing claim, not from the way the token is made."""
    assert "errors" not in graphql(api, "{ businessDate }", token())


def command_routes(api: TestClient) -> list[str]:
    """Every POST of the OpenAPI schema, with made-up path parameters."""
    paths = [
        re.sub(r"\{[^}]+\}", str(uuid.uuid4()), path)
        for path, operations in api.get("/openapi.json").json()["paths"].items()
        if "post" in operations
    ]
    assert len(paths) >= 20
    return paths


MALFORMED = b'{"kind": "individual",'
JSON = {"content-type": "application/json"}


def test_every_rest_command_authenticates_before_it_reads_the_body(api: TestClient) -> None:
    for path in command_routes(api):
        assert api.post(path, content=MALFORMED, headers=JSON).status_code == 401, path
        assert api.post(path, json={"no such field": [1, 2]}).status_code == 401, path
        assert (
            api.post(path, content=b"<xml/>", headers={"content-type": "text/xml"}).status_code
            == 401
        ), path
        forged = api.post(path, content=MALFORMED, headers=JSON | {"Authorization": "Bearer x.y.z"})
        assert forged.status_code == 401, path
    # GraphQL checks the token before it parses the query, too.
    assert api.post("/graphql", content=MALFORMED, headers=JSON).status_code == 401
    # Signed in, the same bodies are what they are: invalid.
    assert api.post("/borrowers", content=MALFORMED, headers=JSON | OFFICER).status_code == 422
    assert api.post("/borrowers", json={"kind": "robot"}, headers=OFFICER).status_code == 422


def test_health_docs_schema_and_graphiql_stay_open(api: TestClient) -> None:
    assert api.get("/health").status_code in (200, 503)
    assert api.get("/docs").status_code == 200
    schema = api.get("/openapi.json")
    assert schema.status_code == 200
    assert "HTTPBearer" in schema.json()["components"]["securitySchemes"]
    assert api.get("/graphql", headers={"Accept": "text/html"}).status_code == 200


def test_a_borrower_told_of_a_duplicate_id_number_learns_no_one(api: TestClient) -> None:
    id_number = "11010519491231002X"
    first = api.post("/borrowers", json=wang_fang(id_number=id_number), headers=OFFICER)
    assert first.status_code == 201, first.text
    existing = first.json()["id"]

    me = bearer(str(uuid.uuid4()), Role.BORROWER)
    refused = api.post("/borrowers", json=wang_fang(id_number=id_number), headers=me)
    assert refused.status_code == 409, refused.text
    assert "existing_borrower_id" not in refused.json()
    assert existing not in refused.text
    assert refused.json()["detail"]

    staff = api.post("/borrowers", json=wang_fang(id_number=id_number), headers=OFFICER)
    assert staff.status_code == 409
    assert staff.json()["existing_borrower_id"] == existing


ARREARS = "{ arrears { nodes { daysPastDue } } }"


def test_arrears_are_for_risk_collections_and_analysts_not_loan_officers(api: TestClient) -> None:
    refused = graphql(api, ARREARS, OFFICER)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    readers = (Role.RISK_OFFICER, Role.COLLECTOR, Role.ANALYST, Role.AUDITOR, Role.ADMIN,
               Role.APPROVER)  # fmt: skip
    for role in readers:
        assert "errors" not in graphql(api, ARREARS, bearer("someone", role)), role
    borrower = graphql(api, ARREARS, bearer(str(uuid.uuid4()), Role.BORROWER))
    assert borrower["errors"][0]["extensions"]["code"] == "FORBIDDEN"


@pytest.mark.parametrize("role", list(Role))
def test_every_role_reads_the_business_date(api: TestClient, role: Role) -> None:
    body = graphql(api, "{ businessDate }", bearer(str(uuid.uuid4()), role))
    assert "errors" not in body, body
    assert body["data"]["businessDate"] == "2030-01-01"
