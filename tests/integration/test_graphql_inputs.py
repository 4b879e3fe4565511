"""GraphQL input at the edges: dates out of range and malformed request bodies."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.support.api import ANALYST, graphql
from tests.support.catalog import disbursed_loan

JSON = {"content-type": "application/json"}


def post(api: TestClient, query: str, **variables: Any) -> dict[str, Any]:
    response = api.post("/graphql", json={"query": query, "variables": variables}, headers=ANALYST)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


PAYOFF = "query($id: ID!, $on: Date) { loan(id: $id) { payoffAmount(asOf: $on) } }"


@pytest.mark.parametrize("day", ["9999-12-31", "2201-01-01", "1899-12-31", "0001-01-01"])
def test_a_payoff_date_out_of_range_is_bad_user_input(api: TestClient, day: str) -> None:
    loan = disbursed_loan(api)
    for query, variables in [
        (PAYOFF, {"id": loan["id"], "on": day}),
        (PAYOFF.replace(", $on: Date", "").replace("$on", f'"{day}"'), {"id": loan["id"]}),
    ]:
        body = graphql(api, query, ANALYST, variables, min_position=loan["position"])
        [error] = body["errors"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT", error
        assert "must be between 1900-01-01 and 2200-12-31" in error["message"]


def test_the_last_date_in_range_is_answered(api: TestClient) -> None:
    loan = disbursed_loan(api)
    variables = {"id": loan["id"], "on": "2200-12-31"}
    body = graphql(api, PAYOFF, ANALYST, variables, min_position=loan["position"])
    assert "errors" not in body, body
    assert body["data"]["loan"]["payoffAmount"]


OUT_OF_RANGE = {
    "loan": ("query($at: DateTime) { loan(id: $id, asOf: $at) { id } }", "2201-01-01T00:00Z"),
    "borrower": ("query($at: DateTime) { borrower(id: $id, asOf: $at) { id } }", "1899-12-31"),
    "portfolio": ("query($at: Date) { portfolio(asOf: $at) { loanCount } }", "9999-12-31"),
    "arrears": ("query($at: Date) { arrears(asOf: $at) { nodes { loanId } } }", "0001-01-01"),
}


@pytest.mark.parametrize("field", OUT_OF_RANGE)
def test_dates_out_of_range_are_refused_in_every_argument(api: TestClient, field: str) -> None:
    query, value = OUT_OF_RANGE[field]
    variables: dict[str, Any] = {"at": value}
    if "$id" in query:
        query = query.replace("query(", "query($id: ID!, ")
        variables["id"] = "00000000-0000-0000-0000-000000000001"
    body = post(api, query, **variables)
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert "must be between 1900-01-01 and 2200-12-31" in error["message"]


DEEP = 100_000
NESTED = b"[" * DEEP + b"]" * DEEP
MALFORMED = {
    "nested query": (b'{"query": ' + NESTED + b"}", "depth limit exceeded"),
    "nested variables": (
        b'{"query": "{ businessDate }", "variables": {"v": ' + NESTED + b"}}",
        "depth limit exceeded",
    ),
    "a string": (b'"{ businessDate }"', "must be JSON objects"),
    "a number": (b"42", "must be JSON objects"),
    "not JSON": (b"{not json", "Unable to parse request body as JSON"),
    "query not a string": (b'{"query": 42}', "`query` must be a string"),
    "variables not an object": (
        b'{"query": "{ businessDate }", "variables": [1]}',
        "`variables` must be an object",
    ),
}


@pytest.mark.parametrize("case", MALFORMED)
def test_a_malformed_body_is_400(api: TestClient, case: str) -> None:
    body, reason = MALFORMED[case]
    response = api.post("/graphql", content=body, headers=ANALYST | JSON)
    assert response.status_code == 400, response.text[:300]
    assert reason in response.text


def test_deeply_nested_variables_in_a_get_are_400(api: TestClient) -> None:
    variables = "[" * 5_000 + "]" * 5_000  # a URL of 10 kB: deeper than any parser allows
    query = "{ businessDate }"
    response = api.get("/graphql", params={"query": query, "variables": variables}, headers=ANALYST)
    assert response.status_code == 400, response.text[:300]
    assert "depth limit exceeded" in response.text


CONTROL_IN_FILTERS = [
    ('{ loans(filter: {region: "Hu\\u0000bei"}) { edges { node { id } } } }', {}, "filter.region"),
    ("query($r: String) { loans(filter: {region: $r}) { edges { node { id } } } }",
     {"r": "Hu\u0000bei"}, "$r"),
    ("query($f: LoanFilter) { loans(filter: $f) { edges { node { id } } } }",
     {"f": {"region": "Hubei\u001b[2J"}}, "$f"),
]  # fmt: skip


@pytest.mark.parametrize(("query", "variables", "named"), CONTROL_IN_FILTERS)
def test_control_characters_in_arguments_are_bad_user_input(
    api: TestClient, query: str, variables: dict[str, Any], named: str
) -> None:
    """A NUL in a filter reached PostgreSQL and came back as "Unexpected error"."""
    body = post(api, query, **variables)
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert named in error["message"]
    assert "control characters" in error["message"]


def test_a_filter_without_control_characters_is_answered(api: TestClient) -> None:
    body = post(api, '{ loans(filter: {region: "Hubei"}) { edges { node { id } } } }')
    assert "errors" not in body, body
