"""A webhook's registration rules, its sealed secret and its signature."""

from __future__ import annotations

import os

import pytest

from application.feed import TYPES
from domain.errors import InvalidValue
from domain.webhook import Webhook
from infrastructure.webhook_security import SecretBox, check_destination, signature


def register(url: str = "https://hooks.example.com/in", types: tuple[str, ...] = TYPES) -> Webhook:
    return Webhook.register(actor="admin.wu", url=url, event_types=types, sealed_secret="v1:x",
                            known_types=TYPES)  # fmt: skip


@pytest.mark.parametrize(
    ("url", "types", "field"),
    [
        ("ftp://hooks.example.com/in", TYPES, "url"),
        ("https:///in", TYPES, "url"),
        ("https://user:pw@hooks.example.com/in", TYPES, "url"),
        ("https://hooks.example.com/in", (), "event_types"),
        ("https://hooks.example.com/in", ("loan.teleported",), "event_types"),
    ],
)
def test_a_bad_registration_names_its_field(url: str, types: tuple[str, ...], field: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        register(url, types)
    assert refused.value.field == field


def test_a_replay_starts_at_a_store_position() -> None:
    with pytest.raises(InvalidValue) as refused:
        register().replay(actor="admin.wu", from_position=0)
    assert refused.value.field == "from_position"


def test_a_sealed_secret_opens_only_with_its_key() -> None:
    box = SecretBox(os.urandom(32))
    sealed = box.seal("whsec_c2VjcmV0")
    assert "c2VjcmV0" not in sealed
    assert box.open(sealed) == "whsec_c2VjcmV0"
    with pytest.raises(Exception):  # noqa: B017, PT011 - AES-GCM's InvalidTag
        SecretBox(os.urandom(32)).open(sealed)


def test_the_signature_is_the_standard_webhooks_one() -> None:
    # The example of the Standard Webhooks specification.
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = b'{"test": 2432232314}'
    found = signature(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body)
    assert found == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_loopback_is_refused_unless_allowed() -> None:
    with pytest.raises(InvalidValue):
        check_destination("http://127.0.0.1:8080/in", allow_private=False)
    check_destination("http://127.0.0.1:8080/in", allow_private=True)
