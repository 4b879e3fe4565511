"""What every answer says about itself, who may call from a browser, and how often."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from infrastructure.rate_limits import RateLimits
from infrastructure.settings import Settings
from infrastructure.tokens import Role
from tests.support.api import OFFICER, OTHER_OFFICER, bearer, client

PREVIEW = {
    "principal": "12000.00", "annual_rate_percent": "12", "term": 12,
    "frequency": "monthly", "method": "equal_installments", "start_date": "2026-03-01",
}  # fmt: skip


@pytest.fixture
def limited(settings: Settings) -> Iterator[TestClient]:
    limits = RateLimits(
        auth_per_client=None, auth_per_user="2/minute",
        commands_per_client="6/minute", commands_per_user="3/minute",
    )  # fmt: skip
    with client(settings.model_copy(update={"rate_limits": limits})) as api:
        yield api


def boom() -> None:
    raise RuntimeError("an unexpected failure")


def test_every_answer_carries_the_security_headers(api: TestClient) -> None:
    api.app.add_api_route("/boom", boom, methods=["POST"])  # type: ignore[attr-defined]
    answers = [
        api.get("/health"),
        api.post("/loans", json={}),  # 401
        api.post("/loans", json={}, headers=OFFICER),  # 422
        api.post("/nowhere", headers=OFFICER),  # 404
        api.post("/boom", headers=OFFICER),  # 500, from Starlette's error middleware
    ]
    assert [a.status_code for a in answers] == [200, 401, 422, 404, 500]
    for answer in answers:
        headers = answer.headers
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["content-security-policy"].startswith("default-src 'none'")
        assert headers["cache-control"] == "no-store"
        assert "strict-transport-security" not in headers  # plain HTTP


def test_the_html_pages_may_load_their_scripts_and_nothing_else(api: TestClient) -> None:
    for page in (api.get("/docs"), api.get("/graphql", headers={"Accept": "text/html"})):
        assert page.status_code == 200
        policy = page.headers["content-security-policy"]
        assert "script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net" in policy
        assert "frame-ancestors 'none'" in policy


def test_over_tls_browsers_are_told_to_stay_on_it(settings: Settings) -> None:
    with client(settings) as api:
        over_https = api.get("https://testserver/health")
    assert over_https.headers["strict-transport-security"].startswith("max-age=31536000")


def preflight(api: TestClient, origin: str) -> dict[str, str]:
    asked = {"Origin": origin, "Access-Control-Request-Method": "POST",
             "Access-Control-Request-Headers": "authorization,content-type"}  # fmt: skip
    return dict(api.options("/repayments", headers=asked).headers)


def test_no_browser_may_call_across_origins_unless_configured(
    api: TestClient, settings: Settings
) -> None:
    assert "access-control-allow-origin" not in preflight(api, "https://console.example.com")
    allowed = settings.model_copy(update={"cors_origins": "https://console.example.com"})
    with client(allowed) as cors:
        answer = preflight(cors, "https://console.example.com")
        assert answer["access-control-allow-origin"] == "https://console.example.com"
        assert "authorization" in answer["access-control-allow-headers"].lower()
        assert "access-control-allow-origin" not in preflight(cors, "https://evil.example")
        read = cors.get("/health", headers={"Origin": "https://console.example.com"})
        assert read.headers["access-control-allow-origin"] == "https://console.example.com"


def test_commands_past_a_users_rate_answer_429_with_retry_after(limited: TestClient) -> None:
    answers = [limited.post("/schedules/preview", json=PREVIEW, headers=OFFICER) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    refused = answers[-1]
    assert refused.headers["content-type"] == "application/problem+json"
    assert 1 <= int(refused.headers["retry-after"]) <= 20  # a token every 20 s
    assert "this user" in refused.json()["detail"]
    # Another user from the same client goes on, up to the client's own rate.
    others = [limited.post("/schedules/preview", json=PREVIEW, headers=OTHER_OFFICER)
              for _ in range(3)]  # fmt: skip
    assert [a.status_code for a in others] == [200, 200, 429]
    assert "this client" in others[-1].json()["detail"]
    # Queries are not commands.
    assert limited.get("/health").status_code == 200


def test_signing_in_past_a_users_rate_answers_429(limited: TestClient) -> None:
    def login(username: str) -> int:
        body = {"username": username, "password": "guess"}
        return limited.post("/auth/login", json=body).status_code

    tries = [login("Alice") for _ in range(3)]
    assert tries[:2] != [429, 429]
    assert tries[2] == 429
    assert login("alice ") == 429  # the same account, however it is written
    assert login("bob") != 429
    # A command token's own limit is apart from the sign-in limit.
    auditor = bearer("auditor.chen", Role.LOAN_OFFICER)
    assert limited.post("/schedules/preview", json=PREVIEW, headers=auditor).status_code == 200
