"""The per-borrower, per-loan and per-assessment data keys (personal_fields.py), kept in
`lending_data_keys` wrapped by the master keys, as every data key is (data_keys.py).

A process keeps the keys it used in memory (at most `CACHE` of them) and remembers
which are gone. A key destroyed here is forgotten at once; one destroyed by another
process is forgotten when this process reads that borrower's `Erased` event (its
projections follow the store, so that is soon after). Keys are read and made over one
connection of its own, opened on first use and again after a failure.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any, TypeVar
from uuid import UUID, uuid4

import psycopg

from infrastructure import data_keys
from infrastructure.keyring import KeyRing
from infrastructure.personal_fields import borrower_key, loan_key, loan_keys

CACHE = 20_000
# The environment entry naming a process's PersonalKeys: eventsourcing builds each
# application's mapper from the environment, which holds text only.
PERSONAL_KEYS = "PERSONAL_KEYS"
_REGISTERED: dict[str, PersonalKeys] = {}
T = TypeVar("T")


class PersonalKeys:
    def __init__(self, url: str, ring: KeyRing) -> None:
        self.url = url
        self.ring = ring
        self._lock = threading.Lock()
        self._known: OrderedDict[str, bytes | None] = OrderedDict()
        self._conn: psycopg.Connection[Any] | None = None

    def for_sealing(self, name: str, make: bool) -> bytes | None:
        """The key `name`; if there is none, one made now when `make`, else None. (A
        repayment to an erased borrower's loan, a new fact, gets the loan a new key.)"""
        with self._lock:
            key = self._known.get(name)
            if key is not None:
                return key
            if make:
                key = self._in_transaction(lambda c: data_keys.named_key_in(c, self.ring, name))
            else:
                key = self._reading(lambda c: data_keys.existing_key_in(c, self.ring, name))
            self._remember(name, key)
            return key

    def for_opening(self, name: str) -> bytes | None:
        with self._lock:
            if name in self._known:
                self._known.move_to_end(name)
                return self._known[name]
            key = self._reading(lambda c: data_keys.existing_key_in(c, self.ring, name))
            self._remember(name, key)
            return key

    def prefetch(self, names: list[str]) -> None:
        """Read the keys `names` not yet in memory in one query (a page of work that
        opens many borrowers' fields would otherwise ask for them one by one)."""
        with self._lock:
            wanted = [name for name in dict.fromkeys(names) if name not in self._known]
            if not wanted:
                return
            found = self._reading(lambda c: data_keys.existing_keys_in(c, self.ring, wanted))
            for name, key in found.items():
                self._remember(name, key)

    def prefetch_borrowers(self, borrower_ids: list[UUID]) -> None:
        self.prefetch([borrower_key(borrower_id) for borrower_id in borrower_ids])

    def prefetch_loans(self, loan_ids: list[UUID]) -> None:
        self.prefetch([loan_key(loan_id) for loan_id in loan_ids])

    def forget(self, names: list[str]) -> None:
        """Let go of the keys `names` this process holds (an erasure's event says another
        process destroyed them): the next use reads the store again. One already known
        to be gone stays so, as the erasing process left it: a key row that outlived the
        erasure is then no concern of this process's reads until an approval sent again
        destroys it."""
        with self._lock:
            for name in names:
                if self._known.get(name) is not None:
                    self._known.pop(name)

    def destroy(self, borrower_id: UUID, loan_ids: list[UUID]) -> list[str]:
        """Destroy the borrower's key and its loans' keys: the names of those there were."""
        names = [borrower_key(borrower_id), *(n for loan in loan_ids for n in loan_keys(loan))]
        destroyed = data_keys.destroy(self.url, names)
        with self._lock:
            for name in names:
                self._remember(name, None)
        return destroyed

    def holds(self, borrower_id: UUID) -> bool:
        """Whether the borrower has a data key (those registered before keys have none)."""
        return self.for_opening(borrower_key(borrower_id)) is not None

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def _in_transaction(self, work: Callable[[psycopg.Connection[Any]], T]) -> T:
        return self._reading(lambda conn: _atomically(conn, work))

    def _reading(self, work: Callable[[psycopg.Connection[Any]], T]) -> T:
        """`work` on this process's connection (autocommit: a read is one round trip)."""
        if self._conn is None or self._conn.closed:
            data_keys.create_table(self.url)
            self._conn = psycopg.connect(self.url, autocommit=True)
        try:
            return work(self._conn)
        except psycopg.OperationalError:
            self._conn.close()
            self._conn = None
            raise

    def _remember(self, name: str, key: bytes | None) -> None:
        self._known[name] = key
        self._known.move_to_end(name)
        while len(self._known) > CACHE:
            self._known.popitem(last=False)


def _atomically(conn: psycopg.Connection[Any], work: Callable[[psycopg.Connection[Any]], T]) -> T:
    with conn.transaction():
        return work(conn)


def register(keys: PersonalKeys) -> str:
    """The name an environment gives `keys` by (`PERSONAL_KEYS`)."""
    name = uuid4().hex
    _REGISTERED[name] = keys
    return name


def registered(name: str | None) -> PersonalKeys | None:
    return _REGISTERED.get(name) if name else None


def personal_keys_of(env: Mapping[str, str]) -> PersonalKeys:
    keys = registered(env.get(PERSONAL_KEYS))
    if keys is None:
        raise RuntimeError("the environment names no personal data keys")
    return keys


def unregister(env: Mapping[str, str]) -> None:
    keys = _REGISTERED.pop(env.get(PERSONAL_KEYS) or "", None)
    if keys is not None:
        keys.close()
