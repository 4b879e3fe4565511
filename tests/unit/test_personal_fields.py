"""Personal fields sealed with their owner's key inside an event's state: opened while
the key lives, read as erased once it is destroyed, and bound to their place."""

from __future__ import annotations

import copy
import os
from typing import Any
from uuid import UUID

import orjson
import pytest
from cryptography.exceptions import InvalidTag

from domain.erasure import ERASED
from infrastructure.personal_fields import FieldSealer, borrower_key

BORROWER = UUID("00000000-0000-4000-8000-0000000000b1")
OTHER = UUID("00000000-0000-4000-8000-0000000000b2")
REGISTERED = "domain.borrower:Borrower.Registered"


class Keys:
    """Keys in memory, as `lending_data_keys` keeps them."""

    def __init__(self) -> None:
        self.keys: dict[str, bytes] = {}

    def for_sealing(self, name: str, make: bool) -> bytes | None:
        if make:
            return self.keys.setdefault(name, os.urandom(32))
        return self.keys.get(name)

    def for_opening(self, name: str) -> bytes | None:
        return self.keys.get(name)

    def forget(self, names: list[str]) -> None:
        """Nothing cached here."""


def registration() -> dict[str, Any]:
    return {
        "id_number": "420106198503120046", "birth_date": "1985-03-12",
        "phone_digest": "ab" * 16, "kind": "individual",
        "profile": {"name": "孙丽华", "phone": "+8613722223333", "address": "青年路88号",
                    "email": None, "region": "Hubei", "monthly_income": "8500.00"},
    }  # fmt: skip


def test_sealed_fields_hold_no_value_and_open_as_they_were() -> None:
    sealer = FieldSealer(Keys())
    sealed = sealer.seal(REGISTERED, BORROWER, registration())
    text = orjson.dumps(sealed).decode()
    for value in ("420106198503120046", "1985-03-12", "孙丽华", "13722223333", "青年路88号"):
        assert value not in text
    assert sealed["profile"]["region"] == "Hubei"
    assert sealed["profile"]["email"] is None
    assert sealer.open(REGISTERED, BORROWER, sealed) == registration()


def test_once_the_key_is_destroyed_every_field_reads_as_erased() -> None:
    keys = Keys()
    sealer = FieldSealer(keys)
    sealed = sealer.seal(REGISTERED, BORROWER, registration())
    del keys.keys[borrower_key(BORROWER)]
    opened = sealer.open(REGISTERED, BORROWER, sealed)
    assert (opened["id_number"], opened["birth_date"], opened["phone_digest"]) == (
        ERASED, None, None,
    )  # fmt: skip
    profile = opened["profile"]
    assert [profile[k] for k in ("name", "phone", "address")] == [ERASED] * 3
    assert (profile["region"], profile["monthly_income"]) == ("Hubei", "8500.00")


def test_a_sealed_value_opens_only_for_its_own_borrower_and_field() -> None:
    keys = Keys()
    sealer = FieldSealer(keys)
    sealed = sealer.seal(REGISTERED, BORROWER, registration())
    keys.keys[borrower_key(OTHER)] = keys.keys[borrower_key(BORROWER)]
    with pytest.raises(InvalidTag):
        sealer.open(REGISTERED, OTHER, copy.deepcopy(sealed))
    moved = copy.deepcopy(sealed)
    moved["profile"]["name"] = sealed["profile"]["address"]
    with pytest.raises(InvalidTag):
        sealer.open(REGISTERED, BORROWER, moved)


def test_events_from_before_per_borrower_keys_load_as_they_were() -> None:
    assert FieldSealer(Keys()).open(REGISTERED, BORROWER, registration()) == registration()


def test_an_erased_borrower_s_marker_needs_no_key() -> None:
    keys = Keys()
    state = registration() | {"id_number": ERASED, "birth_date": None, "phone_digest": None}
    state["profile"] |= {"name": ERASED, "phone": ERASED, "address": ERASED}
    assert FieldSealer(keys).seal(REGISTERED, BORROWER, copy.deepcopy(state)) == state
    assert keys.keys == {}


def test_a_borrower_from_before_keys_gets_none_with_an_update() -> None:
    keys = Keys()
    update = {"phone_digest": "cd" * 16, "changed": ["name"], "profile": registration()["profile"]}
    stored = FieldSealer(keys).seal("domain.borrower:Borrower.Updated", BORROWER, update)
    assert stored["profile"]["name"] == "孙丽华"
    assert keys.keys == {}
