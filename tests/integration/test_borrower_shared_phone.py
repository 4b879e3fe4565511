"""A phone several borrowers share gets its code like any other; once the code is
proved, the login asks who the caller is (the last 4 characters of the id number), and
before that it answers exactly as for any phone. The code SMS is a template: the
built-in wording by default, the store's own from LENDING_BORROWER_CODES."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from domain.identity import resident_id_check_character
from infrastructure.settings import Settings
from tests.support.api import graphql, runtime_of
from tests.support.borrower_channel import WANG_PHONE as PHONE
from tests.support.borrower_channel import Channel, borrower_channel, code_to, registered
from tests.support.people import WANG_FANG_ID, resident_id

LI_QIANG_ID = resident_id("42010619830704001")  # Wang Fang's husband, on her phone
ME = "query { me { id } }"
FIELD = "id_number_last4"


def twin_of(number: str) -> str:
    """Another valid resident id ending with the same 4 characters as `number`."""
    for month in range(1, 13):
        body = f"{number[:10]}{month:02d}{number[12:17]}"
        if body != number[:17] and resident_id_check_character(body) == number[-1]:
            return body + number[-1]
    raise AssertionError("no twin found")


def register(api: TestClient, name: str, id_number: str) -> str:
    return registered(api, name=name, id_number=id_number)


def log_in(api: TestClient, code: str, last4: str | None = None, phone: str = PHONE) -> Any:
    body = {"phone": phone, "code": code} | ({FIELD: last4} if last4 is not None else {})
    return api.post("/auth/borrower/login", json=body)


def refusal(answer: Any) -> tuple[int, str]:
    [error] = answer.json()["errors"]
    assert error["field"] == FIELD
    return answer.status_code, str(error["reason"])


def other(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_before_the_code_is_proved_a_shared_phone_answers_as_any_phone(
    sms_channel: Channel,
) -> None:
    api, gateway = sms_channel
    register(api, "Wang Fang", WANG_FANG_ID)
    register(api, "Li Qiang", LI_QIANG_ID)
    code = code_to(api, gateway)  # (at most 10 /auth/* requests a minute per phone)
    stranger = log_in(api, code, phone="+8613700137000")
    wrong = log_in(api, other(code))
    wrong_with_id = log_in(api, other(code), WANG_FANG_ID[-4:])
    wrong_with_junk = log_in(api, other(code), "??")
    answers = (stranger, wrong, wrong_with_id, wrong_with_junk)
    assert {(a.status_code, a.text) for a in answers} == {(401, stranger.text)}
    assert log_in(api, code, WANG_FANG_ID[-4:]).status_code == 200  # the code still holds


def test_a_shared_phone_logs_in_whoever_the_id_numbers_last_4_name(sms_channel: Channel) -> None:
    api, gateway = sms_channel
    wang = register(api, "Wang Fang", WANG_FANG_ID)
    li = register(api, "Li Qiang", LI_QIANG_ID)
    code = code_to(api, gateway)
    assert len(gateway.received) == 1  # one SMS for the phone, whoever holds it

    # The right code alone is not enough, nor a suffix that fits neither of them.
    assert refusal(log_in(api, code)) == (422, "is required: this phone is several "
                                                "borrowers', say which one you are")  # fmt: skip
    assert refusal(log_in(api, code, "0000")) == (
        422, "fits none of the borrowers with this phone",
    )  # fmt: skip
    assert refusal(log_in(api, code, "12"))[0] == 422
    token = log_in(api, code, LI_QIANG_ID[-4:].lower())  # a letter in either case
    assert token.status_code == 200, token.text
    assert token.json()["borrower_id"] == li
    me = {"Authorization": f"Bearer {token.json()['access_token']}"}
    assert graphql(api, ME, me)["data"]["me"]["id"] == li
    assert log_in(api, code, LI_QIANG_ID[-4:]).status_code == 401  # a code logs in once

    again = code_to(api, gateway)
    wangs = log_in(api, again, WANG_FANG_ID[-4:])
    assert wangs.status_code == 200, wangs.text
    assert wangs.json()["borrower_id"] == wang

    # The codes' events hold no id number, and no part of it the caller gave.
    app = runtime_of(api).app
    events = app.events_of(app.claim_id("borrower-login", PHONE))
    assert [(type(e).__name__, e.actor) for e in events[-2:]] == [
        ("CodeIssued", "anonymous"), ("CodeUsed", wang),
    ]  # fmt: skip
    stored = [e.model_dump_json() for e in events]
    assert not [e for e in stored if FIELD in e or WANG_FANG_ID in e or LI_QIANG_ID in e]


def test_a_suffix_fitting_none_counts_as_a_wrong_code(sms_channel: Channel) -> None:
    api, gateway = sms_channel
    register(api, "Wang Fang", WANG_FANG_ID)
    register(api, "Li Qiang", LI_QIANG_ID)
    code = code_to(api, gateway)
    for _ in range(4):
        assert log_in(api, code, "0000").status_code == 422
    assert log_in(api, code).status_code == 422  # asking again costs nothing
    assert log_in(api, code, "0000").status_code == 422  # the fifth failure voids it
    assert log_in(api, code, WANG_FANG_ID[-4:]).status_code == 401


def test_a_suffix_fitting_several_sends_the_borrower_to_the_lender(sms_channel: Channel) -> None:
    api, gateway = sms_channel
    twin = twin_of(WANG_FANG_ID)
    register(api, "Wang Fang", WANG_FANG_ID)
    register(api, "Wang Li", twin)
    register(api, "Li Qiang", LI_QIANG_ID)
    code = code_to(api, gateway)
    assert refusal(log_in(api, code, WANG_FANG_ID[-4:])) == (
        422, "fits several borrowers with this phone: ask the lender",
    )  # fmt: skip
    answer = log_in(api, code, LI_QIANG_ID[-4:])
    assert answer.status_code == 200, answer.text


def test_one_borrowers_phone_logs_in_without_the_field(sms_channel: Channel) -> None:
    api, gateway = sms_channel
    wang = register(api, "Wang Fang", WANG_FANG_ID)
    code = code_to(api, gateway)
    [sms] = gateway.received
    assert sms["text"] == f"您的登录验证码为{code}，5分钟内有效，请勿泄露给他人。"  # noqa: RUF001
    assert log_in(api, code).json()["borrower_id"] == wang


def test_the_code_sms_is_the_stores_own_template(db_url: str, tmp_path: Path) -> None:
    own = {"id": "login_code", "language": "en",
           "body": "Tea Bank: {{ code }} signs you in ({{ minutes }} min)."}  # fmt: skip
    with borrower_channel(db_url, tmp_path, language="en", templates=[own]) as (api, gateway):
        register(api, "Wang Fang", WANG_FANG_ID)
        code = code_to(api, gateway)
        assert gateway.received[0]["text"] == f"Tea Bank: {code} signs you in (5 min)."
        assert gateway.received[0]["params"] == {"code": code, "minutes": "5"}


def test_the_built_in_english_wording_and_a_bad_template_refused_at_start(
    db_url: str, tmp_path: Path
) -> None:
    with borrower_channel(db_url, tmp_path, language="en", valid_minutes=3) as (api, gateway):
        register(api, "Wang Fang", WANG_FANG_ID)
        code = code_to(api, gateway)
        assert gateway.received[0]["text"] == (
            f"Your login code is {code}. It holds for 3 minutes: tell it to no one."
        )
    bad = {"templates": [{"id": "login_code", "language": "zh", "body": "{{ name }}: {{ code }}"}]}
    with pytest.raises(ValidationError, match=r"templates\[0\]\.body: uses unknown variables name"):
        Settings(borrower_codes=bad)
    unclosed = {"templates": [{"id": "login_code", "language": "zh", "body": "{{ code "}]}
    with pytest.raises(ValidationError, match="is not a valid template"):
        Settings(borrower_codes=unclosed)
