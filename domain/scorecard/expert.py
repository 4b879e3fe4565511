"""The shipped expert scorecard (model version 1), before any data exists to train on.

Each feature adds log-odds of default by band (coefficient 1, so the band value
is the feature's contribution to `z`; negative is safer). The intercept puts a
reference applicant - every feature in its 0.00 band - at a PD of about 3.1%,
typical of unsecured micro lending; the best possible applicant lands near 0.6%
and the worst above 90%. Band edges are upper bounds (x <= edge).

age (years): <=20 +0.60 · 21-25 +0.35 · 26-35 +0.10 · 36-55 -0.10 · 56-65 +0.05 ·
  over 65 +0.40 · missing +0.20. Young borrowers have thin, volatile incomes; risk
  rises again near retirement, when income falls.
monthly_income (currency units): <=3,000 +0.50 · <=6,000 +0.25 · <=12,000 0.00 ·
  <=30,000 -0.20 · more -0.35 · missing +0.40. Low incomes leave no buffer for a shock.
debt_to_income (all monthly installments, the requested one included, / monthly
  income): <=0.20 -0.40 · <=0.35 -0.10 · <=0.50 +0.30 · <=0.70 +0.80 · more +1.40 ·
  missing +0.50. The strongest affordability signal; lenders cap it near 50%.
loan_to_annual_income (principal / (12 x monthly income)): <=0.10 -0.20 · <=0.25 0.00
  · <=0.50 +0.30 · <=1.00 +0.70 · more +1.10 · missing +0.40. A loan large against
  income is hard to refinance or repay early when things go wrong.
term_months: <=6 -0.10 · <=12 0.00 · <=24 +0.15 · <=36 +0.30 · more +0.45 ·
  missing 0.00. Longer terms leave more time for circumstances to change.
borrower_kind: individual 0.00 · business +0.15 · other +0.10 · missing +0.10.
  Micro-business cash flow is seasonal and less verifiable than wages.
prior_loans (earlier loans repaid): none +0.20 · one 0.00 · two or three -0.25 ·
  four or more -0.45 · missing +0.20. A repaid loan is the best evidence of intent.
prior_max_dpd (worst days past due on earlier loans): 0 0.00 · 1-7 +0.30 · 8-30 +0.70
  · 31-90 +1.30 · over 90 +2.00 · missing 0.00 (no history is priced by prior_loans).
  Past serious delinquency is the strongest single predictor of default.
"""

from __future__ import annotations

from decimal import Decimal

from domain.scorecard.model import CategoryBins, Feature, ModelKind, NumericBins, ScoreModel

EXPERT_FEATURES = (
    "age",
    "monthly_income",
    "debt_to_income",
    "loan_to_annual_income",
    "term_months",
    "borrower_kind",
    "prior_loans",
    "prior_max_dpd",
)
EXPERT_INTERCEPT = Decimal("-3.45")

# name: (edges, band values, missing value)
_NUMERIC_BANDS = {
    "age": ("20 25 35 55 65", "0.60 0.35 0.10 -0.10 0.05 0.40", "0.20"),
    "monthly_income": ("3000 6000 12000 30000", "0.50 0.25 0 -0.20 -0.35", "0.40"),
    "debt_to_income": ("0.20 0.35 0.50 0.70", "-0.40 -0.10 0.30 0.80 1.40", "0.50"),
    "loan_to_annual_income": ("0.10 0.25 0.50 1.00", "-0.20 0 0.30 0.70 1.10", "0.40"),
    "term_months": ("6 12 24 36", "-0.10 0 0.15 0.30 0.45", "0"),
    "prior_loans": ("0 1 3", "0.20 0 -0.25 -0.45", "0.20"),
    "prior_max_dpd": ("0 7 30 90", "0 0.30 0.70 1.30 2.00", "0"),
}
_BORROWER_KIND = CategoryBins(
    categories={"individual": Decimal("0"), "business": Decimal("0.15")},
    other=Decimal("0.10"),
    missing=Decimal("0.10"),
)


def _decimals(text: str) -> tuple[Decimal, ...]:
    return tuple(Decimal(part) for part in text.split())


def _encoding(name: str) -> NumericBins | CategoryBins:
    if name == "borrower_kind":
        return _BORROWER_KIND
    edges, values, missing = _NUMERIC_BANDS[name]
    return NumericBins(edges=_decimals(edges), values=_decimals(values), missing=Decimal(missing))


def expert_model() -> ScoreModel:
    return ScoreModel(
        kind=ModelKind.EXPERT,
        features=tuple(
            Feature(name=name, coefficient=Decimal(1), encoding=_encoding(name))
            for name in EXPERT_FEATURES
        ),
        intercept=EXPERT_INTERCEPT,
        description="Expert weights over the application's own fields",
    )
