"""The portfolio read model through GraphQL: grouped figures, as-of, rebuild, access."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from infrastructure.tokens import Role
from tests.support.api import (
    ANALYST,
    AUDITOR,
    OFFICER,
    OTHER_OFFICER,
    bearer,
    client,
    graphql,
    runtime_of,
)
from tests.support.catalog import (
    ADMIN,
    APPROVER,
    REVIEWER,
    applied_loan,
    approved,
    disbursed_loan,
    micro_12,
    ok,
    paid_out,
    pay,
)
from tests.support.people import LI_MING_ID, money, tea_shop, wang_fang
from tests.support.settings import suite_settings

PORTFOLIO = """query($groupBy: [PortfolioDimension!], $asOf: Date) {
    portfolio(groupBy: $groupBy, asOf: $asOf) { product region officer borrowerKind
        disbursementMonth loanCount disbursedAmount outstandingPrincipal collectedAmount } }"""
KEYS = {"PRODUCT": "product", "REGION": "region", "OFFICER": "officer",
        "BORROWER_KIND": "borrowerKind", "DISBURSEMENT_MONTH": "disbursementMonth"}  # fmt: skip
AMOUNTS = ("disbursedAmount", "outstandingPrincipal", "collectedAmount")

# Each loan's figures worked out by hand; every rate is 12% a year, 1% a month, so a
# payment on the first due date pays 1% of the principal as interest, the rest principal.
TEA = {"product": "MICRO-12", "region": "Hubei", "officer": "officer.zhang",
       "borrowerKind": "individual", "disbursementMonth": "2026-01",
       "disbursedAmount": "12000.00",
       "outstandingPrincipal": "11053.81",  # 12000 - (1066.19 - 120.00)
       "collectedAmount": "1066.19"}  # the later 500.00 bounced  # fmt: skip
SEASON = {"product": "SEASON-6", "region": "Sichuan", "officer": "officer.zhang",
          "borrowerKind": "individual", "disbursementMonth": "2026-02",
          "disbursedAmount": "6000.00", "outstandingPrincipal": "5560.00",  # 6000 - (500 - 60)
          "collectedAmount": "500.00"}  # fmt: skip
SHOP = {"product": "MICRO-12", "region": "Hunan", "officer": "officer.li",
        "borrowerKind": "business", "disbursementMonth": "2026-03",
        "disbursedAmount": "20000.00", "outstandingPrincipal": "0.00",  # written off
        "collectedAmount": "1000.00"}  # fmt: skip


def submit(api: TestClient, borrower_id: str, principal: str) -> dict[str, Any]:
    body = {"borrower_id": borrower_id, "product_code": "MICRO-12", "principal": principal,
            "term": 12, "frequency": "monthly", "method": "equal_installments",
            "purpose": "shop fittings", "annual_rate_percent": "12"}  # fmt: skip
    return ok(api.post("/loans", json=body, headers=OTHER_OFFICER), 201)


@pytest.fixture(scope="module")
def book_api(module_db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The service over the module's own database, where `book` is told once."""
    with client(suite_settings(module_db_url, tmp_path_factory.mktemp("book"))) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def book(book_api: TestClient) -> int:
    """Three disbursed loans, paid, reversed and written off; two that never paid out.

    Returns the event store position of the last command. The tests only read it
    (a rebuild gives the same tables), so the module shares one telling.
    """
    api = book_api
    tea = disbursed_loan(api, on="2026-01-31")["id"]
    pay(api, tea, "1066.19", "2026-02-28", "TEA-1")
    bounced = pay(api, tea, "500.00", "2026-03-31", "TEA-2")
    reason = {"reason": "bounced"}
    ok(api.post(f"/repayments/{bounced['id']}/reverse", json=reason, headers=OFFICER))

    ok(api.post("/products", json=micro_12(code="SEASON-6", max_term=6), headers=ADMIN), 201)
    li_ming = wang_fang(name="Li Ming", id_number=LI_MING_ID, region="Sichuan")
    season = applied_loan(api, li_ming, product_code="SEASON-6", principal="6000.00", term=6)
    paid_out(api, season, "2026-02-15")
    pay(api, season["id"], "500.00", "2026-03-15", "SEASON-1")

    shop = ok(api.post("/borrowers", json=tea_shop(region="Hunan"), headers=OTHER_OFFICER), 201)
    fittings = paid_out(api, submit(api, shop["id"], "20000.00"), "2026-03-10")["id"]
    pay(api, fittings, "1000.00", "2026-04-10", "SHOP-1")
    # Applied for before the write-off: intake rejects a borrower with a loan written off.
    approved(api, submit(api, shop["id"], "3000.00"))
    refused = submit(api, shop["id"], "4000.00")["id"]
    ok(api.post(f"/loans/{refused}/reject", json={"reason": "enough"}, headers=REVIEWER))
    written_off = {"value_date": "2026-05-10", "reason": "shop closed"}
    last = ok(api.post(f"/loans/{fittings}/write-off", json=written_off, headers=APPROVER))
    return int(last["position"])


