"""GraphQL reads of borrowers: read-your-writes, filters, pagination, history, as-of."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from fastapi.testclient import TestClient

from infrastructure.tokens import Role
from tests.support.api import ANALYST, AUDITOR, OFFICER, bearer, graphql
from tests.support.people import WANG_FANG_ID, resident_id, tea_shop, wang_fang

BORROWER = """query($id: ID!, $asOf: DateTime) { borrower(id: $id, asOf: $asOf) {
    id kind name maskedIdNumber phone region monthlyIncome assets annualSales version } }"""
PAGE = """query($first: Int, $after: String, $filter: BorrowerFilter) {
    borrowers(first: $first, after: $after, filter: $filter) {
        edges { cursor node { name region } } pageInfo { hasNextPage endCursor } } }"""
HISTORY = """query($id: ID!) { borrowerHistory(id: $id) {
    version type recordedAt valueDate actor data } }"""


def register(api: TestClient, body: dict[str, object]) -> dict[str, object]:
    response = api.post("/borrowers", json=body, headers=OFFICER)
    assert response.status_code == 201, response.text
    written: dict[str, object] = response.json()
    return written


def test_a_registered_borrower_reads_back_at_its_position(api: TestClient) -> None:
    written = register(api, wang_fang())
    body = graphql(api, BORROWER, OFFICER, {"id": written["id"]}, min_position=written["position"])
    borrower = body["data"]["borrower"]
    assert borrower == {
        "id": written["id"],
        "kind": "INDIVIDUAL",
        "name": "Wang Fang",
        "maskedIdNumber": WANG_FANG_ID[:3] + "*" * 11 + WANG_FANG_ID[-4:],
        "phone": "+8613800138000",
        "region": "Hubei",
        "monthlyIncome": "8500.00",
        "assets": "120000.00",
        "annualSales": None,
        "version": 1,
    }
    # An analyst reads the contact details masked (tests/integration/test_personal_data.py).
    analysts = graphql(api, BORROWER, ANALYST, {"id": written["id"]})["data"]["borrower"]
    assert analysts == borrower | {"name": "W*******g", "phone": "138****8000"}


def test_a_read_ahead_of_the_read_models_says_where_they_stood(api: TestClient) -> None:
    written = register(api, wang_fang())
    query = {"query": "{ businessDate }"}
    caught_up = api.post(
        "/graphql", json=query, headers=ANALYST | {"X-Min-Position": str(written["position"])}
    )
    assert int(caught_up.headers["X-Read-Position"]) >= int(str(written["position"]))
    # Nothing will be written at head + 1000: the answer comes after 5 s, marked stale.
    ahead = int(str(written["position"])) + 1000
    stale = api.post("/graphql", json=query, headers=ANALYST | {"X-Min-Position": str(ahead)})
    assert stale.status_code == 200
    assert int(stale.headers["X-Read-Position"]) < ahead
    assert "X-Read-Position" not in api.post("/graphql", json=query, headers=ANALYST).headers


def test_pages_follow_cursors_and_filters_apply(api: TestClient) -> None:
    last = {}
    for n in range(5):
        last = register(
            api, wang_fang(name=f"Farmer {n}", id_number=resident_id(f"4201061985031200{n}"))
        )
    shop = register(api, tea_shop(region="Hunan"))
    position = max(int(str(last["position"])), int(str(shop["position"])))
    first = graphql(api, PAGE, OFFICER, {"first": 2}, min_position=position)["data"]["borrowers"]
    assert [e["node"]["name"] for e in first["edges"]] == ["Farmer 0", "Farmer 1"]
    assert first["pageInfo"]["hasNextPage"] is True
    after = first["pageInfo"]["endCursor"]
    second = graphql(api, PAGE, OFFICER, {"first": 10, "after": after})["data"]["borrowers"]
    assert [e["node"]["name"] for e in second["edges"]] == [
        "Farmer 2",
        "Farmer 3",
        "Farmer 4",
        "Wuhan Spring Tea Shop",
    ]
    assert second["pageInfo"]["hasNextPage"] is False
    hunan = graphql(api, PAGE, OFFICER, {"filter": {"region": "Hunan"}})["data"]["borrowers"]
    assert [e["node"]["name"] for e in hunan["edges"]] == ["Wuhan Spring Tea Shop"]
    named = graphql(
        api, PAGE, OFFICER, {"filter": {"nameContains": "farmer 3", "kind": "INDIVIDUAL"}}
    )
    assert [e["node"]["name"] for e in named["data"]["borrowers"]["edges"]] == ["Farmer 3"]


def test_bad_page_arguments_are_user_errors(api: TestClient) -> None:
    body = graphql(api, PAGE, ANALYST, {"first": 0})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    body = graphql(api, PAGE, ANALYST, {"after": "???"})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_history_lists_every_event_with_its_actor(api: TestClient) -> None:
    written = register(api, wang_fang())
    api.post(
        f"/borrowers/{written['id']}/update",
        json={"region": "Hunan"},
        headers=bearer("officer.li", Role.LOAN_OFFICER),
    )
    events = graphql(api, HISTORY, AUDITOR, {"id": written["id"]})["data"]["borrowerHistory"]
    assert [(e["version"], e["type"], e["actor"]) for e in events] == [
        (1, "BorrowerRegistered", "officer.zhang"),
        (2, "BorrowerUpdated", "officer.li"),
    ]
    assert events[0]["data"]["id_number"] == WANG_FANG_ID  # auditors see what was recorded
    assert events[1]["data"]["changed"] == ["region"]
    masked = graphql(api, HISTORY, OFFICER, {"id": written["id"]})["data"]["borrowerHistory"]
    assert masked[0]["data"]["id_number"] != WANG_FANG_ID


def test_as_of_rebuilds_the_borrower_as_it_was_recorded(api: TestClient) -> None:
    written = register(api, wang_fang())
    between = datetime.now(UTC).isoformat()
    api.post(
        f"/borrowers/{written['id']}/update", json={"monthly_income": "9999.99"}, headers=OFFICER
    )
    before = graphql(api, BORROWER, AUDITOR, {"id": written["id"], "asOf": between})["data"][
        "borrower"
    ]
    assert before["monthlyIncome"] == "8500.00"
    assert before["version"] == 1
    now = graphql(
        api, BORROWER, AUDITOR, {"id": written["id"], "asOf": datetime.now(UTC).isoformat()}
    )
    assert now["data"]["borrower"]["monthlyIncome"] == "9999.99"
    earlier = graphql(api, BORROWER, AUDITOR, {"id": written["id"], "asOf": "2000-01-01T00:00:00Z"})
    assert earlier["data"]["borrower"] is None


def test_a_borrower_token_sees_only_itself(api: TestClient) -> None:
    me = uuid.uuid4()
    mine = api.post("/borrowers", json=wang_fang(), headers=bearer(str(me), Role.BORROWER)).json()
    other = register(api, tea_shop())
    token = bearer(str(me), Role.BORROWER)
    own = graphql(
        api, BORROWER, token, {"id": str(me)}, min_position=max(mine["position"], other["position"])
    )
    assert own["data"]["borrower"]["name"] == "Wang Fang"
    theirs = graphql(api, BORROWER, token, {"id": other["id"]})
    assert theirs["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    listing = graphql(api, PAGE, token, {})
    assert listing["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def test_graphiql_is_served_without_a_token(api: TestClient) -> None:
    page = api.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert "graphiql" in page.text.lower()
