"""Master key rotation: rotate, remove the old key, and read everything.

The events are encrypted with the store's data key; the master keys only wrap it.
`lending keys rotate` wraps it again with the newest master key, so the old one can
leave the settings while every event stays as it was written.
"""

from __future__ import annotations

import base64
import os
from uuid import UUID

import psycopg
import pytest

from application.borrowers import RegisterBorrower, register_borrower
from domain.errors import DuplicateIdNumber
from domain.loan import Loan
from infrastructure import audit
from infrastructure.keyring import KeyRingError
from infrastructure.runtime import Runtime
from infrastructure.settings import Settings
from tests.support.cli import invoke
from tests.support.old_store import FIXTURE, restore
from tests.support.portfolio import DISBURSED_ON, disbursed_loans, pay
from tests.support.processes import lending_env
from tests.support.settings import TEST_CIPHER_KEY

NEW_KEY = base64.b64encode(os.urandom(32)).decode()


def rotated(settings: Settings) -> Settings:
    """LENDING_CIPHER_KEY kept, and a newer key listed in LENDING_CIPHER_KEYS: rotate."""
    env = lending_env(settings, LENDING_CIPHER_KEYS=f"2026:{NEW_KEY}")
    done = invoke("keys", "rotate", env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "every data key is wrapped by master key 2026" in done.stdout.replace("\n", " ")
    listed = invoke("keys", "list", env=env)
    assert "store" in listed.stdout
    return only_the_new_key(settings)


def only_the_new_key(settings: Settings) -> Settings:
    return settings.model_copy(update={"cipher_key": None, "cipher_keys": f"2026:{NEW_KEY}"})


def stored_states(url: str) -> list[bytes]:
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT state FROM lending_events ORDER BY notification_id")
        return [bytes(state) for (state,) in rows.fetchall()]


def test_rotate_remove_the_old_key_and_read_everything(settings: Settings) -> None:
    url = settings.database_url or ""
    runtime = Runtime.open(settings)
    try:
        first, second = disbursed_loans(runtime.app, 2)
        pay(runtime.app, first, "300.00", DISBURSED_ON, "ROTATE-1")
        before = runtime.app.load(Loan, first, "loan")
    finally:
        runtime.close()
    states = stored_states(url)

    with pytest.raises(KeyRingError, match="'default' is not among the configured"):
        Runtime.open(only_the_new_key(settings))  # removed before rotating: refused

    runtime = Runtime.open(rotated(settings))
    try:
        after = runtime.app.load(Loan, first, "loan")
        assert after.version == before.version
        assert vars(after) == vars(before)
        assert runtime.app.load(Loan, second, "loan").id == second
        for name in runtime.projections.views:
            assert runtime.projections.rebuild(name) == runtime.projections.head()
        assert stored_states(url) == states  # nothing was rewritten
        pay(runtime.app, second, "100.00", DISBURSED_ON, "ROTATE-2")
        assert audit.verify(runtime.app).breaks == []
    finally:
        runtime.close()


def test_a_store_encrypted_with_the_master_key_itself_rotates_too(settings: Settings) -> None:
    """Before data keys, the events were encrypted with LENDING_CIPHER_KEY itself: that
    key becomes the store's data key, so it can still be rotated out."""
    Runtime.open(settings).close()  # today's tables, empty
    restore(settings.database_url or "", FIXTURE)
    assert settings.cipher_key == TEST_CIPHER_KEY
    Runtime.open(settings).close()  # the key and the chain begin
    runtime = Runtime.open(rotated(settings))
    try:
        runtime.projections.start()
        runtime.projections.wait(runtime.projections.head(), timeout=300)
        loans = [s.name for s in runtime.projections.status()]
        assert "loan_books" in loans
        assert audit.verify(runtime.app).breaks == []
        for name in ("loans", "loan_books"):
            assert runtime.projections.rebuild(name) == runtime.projections.head()
        # The claims it made before are found: an id number stays its borrower's.
        (registered,) = [
            e for e in runtime.app.events_of(a_borrower(settings)) if e.originator_version == 1
        ]
        again = RegisterBorrower("officer.zhang", registered.kind, registered.id_number,
                                 registered.profile)  # fmt: skip
        with pytest.raises(DuplicateIdNumber):
            register_borrower(runtime.app, again)
    finally:
        runtime.close()


def a_borrower(settings: Settings) -> UUID:
    with psycopg.connect(settings.database_url or "") as conn:
        row = conn.execute("SELECT id FROM borrowers ORDER BY id LIMIT 1").fetchone()
    assert row is not None
    return UUID(str(row[0]))
