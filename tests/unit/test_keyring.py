"""The master keys: parsed from the settings, wrapping data keys bound to their names."""

from __future__ import annotations

import base64
import os

import pytest

from infrastructure.keyring import KeyRing, KeyRingError


def key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def test_the_newest_key_is_listed_last_and_wraps() -> None:
    old, new = key(), key()
    ring = KeyRing.parse(f"2025:{old}, 2026:{new}")
    assert [k.id for k in ring.keys] == ["2025", "2026"]
    master_id, wrapped = ring.wrap("store", b"k" * 32)
    assert master_id == "2026"
    assert ring.unwrap("store", "2026", wrapped) == b"k" * 32
    assert KeyRing.parse(f"2026:{new}").unwrap("store", "2026", wrapped) == b"k" * 32


def test_the_single_key_is_the_oldest_unless_listed() -> None:
    single, new = key(), key()
    assert [k.id for k in KeyRing.parse(f"next:{new}", single).keys] == ["default", "next"]
    assert [k.id for k in KeyRing.parse(f"same:{single}", single).keys] == ["same"]


def test_a_wrapped_key_opens_only_under_its_own_name() -> None:
    ring = KeyRing.single(key())
    master_id, wrapped = ring.wrap("borrower:1", b"k" * 32)
    with pytest.raises(KeyRingError, match="does not open"):
        ring.unwrap("borrower:2", master_id, wrapped)


def test_a_missing_master_key_is_named() -> None:
    ring = KeyRing.parse(f"2026:{key()}")
    with pytest.raises(KeyRingError, match="'2025' is not among the configured ones"):
        ring.unwrap("store", "2025", b"\0" * 60)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("nokey", "id:base64key"),
        ("bad id!:AAAA", "id:base64key"),
        ("a:not base64!", "not base64"),
        (f"a:{base64.b64encode(b'short').decode()}", "16, 24 or 32 bytes"),
        ("", "no master key"),
    ],
)
def test_malformed_keys_are_refused(text: str, reason: str) -> None:
    with pytest.raises(KeyRingError, match=reason):
        KeyRing.parse(text)


def test_duplicate_ids_are_refused() -> None:
    with pytest.raises(KeyRingError, match="must differ"):
        KeyRing.parse(f"a:{key()},a:{key()}")


def test_keys_never_show_in_a_repr() -> None:
    secret = key()
    assert secret not in repr(KeyRing.parse(f"a:{secret}").keys)
