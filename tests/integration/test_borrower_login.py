"""The borrower channel's refusals, in process: codes past the hourly limit, wrong codes
that void the code, a callback that is stale, of an unknown channel or names a bad
field, and `me` for the borrower's token only, with only its own notices."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from uuid import UUID, uuid4

import pytest
from fastapi.testclient import TestClient

from infrastructure.payment_signatures import sign
from infrastructure.tokens import Role
from projections.notifications import NewNotice, queue
from tests.support.api import OFFICER, bearer, client, graphql, head, runtime_of
from tests.support.notice_servers import Gateway, sms_gateway
from tests.support.people import tea_shop, wang_fang
from tests.support.settings import suite_settings

SECRET = "wechat-callback-secret"
WANG_PHONE = "+8613800138000"
NOTICES = "query { me { notifications { stage borrowerId recipient } } }"


@pytest.fixture
def gateway() -> Iterator[Gateway]:
    with sms_gateway() as found:
        yield found


@pytest.fixture
def api(db_url: str, tmp_path: Path, gateway: Gateway) -> Iterator[TestClient]:
    settings = suite_settings(db_url, tmp_path / "data").model_copy(
        update={
            "sms_gateway_url": gateway.url,
            "sms_gateway_key": gateway.key,
            "payment_channels": {"wechat": SECRET},
        }
    )
    with client(settings) as test_client:
        yield test_client


def registered(api: TestClient) -> str:
    """Wang Fang, registered and in the borrowers read model."""
    wang = api.post("/borrowers", json=wang_fang(), headers=OFFICER).json()
    graphql(api, "query { businessDate }", OFFICER, min_position=wang["position"])
    return str(wang["id"])


def code_for(api: TestClient, phone: str) -> int:
    status: int = api.post("/auth/borrower/code", json={"phone": phone}).status_code
    return status


def test_five_codes_an_hour_for_any_phone_known_or_not(api: TestClient) -> None:
    registered(api)
    for phone in (WANG_PHONE, "+8613700137000"):
        assert [code_for(api, phone) for _ in range(5)] == [202] * 5
        sixth = api.post("/auth/borrower/code", json={"phone": phone})
        assert sixth.status_code == 429
        assert 3500 <= int(sixth.headers["retry-after"]) <= 3600
    bad = api.post("/auth/borrower/code", json={"phone": "12"})
    assert (bad.status_code, bad.json()["errors"][0]["field"]) == (422, "phone")


def test_five_wrong_codes_void_the_code(api: TestClient, gateway: Gateway) -> None:
    registered(api)
    assert code_for(api, WANG_PHONE) == 202
    code = gateway.wait_for(1)[0]["params"]["code"]
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        answer = api.post("/auth/borrower/login", json={"phone": WANG_PHONE, "code": wrong})
        assert answer.status_code == 401
    right = api.post("/auth/borrower/login", json={"phone": WANG_PHONE, "code": code})
    assert right.status_code == 401
    # The codes' events hold neither the code nor the phone, and every read model takes them.
    app = runtime_of(api).app
    events = app.events_of(app.claim_id("borrower-login", WANG_PHONE))
    assert [type(e).__name__ for e in events] == ["Opened", "CodeIssued", *["CodeFailed"] * 5]
    assert not [e for e in events if code in e.model_dump_json() or "13800138000" in str(e)]
    graphql(api, "query { businessDate }", OFFICER, min_position=head(api))
    health = api.get("/health", headers=OFFICER).json()
    assert [p["name"] for p in health["projections"] if p["stopped_at"] is not None] == []


def test_the_token_of_a_code_names_the_borrower(api: TestClient, gateway: Gateway) -> None:
    wang = registered(api)
    code_for(api, "138-0013-8000")
    code = gateway.wait_for(1)[0]["params"]["code"]
    token = api.post("/auth/borrower/login", json={"phone": "13800138000", "code": code}).json()
    assert (token["borrower_id"], token["token_type"], token["expires_in"]) == (
        wang, "bearer", 3600
    )  # fmt: skip
    me = {"Authorization": f"Bearer {token['access_token']}"}
    assert graphql(api, "query { me { id } }", me)["data"]["me"]["id"] == wang


def callback(api: TestClient, body: Mapping[str, object], *, channel: str = "wechat",
             secret: str = SECRET, age: int = 0) -> tuple[int, dict[str, object]]:  # fmt: skip
    raw = json.dumps(body).encode()
    stamp = int(time.time()) - age
    headers = {"x-payment-timestamp": str(stamp), "x-payment-signature": sign(secret, stamp, raw)}
    answer = api.post(f"/payments/callback/{channel}", content=raw, headers=headers)
    return answer.status_code, answer.json()


def test_a_callback_is_refused_unless_fresh_and_of_a_channel_we_know(api: TestClient) -> None:
    payment = {"transaction_id": "WX-1", "loan_id": str(uuid4()), "amount": "100.00",
               "value_date": "2029-12-01"}  # fmt: skip
    assert callback(api, payment, age=301)[0] == 401
    assert callback(api, payment, channel="alipay")[0] == 401
    assert callback(api, payment, channel="WeChat")[0] == 422  # verified; no such loan
    status, problem = callback(api, payment)
    assert (status, problem["errors"]) == (
        422,
        [{"field": "loan_id", "reason": "no loan has this id"}],
    )
    for field, value in (("amount", "-5"), ("amount", 12.5), ("loan_id", "L-1"),
                         ("value_date", "2229-01-01")):  # fmt: skip
        status, problem = callback(api, {**payment, field: value})
        assert status == 422
        assert [e["field"] for e in problem["errors"]] == [field]  # type: ignore[attr-defined]


def test_me_is_the_borrowers_own_and_shows_only_its_notices(api: TestClient) -> None:
    wang = registered(api)
    shop = api.post("/borrowers", json=tea_shop(), headers=OFFICER).json()["id"]
    notices = [
        NewNotice(f"{who}:disbursed", None, UUID(who), None, "disbursed", "sms", "disbursed")
        for who in (wang, shop)
    ]
    queue(runtime_of(api).projections.datastore, notices)
    mine = graphql(api, NOTICES, bearer(wang, Role.BORROWER))["data"]["me"]["notifications"]
    assert mine == [{"stage": "disbursed", "borrowerId": wang, "recipient": None}]
    staff = graphql(api, NOTICES, bearer("officer.zhang", Role.LOAN_OFFICER, Role.BORROWER))
    assert staff["errors"][0]["extensions"]["code"] == "FORBIDDEN"
