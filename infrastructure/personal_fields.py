"""Personal fields sealed, inside each event, with their owner's own data key.

Every event is encrypted as a whole with the store's data key (eventstore.py). Before
that, the personal fields of a borrower's events and snapshots are sealed one by one
(AES-GCM, bound to the key's name and the field's path) with the borrower's data key,
`borrower:<id>`, and a loan's disbursement account and its repayments' payer names
with the loan's, `loan:<id>`, and the phone and birth date a credit assessment of the
loan used with the assessment's, `assessment:<id>`. All are kept in `lending_data_keys`,
wrapped by the master keys and rotated with them. Erasure destroys them (domain/erasure.py): a field
whose key is gone reads as `[erased]` (a birth date or a lookup digest as null), so
every event still loads, and its bytes in the table are ciphertext nobody can open.

A sealed field is stored as `{"sealed": "<base64 nonce + ciphertext>"}`, in place of
its JSON value; events stored before per-borrower keys hold their fields plain and
load as they were (erasure refuses such a borrower: application/erasure.py).
"""

from __future__ import annotations

import base64
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol
from uuid import UUID

import orjson
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from domain.credit.assessment import assessment_id
from domain.erasure import ERASED

SEALED = "sealed"
NONCE = 12


class SealingKeys(Protocol):
    """Where the sealer gets its data keys (personal_keys.py keeps them)."""

    def for_sealing(self, name: str, make: bool) -> bytes | None: ...  # None: none made

    def for_opening(self, name: str) -> bytes | None: ...  # None: destroyed

    def forget(self, names: list[str]) -> None: ...


def borrower_key(borrower_id: UUID | str) -> str:
    return f"borrower:{borrower_id}"


def loan_key(loan_id: UUID | str) -> str:
    return f"loan:{loan_id}"


def assessment_key(assessment_id: UUID | str) -> str:
    return f"assessment:{assessment_id}"


TEXT, NULLED = ERASED, None
PROFILE = (("name", TEXT), ("phone", TEXT), ("address", TEXT), ("email", TEXT))
BORROWER_FIELDS = (("id_number", TEXT), ("birth_date", NULLED), ("phone_digest", NULLED))


def _prefixed(prefix: str, fields: tuple[tuple[str, Any], ...]) -> tuple[tuple[str, Any], ...]:
    return tuple((f"{prefix}.{path}", erased) for path, erased in fields)


@dataclass(frozen=True)
class Rule:
    """Which fields of one event type are sealed, each with what it reads as once its
    key is destroyed, and the name of the key: from the event's state and its id."""

    fields: tuple[tuple[str, Any], ...]
    key: Callable[[dict[str, Any], UUID | str], str]
    # Whether this event makes the key when there is none. A borrower's key is made only
    # with its registration: the later events of a borrower registered before
    # per-borrower keys stay as its registration is (under the store's key), so such a
    # borrower never looks erasable while its registration holds its fields.
    makes_key: bool = True


def _owner(_: dict[str, Any], originator_id: UUID | str) -> str:
    return borrower_key(originator_id)


def _loan(_: dict[str, Any], originator_id: UUID | str) -> str:
    return loan_key(originator_id)


def _assessment(_: dict[str, Any], originator_id: UUID | str) -> str:
    return assessment_key(originator_id)


def _paid_loan(state: dict[str, Any], _: UUID | str) -> str:
    receipt = state.get("receipt") or state.get("state", {}).get("receipt") or {}
    return loan_key(receipt["loan_id"])


