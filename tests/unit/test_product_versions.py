"""A product's terms change by versions, and its charges are checked with the terms."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.charges import Charge, ChargeBasis, ChargeKind, Collection
from domain.errors import Conflict, InvalidValue
from domain.product import LoanProduct
from tests.unit.test_product import micro_12, micro_terms

SERVICE = Charge(code="svc", name="Service fee", kind="disbursement", percent=Decimal("1.5"),
                 collection="deduct")  # fmt: skip
MONTHLY = Charge(code="mgmt", name="Account fee", kind="installment", amount=Decimal(10))


def test_a_product_holds_its_checked_charges() -> None:
    product = micro_12(charges=(SERVICE, MONTHLY))
    service, monthly = product.terms.charges
    assert (service.code, service.kind, service.basis, service.collection) == (
        "SVC", ChargeKind.DISBURSEMENT, ChargeBasis.PRINCIPAL, Collection.DEDUCT,
    )  # fmt: skip
    assert str(monthly.amount) == "10.00"
    assert micro_12().terms.charges == ()


def test_a_charge_breaking_a_rule_refuses_the_product() -> None:
    over = SERVICE.model_copy(update={"percent": Decimal(120)})
    with pytest.raises(InvalidValue) as refused:
        micro_12(charges=(MONTHLY, over))
    assert refused.value.field == "charges.1.percent"


def test_a_revision_is_the_next_version_and_the_earlier_ones_stay() -> None:
    product = micro_12()
    assert (product.terms_version, len(product.versions)) == (1, 1)
    first = product.terms
    product.revise(actor="admin.li", terms=micro_terms(charges=(SERVICE,)))
    product.revise(actor="admin.li", terms=micro_terms(max_rate_percent=Decimal(20)))
    assert product.terms_version == 3
    assert product.terms.max_rate_percent == 20
    assert product.terms_of(1) == first
    assert product.terms_of(2).charges[0].code == "SVC"
    assert product.terms_of(3) == product.terms
    _defined, *revised = product.collect_events()
    assert [(e.terms_version, e.actor) for e in revised] == [(2, "admin.li"), (3, "admin.li")]
    with pytest.raises(InvalidValue):
        product.terms_of(4)


def test_a_revision_keeps_the_currency_and_changes_something() -> None:
    product = micro_12()
    with pytest.raises(InvalidValue) as refused:
        product.revise(actor="admin.li", terms=micro_terms(currency="USD"))
    assert refused.value.field == "currency"
    with pytest.raises(Conflict):
        product.revise(actor="admin.li", terms=micro_terms())
    with pytest.raises(InvalidValue) as refused:
        product.revise(actor="admin.li", terms=micro_terms(min_term=24))
    assert refused.value.field == "min_term"
    assert product.terms_version == 1


def test_a_revision_is_checked_like_a_definition() -> None:
    product = LoanProduct.define(actor="admin.wu", code="nano", terms=micro_terms())
    product.revise(actor="admin.wu", terms=micro_terms(name="  Nano loan  "))
    assert product.terms.name == "Nano loan"


def test_a_snapshot_keeps_the_versions_and_one_from_before_versions_has_one() -> None:
    product = micro_12()
    product.revise(actor="admin.li", terms=micro_terms(charges=(MONTHLY,)))
    again = LoanProduct.Snapshot.take(product).mutate(None)
    assert isinstance(again, LoanProduct)
    assert (again.terms_version, again.versions) == (2, product.versions)
    # A snapshot taken before products had versions: its one set of terms is version 1.
    snapshot = LoanProduct.Snapshot.take(micro_12())
    state = snapshot.state.model_dump(exclude={"terms_version", "versions"})
    old = LoanProduct.Snapshot(**(snapshot.model_dump() | {"state": state}))
    loaded = old.mutate(None)
    assert isinstance(loaded, LoanProduct)
    assert (loaded.terms_version, loaded.versions) == (1, (loaded.terms,))
