"""The loan contract as a document: made when the loan is signed, made again on request.

Signing renders the contract (the renderer is the application's `contracts` port) and
records its SHA-256 on the signing event. A copy is rendered again from what was
recorded: the loan as of its signing event (the approved figures, the product's terms
as submitted, the signing date), the borrower at the version the signing used, and the
language and lender's name the signing recorded. The contract's schedule, fees, APR and
effective annual rate are the contract of those figures paid out on the signing date
(`Loan.quote`); the schedule recorded at disbursement governs the money.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from application.app import LendingApplication
from application.history import loan_events
from domain.borrower import Borrower
from domain.errors import InvalidTransition, InvalidValue
from domain.identity import mask
from domain.loan import Loan
from domain.loan.contract import Contract
from domain.loan.signing import LANGUAGES, SignedContract

SIGNED: type[Any] = Loan.ContractSigned


@dataclass(frozen=True)
class ContractDocument:
    """Everything a contract shows, as recorded; `terms` is the contract of the approved
    figures paid out on `signed_on`."""

    loan_id: UUID
    language: str
    lender: str
    borrower_id: UUID
    borrower_name: str
    borrower_id_number: str  # masked: the resident id or credit code's ends
    borrower_kind: str
    product_code: str
    currency: str
    purpose: str
    frequency: str
    method: str
    principal: Decimal
    annual_rate_percent: Decimal
    term: int
    signed_on: date
    terms: Contract


@dataclass(frozen=True)
class ContractCopy:
    """A rendered contract; `recorded_sha256` is the digest the signing recorded (None:
    signed before contracts were rendered)."""

    pdf: bytes
    sha256: str
    recorded_sha256: str | None
    language: str


def checked_language(language: str, field: str = "lang") -> str:
    if language not in LANGUAGES:
        raise InvalidValue(field, f"must be one of: {', '.join(LANGUAGES)}")
    return language


def document_of(
    loan: Loan, borrower: Borrower, signed_on: date, language: str, lender: str
) -> ContractDocument:
    application = loan.application
    return ContractDocument(
        loan_id=loan.id,
        language=language,
        lender=lender,
        borrower_id=borrower.id,
        borrower_name=borrower.profile.name,
        borrower_id_number=mask(borrower.id_number),
        borrower_kind=borrower.kind.value,
        product_code=application.product_code,
        currency=application.product.currency,
        purpose=application.purpose,
        frequency=application.frequency,
        method=application.method,
        principal=loan.principal,
        annual_rate_percent=loan.annual_rate_percent,
        term=loan.term,
        signed_on=signed_on,
        terms=loan.quote(signed_on),
    )


def signed_contract(
    app: LendingApplication, loan: Loan, signed_on: date, language: str
) -> SignedContract | None:
    """The contract `loan` is signed with on `signed_on`, rendered and hashed (None: the
    application has no renderer, so no document is made)."""
    renderer = app.contracts
    if renderer is None:
        return None
    borrower = app.load(Borrower, loan.application.borrower_id, "borrower")
    document = document_of(loan, borrower, signed_on, checked_language(language), renderer.lender)
    pdf = renderer.render(document)
    return SignedContract(
        sha256=hashlib.sha256(pdf).hexdigest(),
        language=language,
        lender=renderer.lender,
        borrower_version=borrower.version,
    )


def contract_copy(
    app: LendingApplication, loan_id: UUID, language: str | None = None
) -> ContractCopy:
    """The loan's contract rendered again from the record, in `language` (None: the one
    signed). NotFound for no loan; InvalidTransition for a loan not signed."""
    renderer = app.contracts
    if renderer is None:
        raise RuntimeError("contracts need a renderer: the runtime passes one")
    events = loan_events(app, loan_id)
    signing = next((e for e in events if isinstance(e, SIGNED)), None)
    if signing is None:
        raise InvalidTransition("give the contract", "the loan has not been signed")
    loan: Loan = app.repository.get(loan_id, version=signing.originator_version)
    recorded: SignedContract | None = signing.contract
    borrower_id = loan.application.borrower_id
    borrower: Borrower = (
        app.repository.get(borrower_id, version=recorded.borrower_version)
        if recorded
        else app.load(Borrower, borrower_id, "borrower")
    )
    signed_language = recorded.language if recorded else LANGUAGES[0]
    language = checked_language(language or signed_language)
    lender = recorded.lender if recorded else renderer.lender
    pdf = renderer.render(document_of(loan, borrower, signing.signed_on, language, lender))
    return ContractCopy(
        pdf=pdf,
        sha256=hashlib.sha256(pdf).hexdigest(),
        recorded_sha256=recorded.sha256 if recorded else None,
        language=language,
    )
