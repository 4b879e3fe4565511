"""The expert scorecard and the scorecards aggregate, without a database."""

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.errors import NotFound
from domain.scorecard import (
    EXPERT_FEATURES,
    MAX_REASONS,
    CategoryBins,
    Feature,
    ModelKind,
    NumericBins,
    Scorecards,
    ScoreModel,
    expert_model,
)

EXPERT = expert_model()

# A steady wage earner on a second loan: low debt, a repaid loan, never late.
STEADY_CHEN = {
    "age": 41, "monthly_income": "15000", "debt_to_income": "0.18",
    "loan_to_annual_income": "0.08", "term_months": 6, "borrower_kind": "individual",
    "prior_loans": 3, "prior_max_dpd": 0,
}  # fmt: skip
# A stretched first-time borrower who was 120 days late on an informal loan.
STRETCHED_LIU = {
    "age": 22, "monthly_income": 2800, "debt_to_income": 0.82,
    "loan_to_annual_income": 1.4, "term_months": 36, "borrower_kind": "Business",
    "prior_loans": 0, "prior_max_dpd": 120,
}  # fmt: skip

raw_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["individual", "BUSINESS", " 0.35 ", "n/a", "1e3", "1_000", "-0"]),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
feature_maps = st.dictionaries(st.sampled_from([*EXPERT_FEATURES, "colour"]), raw_values)


def test_the_expert_model_uses_exactly_the_documented_features() -> None:
    assert EXPERT.feature_names == EXPERT_FEATURES
    assert EXPERT.kind is ModelKind.EXPERT
    assert all(f.coefficient == 1 for f in EXPERT.features)  # band values are the weights


def test_a_steady_borrower_grades_well_and_a_stretched_one_badly() -> None:
    steady = EXPERT.assess(STEADY_CHEN, version=1)
    stretched = EXPERT.assess(STRETCHED_LIU, version=1)
    assert (steady.grade, stretched.grade) == ("A", "E")
    assert steady.pd < Decimal("0.01") < Decimal("0.5") < stretched.pd
    assert steady.score > 620 > 540 > stretched.score
    # Points lost against each feature's best band: 2.00, 1.80, 1.30, 0.85 (age: 0.45).
    assert stretched.reasons == (
        "prior_max_dpd", "debt_to_income", "loan_to_annual_income", "monthly_income"
    )  # fmt: skip
    assert stretched.version == 1


def test_reasons_name_only_features_that_cost_points() -> None:
    best = STEADY_CHEN | {"monthly_income": 40000, "age": 45, "prior_loans": 5}
    assert EXPERT.assess(best, 1).reasons == ()
    worse = best | {"debt_to_income": "0.4"}
    assert EXPERT.assess(worse, 1).reasons == ("debt_to_income",)


def test_missing_and_unreadable_values_count_as_missing() -> None:
    missing = EXPERT.assess({}, 1)
    unreadable = dict.fromkeys(EXPERT_FEATURES, "not a number") | {"borrower_kind": None}
    assert EXPERT.assess(unreadable, 1) == missing
    spellings = [{"debt_to_income": v} for v in ("", "NA", "null", float("nan"), [0.3], {})]
    assert len({EXPERT.assess(s, 1) for s in spellings}) == 1
    assert EXPERT.assess({"debt_to_income": float("inf")}, 1) == EXPERT.assess({}, 1)


def test_numbers_read_alike_from_text_json_and_decimal() -> None:
    forms = ["0.35", 0.35, Decimal("0.35"), " 0.350 "]
    results = {EXPERT.assess(STEADY_CHEN | {"debt_to_income": v}, 1) for v in forms}
    assert len(results) == 1
    # Band edges are upper bounds: 0.35 is in the 0.20-0.35 band, 0.3501 is not.
    above = EXPERT.assess(STEADY_CHEN | {"debt_to_income": "0.3501"}, 1)
    assert above.pd > results.pop().pd


