"""The borrower's channel over real HTTP: a code by SMS (to a real gateway on loopback),
a login with it, the borrower's own applications and loans, and a payment through the
platform's signed callback, which a replay does not record again."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx

from infrastructure.payment_signatures import sign
from infrastructure.settings import Settings
from tests.support.api import OFFICER
from tests.support.catalog import ADMIN, APPROVER, micro_12
from tests.support.database import select
from tests.support.notice_servers import sms_gateway
from tests.support.people import tea_shop, wang_fang
from tests.support.processes import running_server
from tests.support.staff import bearer_of

PLATFORM_SECRET = "alipay-callback-secret"
WANG_PHONE = "+8613800138000"  # wang_fang()'s phone, as the store holds it
ME = """query { me { id
  borrower { id name phone maskedIdNumber }
  loans { id status principal nextDueDate apr payoffAmount
          nextDue { number dueDate total status }
          schedule { installments { number } }
          repayments { amount valueDate status } }
  notifications { id } } }"""
LOANS = "query { loans { nodes { id } } }"
LOAN = "query($id: ID!) { loan(id: $id) { id } }"


def ok(answer: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    body: dict[str, Any] = answer.json()
    return body


def graphql(http: httpx.Client, query: str, headers: dict[str, str], position: int,
            **variables: Any) -> dict[str, Any]:  # fmt: skip
    answer = http.post("/graphql", json={"query": query, "variables": variables},
                       headers=headers | {"X-Min-Position": str(position)})  # fmt: skip
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def application(borrower_id: str, principal: str = "12000.00") -> dict[str, Any]:
    return {
        "borrower_id": borrower_id, "product_code": "MICRO-12", "principal": principal,
        "term": 12, "frequency": "monthly", "method": "equal_installments",
        "purpose": "tea seedlings", "annual_rate_percent": "12",
    }  # fmt: skip


def signed(body: bytes, secret: str = PLATFORM_SECRET) -> dict[str, str]:
    stamp = int(time.time())
    return {
        "content-type": "application/json",
        "x-payment-timestamp": str(stamp),
        "x-payment-signature": sign(secret, stamp, body),
    }


def events(settings: Settings) -> int:
    count: int = select(str(settings.database_url), "SELECT count(*) FROM lending_events")[0][0]
    return count


def test_a_borrower_logs_in_by_code_sees_its_own_and_pays_by_signed_callback(
    settings: Settings,
) -> None:
    channels = json.dumps({"alipay": PLATFORM_SECRET})
    with (
        sms_gateway() as gateway,
        running_server(
            settings,
            LENDING_SMS_GATEWAY_URL=gateway.url,
            LENDING_SMS_GATEWAY_KEY=gateway.key,
            LENDING_PAYMENT_CHANNELS=channels,
        ) as base,  # fmt: skip
        httpx.Client(base_url=base, timeout=30) as http,
    ):
        ok(http.post("/products", json=micro_12(), headers=ADMIN), 201)
        wang = ok(http.post("/borrowers", json=wang_fang(), headers=OFFICER), 201)
        shop = ok(http.post("/borrowers", json=tea_shop(), headers=OFFICER), 201)
        theirs = ok(http.post("/loans", json=application(shop["id"]), headers=OFFICER), 201)
        # The phone is found in the borrowers read model: once it has them.
        graphql(http, LOANS, OFFICER, theirs["position"])

        # A known phone and an unknown one get the same answer; only one SMS goes out.
        known = http.post("/auth/borrower/code", json={"phone": "138 0013 8000"})
        unknown = http.post("/auth/borrower/code", json={"phone": "13700137000"})
        assert (known.status_code, known.json()) == (202, unknown.json())
        assert unknown.status_code == 202
        [sms] = gateway.wait_for(1)
        assert (sms["phone"], sms["template_id"]) == (WANG_PHONE, "login_code")
        code = sms["params"]["code"]
        assert len(code) == 6
        assert code.isdigit()
        assert code in sms["text"]

        wrong = "000000" if code != "000000" else "111111"
        refused = http.post("/auth/borrower/login", json={"phone": WANG_PHONE, "code": wrong})
        stranger = http.post("/auth/borrower/login", json={"phone": "13700137000", "code": code})
        assert refused.status_code == stranger.status_code == 401
        assert refused.json()["detail"] == stranger.json()["detail"]
        token = ok(http.post("/auth/borrower/login", json={"phone": WANG_PHONE, "code": code}))
        assert token["borrower_id"] == wang["id"]
        again = http.post("/auth/borrower/login", json={"phone": WANG_PHONE, "code": code})
        assert again.status_code == 401  # a code logs in once
        me = bearer_of(token)

        # The borrower applies, withdraws one application and signs the other.
        loan = ok(http.post("/loans", json=application(wang["id"]), headers=me), 201)
        spare = ok(http.post("/loans", json=application(wang["id"], "5000.00"), headers=me), 201)
        ok(http.post(f"/loans/{spare['id']}/withdraw", json={"reason": "one is enough"},
                     headers=me))  # fmt: skip
        assert http.post("/loans", json=application(shop["id"]), headers=me).status_code == 403
        ok(http.post(f"/loans/{loan['id']}/approve", json={}, headers=APPROVER))
        ok(http.post(f"/loans/{loan['id']}/sign", json={"signed_on": "2029-11-10"}, headers=me))
        payout = {"value_date": "2029-11-15", "account": "6222 0000 1111", "channel": "bank",
                  "reference": "D-1"}  # fmt: skip
        paid_out = ok(http.post(f"/loans/{loan['id']}/disburse", json=payout, headers=OFFICER))

        mine = graphql(http, ME, me, paid_out["position"])
        assert "errors" not in mine, mine
        found = mine["data"]["me"]
        assert found["id"] == wang["id"]
        assert found["borrower"]["name"] == "Wang Fang"  # its own, in full
        assert found["borrower"]["maskedIdNumber"] != wang_fang()["id_number"]
        assert [(x["id"], x["status"]) for x in found["loans"]] == [
            (loan["id"], "ACTIVE"), (spare["id"], "WITHDRAWN"),
        ]  # fmt: skip
        active = found["loans"][0]
        assert active["nextDue"] == {"number": 1, "dueDate": "2029-12-15", "total": "1066.19",
                                     "status": "PENDING"}  # fmt: skip
        assert len(active["schedule"]["installments"]) == 12
        assert active["apr"] is not None
        assert active["payoffAmount"] > "12000"
        assert active["repayments"] == []
        assert found["notifications"] == []
        # Only its own: the other borrower's loan is refused, and no list shows it.
        other = graphql(http, LOAN, me, 0, id=theirs["id"])
        assert other["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        listed = graphql(http, LOANS, me, 0)["data"]["loans"]["nodes"]
        assert {x["id"] for x in listed} == {loan["id"], spare["id"]}

        # The platform's callback: forged, it is 401 and writes nothing; signed, it pays.
        callback = "/payments/callback/alipay"
        payment = json.dumps({"transaction_id": "ALI-2029121500001", "loan_id": loan["id"],
                              "amount": "1066.19", "value_date": "2029-12-15",
                              "buyer_logon_id": "ignored"}).encode()  # fmt: skip
        before = events(settings)
        forged = http.post(callback, content=payment, headers=signed(payment, "guessed"))
        assert forged.status_code == 401
        plain = {"content-type": "application/json"}
        unsigned = http.post(callback, content=payment, headers=plain)
        assert unsigned.status_code == 401
        assert events(settings) == before
        received = ok(http.post(callback, content=payment, headers=signed(payment)))
        assert received["loan_id"] == loan["id"]
        assert received["status"] == "received"
        after = events(settings)
        assert after > before
        replayed = http.post(callback, content=payment, headers=signed(payment))
        assert (replayed.status_code, replayed.json()) == (200, received)
        assert events(settings) == after  # the replay wrote nothing

        paid = graphql(http, ME, me, after)["data"]["me"]["loans"][0]
        assert paid["repayments"] == [{"amount": "1066.19", "valueDate": "2029-12-15",
                                       "status": "RECEIVED"}]  # fmt: skip
        assert paid["nextDue"]["number"] == 2


def test_a_borrowers_session_ends_by_its_logout_and_by_staff_over_http(
    settings: Settings,
) -> None:
    with (
        sms_gateway() as gateway,
        running_server(
            settings, LENDING_SMS_GATEWAY_URL=gateway.url, LENDING_SMS_GATEWAY_KEY=gateway.key
        ) as base,
        httpx.Client(base_url=base, timeout=30) as http,
    ):
        wang = ok(http.post("/borrowers", json=wang_fang(), headers=OFFICER), 201)
        graphql(http, LOANS, OFFICER, wang["position"])

        def logged_in() -> dict[str, str]:
            sent = len(gateway.received)
            assert http.post("/auth/borrower/code", json={"phone": WANG_PHONE}).status_code == 202
            code = gateway.wait_for(sent + 1)[sent]["params"]["code"]
            return bearer_of(ok(http.post("/auth/borrower/login",
                                          json={"phone": WANG_PHONE, "code": code})))  # fmt: skip

        def me_status(headers: dict[str, str]) -> int:
            status: int = http.post("/graphql", json={"query": "{ me { id } }"},
                                    headers=headers).status_code  # fmt: skip
            return status

        first = logged_in()
        assert me_status(first) == 200
        assert http.post("/auth/borrower/logout", headers=first).status_code == 204
        assert me_status(first) == 401
        second = logged_in()
        assert me_status(second) == 200
        revoked = http.post(f"/borrowers/{wang['id']}/sessions/revoke",
                            json={"reason": "phone reported stolen"}, headers=OFFICER)  # fmt: skip
        assert revoked.status_code == 200, revoked.text
        assert me_status(second) == 401
        assert http.post("/loans", json=application(wang["id"]), headers=second).status_code == 401