RULES: dict[str, Rule] = {
    "domain.borrower:Borrower.Registered": Rule(
        (*BORROWER_FIELDS, *_prefixed("profile", PROFILE)), _owner
    ),
    "domain.borrower:Borrower.Updated": Rule(
        (("phone_digest", NULLED), *_prefixed("profile", PROFILE)), _owner, makes_key=False
    ),
    "domain.borrower:Borrower.Snapshot": Rule(
        (*_prefixed("state", BORROWER_FIELDS), *_prefixed("state.profile", PROFILE)),
        _owner,
        makes_key=False,
    ),
    "domain.loan.aggregate:Loan.Disbursed": Rule((("disbursement.account", TEXT),), _loan),
    "domain.loan.aggregate:Loan.Snapshot": Rule((("state.disbursement.account", TEXT),), _loan),
    "domain.repayment:Repayment.Received": Rule((("receipt.payer", TEXT),), _paid_loan),
    "domain.repayment:Repayment.Snapshot": Rule((("state.receipt.payer", TEXT),), _paid_loan),
    "domain.credit.assessment:CreditAssessment.Started": Rule(
        (("phone", TEXT), ("phone_digest", NULLED)), _assessment
    ),
    "domain.credit.assessment:CreditAssessment.CheckRecorded": Rule(
        (("check.inputs.birth_date", TEXT),), _assessment
    ),
}
ERASURE_TOPIC = "domain.borrower:Borrower.Erased"


class FieldSealer:
    """Seals the personal fields of the events `RULES` names, and opens them."""

    def __init__(self, keys: SealingKeys) -> None:
        self.keys = keys

    def seal(self, topic: str, originator_id: UUID, state: dict[str, Any]) -> dict[str, Any]:
        rule = RULES.get(topic)
        if rule is None:
            return state
        name = rule.key(state, originator_id)
        cipher: AESGCM | None = None
        for path, erased in rule.fields:
            parent, field = _locate(state, path)
            if parent is None or parent.get(field) is None or parent[field] == erased:
                continue  # nothing to seal, or an erased borrower's marker
            if cipher is None:
                key = self.keys.for_sealing(name, rule.makes_key)
                if key is None:
                    return state  # a borrower from before per-borrower keys
                cipher = AESGCM(key)
            nonce = os.urandom(NONCE)
            sealed = cipher.encrypt(nonce, orjson.dumps(parent[field]), _bound(name, path))
            parent[field] = {SEALED: base64.b64encode(nonce + sealed).decode()}
        return state

    def open(self, topic: str, originator_id: UUID | str, state: dict[str, Any]) -> dict[str, Any]:
        if topic == ERASURE_TOPIC:  # another process destroyed these keys
            self.keys.forget([borrower_key(originator_id), *_loan_keys(state)])
        rule = RULES.get(topic)
        if rule is None:
            return state
        name: str | None = None
        cipher: AESGCM | None = None
        for path, erased in rule.fields:
            parent, field = _locate(state, path)
            value = None if parent is None else parent.get(field)
            if not is_sealed(value):
                continue  # plain: stored before per-borrower keys
            assert parent is not None
            assert isinstance(value, dict)
            if name is None:
                name = rule.key(state, originator_id)
                key = self.keys.for_opening(name)
                cipher = None if key is None else AESGCM(key)
            if cipher is None:
                parent[field] = erased
                continue
            raw = base64.b64decode(value[SEALED])
            parent[field] = orjson.loads(
                cipher.decrypt(raw[:NONCE], raw[NONCE:], _bound(name, path))
            )
        return state


def _loan_keys(state: dict[str, Any]) -> list[str]:
    return [name for loan_id in state.get("loan_ids") or () for name in loan_keys(loan_id)]


def loan_keys(loan_id: UUID | str) -> list[str]:
    """The keys a loan's personal fields are sealed with: its own and its assessment's."""
    return [loan_key(loan_id), assessment_key(assessment_id(UUID(str(loan_id))))]


def _locate(state: dict[str, Any], path: str) -> tuple[dict[str, Any] | None, str]:
    *parents, field = path.split(".")
    node: Any = state
    for part in parents:
        node = node.get(part) if isinstance(node, dict) else None
    return (node if isinstance(node, dict) else None), field


def _bound(name: str, path: str) -> bytes:
    return f"{name}|{path}".encode()


def is_sealed(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {SEALED}
