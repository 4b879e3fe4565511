"""Master keys: they wrap the data keys that encrypt the store, and nothing else.

`LENDING_CIPHER_KEYS` names several master keys, each with an id, the newest last:

    LENDING_CIPHER_KEYS="2025:<base64 AES key>,2026:<base64 AES key>"

(AES keys of 32 bytes, or 16 or 24 as LENDING_CIPHER_KEY always allowed.)

`LENDING_CIPHER_KEY` (one key, no id) is still read: it is the master key with id
`default`, the oldest of the ring when both are set. A data key is wrapped with the
newest master key (AES-GCM, the data key's name as associated data, so a wrapped key
cannot be passed off as another's); `lending keys rotate` wraps every data key again
with the newest, after which an older master key can be removed from the settings.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
SINGLE_KEY_ID = "default"
NONCE = 12


class KeyRingError(ValueError):
    """The master keys are malformed, or none of them opens a wrapped data key."""


@dataclass(frozen=True, repr=False)
class MasterKey:
    id: str
    key: bytes
    text: str  # as configured: a store from before data keys derived its claim key from it

    def __repr__(self) -> str:  # never the key itself, in a log or a traceback
        return f"MasterKey({self.id!r})"


def decoded_key(text: str, name: str) -> bytes:
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise KeyRingError(f"{name} is not base64") from None
    if len(key) not in (16, 24, 32):
        raise KeyRingError(f"{name} must be an AES key of 16, 24 or 32 bytes, not {len(key)}")
    return key


class KeyRing:
    def __init__(self, keys: Sequence[MasterKey]) -> None:
        if not keys:
            raise KeyRingError("no master key is set")
        ids = [k.id for k in keys]
        if len(set(ids)) != len(ids):
            raise KeyRingError(f"master key ids must differ: {', '.join(ids)}")
        self.keys = tuple(keys)

    @classmethod
    def parse(cls, text: str, single: str | None = None) -> KeyRing:
        """LENDING_CIPHER_KEYS's "id:key,id:key" (newest last), with LENDING_CIPHER_KEY's
        `single` key first as `default` unless the ring holds that key already."""
        keys = []
        for entry in filter(None, (part.strip() for part in re.split(r"[,\s]+", text))):
            id_, colon, value = entry.partition(":")
            if not colon or not KEY_ID.fullmatch(id_):
                raise KeyRingError(
                    "LENDING_CIPHER_KEYS is id:base64key[,id:base64key...], ids of letters, "
                    "digits, '.', '_' or '-'"
                )
            keys.append(MasterKey(id_, decoded_key(value, f"master key {id_}"), value))
        if single:
            key = decoded_key(single, "LENDING_CIPHER_KEY")
            if all(k.key != key for k in keys):
                keys.insert(0, MasterKey(SINGLE_KEY_ID, key, single))
        return cls(keys)

    @classmethod
    def single(cls, text: str) -> KeyRing:
        return cls([MasterKey(SINGLE_KEY_ID, decoded_key(text, "LENDING_CIPHER_KEY"), text)])

    @property
    def newest(self) -> MasterKey:
        return self.keys[-1]

    def get(self, id_: str) -> MasterKey:
        for key in self.keys:
            if key.id == id_:
                return key
        raise KeyRingError(
            f"master key {id_!r} is not among the configured ones "
            f"({', '.join(k.id for k in self.keys)}): put it back in LENDING_CIPHER_KEYS, "
            "or rotate before removing it (`lending keys rotate`)"
        )

    def wrap(self, name: str, data_key: bytes) -> tuple[str, bytes]:
        """`data_key` wrapped with the newest master key: (its id, nonce + ciphertext)."""
        nonce = os.urandom(NONCE)
        sealed = AESGCM(self.newest.key).encrypt(nonce, data_key, name.encode())
        return self.newest.id, nonce + sealed

    def unwrap(self, name: str, master_id: str, wrapped: bytes) -> bytes:
        master = self.get(master_id)
        try:
            return AESGCM(master.key).decrypt(wrapped[:NONCE], wrapped[NONCE:], name.encode())
        except InvalidTag:
            raise KeyRingError(
                f"master key {master_id!r} does not open data key {name!r}: it is another "
                "key than the one that wrapped it"
            ) from None