@settings(max_examples=300, deadline=None)
@given(features=feature_maps)
def test_any_input_scores_without_error(features: dict[str, Any]) -> None:
    scored = EXPERT.assess(features, 1)
    assert Decimal(0) <= scored.pd <= Decimal(1)
    assert scored.pd.as_tuple().exponent == -6
    assert scored.grade == EXPERT.scaling.grade(scored.score)
    assert set(scored.reasons) <= set(EXPERT_FEATURES)
    assert len(set(scored.reasons)) == len(scored.reasons) <= MAX_REASONS
    assert EXPERT.assess(dict(features), 1) == scored


@settings(max_examples=200, deadline=None)
@given(a=feature_maps, b=feature_maps)
def test_between_two_applications_the_higher_pd_never_scores_higher(
    a: dict[str, Any], b: dict[str, Any]
) -> None:
    first, second = EXPERT.assess(a, 1), EXPERT.assess(b, 1)
    if first.pd < second.pd:
        assert first.score >= second.score


def test_a_model_survives_its_stored_form_unchanged() -> None:
    stored = EXPERT.model_dump(mode="json")
    restored = ScoreModel.model_validate(stored)
    assert restored == EXPERT
    assert restored.assess(STRETCHED_LIU, 1) == EXPERT.assess(STRETCHED_LIU, 1)


def test_malformed_encodings_are_refused() -> None:
    with pytest.raises(ValueError, match="one value more"):
        NumericBins(edges=(Decimal(1),), values=(Decimal(0),), missing=Decimal(0))
    with pytest.raises(ValueError, match="ascending"):
        NumericBins(edges=(Decimal(2), Decimal(1)), values=(Decimal(0),) * 3, missing=Decimal(0))
    with pytest.raises(ValueError, match="casefolded"):
        CategoryBins(categories={"Business": Decimal(1)}, other=Decimal(0), missing=Decimal(0))
    feature = EXPERT.features[0]
    with pytest.raises(ValueError, match="unique"):
        ScoreModel(kind=ModelKind.EXPERT, features=(feature, feature), intercept=Decimal(0))


def trained_like(weight: str) -> ScoreModel:
    bins = NumericBins(
        edges=(Decimal("0.5"),), values=(Decimal(1), Decimal(-1)), missing=Decimal(0)
    )
    feature = Feature(name="debt_to_income", coefficient=Decimal(weight), encoding=bins)
    return ScoreModel(kind=ModelKind.LOGISTIC_WOE, features=(feature,), intercept=Decimal(-2))


def test_scorecards_open_with_the_expert_model_active_as_version_1() -> None:
    scorecards = Scorecards.open(actor="risk.he", first=EXPERT)
    assert [type(e).__name__ for e in scorecards.collect_events()] == [
        "Opened", "ModelPublished", "ModelActivated",
    ]  # fmt: skip
    assert (scorecards.active_version, scorecards.model(1)) == (1, EXPERT)
    assert scorecards.score(STEADY_CHEN) == EXPERT.assess(STEADY_CHEN, 1)


def test_a_published_version_scores_only_once_activated() -> None:
    scorecards = Scorecards.open(actor="risk.he", first=EXPERT)
    assert scorecards.publish(actor="risk.he", model=trained_like("-1.5")) == 2
    assert scorecards.publish(actor="risk.he", model=trained_like("-0.5")) == 3
    before = scorecards.score(STEADY_CHEN)
    assert before.version == 1
    scorecards.activate(actor="risk.he", version=3)
    assert scorecards.score(STEADY_CHEN).version == 3
    assert scorecards.score(STEADY_CHEN, version=1) == before
    scorecards.collect_events()
    scorecards.activate(actor="risk.he", version=3)
    assert scorecards.collect_events() == []  # already active: nothing to record


def test_an_unknown_version_is_not_found() -> None:
    scorecards = Scorecards.open(actor="risk.he", first=EXPERT)
    for version in (0, 2, -1):
        with pytest.raises(NotFound):
            scorecards.score(STEADY_CHEN, version=version)
        with pytest.raises(NotFound):
            scorecards.activate(actor="risk.he", version=version)
    assert scorecards.active_version == 1
