"""The per-borrower and per-loan data keys (personal_fields.py), kept in
`lending_data_keys` wrapped by the master keys, as every data key is (data_keys.py).

A process keeps the keys it used in memory (at most `CACHE` of them) and remembers
which are gone. A key destroyed here is forgotten at once; one destroyed by another
process is forgotten when this process reads that borrower's `Erased` event (its
projections follow the store, so that is soon after).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from uuid import UUID, uuid4

from infrastructure import data_keys
from infrastructure.keyring import KeyRing
from infrastructure.personal_fields import borrower_key, loan_keys

CACHE = 20_000
# The environment entry naming a process's PersonalKeys: eventsourcing builds each
# application's mapper from the environment, which holds text only.
PERSONAL_KEYS = "PERSONAL_KEYS"
_REGISTERED: dict[str, PersonalKeys] = {}


class PersonalKeys:
    def __init__(self, url: str, ring: KeyRing) -> None:
        self.url = url
        self.ring = ring
        self._lock = threading.Lock()
        self._known: OrderedDict[str, bytes | None] = OrderedDict()

    def for_sealing(self, name: str) -> bytes:
        """The key `name`, made on first use."""
        key = self._cached(name)
        if key is None:
            key = data_keys.named_key(self.url, self.ring, name)
            self._remember(name, key)
        return key

    def for_opening(self, name: str) -> bytes | None:
        with self._lock:
            if name in self._known:
                self._known.move_to_end(name)
                return self._known[name]
        key = data_keys.existing_key(self.url, self.ring, name)
        self._remember(name, key)
        return key

    def forget(self, names: list[str]) -> None:
        with self._lock:
            for name in names:
                self._known.pop(name, None)

    def destroy(self, borrower_id: UUID, loan_ids: list[UUID]) -> list[str]:
        """Destroy the borrower's key and its loans' keys: the names of those there were."""
        names = [borrower_key(borrower_id), *(n for loan in loan_ids for n in loan_keys(loan))]
        destroyed = data_keys.destroy(self.url, names)
        with self._lock:
            for name in names:
                self._known[name] = None
                self._known.move_to_end(name)
        return destroyed

    def holds(self, borrower_id: UUID) -> bool:
        """Whether the borrower has a data key (those registered before keys have none)."""
        return self.for_opening(borrower_key(borrower_id)) is not None

    def _cached(self, name: str) -> bytes | None:
        with self._lock:
            key = self._known.get(name)
            if key is not None:
                self._known.move_to_end(name)
            return key

    def _remember(self, name: str, key: bytes | None) -> None:
        with self._lock:
            self._known[name] = key
            self._known.move_to_end(name)
            while len(self._known) > CACHE:
                self._known.popitem(last=False)


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
    _REGISTERED.pop(env.get(PERSONAL_KEYS) or "", None)
