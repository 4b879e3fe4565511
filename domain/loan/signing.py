"""Signing the loan contract: the loan records the day and, when the contract was
generated as a document, the SHA-256 of that document and what it was made from.

The document itself is rendered outside the domain (the application hands in its
digest): the record is what lets any later copy be checked. A copy is made again from
the loan as of this event and the borrower at `borrower_version`, in `language`, with
`lender` as the lender's name, so it hashes the same. Events stored before signing
produced a document carry no `contract`.

The event is declared here and bound to `Loan` by eventsourcing (its topic is
`domain.loan.aggregate:Loan.ContractSigned`, as when the loan declared it).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from domain.errors import InvalidValue
from domain.loan.record import LoanRecord
from domain.loan.status import LoanStatus, require
from domain.model import Aggregate, Immutable, added_later

LANGUAGES = ("zh", "en")
_SHA256 = re.compile(r"[0-9a-f]{64}")


class SignedContract(Immutable):
    """The document signed: its SHA-256 (lower-case hex) and what it was made from."""

    sha256: str
    language: str
    lender: str
    borrower_version: int

    def checked(self) -> SignedContract:
        if not _SHA256.fullmatch(self.sha256):
            raise InvalidValue("sha256", "must be 64 lower-case hexadecimal digits")
        if self.language not in LANGUAGES:
            raise InvalidValue("language", f"must be one of: {', '.join(LANGUAGES)}")
        if not self.lender.strip():
            raise InvalidValue("lender", "must not be empty")
        return self


class Signing(LoanRecord):
    class ContractSigned(Aggregate.Event):
        signed_on: date
        contract: SignedContract | None = added_later()

        def apply(self, aggregate: Any) -> None:
            loan: LoanRecord = aggregate
            loan.status = LoanStatus.SIGNED
            loan.signed_on = self.signed_on

    def sign(self, *, actor: str, signed_on: date, contract: SignedContract | None = None) -> None:
        """Sign on `signed_on`; `contract` is the document signed, if one was made."""
        require("sign", self.status)
        self.trigger_event(
            self.ContractSigned,
            actor=actor,
            signed_on=signed_on,
            contract=contract.checked() if contract else None,
        )
