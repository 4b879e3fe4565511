"""The schedule and penalty terms a loan's contract takes from its product."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import uuid4

from domain.ledger import PenaltyRateBasis
from domain.loan.accounting import LedgerBasis, penalty_terms
from domain.loan.contract import contract_books
from domain.loan.records import LoanRequest, contract_terms
from domain.product import ProductTerms
from domain.schedule import Method, OddPeriodInterest
from tests.unit.test_product import micro_terms


def application(method: Method = Method.EQUAL_INSTALLMENTS, **product: Any) -> LoanRequest:
    return LoanRequest(
        borrower_id=uuid4(),
        borrower_kind="individual",
        region="Yunnan",
        officer="officer.li",
        product_id=uuid4(),
        product_code="MICRO-12",
        minor_unit=2,
        product=micro_terms(**product).checked(),
        principal=Decimal("12000.00"),
        term=12,
        frequency="monthly",
        method=method.value,
        annual_rate_percent=Decimal("12"),
        purpose="buy tea seedlings",
    )


def terms_of(app: LoanRequest) -> Any:
    return contract_terms(app, app.principal, app.annual_rate_percent, app.term, date(2026, 1, 15))


def test_the_products_multiple_rounds_a_level_installment() -> None:
    terms = terms_of(application(installment_multiple=Decimal("10")))
    assert terms.installment_multiple == Decimal("10")


def test_a_method_without_a_level_installment_takes_no_multiple() -> None:
    # The product offers equal_principal beside the annuity; its loans have no level
    # installment to round, so the contract carries no multiple (which would be refused).
    terms = terms_of(application(Method.EQUAL_PRINCIPAL, installment_multiple=Decimal("10")))
    assert terms.installment_multiple is None


def test_the_products_odd_period_rule_reaches_the_contract() -> None:
    assert terms_of(application()).odd_period_interest == OddPeriodInterest.BY_DAYS
    whole = application(odd_period_interest=OddPeriodInterest.WHOLE_PERIOD)
    assert terms_of(whole).odd_period_interest == OddPeriodInterest.WHOLE_PERIOD


def test_the_products_penalty_rate_basis_reaches_the_books() -> None:
    assert penalty_terms(micro_terms().checked()).rate_basis == PenaltyRateBasis.ANNUAL
    daily = micro_terms(penalty_rate_basis=PenaltyRateBasis.DAILY).checked()
    assert penalty_terms(daily).rate_basis == PenaltyRateBasis.DAILY
    stored = daily.model_dump(mode="json")
    del stored["penalty_rate_basis"]
    assert ProductTerms.model_validate(stored).penalty_rate_basis == PenaltyRateBasis.ANNUAL


def test_penalty_terms_stored_before_the_basis_load_as_annual() -> None:
    app = application()
    books = contract_books(app, app.principal, app.annual_rate_percent, 12, date(2026, 1, 15))
    data = books.model_dump(mode="json")
    del data["penalties"]["rate_basis"]
    assert LedgerBasis.model_validate(data).penalties == books.penalties
