"""Erasing a borrower: register, lend, repay, close, pass the retention date, erase.

Every figure, the loan's history, the audit trail and the ledger stay as they were;
every personal field reads `[erased]`, and no table holds the old values readably,
not even the event store decrypted with the store's own data key.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
import pytest
from fastapi.testclient import TestClient

from domain.erasure import ERASED
from infrastructure.eventstore import PydanticMapper
from infrastructure.tokens import Role
from tests.support.api import AUDITOR, OFFICER, bearer, client, graphql, head, runtime_of
from tests.support.catalog import ADMIN, approved, cob, micro_12, ok
from tests.support.people import resident_id, wang_fang
from tests.support.settings import suite_settings

SECOND_ADMIN = bearer("admin.li", Role.ADMIN)
NAME = "孙丽华"
ID_NUMBER = resident_id("42010619850312004")
PHONE = "13722223333"
ADDRESS = "武汉市江汉区青年路88号"
EMAIL = "sun.lihua@example.cn"
ACCOUNT = "6222025555666677778"
PAYER = "孙大伟"
SECRETS = (NAME, ID_NUMBER, PHONE, PHONE[3:], ADDRESS, EMAIL, ACCOUNT, PAYER, "1985-03-12")
ERASURE_EVENTS = ("BorrowerErasureRequested", "BorrowerErased", "ClaimReleased")
RETENTION_YEARS = 4  # the loan closes on 2026-02-28: erasable from 2030-02-28

FIGURES = """query($id: ID!) { loan(id: $id) { status principal outstandingPrincipal
  outstandingInterest outstandingPenalty outstandingFees payoffAmount(asOf: "2030-03-01")
  schedule { totalInterest totalPayable installments { number dueDate principal interest
  total } } repayments { id amount valueDate } } }"""
HISTORY = """query($id: ID!) { loanHistory(id: $id) { version type recordedAt valueDate actor
  data } }"""
BORROWER_HISTORY = "query($id: ID!) { borrowerHistory(id: $id) { type data } }"
TRAIL = """{ auditTrail(first: 200) { nodes { position recordedAt actor office entityType
  entityId eventType valueDate } } }"""
JOURNAL = """query($id: ID!) { journal(loanId: $id) { id position valueDate postingDate
  eventType kind lines { account debit credit } } }"""
TRIAL = """{ trialBalance(asOf: "2030-03-01") { totalDebits totalCredits
  lines { account { code } debits credits balance } } }"""
BORROWER = """query($id: ID!) { borrower(id: $id) { name phone address maskedIdNumber
  birthDate region monthlyIncome assets erasedOn } }"""


@pytest.fixture
def api(db_url: str, tmp_path: Path) -> Iterator[TestClient]:
    settings = suite_settings(db_url, tmp_path / "data")
    with client(settings.model_copy(update={"retention_years": RETENTION_YEARS})) as test_client:
        yield test_client


def read(api: TestClient, query: str, variables: dict[str, Any] | None = None) -> Any:
    body = graphql(api, query, AUDITOR, variables, min_position=head(api))
    assert "errors" not in body, body
    return body["data"]


def erase(api: TestClient, borrower_id: str, who: dict[str, str], status: int = 200) -> Any:
    answer = api.post(f"/borrowers/{borrower_id}/erase", json={"reason": "asked"}, headers=who)
    assert answer.status_code == status, answer.text
    return answer.json()


def lent_and_repaid(api: TestClient) -> tuple[str, str]:
    """The borrower and its loan, paid out on 2026-01-31 and repaid in full on 2026-02-28;
    erasure is refused while the loan is active."""
    ok(api.post("/products", json=micro_12(), headers=ADMIN), 201)
    body = wang_fang(name=NAME, id_number=ID_NUMBER, phone=PHONE, address=ADDRESS, email=EMAIL)
    borrower = ok(api.post("/borrowers", json=body, headers=OFFICER), 201)["id"]
    application = {
        "borrower_id": borrower, "product_code": "MICRO-12", "principal": "6000.00", "term": 3,
        "frequency": "monthly", "method": "equal_principal", "purpose": "tea seedlings",
        "annual_rate_percent": "12",
    }  # fmt: skip
    loan = ok(api.post("/loans", json=application, headers=OFFICER), 201)
    approved(api, loan)
    path = f"/loans/{loan['id']}"
    ok(api.post(f"{path}/sign", json={"signed_on": "2026-01-31"}, headers=OFFICER))
    payout = {"value_date": "2026-01-31", "account": ACCOUNT, "channel": "bank",
              "reference": "D-ERASE-1"}  # fmt: skip
    ok(api.post(f"{path}/disburse", json=payout, headers=OFFICER))
    assert "is active" in erase(api, borrower, ADMIN, 409)["detail"]
    query = f'{{ loan(id: "{loan["id"]}") {{ payoffAmount(asOf: "2026-02-28") }} }}'
    payoff = read(api, query)["loan"]["payoffAmount"]
    payment = {"loan_id": loan["id"], "amount": payoff, "value_date": "2026-02-28",
               "channel": "bank", "external_reference": "R-ERASE-1", "payer": PAYER}  # fmt: skip
    ok(api.post("/repayments", json=payment, headers=OFFICER), 201)
    return borrower, loan["id"]


def without(history: list[dict[str, Any]], *keys: str) -> list[dict[str, Any]]:
    """The history with the values under `keys` replaced by the erased marker."""
    copied = copy.deepcopy(history)

    def blank(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key in keys and isinstance(item, str) and item:
                    value[key] = ERASED
                else:
                    blank(item)
        elif isinstance(value, list):
            for item in value:
                blank(item)

    blank(copied)
    return copied


def everything(api: TestClient, loan: str) -> dict[str, Any]:
    return {
        "figures": read(api, FIGURES, {"id": loan}),
        "history": read(api, HISTORY, {"id": loan})["loanHistory"],
        "trail": [n for n in read(api, TRAIL)["auditTrail"]["nodes"]
                  if n["eventType"] not in ERASURE_EVENTS],
        "journal": read(api, JOURNAL, {"id": loan}),
        "trial": read(api, TRIAL),
        "statement": ok_text(api.get(f"/loans/{loan}/statement.csv?from=2026-01-01&to=2030-03-01",
                                     headers=OFFICER)),
    }  # fmt: skip


def ok_text(response: Any) -> str:
    assert response.status_code == 200, response.text
    text: str = response.text
    return text


def readable_anywhere(api: TestClient, url: str, events_only: bool = False) -> list[str]:
    """The tables whose rows (as text, or bytea as hex) hold a personal value, and the
    events whose state, decrypted with the store's data key, holds one."""
    found: list[str] = []
    cipher = runtime_of(api).app.mapper.cipher
    assert cipher is not None
    with psycopg.connect(url) as conn:
        tables = [row[0] for row in conn.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        )]  # fmt: skip
        for table in [] if events_only else tables:
            text = "\n".join(r[0] for r in conn.execute(f'SELECT t::text FROM "{table}" t'))
            found += [f"{table}: {v}" for v in SECRETS if v in text or v.encode().hex() in text]
        for (state,) in conn.execute("SELECT state FROM lending_events"):
            opened = cipher.decrypt(bytes(state)).decode()
            found += [f"event: {v}" for v in SECRETS if v in opened]
    return found


