"""A registered borrower's name, id number, phone, address and bank account, and a
payer's name, appear in plaintext nowhere: not in any table, not in the server's log
at debug level, not in any error body, refusals of that very data included."""

from __future__ import annotations

import threading
from typing import Any

import httpx
import psycopg
from psycopg import sql

from infrastructure.settings import Settings
from tests.support.api import ANALYST, OFFICER
from tests.support.catalog import ADMIN, APPROVER, micro_12
from tests.support.people import resident_id, wang_fang
from tests.support.processes import server_process

NAME = "赵晓红"
ID_NUMBER = resident_id("42010619880614002")
PHONE = "13611112222"
ADDRESS = "武汉市洪山区莲花池路77号"
ACCOUNT = "6222029876543210987"
PAYER = "钱大宝"
SECRETS = (NAME, ID_NUMBER, ID_NUMBER[:17], PHONE, PHONE[3:], ADDRESS, ACCOUNT, PAYER)
OTHER_ID = resident_id("42010619900101003")  # a valid number no one has
ONE_LEVEL = '{"automatic_grades": []}'


def borrower(**changes: Any) -> dict[str, Any]:
    return wang_fang(name=NAME, id_number=ID_NUMBER, phone=PHONE, address=ADDRESS) | changes


def leaks(text: str) -> list[str]:
    return [value for value in SECRETS if value in text]


def tables_holding(url: str) -> dict[str, list[str]]:
    """Each table whose rows, as text or as stored bytes, hold one of the values."""
    found: dict[str, list[str]] = {}
    with psycopg.connect(url) as conn:
        tables = [row[0] for row in conn.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        )]  # fmt: skip
        for table in tables:
            rows = conn.execute(sql.SQL("SELECT t::text FROM {} t").format(sql.Identifier(table)))
            text = "\n".join(row[0] for row in rows)
            # bytea shows as hex in text: look for each value's UTF-8 bytes in hex too.
            hexed = [v for v in SECRETS if v.encode().hex() in text]
            if leaks(text) or hexed:
                found[table] = leaks(text) + hexed
    return found


def test_no_personal_value_is_anywhere_in_plaintext(settings: Settings) -> None:
    errors: list[str] = []
    with server_process(settings, LENDING_LOG_LEVEL="debug", LENDING_APPROVAL=ONE_LEVEL) as (
        process,
        base,
    ):
        log: list[str] = []
        assert process.stdout is not None
        drain = threading.Thread(target=lambda: log.extend(process.stdout or ()), daemon=True)
        drain.start()
        with httpx.Client(base_url=base, timeout=30) as http:

            def call(path: str, body: Any, headers: dict[str, str], status: int) -> Any:
                answer = http.post(path, json=body, headers=headers)
                assert answer.status_code == status, answer.text
                if status >= 400:
                    errors.append(answer.text)
                return answer.json()

            call("/products", micro_12(), ADMIN, 201)
            registered = call("/borrowers", borrower(), OFFICER, 201)
            # Refusals of the same data: a second registration, a malformed phone, a
            # malformed id number, and a search by name that the caller may not make.
            call("/borrowers", borrower(), OFFICER, 409)
            call("/borrowers", borrower(id_number=OTHER_ID, phone=PHONE + "99"), OFFICER, 422)
            wrong_check = ID_NUMBER[:-1] + ("0" if ID_NUMBER[-1] != "0" else "1")
            call("/borrowers", borrower(id_number=wrong_check), OFFICER, 422)
            call("/borrowers", borrower(id_number=OTHER_ID, name=NAME * 100), OFFICER, 422)
            search = {"query": f'{{ borrowers(filter: {{nameContains: "{NAME}"}}) {{ edges {{ '
                               f"node {{ id }} }} }} }}"}  # fmt: skip
            errors.append(http.post("/graphql", json=search, headers=ANALYST).text)
            bad = {"query": f'{{ loan(id: "{ACCOUNT}") {{ id }} }}'}
            errors.append(http.post("/graphql", json=bad, headers=ANALYST).text)

            application = {
                "borrower_id": registered["id"], "product_code": "MICRO-12",
                "principal": "12000.00", "term": 12, "frequency": "monthly",
                "method": "equal_installments", "purpose": "tea seedlings",
                "annual_rate_percent": "12",
            }  # fmt: skip
            loan = call("/loans", application, OFFICER, 201)["id"]
            call(f"/loans/{loan}/approve", {}, APPROVER, 200)
            call(f"/loans/{loan}/sign", {"signed_on": "2026-01-31"}, OFFICER, 200)
            payout = {"value_date": "2026-01-31", "account": ACCOUNT, "channel": "bank",
                      "reference": "D-PII-1"}  # fmt: skip
            call(f"/loans/{loan}/disburse", payout, OFFICER, 200)
            call(f"/loans/{loan}/disburse", payout, OFFICER, 409)
            payment = {"loan_id": loan, "amount": "500.00", "value_date": "2026-02-28",
                       "channel": "bank", "external_reference": "R-PII-1",
                       "payer": PAYER}  # fmt: skip
            call("/repayments", payment, OFFICER, 201)
            call("/repayments", payment | {"amount": "501.00"}, OFFICER, 409)
    drain.join(timeout=10)
    assert tables_holding(str(settings.database_url)) == {}
    assert [line for line in log if leaks(line)] == []
    assert [leaks(body) for body in errors] == [[] for _ in errors]
    # Every refusal is logged at debug level, with what its caller was told.
    assert sum("DEBUG" in line and "answered" in line for line in log) == 6, "".join(log)
