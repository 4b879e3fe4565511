"""A payment platform's callback signature: its secret, over timestamp and body, now."""

from __future__ import annotations

import pytest

from infrastructure.payment_signatures import BadSignature, sign, verify

SECRET = "platform-secret"
NOW = 1_900_000_000
BODY = b'{"transaction_id": "T-1", "amount": "100.00"}'


def test_the_platforms_signature_verifies_within_the_window() -> None:
    signature = sign(SECRET, NOW - 299, BODY)
    verify(SECRET, str(NOW - 299), signature, BODY, NOW, 300)
    verify(SECRET, str(NOW - 299), f"sha256={signature.upper()}", BODY, NOW, 300)


@pytest.mark.parametrize(
    ("secret", "stamp", "signature", "body"),
    [
        (SECRET, str(NOW), sign("another-secret", NOW, BODY), BODY),
        (SECRET, str(NOW), sign(SECRET, NOW, BODY), BODY + b" "),
        (SECRET, str(NOW + 1), sign(SECRET, NOW, BODY), BODY),
        (SECRET, str(NOW - 301), sign(SECRET, NOW - 301, BODY), BODY),
        (SECRET, str(NOW + 301), sign(SECRET, NOW + 301, BODY), BODY),
        (SECRET, "soon", sign(SECRET, NOW, BODY), BODY),
        (SECRET, None, sign(SECRET, NOW, BODY), BODY),
        (SECRET, str(NOW), None, BODY),
        (SECRET, str(NOW), "日本", BODY),
        (None, str(NOW), sign(SECRET, NOW, BODY), BODY),
    ],
)
def test_anything_else_is_refused(
    secret: str | None, stamp: str | None, signature: str | None, body: bytes
) -> None:
    with pytest.raises(BadSignature):
        verify(secret, stamp, signature, body, NOW, 300)
