"""Credit scorecards: applying a model (pure maths) and the versions published so far."""

from domain.scorecard.aggregate import SCORECARDS_ID, Scorecards
from domain.scorecard.expert import EXPERT_FEATURES, expert_model
from domain.scorecard.model import (
    MAX_REASONS,
    CategoryBins,
    Encoding,
    Feature,
    Metrics,
    ModelKind,
    NumericBins,
    Scored,
    ScoreModel,
)
from domain.scorecard.scaling import (
    DEFAULT_GRADES,
    GradeFloor,
    Scaling,
    probability_of_default,
)
from domain.scorecard.values import MISSING_TOKENS, as_category, as_number, is_missing_text

__all__ = [
    "DEFAULT_GRADES",
    "EXPERT_FEATURES",
    "MAX_REASONS",
    "MISSING_TOKENS",
    "SCORECARDS_ID",
    "CategoryBins",
    "Encoding",
    "Feature",
    "GradeFloor",
    "Metrics",
    "ModelKind",
    "NumericBins",
    "Scaling",
    "ScoreModel",
    "Scorecards",
    "Scored",
    "as_category",
    "as_number",
    "expert_model",
    "is_missing_text",
    "probability_of_default",
]
