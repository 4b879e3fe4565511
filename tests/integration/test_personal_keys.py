"""A process's data keys on a real store: once it has destroyed a borrower's key, reading
the erasure's event (its follower may read it after the key is gone) keeps the key
known as gone, so a key row that outlived the erasure is not read back."""

from __future__ import annotations

from uuid import UUID

import psycopg

from infrastructure.keyring import KeyRing
from infrastructure.personal_fields import borrower_key
from infrastructure.personal_keys import PersonalKeys
from tests.support.settings import TEST_CIPHER_KEY

BORROWER = UUID("00000000-0000-4000-8000-0000000000c1")
OTHER_BORROWER = UUID("00000000-0000-4000-8000-0000000000c2")
NAME = borrower_key(BORROWER)


def outlived(db_url: str) -> None:
    """A key row left behind (here one no master key opens, so reading it would fail)."""
    with psycopg.connect(db_url) as conn:
        conn.execute(
            "INSERT INTO lending_data_keys (name, master_key_id, wrapped) VALUES (%s, 'default',"
            " '\\x00') ON CONFLICT (name) DO NOTHING",
            (NAME,),
        )


def test_a_key_destroyed_here_stays_gone_after_the_erasure_is_read(db_url: str) -> None:
    keys = PersonalKeys(db_url, KeyRing.single(TEST_CIPHER_KEY))
    try:
        assert keys.for_sealing(NAME, make=True) is not None
        keys.destroy(BORROWER, [])
        keys.forget([NAME])  # the follower reads the erasure after the key went
        outlived(db_url)
        assert keys.for_opening(NAME) is None
    finally:
        keys.close()


def test_a_key_held_here_is_read_again_after_another_process_erased_it(db_url: str) -> None:
    name = borrower_key(OTHER_BORROWER)
    keys = PersonalKeys(db_url, KeyRing.single(TEST_CIPHER_KEY))
    other = PersonalKeys(db_url, KeyRing.single(TEST_CIPHER_KEY))
    try:
        assert keys.for_sealing(name, make=True) is not None
        other.destroy(OTHER_BORROWER, [])
        assert keys.for_opening(name) is not None  # held from before: not read again
        keys.forget([name])  # this process reads the erasure
        assert keys.for_opening(name) is None
    finally:
        keys.close()
        other.close()