def expected(loans: list[dict[str, str]], group_by: list[str]) -> list[dict[str, Any]]:
    """The rows the query should give, summed here in Python."""
    groups: dict[tuple[str, ...], list[dict[str, str]]] = defaultdict(list)
    for loan in loans:
        groups[tuple(loan[KEYS[d]] for d in group_by)].append(loan)
    rows = []
    for key, members in sorted(groups.items()):
        row: dict[str, Any] = dict.fromkeys(KEYS.values())
        row.update({KEYS[d]: value for d, value in zip(group_by, key, strict=True)})
        row["loanCount"] = len(members)
        row.update({a: sum((money(m[a]) for m in members), Decimal(0)) for a in AMOUNTS})
        rows.append(row)
    return rows


def portfolio(
    api: TestClient, headers: dict[str, str] = ANALYST, at: int | None = None, **variables: Any
) -> Any:
    body = graphql(api, PORTFOLIO, headers, variables, min_position=at)
    assert "errors" not in body, body
    return [row | {a: money(row[a]) for a in AMOUNTS} for row in body["data"]["portfolio"]]


@pytest.mark.parametrize(
    "group_by",
    [[], ["PRODUCT"], ["REGION"], ["OFFICER", "BORROWER_KIND"], ["DISBURSEMENT_MONTH"],
     ["PRODUCT", "REGION", "OFFICER", "BORROWER_KIND", "DISBURSEMENT_MONTH"]],
)  # fmt: skip
def test_grouped_figures_add_up(book_api: TestClient, book: int, group_by: list[str]) -> None:
    rows = portfolio(book_api, groupBy=group_by, at=book)
    assert rows == expected([TEA, SEASON, SHOP], group_by)


def test_as_of_is_the_books_at_the_close_of_that_business_date(
    book_api: TestClient, book: int
) -> None:
    api = book_api
    # Every command here was recorded on business date 2030-01-01, whatever its value date.
    rows = portfolio(api, groupBy=["PRODUCT"], asOf="2030-01-01", at=book)
    assert rows == expected([TEA, SEASON, SHOP], ["PRODUCT"])
    (nothing,) = portfolio(api, asOf="2029-12-31")  # still one total row, of zeros
    assert [nothing["loanCount"], *(nothing[a] for a in AMOUNTS)] == [0, 0, 0, 0]


def test_the_table_keeps_status_and_written_off_principal(
    book_api: TestClient, book: int, module_db_url: str
) -> None:
    db_url = module_db_url
    runtime_of(book_api).projections.wait(book)
    with psycopg.connect(db_url) as conn:
        rows = conn.execute(
            "SELECT product_code, status, written_off_principal FROM portfolio_loans "
            "ORDER BY disbursed_on"
        ).fetchall()
    # The shop loan's 1000.00 paid 200.00 interest and 800.00 of its 20000.00 principal.
    assert rows == [
        ("MICRO-12", "active", Decimal("0.00")),
        ("SEASON-6", "active", Decimal("0.00")),
        ("MICRO-12", "written_off", Decimal("19200.00")),
    ]


def test_a_rebuild_equals_the_incremental_tables(
    book_api: TestClient, book: int, module_db_url: str
) -> None:
    db_url = module_db_url
    projections = runtime_of(book_api).projections
    projections.wait(book)
    queries = ("SELECT * FROM portfolio_loans ORDER BY loan_id",
               "SELECT * FROM portfolio_applications ORDER BY loan_id")  # fmt: skip
    with psycopg.connect(db_url) as conn:
        incremental = [conn.execute(q).fetchall() for q in queries]
    assert len(incremental[0]) == 3
    assert len(incremental[1]) == 1  # approved, not yet disbursed
    assert projections.rebuild("portfolio") == book
    with psycopg.connect(db_url) as conn:
        assert [conn.execute(q).fetchall() for q in queries] == incremental


def test_only_analysing_roles_may_read_the_portfolio(api: TestClient) -> None:
    for headers in (ANALYST, ADMIN, AUDITOR, APPROVER, bearer("risk.he", Role.RISK_OFFICER)):
        assert portfolio(api, headers)[0]["loanCount"] == 0
    for headers in (OFFICER, bearer("borrower-1", Role.BORROWER)):
        refused = graphql(api, PORTFOLIO, headers)
        assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
