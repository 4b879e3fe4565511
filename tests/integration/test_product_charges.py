"""Products with charges, and products revised by versions: REST, store, GraphQL."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient
from psycopg.rows import dict_row

from application.products import (
    DefineProduct,
    ReviseProduct,
    define_product,
    find_product,
    revise_product,
)
from domain.product import ProductTerms
from infrastructure.runtime import Runtime
from tests.support.api import ANALYST, OFFICER, graphql, runtime_of
from tests.support.catalog import ADMIN, micro_12, ok

SERVICE = {"code": "svc", "name": "Service fee", "kind": "disbursement", "percent": "1.5",
           "collection": "deduct"}  # fmt: skip
MONTHLY = {"code": "mgmt", "name": "Account fee", "kind": "installment", "amount": "10"}
VISIT = {"code": "visit", "name": "Field visit", "kind": "specified_due_date",
         "percent": "2", "basis": "outstanding", "min": "50", "max": "500"}  # fmt: skip

CHARGES = """query($code: String!) { product(code: $code) { termsVersion version maxRatePercent
    charges { code name kind amount percent basis min max collection }
    versions { termsVersion recordedBy maxRatePercent charges { code } } } }"""


def terms(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k != "code"}


def test_a_product_keeps_its_charges_and_graphql_shows_them(api: TestClient) -> None:
    written = ok(api.post("/products", json=micro_12(charges=[SERVICE, MONTHLY, VISIT]),
                          headers=ADMIN), 201)  # fmt: skip
    found = graphql(api, CHARGES, ANALYST, {"code": "micro-12"}, written["position"])
    product = found["data"]["product"]
    assert product["charges"] == [
        {"code": "SVC", "name": "Service fee", "kind": "DISBURSEMENT", "amount": None,
         "percent": "1.5", "basis": "PRINCIPAL", "min": None, "max": None,
         "collection": "DEDUCT"},
        {"code": "MGMT", "name": "Account fee", "kind": "INSTALLMENT", "amount": "10.00",
         "percent": None, "basis": None, "min": None, "max": None, "collection": None},
        {"code": "VISIT", "name": "Field visit", "kind": "SPECIFIED_DUE_DATE", "amount": None,
         "percent": "2", "basis": "OUTSTANDING", "min": "50.00", "max": "500.00",
         "collection": None},
    ]  # fmt: skip
    assert (product["termsVersion"], product["version"]) == (1, 1)
    assert [v["charges"] for v in product["versions"]] == [
        [{"code": "SVC"}, {"code": "MGMT"}, {"code": "VISIT"}]
    ]


@pytest.mark.parametrize(
    ("charge", "field"),
    [
        (SERVICE | {"percent": "100.01"}, "charges.0.percent"),
        (SERVICE | {"percent": "0"}, "charges.0.percent"),
        (MONTHLY | {"amount": "-10"}, "charges.0.amount"),
        (MONTHLY | {"amount": "0"}, "charges.0.amount"),
        (MONTHLY | {"amount": "10.001"}, "charges.0.amount"),
        (MONTHLY | {"kind": "yearly"}, "charges.0.kind"),
        (MONTHLY | {"percent": "1"}, "charges.0.amount"),
        (VISIT | {"min": "600"}, "charges.0.min"),
        (VISIT | {"basis": "interest"}, "charges.0.basis"),
        ({k: v for k, v in SERVICE.items() if k != "collection"}, "charges.0.collection"),
        (MONTHLY | {"colour": "green"}, "charges.0.colour"),
    ],
)
def test_a_bad_charge_is_422_naming_its_field(
    api: TestClient, charge: dict[str, Any], field: str
) -> None:
    response = api.post("/products", json=micro_12(charges=[charge]), headers=ADMIN)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert field in [error["field"] for error in response.json()["errors"]]


def test_yen_charges_refuse_decimals_and_codes_are_unique(api: TestClient) -> None:
    yen = micro_12(code="YEN-6", currency="JPY", min_principal="100000",
                   max_principal="900000", late_fee="0")  # fmt: skip
    response = api.post("/products", json=yen | {"charges": [MONTHLY | {"amount": "10.5"}]},
                        headers=ADMIN)  # fmt: skip
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "charges.0.amount"
    twice = [MONTHLY, MONTHLY | {"code": "MGMT", "amount": "20"}]
    response = api.post("/products", json=micro_12(charges=twice), headers=ADMIN)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "charges.1.code"


def test_a_revision_is_the_next_version_and_the_product_reads_as_it(api: TestClient) -> None:
    ok(api.post("/products", json=micro_12(), headers=ADMIN), 201)
    revised = terms(micro_12(max_rate_percent="20", charges=[SERVICE]))
    written = ok(api.post("/products/micro-12/revise", json=revised, headers=ADMIN))
    assert written["version"] == 2
    product = graphql(api, CHARGES, OFFICER, {"code": "MICRO-12"}, written["position"])
    product = product["data"]["product"]
    assert (product["termsVersion"], product["maxRatePercent"]) == (2, "20")
    assert [c["code"] for c in product["charges"]] == ["SVC"]
    assert product["versions"] == [
        {"termsVersion": 1, "recordedBy": "admin.wu", "maxRatePercent": "18.5", "charges": []},
        {"termsVersion": 2, "recordedBy": "admin.wu", "maxRatePercent": "20",
         "charges": [{"code": "SVC"}]},
    ]  # fmt: skip


def test_a_revision_is_refused_when_it_cannot_be_a_new_version(api: TestClient) -> None:
    ok(api.post("/products", json=micro_12(), headers=ADMIN), 201)
    same = terms(micro_12())
    assert api.post("/products/MICRO-12/revise", json=same, headers=ADMIN).status_code == 409
    newer = terms(micro_12(late_fee="60"))
    stale = ADMIN | {"If-Match": "7"}
    assert api.post("/products/MICRO-12/revise", json=newer, headers=stale).status_code == 409
    other = api.post("/products/MICRO-12/revise", json=newer | {"currency": "USD"}, headers=ADMIN)
    assert other.status_code == 422
    assert other.json()["errors"][0]["field"] == "currency"
    bad = api.post("/products/MICRO-12/revise", json=newer | {"charges": [VISIT | {"max": "0"}]},
                   headers=ADMIN)  # fmt: skip
    assert bad.json()["errors"][0]["field"] == "charges.0.max"
    assert api.post("/products/NANO-3/revise", json=newer, headers=ADMIN).status_code == 404
    assert api.post("/products/MICRO-12/revise", json=newer, headers=OFFICER).status_code == 403
    current = ADMIN | {"If-Match": "1"}
    assert api.post("/products/MICRO-12/revise", json=newer, headers=current).status_code == 200


def rows(db_url: str, table: str) -> list[dict[str, Any]]:
    with psycopg.connect(db_url, row_factory=dict_row) as conn:
        return conn.execute(f"SELECT * FROM {table} ORDER BY position").fetchall()


def test_the_read_model_with_versions_equals_a_rebuild(api: TestClient, db_url: str) -> None:
    ok(api.post("/products", json=micro_12(charges=[MONTHLY]), headers=ADMIN), 201)
    revised = terms(micro_12(charges=[MONTHLY, SERVICE]))
    last = ok(api.post("/products/MICRO-12/revise", json=revised, headers=ADMIN))
    projections = runtime_of(api).projections
    projections.wait(last["position"])
    incremental = {t: rows(db_url, t) for t in ("products", "product_versions")}
    assert [len(incremental["products"]), len(incremental["product_versions"])] == [1, 2]
    (product,) = incremental["products"]
    assert (product["terms_version"], product["revised_by"]) == (2, "admin.wu")
    assert [c["code"] for c in product["charges"]] == ["MGMT", "SVC"]
    assert product["charges"][1] == {"code": "SVC", "name": "Service fee",
                                     "kind": "disbursement", "percent": "1.5",
                                     "basis": "principal", "collection": "deduct"}  # fmt: skip
    assert projections.rebuild("products") == last["position"]
    assert {t: rows(db_url, t) for t in incremental} == incremental


def test_a_revised_product_loads_the_same_from_its_snapshot(runtime: Runtime) -> None:
    first = ProductTerms.model_validate(terms(micro_12()))
    written = define_product(runtime.app, DefineProduct("admin.wu", "MICRO-12", first))
    revised = ProductTerms.model_validate(terms(micro_12(charges=[SERVICE])))
    revise_product(runtime.app, ReviseProduct("admin.wu", "micro-12", revised))
    product = find_product(runtime.app, "MICRO-12")
    runtime.app.take_snapshot(written.id)
    assert vars(find_product(runtime.app, "MICRO-12")) == vars(product)
    assert product.terms_of(1).charges == ()
    assert product.terms_of(2).charges[0].code == "SVC"
