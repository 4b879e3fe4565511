"""Webhooks against real HTTP endpoints on loopback: signed deliveries, retries, the
dead letter, replays, a slow endpoint that holds up nobody else, and SSRF refusals."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from infrastructure.settings import Environment, Settings
from infrastructure.tokens import Role
from interfaces.publisher_cli import deliverer
from projections.webhook_deliveries import attempts
from tests.support.api import bearer, client, graphql, runtime_of
from tests.support.books import define, open_loan
from tests.support.broker import LoopThread
from tests.support.endpoints import Request, endpoint
from tests.support.settings import opened_on

OPENED = date(2026, 1, 15)
ADMIN = bearer("admin.wu", Role.ADMIN)
SECRET = "whsec_" + base64.b64encode(os.urandom(32)).decode()
WANTED = ["loan.submitted", "loan.disbursed"]


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    """Retries every few milliseconds, dead-lettered after half a second."""
    return opened_on(db_url, tmp_path, OPENED).model_copy(
        update={
            "webhook_retry_for": 0.5,
            "webhook_backoff_first": 0.01,
            "webhook_backoff_max": 0.05,
        }
    )


@pytest.fixture
def api(settings: Settings) -> Iterator[TestClient]:
    with client(settings) as test_client:
        define(runtime_of(test_client))
        yield test_client


def register(api: TestClient, url: str, types: list[str] = WANTED) -> str:
    answer = api.post("/webhooks", json={"url": url, "event_types": types, "secret": SECRET},
                      headers=ADMIN)  # fmt: skip
    assert answer.status_code == 201, answer.text
    runtime_of(api).projections.wait(answer.json()["position"])
    webhook_id: str = answer.json()["id"]
    return webhook_id


def delivering(api: TestClient) -> LoopThread:
    return LoopThread(deliverer(runtime_of(api)))


def verified(request: Request) -> dict[str, Any]:
    """The event, once its Standard Webhooks signature checks out with the secret."""
    key = base64.b64decode(SECRET.removeprefix("whsec_"))
    message_id, stamp = request.headers["webhook-id"], request.headers["webhook-timestamp"]
    signed = f"{message_id}.{stamp}.".encode() + request.body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    assert request.headers["webhook-signature"] == f"v1,{expected}"
    assert request.event["id"] == message_id
    return request.event


def test_deliveries_are_cloud_events_signed_as_standard_webhooks_sign_them(
    api: TestClient,
) -> None:
    with endpoint() as hooks:
        webhook = register(api, hooks.url)
        loan = open_loan(runtime_of(api), OPENED)
        with delivering(api):
            received = [verified(r) for r in hooks.wait_for(2)]
    shown = {w["id"]: w for w in api.get("/health").json()["webhooks"]}
    assert shown[webhook]["position"] >= int(received[-1]["id"])
    assert [e["type"] for e in received] == ["com.lending.loan.submitted",
                                             "com.lending.loan.disbursed"]  # fmt: skip
    assert {e["subject"] for e in received} == {str(loan)}


def test_a_failing_endpoint_is_tried_again_until_it_answers(api: TestClient) -> None:
    with endpoint(answers=(500, 502, 200)) as hooks:
        webhook = register(api, hooks.url, ["loan.submitted"])
        open_loan(runtime_of(api), OPENED)
        with delivering(api):
            tries = hooks.wait_for(3)
    assert len({r.headers["webhook-id"] for r in tries}) == 1  # the same message each time
    rows = attempts(runtime_of(api).projections.datastore, webhook)  # type: ignore[arg-type]
    assert [(r["attempt"], r["status"], r["response_code"]) for r in rows] == [
        (1, "failed", 500), (2, "failed", 502), (3, "delivered", 200)]  # fmt: skip
    assert rows[0]["next_attempt_at"] is not None
    query = """query($id: ID!, $status: DeliveryStatus) { webhookDeliveries(webhookId: $id,
        status: $status, first: 10) { nodes { attempt status responseCode latencyMs } } }"""
    shown = graphql(api, query, ADMIN, {"id": webhook, "status": "FAILED"})
    nodes = shown["data"]["webhookDeliveries"]["nodes"]
    assert [(n["attempt"], n["status"], n["responseCode"]) for n in nodes] == [
        (2, "FAILED", 502), (1, "FAILED", 500)]  # fmt: skip
    assert graphql(api, query, bearer("zhang", Role.LOAN_OFFICER), {"id": webhook})["errors"]


def test_an_event_never_delivered_in_time_is_dead_lettered_and_the_next_goes(
    api: TestClient,
) -> None:
    with endpoint(answers=(503,)) as hooks:
        webhook = register(api, hooks.url, ["loan.submitted"])
        runtime = runtime_of(api)
        open_loan(runtime, OPENED)
        open_loan(runtime, OPENED)
        with delivering(api):
            first = hooks.wait_for(1)[0].headers["webhook-id"]
            later = hooks.wait_for_other(first)
    rows = attempts(runtime.projections.datastore, webhook)  # type: ignore[arg-type]
    dead = [r for r in rows if r["status"] == "dead_lettered"]
    assert dead[0]["position"] == int(first)
    assert int(later.headers["webhook-id"]) > int(first)


def test_a_replay_delivers_again_from_the_position_asked(api: TestClient) -> None:
    with endpoint() as hooks:
        webhook = register(api, hooks.url)
        open_loan(runtime_of(api), OPENED)
        with delivering(api):
            first, second = (verified(r) for r in hooks.wait_for(2))
            answer = api.post(f"/webhooks/{webhook}/replay",
                              json={"from_position": int(second["id"])}, headers=ADMIN)  # fmt: skip
            assert answer.status_code == 200, answer.text
            again = verified(hooks.wait_for(3)[2])
    assert again["id"] == second["id"] != first["id"]
    missing = api.post(f"/webhooks/{os.urandom(16).hex()}/replay", json={"from_position": 1},
                       headers=ADMIN)  # fmt: skip
    assert missing.status_code in (404, 422)


def test_a_slow_endpoint_holds_up_no_other_webhook(api: TestClient) -> None:
    with endpoint() as slow, endpoint() as fast:
        slow.held.clear()  # it answers nothing until told to
        register(api, slow.url, ["loan.submitted"])
        register(api, fast.url, ["loan.submitted"])
        runtime = runtime_of(api)
        for _ in range(3):
            open_loan(runtime, OPENED)
        with delivering(api):
            assert len(fast.wait_for(3)) == 3
            assert slow.requests == []
            slow.held.set()
            assert len(slow.wait_for(3)) == 3


def test_only_admins_register_and_bad_urls_are_refused_by_name(api: TestClient) -> None:
    body = {"url": "https://hooks.example.com/x", "event_types": WANTED, "secret": SECRET}
    officer = bearer("zhang", Role.LOAN_OFFICER)
    assert api.post("/webhooks", json=body, headers=officer).status_code == 403
    for bad, field in (({"url": "ftp://hooks.example.com/x"}, "url"),
                       ({"event_types": ["loan.teleported"]}, "event_types"),
                       ({"secret": "short"}, "secret")):  # fmt: skip
        answer = api.post("/webhooks", json=body | bad, headers=ADMIN)
        assert answer.status_code == 422, answer.text
        assert field in answer.text


def test_production_refuses_private_and_loopback_addresses(settings: Settings) -> None:
    production = settings.model_copy(update={"env": Environment.PRODUCTION})
    with client(production) as api:
        for url in ("http://127.0.0.1:8080/x", "http://10.1.2.3/x", "http://[::1]/x",
                    "http://169.254.169.254/latest", "http://localhost/x"):  # fmt: skip
            body = {"url": url, "event_types": WANTED, "secret": SECRET}
            answer = api.post("/webhooks", json=body, headers=ADMIN)
            assert answer.status_code == 422, (url, answer.text)
            assert "url" in answer.text


def test_the_secret_is_nowhere_in_the_store_or_the_read_models(
    api: TestClient, db_url: str
) -> None:
    with endpoint() as hooks:
        register(api, hooks.url)
    import psycopg

    with psycopg.connect(db_url) as conn:
        for table in ("lending_events", "webhooks"):
            rows = conn.execute(f"SELECT * FROM {table}").fetchall()
            assert SECRET.encode() not in repr(rows).encode()
            assert SECRET[6:20] not in repr(rows)
