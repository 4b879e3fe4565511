"""Data keys, stored wrapped by the master keys (keyring.py) in `<app>_data_keys`.

The store's events are encrypted with one data key, `store`; `claims` keys the claim ids
and lookup digests of personal values. A store written before data keys existed
encrypted its events with the master key itself and derived its claim key from it:
on the first start of this version that key becomes its `store` data key, and the
derived one its `claims`, both wrapped by the newest master key, so no event is
rewritten and, after `lending keys rotate`, the old master key may go.
Other data keys (per borrower, for instance) live in the same table under their own
names and are rotated with it.

    name text           the data key's name ("store")
    master_key_id text  the master key that wraps it
    wrapped bytea       nonce and AES-GCM ciphertext of the key, its name bound in
    created_at, wrapped_at
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from psycopg.sql import SQL, Identifier

from infrastructure.keyring import KeyRing, KeyRingError, MasterKey

log = logging.getLogger(__name__)
STORE = "store"
CLAIMS = "claims"
TABLE = "lending_data_keys"
EVENTS = "lending_events"
LOCK = 0x6B657973  # "keys": one process makes the store's key


@dataclass(frozen=True)
class WrappedKey:
    name: str
    master_key_id: str
    created_at: datetime
    wrapped_at: datetime


def _create(conn: psycopg.Connection[Any]) -> None:
    conn.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK,))
    conn.execute(
        SQL(
            "CREATE TABLE IF NOT EXISTS {} (name text PRIMARY KEY, master_key_id text NOT NULL, "
            "wrapped bytea NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), "
            "wrapped_at timestamptz NOT NULL DEFAULT now())"
        ).format(Identifier(TABLE))
    )


@dataclass(frozen=True, repr=False)
class StoreKeys:
    cipher_key: str  # the events' data key, base64, as eventsourcing's AESCipher takes it
    claim_key: str  # hex: keys the claim ids and lookup digests of personal values


def store_keys(url: str, ring: KeyRing) -> StoreKeys:
    """The store's data keys, made on its first start: those of a store from before data
    keys (its master key, and the claim key derived from it), or new random keys."""
    with psycopg.connect(url) as conn, conn.transaction():
        _create(conn)
        rows = conn.execute(
            SQL("SELECT name, master_key_id, wrapped FROM {} WHERE name = ANY(%s)").format(
                Identifier(TABLE)
            ),
            ([STORE, CLAIMS],),
        ).fetchall()
        found = {name: (master_id, bytes(wrapped)) for name, master_id, wrapped in rows}
        legacy = None
        if STORE in found:
            cipher = ring.unwrap(STORE, *found[STORE])
        else:
            legacy = _legacy_key(conn, ring)
            cipher = legacy.key if legacy else os.urandom(32)
            _insert(conn, ring, STORE, cipher)
        if CLAIMS in found:
            claims = ring.unwrap(CLAIMS, *found[CLAIMS])
        else:
            claims = _claims(legacy.text if legacy else base64.b64encode(cipher).decode())
            _insert(conn, ring, CLAIMS, claims)
    return StoreKeys(base64.b64encode(cipher).decode(), claims.hex())


def named_key(url: str, ring: KeyRing, name: str) -> bytes:
    """The data key `name` (a random AES-256 key made on first use), unwrapped."""
    with psycopg.connect(url) as conn, conn.transaction():
        _create(conn)
        return named_key_in(conn, ring, name)


def named_key_in(conn: psycopg.Connection[Any], ring: KeyRing, name: str) -> bytes:
    """`named_key` on an open connection, in its transaction (the table exists)."""
    found = existing_key_in(conn, ring, name)
    if found is not None:
        return found
    key = os.urandom(32)
    conn.execute(
        SQL("INSERT INTO {} (name, master_key_id, wrapped) VALUES (%s, %s, %s) "
            "ON CONFLICT (name) DO NOTHING").format(Identifier(TABLE)),
        (name, *ring.wrap(name, key)),
    )  # fmt: skip
    made = existing_key_in(conn, ring, name)  # ours, or a concurrent maker's
    assert made is not None
    log.info("data key %s was made", name)
    return made


def existing_key_in(conn: psycopg.Connection[Any], ring: KeyRing, name: str) -> bytes | None:
    """The data key `name`, unwrapped; None if there is none (never made, or destroyed)."""
    row = conn.execute(
        SQL("SELECT master_key_id, wrapped FROM {} WHERE name = %s").format(Identifier(TABLE)),
        (name,),
    ).fetchone()
    return None if row is None else ring.unwrap(name, row[0], bytes(row[1]))


def existing_keys_in(
    conn: psycopg.Connection[Any], ring: KeyRing, names: list[str]
) -> dict[str, bytes]:
    """The data keys of `names` there are, unwrapped, by name (one query)."""
    rows = conn.execute(
        SQL("SELECT name, master_key_id, wrapped FROM {} WHERE name = ANY(%s)").format(
            Identifier(TABLE)
        ),
        (names,),
    ).fetchall()
    return {name: ring.unwrap(name, key_id, bytes(wrapped)) for name, key_id, wrapped in rows}


def create_table(url: str) -> None:
    with psycopg.connect(url) as conn, conn.transaction():
        _create(conn)


def destroy(url: str, names: list[str]) -> list[str]:
    """Delete the data keys `names` (those of them there are): what they sealed can no
    longer be read by anyone. The names of the keys deleted."""
    if STORE in names or CLAIMS in names:
        raise ValueError("the store's own data keys are never destroyed")
    with psycopg.connect(url) as conn, conn.transaction():
        _create(conn)
        rows = conn.execute(
            SQL("DELETE FROM {} WHERE name = ANY(%s) RETURNING name").format(Identifier(TABLE)),
            (names,),
        ).fetchall()
    for (name,) in rows:
        log.warning("data key %s was destroyed", name)
    return [name for (name,) in rows]


def _claims(text: str) -> bytes:
    """The claim key as the store derived it before data keys: from the base64 text of
    the key its events were encrypted with (so a store from then keeps its claims)."""
    return hmac.new(text.encode(), b"claims", hashlib.sha256).digest()


def _insert(conn: psycopg.Connection[Any], ring: KeyRing, name: str, key: bytes) -> None:
    master_id, wrapped = ring.wrap(name, key)
    conn.execute(
        SQL("INSERT INTO {} (name, master_key_id, wrapped) VALUES (%s, %s, %s)").format(
            Identifier(TABLE)
        ),
        (name, master_id, wrapped),
    )
    log.warning("data key %s was made, wrapped by master key %s", name, master_id)


def _legacy_key(conn: psycopg.Connection[Any], ring: KeyRing) -> MasterKey | None:
    """The master key the events of a store from before data keys were encrypted with;
    None for a store without events."""
    found = conn.execute("SELECT to_regclass(%s) IS NOT NULL", (EVENTS,)).fetchone()
    if not found or not found[0]:
        return None
    row = conn.execute(
        SQL("SELECT state FROM {} ORDER BY notification_id DESC LIMIT 1").format(Identifier(EVENTS))
    ).fetchone()
    if row is None:
        return None
    state = bytes(row[0])
    for master in ring.keys:
        try:  # eventsourcing's AESCipher: nonce, tag, ciphertext
            AESGCM(master.key).decrypt(state[:12], state[28:] + state[12:28], None)
        except InvalidTag:
            continue
        log.warning("the store's events were encrypted with master key %s", master.id)
        return master
    raise KeyRingError("none of the configured master keys reads the events already stored")


def rotate(url: str, ring: KeyRing) -> list[WrappedKey]:
    """Wrap every data key not wrapped by the newest master key again with it; the keys
    rewrapped. No event is rewritten: the data keys stay what they were."""
    rewrapped = []
    with psycopg.connect(url) as conn, conn.transaction():
        _create(conn)
        rows = conn.execute(
            SQL("SELECT name, master_key_id, wrapped FROM {} WHERE master_key_id <> %s "
                "FOR UPDATE").format(Identifier(TABLE)),
            (ring.newest.id,),
        ).fetchall()  # fmt: skip
        for name, master_id, wrapped in rows:
            new_id, again = ring.wrap(name, ring.unwrap(name, master_id, bytes(wrapped)))
            updated = conn.execute(
                SQL(
                    "UPDATE {} SET master_key_id = %s, wrapped = %s, wrapped_at = now() "
                    "WHERE name = %s RETURNING name, master_key_id, created_at, wrapped_at"
                ).format(Identifier(TABLE)),
                (new_id, again, name),
            ).fetchone()
            assert updated is not None
            rewrapped.append(WrappedKey(*updated))
    return rewrapped


def listed(url: str) -> list[WrappedKey]:
    with psycopg.connect(url) as conn, conn.transaction():
        _create(conn)
        rows = conn.execute(
            SQL("SELECT name, master_key_id, created_at, wrapped_at FROM {} ORDER BY name").format(
                Identifier(TABLE)
            )
        ).fetchall()
    return [WrappedKey(*row) for row in rows]
