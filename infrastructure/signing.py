"""Checkpoints signed with Ed25519, for an auditor to keep outside the database.

The signed bytes are the checkpoint's JSON with sorted keys and no spaces (orjson's
OPT_SORT_KEYS), so any Ed25519 tool can check an export with the public key it names:

    {"checkpoint": {...}, "signature": base64, "public_key": base64 (raw, 32 bytes),
     "signed": "Ed25519 over the checkpoint's JSON, keys sorted, no spaces"}
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    PublicFormat,
    load_pem_private_key,
)

SIGNED = "Ed25519 over the checkpoint's JSON, keys sorted, no spaces"


class BadSignature(Exception):
    """An export whose signature does not hold, or is not by the expected key."""


def private_key(text: str) -> Ed25519PrivateKey:
    """A key from LENDING_SIGNING_KEY: PEM (PKCS#8), or the base64 of a 32-byte seed."""
    stripped = text.strip()
    if stripped.startswith("-----BEGIN"):
        key = load_pem_private_key(stripped.encode(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("LENDING_SIGNING_KEY is not an Ed25519 key")
        return key
    try:
        return Ed25519PrivateKey.from_private_bytes(base64.b64decode(stripped, validate=True))
    except (binascii.Error, ValueError):
        raise ValueError("LENDING_SIGNING_KEY is neither PEM nor a base64 32-byte seed") from None


def public_bytes(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def _signed_bytes(payload: dict[str, Any]) -> bytes:
    return orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)


def sign(payload: dict[str, Any], key: Ed25519PrivateKey) -> dict[str, Any]:
    return {
        "checkpoint": payload,
        "signature": base64.b64encode(key.sign(_signed_bytes(payload))).decode(),
        "public_key": base64.b64encode(public_bytes(key)).decode(),
        "signed": SIGNED,
    }


def checked(document: dict[str, Any], expected: bytes | None = None) -> dict[str, Any]:
    """The checkpoint of a signed export; BadSignature unless it is signed by the key it
    names (and that key is `expected`, when given)."""
    try:
        payload, signature = document["checkpoint"], base64.b64decode(document["signature"])
        named = base64.b64decode(document["public_key"])
        Ed25519PublicKey.from_public_bytes(named).verify(signature, _signed_bytes(payload))
    except (KeyError, TypeError, ValueError, InvalidSignature):
        raise BadSignature("the export's signature does not hold") from None
    if expected is not None and named != expected:
        raise BadSignature("the export is signed by another key than LENDING_SIGNING_KEY's")
    if not isinstance(payload, dict):
        raise BadSignature("the export holds no checkpoint")
    return payload
