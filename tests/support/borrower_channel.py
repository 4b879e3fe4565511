"""A service with a real SMS gateway on loopback, for the borrower channel's tests: the
code a phone was sent, and borrowers registered and in the read models."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from domain.login_codes import CodePolicy
from tests.support.api import OFFICER, client, graphql
from tests.support.notice_servers import Gateway, sms_gateway
from tests.support.people import wang_fang
from tests.support.settings import suite_settings

WANG_PHONE = "+8613800138000"  # wang_fang()'s phone, as the store holds it
Channel = tuple[TestClient, Gateway]  # the service, and the gateway its SMS go to


@contextmanager
def borrower_channel(db_url: str, data_dir: Path, **codes: Any) -> Iterator[Channel]:
    """The service and its SMS gateway; `codes`: LENDING_BORROWER_CODES' fields."""
    with sms_gateway() as gateway:
        update = {"sms_gateway_url": gateway.url, "sms_gateway_key": gateway.key,
                  "borrower_codes": CodePolicy.model_validate(codes)}  # fmt: skip
        settings = suite_settings(db_url, data_dir).model_copy(update=update)
        with client(settings) as api:
            yield api, gateway


def registered(api: TestClient, **overrides: Any) -> str:
    """Wang Fang (or another, by `overrides`), registered and in the read models."""
    written = api.post("/borrowers", json=wang_fang(**overrides), headers=OFFICER).json()
    graphql(api, "query { businessDate }", OFFICER, min_position=written["position"])
    return str(written["id"])


def code_to(api: TestClient, gateway: Gateway, phone: str = WANG_PHONE) -> str:
    """The code a fresh request for `phone` sent by SMS."""
    sent = len(gateway.received)
    assert api.post("/auth/borrower/code", json={"phone": phone}).status_code == 202
    code: str = gateway.wait_for(sent + 1)[sent]["params"]["code"]
    return code
