"""A borrower's token names its session, and the session ends: by the borrower's
logout, by staff ending all of them (in the audit trail, with who and why), by a phone
change, and by erasure. Each holds from the very next request."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from infrastructure.tokens import Role
from tests.support.api import ANALYST, AUDITOR, OFFICER, bearer, graphql
from tests.support.borrower_channel import Channel, code_to, registered
from tests.support.catalog import ADMIN
from tests.support.notice_servers import Gateway

ME = "query { me { id } }"
TRAIL = """query($id: ID!) { auditTrail(entityId: $id, first: 50) {
  nodes { actor entityType eventType } } }"""
HISTORY = "query($id: ID!) { borrowerHistory(id: $id) { type actor data } }"


def logged_in(api: TestClient, gateway: Gateway) -> dict[str, str]:
    """The headers of a borrower token from a fresh code to Wang Fang's phone."""
    code = code_to(api, gateway)
    answer = api.post("/auth/borrower/login", json={"phone": "13800138000", "code": code})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def status_of_me(api: TestClient, headers: dict[str, str]) -> int:
    status: int = api.post("/graphql", json={"query": ME}, headers=headers).status_code
    return status


def revoke(api: TestClient, borrower: str, headers: dict[str, str]) -> Any:
    path = f"/borrowers/{borrower}/sessions/revoke"
    return api.post(path, json={"reason": "phone reported stolen"}, headers=headers)


def test_logout_ends_the_session_at_once_and_only_that_one(sms_channel: Channel) -> None:
    api, gateway = sms_channel
    wang = registered(api)
    phone, tablet = logged_in(api, gateway), logged_in(api, gateway)
    assert graphql(api, ME, phone)["data"]["me"]["id"] == wang
    assert api.post("/auth/borrower/logout", headers=phone).status_code == 204
    assert status_of_me(api, phone) == 401
    refused = api.post("/auth/borrower/logout", headers=phone)
    assert refused.status_code == 401
    assert refused.json()["detail"] == "the session has ended: log in again"
    assert graphql(api, ME, tablet)["data"]["me"]["id"] == wang  # its own session holds
    # A token without a session (`lending token`) has nothing to end; staff are refused.
    assert api.post("/auth/borrower/logout", headers=bearer(wang, Role.BORROWER)).status_code == 409
    assert api.post("/auth/borrower/logout", headers=OFFICER).status_code == 403


def test_staff_end_every_session_of_a_borrower_recorded_with_who_and_why(
    sms_channel: Channel,
) -> None:
    api, gateway = sms_channel
    wang = registered(api)
    phone, tablet = logged_in(api, gateway), logged_in(api, gateway)
    assert revoke(api, wang, ANALYST).status_code == 403
    assert revoke(api, wang, phone).status_code == 403
    written = revoke(api, wang, bearer("officer.li", Role.LOAN_OFFICER))
    assert written.status_code == 200, written.text
    assert status_of_me(api, phone) == status_of_me(api, tablet) == 401
    again = logged_in(api, gateway)  # a new login holds
    assert graphql(api, ME, again)["data"]["me"]["id"] == wang
    last = revoke(api, wang, ADMIN)
    assert last.status_code == 200
    assert status_of_me(api, again) == 401
    empty = api.post(f"/borrowers/{wang}/sessions/revoke", json={"reason": " "}, headers=ADMIN)
    assert (empty.status_code, empty.json()["errors"][0]["field"]) == (422, "reason")

    position = last.json()["position"]
    trail = graphql(api, TRAIL, AUDITOR, {"id": wang}, min_position=position)
    entries = trail["data"]["auditTrail"]["nodes"]
    revoked = [(e["actor"], e["entityType"]) for e in entries
               if e["eventType"] == "BorrowerSessionsRevoked"]  # fmt: skip
    assert revoked == [("officer.li", "borrower"), ("admin.wu", "borrower")]
    history = graphql(api, HISTORY, AUDITOR, {"id": wang})["data"]["borrowerHistory"]
    reasons = [e["data"]["reason"] for e in history if e["type"] == "BorrowerSessionsRevoked"]
    assert reasons == ["phone reported stolen"] * 2


def test_a_phone_change_ends_the_sessions_another_update_does_not(sms_channel: Channel) -> None:
    api, gateway = sms_channel
    wang = registered(api)
    token = logged_in(api, gateway)
    path = f"/borrowers/{wang}/update"
    assert api.post(path, json={"region": "Hunan"}, headers=OFFICER).status_code == 200
    assert graphql(api, ME, token)["data"]["me"]["id"] == wang
    assert api.post(path, json={"phone": "13912345678"}, headers=OFFICER).status_code == 200
    assert status_of_me(api, token) == 401
    history = graphql(api, HISTORY, AUDITOR, {"id": wang})["data"]["borrowerHistory"]
    updates = [(e["data"]["changed"], e["data"].get("ends_sessions")) for e in history
               if e["type"] == "BorrowerUpdated"]  # fmt: skip
    assert updates == [(["region"], None), (["phone"], True)]


def test_erasing_the_borrower_ends_its_sessions(sms_channel: Channel) -> None:
    api, gateway = sms_channel
    wang = registered(api)
    token = logged_in(api, gateway)
    erase = {"reason": "asked to be forgotten"}
    assert api.post(f"/borrowers/{wang}/erase", json=erase, headers=ADMIN).status_code == 200
    assert graphql(api, ME, token)["data"]["me"]["id"] == wang  # asked, not yet erased
    second = bearer("admin.li", Role.ADMIN)
    erased = api.post(f"/borrowers/{wang}/erase", json=erase, headers=second)
    assert erased.json()["status"] == "erased"
    assert status_of_me(api, token) == 401
    assert revoke(api, wang, ADMIN).status_code == 409
