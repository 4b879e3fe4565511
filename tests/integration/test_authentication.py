"""Who may call what: tokens, roles, and authentication before anything else."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from fastapi.testclient import TestClient

from infrastructure.tokens import ALGORITHM, Role
from interfaces.rest.auth import CREDENTIAL_PATHS
from tests.support.api import OFFICER, bearer, graphql
from tests.support.people import wang_fang
from tests.support.settings import TEST_JWT_SECRET


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
    module_api: TestClient, claims: dict[str, Any]
) -> None:
    headers = token(**claims)
    rest = module_api.post("/borrowers", json=wang_fang(), headers=headers)
    assert rest.status_code == 401, rest.text
    assert rest.headers["www-authenticate"] == "Bearer"
    query = module_api.post("/graphql", json={"query": "{ businessDate }"}, headers=headers)
    assert query.status_code == 401, query.text


def test_the_same_token_with_every_claim_is_accepted(module_api: TestClient) -> None:
    """The refusals above come from the missing claim, not from the way the token is made."""
    assert "errors" not in graphql(module_api, "{ businessDate }", token())


def command_routes(module_api: TestClient) -> list[str]:
    """Every POST of the OpenAPI schema, with made-up path parameters (but logging in
    and refreshing a session, which take credentials instead of a token)."""
    paths = [
        re.sub(r"\{[^}]+\}", str(uuid.uuid4()), path)
        for path, operations in module_api.get("/openapi.json").json()["paths"].items()
        if "post" in operations and path not in CREDENTIAL_PATHS
    ]
    assert len(paths) >= 20
    return paths


MALFORMED = b'{"kind": "individual",'
JSON = {"content-type": "application/json"}


def test_every_rest_command_authenticates_before_it_reads_the_body(module_api: TestClient) -> None:
    for path in command_routes(module_api):
        assert module_api.post(path, content=MALFORMED, headers=JSON).status_code == 401, path
        assert module_api.post(path, json={"no such field": [1, 2]}).status_code == 401, path
        assert (
            module_api.post(
                path, content=b"<xml/>", headers={"content-type": "text/xml"}
            ).status_code
            == 401
        ), path
        forged = module_api.post(
            path, content=MALFORMED, headers=JSON | {"Authorization": "Bearer x.y.z"}
        )
        assert forged.status_code == 401, path
    # GraphQL checks the token before it parses the query, too.
    assert module_api.post("/graphql", content=MALFORMED, headers=JSON).status_code == 401
    # Signed in, the same bodies are what they are: invalid.
    assert (
        module_api.post("/borrowers", content=MALFORMED, headers=JSON | OFFICER).status_code == 422
    )
    assert module_api.post("/borrowers", json={"kind": "robot"}, headers=OFFICER).status_code == 422


def test_health_docs_schema_and_graphiql_stay_open(module_api: TestClient) -> None:
    assert module_api.get("/health").status_code in (200, 503)
    assert module_api.get("/docs").status_code == 200
    schema = module_api.get("/openapi.json")
    assert schema.status_code == 200
    assert "HTTPBearer" in schema.json()["components"]["securitySchemes"]
    assert module_api.get("/graphql", headers={"Accept": "text/html"}).status_code == 200


def test_a_borrower_told_of_a_duplicate_id_number_learns_no_one(module_api: TestClient) -> None:
    id_number = "11010519491231002X"
    first = module_api.post("/borrowers", json=wang_fang(id_number=id_number), headers=OFFICER)
    assert first.status_code == 201, first.text
    existing = first.json()["id"]

    me = bearer(str(uuid.uuid4()), Role.BORROWER)
    refused = module_api.post("/borrowers", json=wang_fang(id_number=id_number), headers=me)
    assert refused.status_code == 409, refused.text
    assert "existing_borrower_id" not in refused.json()
    assert existing not in refused.text
    assert refused.json()["detail"]

    staff = module_api.post("/borrowers", json=wang_fang(id_number=id_number), headers=OFFICER)
    assert staff.status_code == 409
    assert staff.json()["existing_borrower_id"] == existing


ARREARS = "{ arrears { nodes { daysPastDue } } }"


def test_arrears_are_for_risk_collections_and_analysts_not_loan_officers(
    module_api: TestClient,
) -> None:
    refused = graphql(module_api, ARREARS, OFFICER)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    readers = (Role.RISK_OFFICER, Role.COLLECTOR, Role.ANALYST, Role.AUDITOR, Role.ADMIN,
               Role.APPROVER)  # fmt: skip
    for role in readers:
        assert "errors" not in graphql(module_api, ARREARS, bearer("someone", role)), role
    borrower = graphql(module_api, ARREARS, bearer(str(uuid.uuid4()), Role.BORROWER))
    assert borrower["errors"][0]["extensions"]["code"] == "FORBIDDEN"


@pytest.mark.parametrize("role", list(Role))
def test_every_role_reads_the_business_date(module_api: TestClient, role: Role) -> None:
    body = graphql(module_api, "{ businessDate }", bearer(str(uuid.uuid4()), role))
    assert "errors" not in body, body
    assert body["data"]["businessDate"] == "2030-01-01"
