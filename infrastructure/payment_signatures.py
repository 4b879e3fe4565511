"""Payment platforms sign their callbacks; we verify before anything reads the body.

A callback to `POST /payments/callback/{channel}` carries two headers:
- `X-Payment-Timestamp`: when the platform signed it, in Unix seconds;
- `X-Payment-Signature`: the hex HMAC-SHA256, under the channel's secret
  (LENDING_PAYMENT_CHANNELS), of the timestamp, a dot and the raw body as sent
  (`"1767225600.{...}"`), optionally prefixed `sha256=`.

It holds when the channel has a secret, the signature matches (compared in constant
time) and the timestamp is within the tolerance of our clock either way: an old
callback captured and sent again later is refused, even with its signature.
"""

from __future__ import annotations

import hashlib
import hmac

TIMESTAMP_HEADER = "x-payment-timestamp"
SIGNATURE_HEADER = "x-payment-signature"
PREFIX = "sha256="


class BadSignature(Exception):
    """The callback is not the platform's, or not from now: nothing is written."""


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """What the platform sends in `X-Payment-Signature` (the tests sign with it too)."""
    signed = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def verify(
    secret: str | None,
    timestamp: str | None,
    signature: str | None,
    body: bytes,
    now: float,
    tolerance: float,
) -> None:
    """BadSignature unless `signature` is `secret`'s over `timestamp` and `body`, and
    `timestamp` is within `tolerance` seconds of `now`."""
    if not secret or not timestamp or not signature:
        raise BadSignature("the callback is not signed by this channel")
    stamp = timestamp.strip()
    if not stamp.isascii() or not stamp.isdigit() or len(stamp) > 12:
        raise BadSignature("the signature timestamp is not Unix seconds")
    if abs(now - int(stamp)) > tolerance:
        raise BadSignature("the signature timestamp is outside the tolerance window")
    expected = sign(secret, int(stamp), body)
    given = signature.strip().removeprefix(PREFIX).lower()
    if not hmac.compare_digest(expected.encode(), given.encode("ascii", "replace")):
        raise BadSignature("the signature does not verify")
