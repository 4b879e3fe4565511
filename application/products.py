"""Loan product use cases: define a product (unique code), revise its terms (a new
version) and find one by its code."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from application.accounting import accounts_for
from application.app import LendingApplication, Written, check_version
from application.notice_templates import check_policy
from domain.claims import Claim
from domain.errors import Conflict, DuplicateProductCode, NotFound
from domain.product import LoanProduct, ProductTerms, checked_code, normalize_code

CLAIM_KIND = "product_code"


@dataclass(frozen=True)
class DefineProduct:
    actor: str
    code: str
    terms: ProductTerms
    product_id: UUID | None = None


def define_product(app: LendingApplication, command: DefineProduct) -> Written:
    code = checked_code(command.code)
    check_policy(command.terms.notifications)
    claim_id = app.claim_id(CLAIM_KIND, code)
    _refuse_claimed(app, claim_id, code)
    product = LoanProduct.define(
        actor=command.actor, code=code, terms=command.terms, product_id=command.product_id
    )
    claim = Claim.make(claim_id=claim_id, owner_id=product.id, actor=command.actor)
    # The rule's accounts must be open; a new store opens its chart with its first product.
    chart = accounts_for(app, product.terms.accounting, command.actor)
    try:
        return app.save_all(product, claim, *chart)
    except IntegrityError:
        # Either a concurrent definition took the code first, or this product id exists.
        _refuse_claimed(app, claim_id, code)
        raise Conflict(f"product {product.id} is already defined") from None


@dataclass(frozen=True)
class ReviseProduct:
    actor: str
    code: str
    terms: ProductTerms
    expected_version: int | None = None


def revise_product(app: LendingApplication, command: ReviseProduct) -> Written:
    """Record the product's next version of its terms; loans already made keep theirs."""

    check_policy(command.terms.notifications)

    def attempt() -> Written:
        product = find_product(app, command.code)
        check_version(product, command.expected_version)
        product.revise(actor=command.actor, terms=command.terms)
        chart = accounts_for(app, product.terms.accounting, command.actor)
        return app.save_all(product, *chart)

    return app.retrying(attempt)


def find_product(app: LendingApplication, code: str) -> LoanProduct:
    claim_id = app.claim_id(CLAIM_KIND, normalize_code(code))
    if not app.exists(claim_id):
        raise NotFound("product", code)
    claim = app.load(Claim, claim_id, "product")
    return app.load(LoanProduct, claim.owner_id, "product")


def _refuse_claimed(app: LendingApplication, claim_id: UUID, code: str) -> None:
    if app.exists(claim_id):
        claim = app.load(Claim, claim_id, "claim")
        raise DuplicateProductCode(code, claim.owner_id)