def test_an_erased_borrower_keeps_every_figure_and_trail_and_no_personal_value(
    api: TestClient, db_url: str
) -> None:
    borrower, loan = lent_and_repaid(api)
    assert read(api, FIGURES, {"id": loan})["loan"]["status"] == "CLOSED"
    assert "retained until 2030-02-28" in erase(api, borrower, ADMIN, 409)["detail"]
    cob(api, "2030-02-28")
    before = everything(api, loan)
    # Even before erasure the events, opened with the store's key, hold the values
    # only sealed with the borrower's own (the borrowers read model holds the birth date).
    assert readable_anywhere(api, db_url, events_only=True) == []

    assert erase(api, borrower, ADMIN)["status"] == "requested"
    erase(api, borrower, ADMIN, 403)  # maker-checker: another admin approves
    assert erase(api, borrower, SECOND_ADMIN)["status"] == "erased"
    erase(api, borrower, SECOND_ADMIN, 409)  # erased already

    after = everything(api, loan)
    recorded = [(n["eventType"], n["actor"]) for n in read(api, TRAIL)["auditTrail"]["nodes"]
                if n["entityId"] == borrower and "Eras" in n["eventType"]]  # fmt: skip
    assert recorded == [("BorrowerErasureRequested", "admin.wu"), ("BorrowerErased", "admin.li")]
    assert after["figures"] == before["figures"]
    assert after["trail"] == before["trail"]
    assert after["journal"] == before["journal"]
    assert after["trial"] == before["trial"]
    assert after["history"] == without(before["history"], "account", "payer")
    shown = [e["data"] for e in after["history"] if e["type"] == "LoanDisbursed"]
    assert shown[0]["disbursement"]["account"] == ERASED
    officer = graphql(api, BORROWER, OFFICER, {"id": borrower}, min_position=head(api))
    assert officer["data"]["borrower"] == {
        "name": ERASED, "phone": ERASED, "address": ERASED, "maskedIdNumber": ERASED,
        "birthDate": None, "region": "Hubei", "monthlyIncome": "8500.00",
        "assets": "120000.00", "erasedOn": "2030-02-28",
    }  # fmt: skip
    for event in read(api, BORROWER_HISTORY, {"id": borrower})["borrowerHistory"]:
        if event["type"] == "BorrowerRegistered":
            profile = event["data"]["profile"]
            assert [profile[k] for k in ("name", "phone", "address", "email")] == [ERASED] * 4
            assert (event["data"]["id_number"], event["data"]["birth_date"]) == (ERASED, None)
    assert after["statement"] == before["statement"]
    # A contract copy shows the erased fields, so it no longer hashes as the signed one.
    contract = api.get(f"/loans/{loan}/contract.pdf", headers=OFFICER)
    assert contract.status_code == 200, contract.text
    assert hashlib.sha256(contract.content).hexdigest() != contract.headers["x-contract-sha256"]
    assert readable_anywhere(api, db_url) == []
    keys = [row[0] for row in psycopg.connect(db_url).execute(
        "SELECT name FROM lending_data_keys WHERE name LIKE ANY('{borrower:%,loan:%,assessment:%}')"
    )]  # fmt: skip
    assert keys == []


