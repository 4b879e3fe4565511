"""Exported checkpoints are signed with Ed25519: a change to any field breaks the seal."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from infrastructure.signing import BadSignature, checked, private_key, public_bytes, sign

CHECKPOINT = {"position": 120, "events": 120, "digest": "ab" * 32, "reason": "on demand"}


def test_a_signed_checkpoint_checks_and_a_changed_one_does_not() -> None:
    key = Ed25519PrivateKey.generate()
    document = sign(CHECKPOINT, key)
    assert checked(document, public_bytes(key)) == CHECKPOINT
    changed = document | {"checkpoint": CHECKPOINT | {"events": 121}}
    with pytest.raises(BadSignature, match="does not hold"):
        checked(changed)
    with pytest.raises(BadSignature, match="another key"):
        checked(document, public_bytes(Ed25519PrivateKey.generate()))


def test_the_signing_key_is_read_as_pem_or_a_base64_seed() -> None:
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode()
    seed = base64.b64encode(key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()))
    assert public_bytes(private_key(pem)) == public_bytes(key)
    assert public_bytes(private_key(seed.decode())) == public_bytes(key)
    with pytest.raises(ValueError, match="neither PEM nor"):
        private_key("not a key")
