"""The recorded assessment: score, limit and price, as GraphQL, the read model and replay show."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any
from uuid import UUID

from fastapi.testclient import TestClient

from application.app import LendingApplication
from application.scorecard import Activate, Publish, activate, publish, score
from domain.credit import CreditPolicy
from domain.scorecard import expert_model
from infrastructure.settings import Settings
from infrastructure.tokens import Role
from tests.support.api import ANALYST, OFFICER, bearer, client, graphql, runtime_of
from tests.support.assessments import assessment_of
from tests.support.catalog import ADMIN, applied_loan, micro_12, ok
from tests.support.database import select_dicts
from tests.support.people import LI_MING_ID, tea_shop, wang_fang

D = Decimal
ASSESSMENT = """query($id: ID!) { loan(id: $id) { assessment {
    decision flags score grade pd reasons modelVersion features limit rate collateralValue
    checks { name result }
    limitCalculation { methods { method amount basis } productMax beforeScaling binding
        grade scale amount }
    pricing { baseRatePercent grade gradeSpreadPercent termYears termPremiumPerYearPercent
        termPremiumPercent unclampedPercent productMinPercent productMaxPercent
        legalCeilingPercent ratePercent clampedBy } } } }"""


def lending(api: TestClient) -> LendingApplication:
    app: LendingApplication = runtime_of(api).app
    return app


def assessment(api: TestClient, written: dict[str, Any]) -> Any:
    body = graphql(api, ASSESSMENT, ANALYST, {"id": written["id"]}, written["position"])
    assert "errors" not in body, body
    return body["data"]["loan"]["assessment"]


def annuity(principal: int, monthly_rate: Decimal, months: int) -> Decimal:
    level = principal * monthly_rate / (1 - (1 + monthly_rate) ** -months)
    return level.quantize(D("0.01"), ROUND_HALF_EVEN)


def largest_affordable(room: Decimal, monthly_rate: Decimal, months: int) -> int:
    """Whole yuan: the most whose annuity fits in `room`, searched here step by step."""
    principal = int(room * (1 - (1 + monthly_rate) ** -months) / monthly_rate)
    while annuity(principal + 1, monthly_rate, months) <= room:
        principal += 1
    while annuity(principal, monthly_rate, months) > room:
        principal -= 1
    return principal


def test_an_individual_is_scored_limited_and_priced(api: TestClient) -> None:
    written = applied_loan(api)  # Wang Fang: 12,000 over 12 months at 12%, 8,500 a month
    found = assessment(api, written)
    features = {
        "age": 44, "monthly_income": "8500.00", "debt_to_income": "0.1254",
        "loan_to_annual_income": "0.1176", "term_months": 12, "borrower_kind": "individual",
        "prior_loans": 0, "prior_max_dpd": 0,
    }  # fmt: skip
    assert found["features"] == features
    scored = score(lending(api), features)
    assert (found["score"], found["grade"], found["modelVersion"]) == (
        scored.score, scored.grade, 1,
    )  # fmt: skip
    assert (D(found["pd"]), found["reasons"]) == (scored.pd, list(scored.reasons))
    policy = CreditPolicy()
    # Half of 8,500 is 4,250 for the installment: the income method's principal.
    by_income = largest_affordable(D("4250.00"), D("0.01"), 12)
    scale = policy.scale_for(scored.grade)
    calculation = found["limitCalculation"]
    assert calculation["methods"][0]["method"] == "income"
    assert D(calculation["methods"][0]["amount"]) == by_income
    assert (calculation["binding"], D(calculation["scale"])) == ("income", scale)
    assert D(found["limit"]) == (by_income * scale).to_integral_value(rounding="ROUND_DOWN")
    pricing = found["pricing"]
    expected = min(max(D(3) + policy.spread_for(scored.grade), D(6)), D("18.5"))
    assert D(pricing["ratePercent"]) == D(found["rate"]) == expected
    assert (D(pricing["baseRatePercent"]), D(pricing["termPremiumPercent"])) == (D(3), 0)
    assert (D(pricing["productMinPercent"]), D(pricing["legalCeilingPercent"])) == (6, 24)


def test_a_business_limit_takes_the_least_of_income_turnover_and_collateral(
    api: TestClient,
) -> None:
    shop = tea_shop(monthly_income="15000.00")  # within 900,000 / 12 x 22.5% = 16,875
    written = applied_loan(api, shop, principal="20000.00", collateral_value="25000.00")
    found = assessment(api, written)
    assert found["collateralValue"] == "25000.00"
    methods = {m["method"]: D(m["amount"]) for m in found["limitCalculation"]["methods"]}
    assert methods == {
        "income": largest_affordable(D("7500.00"), D("0.01"), 12),
        "turnover": D(174375),  # 900,000 x (1 - 22.5%) / 4 turns a year
        "collateral": D(17500),  # 25,000 x 70%
    }
    calculation = found["limitCalculation"]
    assert (calculation["binding"], D(calculation["beforeScaling"])) == ("collateral", 17500)
    scale = CreditPolicy().scale_for(found["grade"])
    assert D(found["limit"]) == (17500 * scale).to_integral_value(rounding="ROUND_DOWN")
    above = D(found["limit"]) < 20000
    assert ("above_limit" in found["flags"]) is above


def test_pricing_is_clamped_to_the_product_and_the_legal_ceiling(settings: Settings) -> None:
    # A base rate high enough that every grade's price lands above both bounds.
    costly = settings.model_copy(update={"credit": CreditPolicy(base_rate_percent=D(40))})
    with client(costly) as api:
        ok(api.post("/products", json=micro_12(code="WIDE-24", max_rate_percent="36",
                                               max_term=24), headers=ADMIN), 201)  # fmt: skip
        wide = assessment(api, applied_loan(api, product_code="WIDE-24", term=24))["pricing"]
        assert (D(wide["termYears"]), D(wide["termPremiumPercent"])) == (2, D("0.5"))
        assert D(wide["unclampedPercent"]) > 36
        assert (D(wide["ratePercent"]), wide["clampedBy"]) == (24, "legal_ceiling")
        li_ming = wang_fang(name="Li Ming", id_number=LI_MING_ID, phone="13700137000")
        narrow = assessment(api, applied_loan(api, li_ming))["pricing"]  # MICRO-12: 6 to 18.5
        assert (D(narrow["ratePercent"]), narrow["clampedBy"]) == (D("18.5"), "product_max")
        assert D(narrow["baseRatePercent"]) == 40


def test_replay_keeps_the_model_that_scored_it(api: TestClient, settings: Settings) -> None:
    app = lending(api)
    first = applied_loan(api)
    before = assessment_of(app, UUID(first["id"]))
    assert before is not None
    assert before.model_version == 1
    stricter = expert_model().model_copy(update={"intercept": D("-2.0")})
    version = publish(app, Publish("risk.ma", stricter)).version
    activate(app, Activate("risk.ma", version))
    body = {
        "borrower_id": first["borrower_id"], "product_code": "MICRO-12", "principal": "11000.00",
        "term": 12, "frequency": "monthly", "method": "equal_installments", "purpose": "stock",
    }  # fmt: skip
    second = assessment(api, ok(api.post("/loans", json=body, headers=OFFICER), 201))
    assert second["modelVersion"] == version
    # A fresh application (no cache) replays the first assessment from its events.
    fresh = LendingApplication(runtime_of(api).env)
    try:
        replayed = assessment_of(fresh, UUID(first["id"]))
    finally:
        fresh.close()
    assert replayed is not None
    assert (replayed.model_version, replayed.pd, replayed.grade) == (1, before.pd, before.grade)
    assert vars(replayed) == vars(before)


def rows(url: str) -> list[dict[str, Any]]:
    return select_dicts(url, "SELECT * FROM credit_assessments ORDER BY position")


def test_the_read_model_equals_a_rebuild(api: TestClient, db_url: str) -> None:
    applied_loan(api)
    last = applied_loan(api, tea_shop(), collateral_value="30000.00")
    graphql(api, "{ businessDate }", ANALYST, min_position=last["position"])
    incremental = rows(db_url)
    assert [r["decision"] for r in incremental] == ["clear", "review"]
    assert incremental[1]["flags"] == ["income_consistency"]
    assert len(incremental[0]["checks"]) == 8
    projections = runtime_of(api).projections
    assert projections.rebuild("credit_assessments") >= last["position"]
    assert rows(db_url) == incremental


def test_only_staff_see_an_assessment(api: TestClient) -> None:
    written = applied_loan(api)
    me = bearer(written["borrower_id"], Role.BORROWER)
    query = "query($id: ID!) { loan(id: $id) { status assessment { grade } } }"
    body = graphql(api, query, me, {"id": written["id"]}, written["position"])
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def test_products_carry_age_bounds(api: TestClient) -> None:
    ok(api.post("/products", json=micro_12(), headers=ADMIN), 201)
    senior = ok(api.post("/products", json=micro_12(code="SILVER-6", min_age=55, max_age=75),
                         headers=ADMIN), 201)  # fmt: skip
    query = "{ products { code minAge maxAge } }"
    found = graphql(api, query, ANALYST, min_position=senior["position"])["data"]["products"]
    assert found == [
        {"code": "MICRO-12", "minAge": 18, "maxAge": 65},
        {"code": "SILVER-6", "minAge": 55, "maxAge": 75},
    ]
    bad = api.post("/products", json=micro_12(code="X", min_age=70, max_age=60), headers=ADMIN)
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "min_age"