def test_the_read_model_is_the_same_rebuilt(api: TestClient, db_url: str) -> None:
    borrower, _ = lent_and_repaid(api)
    cob(api, "2030-02-28")
    erase(api, borrower, ADMIN)
    erase(api, borrower, SECOND_ADMIN)
    # A key that outlived its erasure (the process stopped between the two) goes when
    # the approval is sent again, which answers that the borrower is erased already.
    with psycopg.connect(db_url) as conn:
        conn.execute("INSERT INTO lending_data_keys (name, master_key_id, wrapped) "
                     "VALUES (%s, 'default', '\\x00')", (f"borrower:{borrower}",))  # fmt: skip
    assert "erased already" in erase(api, borrower, SECOND_ADMIN, 409)["detail"]
    with psycopg.connect(db_url) as conn:
        left = conn.execute("SELECT count(*) FROM lending_data_keys WHERE name = %s",
                            (f"borrower:{borrower}",)).fetchone()  # fmt: skip
    assert left == (0,)
    found = graphql(api, BORROWER, AUDITOR, {"id": borrower}, min_position=head(api))
    projections = runtime_of(api).projections
    projections.rebuild("borrowers")
    again = graphql(api, BORROWER, AUDITOR, {"id": borrower}, min_position=head(api))
    assert again == found
    assert found["data"]["borrower"]["name"] == ERASED


def test_a_borrower_registered_before_per_borrower_keys_loads_but_is_not_erased(
    api: TestClient, db_url: str
) -> None:
    app = runtime_of(api).app
    mapper = app.mapper
    assert isinstance(mapper, PydanticMapper)
    sealer, mapper.sealer = mapper.sealer, None  # as this version's predecessor wrote it
    try:
        body = wang_fang(name=NAME, id_number=ID_NUMBER, phone=PHONE, address=ADDRESS)
        borrower = ok(api.post("/borrowers", json=body, headers=OFFICER), 201)["id"]
    finally:
        mapper.sealer = sealer
    app.forget_cached([UUID(borrower)])
    # Updated since, its new fields stay under the store's key as its registration's do.
    update = {"address": ADDRESS + "2栋"}
    ok(api.post(f"/borrowers/{borrower}/update", json=update, headers=OFFICER))
    found = graphql(api, BORROWER, OFFICER, {"id": borrower}, min_position=head(api))
    assert found["data"]["borrower"]["name"] == NAME
    refusal = erase(api, borrower, ADMIN, 409)
    assert "before personal data had keys" in refusal["detail"]
    assert NAME not in refusal["detail"]


def test_a_snapshot_holds_the_fields_sealed_and_loads_erased(api: TestClient, db_url: str) -> None:
    body = wang_fang(name=NAME, id_number=ID_NUMBER, phone=PHONE, address=ADDRESS)
    borrower = ok(api.post("/borrowers", json=body, headers=OFFICER), 201)["id"]
    app = runtime_of(api).app
    app.take_snapshot(UUID(borrower))
    cipher = app.mapper.cipher
    assert cipher is not None
    with psycopg.connect(db_url) as conn:
        states = [cipher.decrypt(bytes(s)).decode()
                  for (s,) in conn.execute("SELECT state FROM lending_snapshots")]  # fmt: skip
    assert len(states) == 1
    assert [v for v in SECRETS if v in states[0]] == []
    erase(api, borrower, ADMIN)  # no loans: erasable at once
    erase(api, borrower, SECOND_ADMIN)
    app.forget_cached([UUID(borrower)])
    for version in (1, None):  # as the snapshot holds it, and now
        loaded = app.repository.get(UUID(borrower), version=version)
        assert (loaded.profile.name, loaded.id_number, loaded.birth_date) == (ERASED, ERASED, None)
    # The id number is free again: the same person may register anew.
    again = ok(api.post("/borrowers", json=body, headers=OFFICER), 201)["id"]
    assert again != borrower
    assert api.post("/borrowers", json=body, headers=OFFICER).status_code == 409
