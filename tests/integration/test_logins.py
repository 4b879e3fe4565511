"""Logins and sessions under attack: each refusal is a 401 or 403 that says why, and
leaves a record; none tells which usernames exist."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any
from uuid import UUID

import jwt
import pytest
from fastapi.testclient import TestClient

from domain.staff import StaffSession
from infrastructure.tokens import Role, issue
from tests.support.api import graphql, head, runtime_of
from tests.support.people import wang_fang
from tests.support.settings import TEST_JWT_SECRET
from tests.support.staff import (
    HEAD_OFFICE,
    PASSWORD,
    admin_headers,
    bearer_of,
    create_user,
    first_admin,
    log_in,
)

TRAIL = """query($entity: ID, $type: String) {
  auditTrail(entityId: $entity, eventType: $type, first: 100) {
    nodes { actor entityType entityId eventType office }
  }
}"""


@pytest.fixture(scope="module")
def admin(module_api: TestClient) -> dict[str, str]:
    first_admin(runtime_of(module_api).app)
    return admin_headers(module_api)


def officer(api: TestClient, admin: dict[str, str], username: str) -> str:
    return create_user(api, admin, username, HEAD_OFFICE, "loan_officer", "auditor")


def attempt(api: TestClient, username: str, password: str = "not-the-password") -> Any:
    return api.post("/auth/login", json={"username": username, "password": password})


def reads(api: TestClient, headers: dict[str, str]) -> int:
    status: int = api.post(
        "/graphql", json={"query": "{ businessDate }"}, headers=headers
    ).status_code
    return status


def test_a_login_answers_bearer_tokens_whose_access_token_lasts_fifteen_minutes(
    module_api: TestClient, admin: dict[str, str]
) -> None:
    user = officer(module_api, admin, "officer.gao")
    tokens = log_in(module_api, "officer.gao")
    assert (tokens["token_type"], tokens["expires_in"]) == ("bearer", 900)
    claims = jwt.decode(tokens["access_token"], TEST_JWT_SECRET, algorithms=["HS256"])
    assert claims["sub"] == user
    assert sorted(claims["roles"]) == ["auditor", "loan_officer"]
    assert claims["exp"] - claims["iat"] == 900
    assert {"sid", "iat", "exp"} <= claims.keys()
    assert reads(module_api, bearer_of(tokens)) == 200


def test_a_wrong_password_and_an_unknown_user_get_the_same_answer_in_about_the_same_time(
    module_api: TestClient, admin: dict[str, str]
) -> None:
    officer(module_api, admin, "officer.ma")
    wrong, unknown = [], []
    for _ in range(3):
        started = time.perf_counter()
        refused = attempt(module_api, "officer.ma")
        wrong.append(time.perf_counter() - started)
        started = time.perf_counter()
        nobody = attempt(module_api, "officer.nobody")
        unknown.append(time.perf_counter() - started)
        assert (refused.status_code, nobody.status_code) == (401, 401)
        assert refused.json() == nobody.json()
        assert refused.headers["www-authenticate"] == nobody.headers["www-authenticate"] == "Bearer"
    # Both pay for argon2: the unknown username is checked against a dummy hash.
    assert min(unknown) > 0.5 * min(wrong), (wrong, unknown)
    assert min(wrong) > 0.5 * min(unknown), (wrong, unknown)


def test_five_failures_lock_the_username_known_or_not_even_for_the_right_password(
    module_api: TestClient, admin: dict[str, str]
) -> None:
    officer(module_api, admin, "officer.lu")
    for username in ("officer.lu", "officer.ghost"):
        answers = [attempt(module_api, username).status_code for _ in range(5)]
        assert answers == [401] * 5
        locked = attempt(module_api, username, PASSWORD)
        assert locked.status_code == 403, locked.text
        assert "too many failed logins" in locked.json()["detail"]
        assert 800 < int(locked.headers["retry-after"]) <= 900
    assert attempt(module_api, "officer.lu", PASSWORD).json().keys() == locked.json().keys()


def test_a_refresh_token_used_twice_revokes_the_whole_family(
    module_api: TestClient, admin: dict[str, str]
) -> None:
    officer(module_api, admin, "officer.qin")
    first = log_in(module_api, "officer.qin")
    second = module_api.post("/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 200, second.text
    rotated = second.json()
    assert rotated["refresh_token"] != first["refresh_token"]
    assert reads(module_api, bearer_of(rotated)) == 200
    reused = module_api.post("/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert reused.status_code == 401
    assert "revoked" in reused.json()["detail"]
    # Whoever held the rotated tokens is out as well: the family is revoked.
    latest = module_api.post("/auth/refresh", json={"refresh_token": rotated["refresh_token"]})
    assert latest.status_code == 401
    assert reads(module_api, bearer_of(rotated)) == 401
    assert reads(module_api, bearer_of(first)) == 401
    forged = module_api.post("/auth/refresh", json={"refresh_token": "not-a-token"})
    assert forged.status_code == 401


def test_a_deactivated_users_token_is_refused_at_the_next_request(
    module_api: TestClient, admin: dict[str, str]
) -> None:
    user = officer(module_api, admin, "officer.he")
    tokens = log_in(module_api, "officer.he")
    mine = bearer_of(tokens)
    assert module_api.post("/borrowers", json=wang_fang(), headers=mine).status_code == 201
    left = module_api.post(f"/users/{user}/deactivate", json={"reason": "left"}, headers=admin)
    assert left.status_code == 200, left.text
    refused = module_api.post("/borrowers", json=wang_fang(), headers=mine)
    assert refused.status_code == 401
    assert "session has ended" in refused.json()["detail"]
    assert reads(module_api, mine) == 401
    assert (
        module_api.post(
            "/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
        ).status_code
        == 401
    )
    # Logging in again gets the answer a wrong password gets.
    again = attempt(module_api, "officer.he", PASSWORD)
    assert again.status_code == 401
    assert again.json() == attempt(module_api, "officer.unknown").json()


def test_a_token_naming_roles_the_user_no_longer_has_is_refused(
    module_api: TestClient, admin: dict[str, str]
) -> None:
    user = officer(module_api, admin, "officer.tan")
    old = bearer_of(log_in(module_api, "officer.tan"))
    narrowed = module_api.post(
        f"/users/{user}/roles", json={"roles": ["loan_officer"]}, headers=admin
    )
    assert narrowed.status_code == 200
    refused = module_api.post("/graphql", json={"query": "{ businessDate }"}, headers=old)
    assert refused.status_code == 401
    assert "no longer has" in refused.json()["detail"]
    assert reads(module_api, bearer_of(log_in(module_api, "officer.tan"))) == 200


def test_alg_none_an_expired_token_and_a_foreign_secret_are_refused(
    module_api: TestClient, admin: dict[str, str]
) -> None:
    user = officer(module_api, admin, "officer.yu")
    claims = jwt.decode(
        log_in(module_api, "officer.yu")["access_token"], TEST_JWT_SECRET, algorithms=["HS256"]
    )
    unsigned = jwt.encode(claims | {"roles": ["admin"]}, None, algorithm="none")
    sid = UUID(claims["sid"])
    expired = issue(TEST_JWT_SECRET, user, [Role.LOAN_OFFICER], timedelta(minutes=-2), session=sid)
    foreign = issue("another-secret-that-is-long-enough-too", user, [Role.ADMIN], session=sid)
    for token in (unsigned, expired, foreign):
        headers = {"Authorization": f"Bearer {token}"}
        assert reads(module_api, headers) == 401
        assert module_api.post("/offices", json={"name": "x", "parent_id": HEAD_OFFICE},
                               headers=headers).status_code == 401  # fmt: skip


def test_logout_ends_the_session(module_api: TestClient, admin: dict[str, str]) -> None:
    officer(module_api, admin, "officer.xu")
    tokens = log_in(module_api, "officer.xu")
    assert module_api.post("/auth/logout", headers=bearer_of(tokens)).status_code == 204
    assert reads(module_api, bearer_of(tokens)) == 401
    refresh = module_api.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refresh.status_code == 401


def test_every_attempt_is_recorded_with_its_time_and_client_and_is_in_the_audit_trail(
    module_api: TestClient, admin: dict[str, str]
) -> None:
    user = officer(module_api, admin, "officer.luo")
    attempt(module_api, "officer.luo")
    tokens = log_in(module_api, "officer.luo")
    app = runtime_of(module_api).app
    guard = app.claim_id("login", "officer.luo")
    failed = [e for e in app.events_of(guard) if type(e).__name__ == "LoginFailed"]
    assert [(e.client, e.user_id, e.reason) for e in failed] == [
        ("testclient", UUID(user), "wrong password")
    ]
    assert failed[0].at.tzinfo is not None
    session = app.load(
        StaffSession,
        UUID(jwt.decode(tokens["access_token"], options={"verify_signature": False})["sid"]),
        "session",
    )
    started = app.events_of(session.id)[0]
    assert (started.client, started.actor) == ("testclient", user)
    rows = graphql(
        module_api, TRAIL, bearer_of(tokens), {"entity": user}, min_position=head(module_api)
    )
    kinds = [
        (n["eventType"], n["entityType"], n["actor"]) for n in rows["data"]["auditTrail"]["nodes"]
    ]
    assert ("StaffUserRegistered", "staff_user", admin_id(module_api)) in kinds
    assert ("LoginGuardLoginFailed", "staff_user", "anonymous") in kinds
    logins = graphql(module_api, TRAIL, bearer_of(tokens), {"type": "StaffSessionLoggedIn"})
    assert user in [n["actor"] for n in logins["data"]["auditTrail"]["nodes"]]


def admin_id(api: TestClient) -> str:
    return str(
        runtime_of(api)
        .app.repository.get(runtime_of(api).app.claim_id("bootstrap", "first-admin"))
        .owner_id
    )


def test_refresh_tokens_are_kept_as_digests_only(
    module_api: TestClient, admin: dict[str, str]
) -> None:
    officer(module_api, admin, "officer.cai")
    tokens = log_in(module_api, "officer.cai")
    session_id, secret = tokens["refresh_token"].split(".", 1)
    rotated = module_api.post(
        "/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    ).json()
    stored = [e.model_dump_json() for e in runtime_of(module_api).app.events_of(UUID(session_id))]
    for token in (tokens["refresh_token"], rotated["refresh_token"]):
        assert all(token.split(".", 1)[1] not in event for event in stored)
    assert secret not in str(stored)
