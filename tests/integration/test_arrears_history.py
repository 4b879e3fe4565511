"""Arrears and the portfolio as of past business dates, from the `arrears_history` read model.

Three loans of 12,000.00, 12,000.00 and 3,000.00 at 1% a month, disbursed on 31 January
on a product without late fees or penalty; close of business runs to 2 June. Hubei's loan
pays nothing until a payment recorded on 1 June, backdated to 15 March; Sichuan's pays
its first two installments on their due dates; Hunan's is paid off on 28 February. The
expected figures are worked out here from the schedule, by hand (see `SCHEDULE`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient
from psycopg.rows import dict_row

from domain.arrears import bucket_of, classify, dpd_since
from tests.support.api import ANALYST, client, graphql, runtime_of
from tests.support.catalog import ADMIN, applied_loan, cob, micro_12, ok, paid_out, pay
from tests.support.people import LI_MING_ID, resident_id, wang_fang
from tests.support.settings import opened_on

ZERO = Decimal("0.00")
# 12,000.00 over 12 months at 1% a month: (due date, principal, interest); 1,066.19 each.
SCHEDULE = [
    (date(2026, 2, 28), Decimal("946.19"), Decimal("120.00")),
    (date(2026, 3, 31), Decimal("955.65"), Decimal("110.54")),
    (date(2026, 4, 30), Decimal("965.21"), Decimal("100.98")),
    (date(2026, 5, 31), Decimal("974.86"), Decimal("91.33")),
    (date(2026, 6, 30), Decimal("984.61"), Decimal("81.58")),
]
BUCKETS = ((181, "DPD_OVER_180"), (91, "DPD_91_180"), (61, "DPD_61_90"), (31, "DPD_31_60"),
           (1, "DPD_1_30"), (0, "CURRENT"))  # fmt: skip
TIERS = ((361, "LOSS"), (181, "DOUBTFUL"), (91, "SUBSTANDARD"), (1, "SPECIAL_MENTION"),
         (0, "NORMAL"))  # fmt: skip
TIER_ORDER = ["NORMAL", "SPECIAL_MENTION", "SUBSTANDARD", "DOUBTFUL", "LOSS"]


@dataclass(frozen=True)
class Expected:
    """A loan as the test knows it: installments paid, by the business date recorded."""

    region: str
    principal: Decimal
    paid: tuple[date, ...] = ()  # each pays the next installment in full
    closed_on: date | None = None  # paid off that day (the Hunan loan only)

    def state(self, on: date) -> dict[str, Any]:
        count = sum(1 for day in self.paid if day <= on)
        closed = self.closed_on is not None and self.closed_on <= on
        # The Hunan loan owes nothing before its first due date, when it is paid off.
        unpaid = [] if self.closed_on else SCHEDULE[count:]
        oldest = unpaid[0][0] if unpaid else None
        dpd = max(0, (on - oldest).days) if oldest else 0
        overdue = [item for item in unpaid if item[0] < on]
        repaid = sum((p for _, p, _ in SCHEDULE[:count]), ZERO)
        return {
            "active": not closed,
            "dpd": dpd,
            "bucket": next(name for floor, name in BUCKETS if dpd >= floor),
            "classification": next(name for floor, name in TIERS if dpd >= floor),
            "overduePrincipal": sum((p for _, p, _ in overdue), Decimal(0)),
            "overdueInterest": sum((i for _, _, i in overdue), Decimal(0)),
            "outstanding": ZERO if closed else self.principal - repaid,
            "collected": PAYOFF_HUNAN if closed else Decimal("1066.19") * count,
        }


PAYOFF_HUNAN = Decimal("3030.00")  # installment 1 (236.55 + 30.00) and 2,763.45 principal
HUBEI = Expected("Hubei", Decimal("12000.00"), paid=(date(2026, 6, 1),))
SICHUAN = Expected("Sichuan", Decimal("12000.00"), paid=(date(2026, 2, 28), date(2026, 3, 31)))
HUNAN = Expected("Hunan", Decimal("3000.00"), closed_on=date(2026, 2, 28))
LOANS = (HUBEI, SICHUAN, HUNAN)  # in disbursement order

ARREARS = """query($asOf: Date) { arrears(asOf: $asOf) { nodes { loan { region }
    daysPastDue bucket classification overduePrincipal overdueInterest overdueFees
    overduePenalty } } }"""
PORTFOLIO = """query($groupBy: [PortfolioDimension!], $asOf: Date) {
    portfolio(groupBy: $groupBy, asOf: $asOf) { region classification loanCount
        disbursedAmount outstandingPrincipal collectedAmount par30 par90 nplRatio } }"""
AMOUNTS = ("disbursedAmount", "outstandingPrincipal", "collectedAmount", "par30", "par90",
           "nplRatio")  # fmt: skip


HUNAN_ID = resident_id("43010219880808003")


def borrower(name: str, id_number: str, region: str, n: int) -> dict[str, Any]:
    """Someone else: their own number, phone and address, so no assessment flag is raised."""
    return wang_fang(name=name, id_number=id_number, region=region, phone=f"1390013900{n}",
                     address=f"{n} River Road, {region}")  # fmt: skip


def disbursed(api: TestClient, borrower: dict[str, Any], principal: str) -> str:
    loan = applied_loan(api, borrower, product_code="PLAIN-12", principal=principal)
    paid_out(api, loan, "2026-01-31", reference=f"D-{loan['id'][:8]}")
    return str(loan["id"])


@pytest.fixture(scope="module")
def books(
    module_db_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[TestClient, int]]:
    """The three loans' story up to business date 2 June; yields the last position.

    Told once for the module: its tests only read it (a rebuild gives the same tables).
    """
    settings = opened_on(module_db_url, tmp_path_factory.mktemp("books"), date(2026, 1, 1))
    with client(settings) as api:
        plain = micro_12(code="PLAIN-12", late_fee="0", penalty_rate_percent="0")
        ok(api.post("/products", json=plain, headers=ADMIN), 201)
        cob(api, date(2026, 1, 31))
        hubei = disbursed(api, wang_fang(), "12000.00")
        sichuan = disbursed(api, borrower("Li Ming", LI_MING_ID, "Sichuan", 1), "12000.00")
        hunan = disbursed(api, borrower("Zhao Lei", HUNAN_ID, "Hunan", 2), "3000.00")
        cob(api, date(2026, 2, 28))
        pay(api, sichuan, "1066.19", "2026-02-28", "SICHUAN-1")
        payoff = graphql(api, f'{{ loan(id: "{hunan}") {{ payoffAmount }} }}', ANALYST)
        assert payoff["data"]["loan"]["payoffAmount"] == str(PAYOFF_HUNAN)
        pay(api, hunan, str(PAYOFF_HUNAN), "2026-02-28", "HUNAN-1")
        cob(api, date(2026, 3, 31))
        pay(api, sichuan, "1066.19", "2026-03-31", "SICHUAN-2")
        cob(api, date(2026, 6, 1))
        pay(api, hubei, "1066.19", "2026-03-15", "HUBEI-LATE")  # backdated
        yield api, int(cob(api, date(2026, 6, 2))["position"])


def arrears_on(api: TestClient, at: int, on: date) -> list[dict[str, Any]]:
    body = graphql(api, ARREARS, ANALYST, {"asOf": str(on)}, min_position=at)
    assert "errors" not in body, body
    return [
        row | {"loan": row["loan"]["region"]}
        | {k: Decimal(row[k]) for k in row if k.startswith("overdue")}
        for row in body["data"]["arrears"]["nodes"]
    ]  # fmt: skip


def expected_arrears(on: date) -> list[dict[str, Any]]:
    rows = []
    for loan in LOANS:
        state = loan.state(on)
        if state["active"]:
            rows.append({
                "loan": loan.region, "daysPastDue": state["dpd"], "bucket": state["bucket"],
                "classification": state["classification"],
                "overduePrincipal": state["overduePrincipal"],
                "overdueInterest": state["overdueInterest"],
                "overdueFees": Decimal(0), "overduePenalty": Decimal(0),
            })  # fmt: skip
    return rows


PAST = [date(2026, 2, 27), date(2026, 2, 28), date(2026, 3, 1), date(2026, 3, 31),
        date(2026, 5, 30), date(2026, 5, 31), date(2026, 6, 1)]  # fmt: skip


def test_arrears_as_of_past_business_dates(books: tuple[TestClient, int]) -> None:
    api, at = books
    for on in PAST:
        assert arrears_on(api, at, on) == expected_arrears(on), on
    # As recorded: the payment backdated to 15 March was recorded on 1 June.
    (hubei, _) = arrears_on(api, at, date(2026, 5, 31))
    assert (hubei["daysPastDue"], hubei["classification"]) == (92, "SUBSTANDARD")
    assert hubei["overduePrincipal"] == Decimal("2867.05")  # 946.19 + 955.65 + 965.21
    (hubei, _) = arrears_on(api, at, date(2026, 6, 1))
    assert (hubei["daysPastDue"], hubei["bucket"]) == (62, "DPD_61_90")
    assert arrears_on(api, at, date(2026, 1, 30)) == []  # nothing was lent yet


def test_arrears_past_and_current_dates_agree_on_the_business_date(
    books: tuple[TestClient, int],
) -> None:
    api, at = books
    current = graphql(api, ARREARS, ANALYST, {}, min_position=at)["data"]["arrears"]["nodes"]
    assert arrears_on(api, at, date(2026, 6, 2)) == expected_arrears(date(2026, 6, 2))
    assert [row["daysPastDue"] for row in current] == [63, 33]
    assert [row["classification"] for row in current] == ["SPECIAL_MENTION"] * 2


def ratio(part: Decimal, total: Decimal) -> Decimal:
    if total == 0:
        return Decimal("0.0000")
    return (part / total).quantize(Decimal("0.0001"), rounding=ROUND_HALF_EVEN)


def expected_portfolio(on: date, keys: tuple[str, ...]) -> list[dict[str, Any]]:
    groups: dict[tuple[str, ...], list[tuple[Expected, dict[str, Any]]]] = {}
    for loan in LOANS:
        state = loan.state(on)
        found = {"region": loan.region, "classification": state["classification"]}
        groups.setdefault(tuple(found[k] for k in keys), []).append((loan, state))

    def in_order(key: tuple[str, ...]) -> list[Any]:
        return [TIER_ORDER.index(v) if k == "classification" else v
                for k, v in zip(keys, key, strict=True)]  # fmt: skip

    return [summed(dict(zip(keys, key, strict=True)), groups[key])
            for key in sorted(groups, key=in_order)]  # fmt: skip


def summed(
    dimensions: dict[str, str], members: list[tuple[Expected, dict[str, Any]]]
) -> dict[str, Any]:
    states = [state for _, state in members]
    total = sum((s["outstanding"] for s in states), Decimal(0))

    def share(past: int) -> Decimal:
        return ratio(sum((s["outstanding"] for s in states if s["dpd"] > past), ZERO), total)

    return {"region": None, "classification": None} | dimensions | {
        "loanCount": len(members),
        "disbursedAmount": sum((loan.principal for loan, _ in members), Decimal(0)),
        "outstandingPrincipal": total,
        "collectedAmount": sum((s["collected"] for s in states), Decimal(0)),
        "par30": share(30),
        "par90": share(90),
        "nplRatio": share(90),  # substandard from 91 days
    }  # fmt: skip


def portfolio_on(api: TestClient, at: int, **variables: Any) -> list[dict[str, Any]]:
    body = graphql(api, PORTFOLIO, ANALYST, variables, min_position=at)
    assert "errors" not in body, body
    return [row | {a: Decimal(row[a]) for a in AMOUNTS} for row in body["data"]["portfolio"]]


@pytest.mark.parametrize("keys", [(), ("region",), ("classification",),
                                  ("region", "classification")])  # fmt: skip
def test_portfolio_as_of_past_business_dates(
    books: tuple[TestClient, int], keys: tuple[str, ...]
) -> None:
    api, at = books
    group_by = [key.upper() for key in keys]
    for on in PAST:
        found = portfolio_on(api, at, groupBy=group_by, asOf=str(on))
        assert found == expected_portfolio(on, keys), on
    assert portfolio_on(api, at, groupBy=group_by) == expected_portfolio(date(2026, 6, 2), keys)


def test_ratios_at_risk_and_nothing_outstanding(books: tuple[TestClient, int]) -> None:
    api, at = books
    (total,) = portfolio_on(api, at, asOf="2026-05-31")
    # Both loans past 30 days; only Hubei's 12,000.00 past 90, and substandard.
    assert (total["par30"], total["par90"], total["nplRatio"]) == (
        Decimal("1.0000"),
        Decimal("0.5430"),
        Decimal("0.5430"),
    )  # 12000 / 22098.16
    regions = portfolio_on(api, at, groupBy=["REGION"], asOf="2026-03-01")
    (hunan,) = [row for row in regions if row["region"] == "Hunan"]
    assert (hunan["loanCount"], hunan["outstandingPrincipal"]) == (1, 0)  # paid off
    assert (hunan["par30"], hunan["par90"], hunan["nplRatio"]) == (Decimal(0),) * 3
    (before,) = portfolio_on(api, at, asOf="2026-01-30")
    assert before["loanCount"] == 0
    assert [before[a] for a in AMOUNTS] == [Decimal(0)] * len(AMOUNTS)


def test_dates_after_the_business_date_are_refused(books: tuple[TestClient, int]) -> None:
    api, at = books
    for query in (ARREARS, PORTFOLIO):
        body = graphql(api, query, ANALYST, {"asOf": "2026-06-03"}, min_position=at)
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        assert "asOf" in body["errors"][0]["message"]


def test_a_rebuild_equals_the_incremental_tables(
    books: tuple[TestClient, int], module_db_url: str
) -> None:
    db_url = module_db_url
    api, at = books
    projections = runtime_of(api).projections
    projections.wait(at)
    queries = [f"SELECT * FROM {table} ORDER BY 1, 2" for table in
               ("arrears_history", "arrears_history_installments")] + [
        "SELECT * FROM arrears_history_calendar"]  # fmt: skip
    with psycopg.connect(db_url) as conn:
        incremental = [conn.execute(q).fetchall() for q in queries]
    # A row from 31 January, and one from each later date the loan's books changed.
    with psycopg.connect(db_url) as conn:
        segments = conn.execute(
            "SELECT region, array_agg(valid_from ORDER BY valid_from) FROM arrears_history"
            " GROUP BY region ORDER BY region"
        ).fetchall()
    assert segments == [
        ("Hubei", [date(2026, 1, 31), date(2026, 6, 1)]),
        ("Hunan", [date(2026, 1, 31), date(2026, 2, 28)]),
        ("Sichuan", [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31)]),
    ]
    assert projections.rebuild("arrears_history") == projections.head()
    with psycopg.connect(db_url) as conn:
        assert [conn.execute(q).fetchall() for q in queries] == incremental


def test_each_date_lies_in_one_row_holding_the_bucket_and_tier_the_domain_gives_it(
    books: tuple[TestClient, int], module_db_url: str
) -> None:
    """The rows a date's figures pick: one per loan for every business date, split where
    the bucket or tier changes, and a rebuild writes the same rows."""
    api, at = books
    projections = runtime_of(api).projections
    projections.wait(at)
    query = "SELECT * FROM loan_book_segments ORDER BY loan_id, valid_from"
    with psycopg.connect(module_db_url, row_factory=dict_row) as conn:
        rows = conn.execute(query).fetchall()
    for day in (date(2026, 1, 31) + timedelta(days=n) for n in range(123)):  # to 2 June
        held = [row for row in rows if row["valid_from"] <= day
                and (row["valid_to"] is None or day < row["valid_to"])]  # fmt: skip
        assert len(held) == len(LOANS), day
        for row in held:
            dpd = dpd_since(row["oldest_unpaid_due_date"], day)
            found = (row["bucket"], row["classification"])
            assert found == (bucket_of(dpd).value, classify(dpd).value), (day, row)
    # Hubei's loan, unpaid from 28 February: a row for each bucket it reached, the last
    # split on 30 May (91 days: substandard) and a new range from the payment on 1 June.
    hubei = [row for row in rows if row["region"] == "Hubei"]
    assert [(row["valid_from"], row["books_from"], row["bucket"]) for row in hubei] == [
        (date(2026, 1, 31), date(2026, 1, 31), "current"),
        (date(2026, 3, 1), date(2026, 1, 31), "dpd_1_30"),
        (date(2026, 3, 31), date(2026, 1, 31), "dpd_31_60"),
        (date(2026, 4, 30), date(2026, 1, 31), "dpd_61_90"),
        (date(2026, 5, 30), date(2026, 1, 31), "dpd_91_180"),
        (date(2026, 6, 1), date(2026, 6, 1), "dpd_61_90"),
    ]
    assert hubei[-1]["next_change"] == date(2026, 6, 30)  # 31 March + 91 days
    assert projections.rebuild("loan_books") == projections.head()
    with psycopg.connect(module_db_url, row_factory=dict_row) as conn:
        assert conn.execute(query).fetchall() == rows
