"""Risk officers work through warnings over REST and list them over GraphQL.

The store opens on 2030-01-01 with a loan disbursed on 2026-01-31 and never paid, so
the first close of business raises six warnings at once: DPD 1, 30, 60 and 90, first
payment default and repeated late.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient

from infrastructure.tokens import Role
from tests.support.api import ANALYST, AUDITOR, OFFICER, bearer, graphql, runtime_of
from tests.support.catalog import ADMIN, APPROVER, cob, ok
from tests.support.risk import RISK_OFFICER, WARNINGS, borrower, lent, warnings

UNKNOWN = "00000000-0000-4000-8000-000000000000"


@pytest.fixture
def six_warnings(api: TestClient) -> None:
    """A loan disbursed on 2026-01-31, never paid, closed to 2030-01-02 and projected."""
    lent(api, borrower(api), date(2026, 1, 31))
    closed = cob(api, date(2030, 1, 2))
    runtime_of(api).projections.wait(closed["position"])


pytestmark = pytest.mark.usefixtures("six_warnings")


def act(
    api: TestClient, warning: dict[str, Any], action: str, body: Any, headers: dict[str, str]
) -> Any:
    return api.post(f"/risk-warnings/{warning['id']}/{action}", json=body, headers=headers)


def current(api: TestClient, position: int, warning_id: str) -> dict[str, Any]:
    (found,) = [w for w in warnings(api, position) if w["id"] == warning_id]
    return found


def test_a_warning_is_acknowledged_then_resolved(api: TestClient) -> None:
    warning = warnings(api, 0, "FIRST_PAYMENT_DEFAULT")[0]
    assert warning["status"] == "OPEN"
    seen = ok(act(api, warning, "acknowledge", {"note": "calling Wang Fang"}, RISK_OFFICER))
    assert (seen["id"], seen["version"]) == (warning["id"], 2)
    assert current(api, seen["position"], warning["id"])["status"] == "ACKNOWLEDGED"
    done = ok(act(api, warning, "resolve", {"note": "loan restructured"}, ADMIN))
    assert done["version"] == 3
    assert current(api, done["position"], warning["id"])["status"] == "RESOLVED"


def test_an_open_warning_can_be_resolved_without_acknowledgement(api: TestClient) -> None:
    warning = warnings(api, 0, "REPEATED_LATE")[0]
    acknowledged = api.post(f"/risk-warnings/{warning['id']}/acknowledge", headers=RISK_OFFICER)
    assert ok(acknowledged)["version"] == 2  # the note, and the body, are optional
    other = warnings(api, 0, "DPD_THRESHOLD")[0]
    done = ok(act(api, other, "resolve", {"note": "paid at the branch"}, RISK_OFFICER))
    assert current(api, done["position"], other["id"])["status"] == "RESOLVED"


def test_steps_out_of_order_are_conflicts(api: TestClient) -> None:
    warning = warnings(api, 0, "FIRST_PAYMENT_DEFAULT")[0]
    ok(act(api, warning, "acknowledge", {}, RISK_OFFICER))
    again = ok(act(api, warning, "acknowledge", {}, RISK_OFFICER), 409)
    assert "cannot acknowledge while the warning is acknowledged" in again["detail"]
    ok(act(api, warning, "resolve", {"note": "written off"}, RISK_OFFICER))
    ok(act(api, warning, "acknowledge", {}, RISK_OFFICER), 409)
    ok(act(api, warning, "resolve", {"note": "again"}, RISK_OFFICER), 409)


def test_resolving_needs_a_note(api: TestClient) -> None:
    warning = warnings(api, 0, "FIRST_PAYMENT_DEFAULT")[0]
    for body in ({}, {"note": ""}, {"note": "   "}):
        problem = ok(act(api, warning, "resolve", body, RISK_OFFICER), 422)
        assert problem["errors"][0]["field"] == "note"
    assert current(api, 0, warning["id"])["status"] == "OPEN"


def test_unknown_warnings_wrong_roles_and_stale_versions(api: TestClient) -> None:
    unknown = {"id": UNKNOWN}
    ok(act(api, unknown, "acknowledge", {}, RISK_OFFICER), 404)
    ok(act(api, unknown, "resolve", {"note": "x"}, RISK_OFFICER), 404)
    warning = warnings(api, 0, "FIRST_PAYMENT_DEFAULT")[0]
    ok(act(api, warning, "acknowledge", {}, OFFICER), 403)
    assert api.post(f"/risk-warnings/{warning['id']}/acknowledge").status_code == 401
    stale = {**RISK_OFFICER, "If-Match": "2"}
    ok(act(api, warning, "acknowledge", {}, stale), 409)
    ok(act(api, warning, "acknowledge", {}, {**RISK_OFFICER, "If-Match": "1"}))


def test_listing_is_newest_first_filtered_and_paged(api: TestClient) -> None:
    everything = warnings(api, 0)
    assert [(w["rule"], w["threshold"]) for w in everything] == [
        ("REPEATED_LATE", "2"), ("FIRST_PAYMENT_DEFAULT", "30"), ("DPD_THRESHOLD", "90"),
        ("DPD_THRESHOLD", "60"), ("DPD_THRESHOLD", "30"), ("DPD_THRESHOLD", "1"),
    ]  # fmt: skip
    high = graphql(api, WARNINGS, ANALYST, {"severity": "HIGH"})["data"]["riskWarnings"]
    assert {(w["rule"], w["threshold"]) for w in high["nodes"]} == {
        ("FIRST_PAYMENT_DEFAULT", "30"), ("DPD_THRESHOLD", "60"),
    }  # fmt: skip
    resolved = ok(act(api, everything[0], "resolve", {"note": "paid"}, RISK_OFFICER))
    variables = {"status": "OPEN", "first": 2}
    pages: list[str] = []
    after = None
    while True:
        found = graphql(api, WARNINGS, AUDITOR, variables | {"after": after},
                        resolved["position"])["data"]["riskWarnings"]  # fmt: skip
        pages.extend(w["id"] for w in found["nodes"])
        if not found["pageInfo"]["hasNextPage"]:
            break
        after = found["pageInfo"]["endCursor"]
    assert pages == [w["id"] for w in everything[1:]]


def test_who_may_read_warnings(api: TestClient) -> None:
    for headers in (RISK_OFFICER, ADMIN, ANALYST, AUDITOR, APPROVER):
        assert len(graphql(api, WARNINGS, headers)["data"]["riskWarnings"]["nodes"]) == 6
    for headers in (OFFICER, bearer("borrower", Role.BORROWER)):
        body = graphql(api, WARNINGS, headers)
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
