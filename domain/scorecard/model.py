"""A scorecard model and how it scores one application.

Each feature is encoded by bins into one number (the expert model's log-odds
points, or a trained model's weight of evidence), multiplied by its coefficient,
and summed with the intercept into `z`, the log-odds of default. Every encoding
has a value for a missing or unreadable input, so scoring never fails on data.

Reason codes follow the "points below the best" convention of adverse-action
notices: a feature's shortfall is how much it raised `z` above the best value that
feature can take; the features with the largest shortfall are the reasons.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field, model_validator

from domain.model import Immutable
from domain.scorecard.scaling import Scaling, fixed_precision, probability_of_default
from domain.scorecard.values import as_category, as_number

MAX_REASONS = 4


class NumericBins(Immutable):
    """Bins by upper bound: bin i holds edges[i-1] < x <= edges[i]; the last is open."""

    type: Literal["numeric"] = "numeric"
    edges: tuple[Decimal, ...]
    values: tuple[Decimal, ...]
    missing: Decimal

    @model_validator(mode="after")
    def _check(self) -> NumericBins:
        if len(self.values) != len(self.edges) + 1:
            raise ValueError("numeric bins need one value more than edges")
        if any(b <= a for a, b in zip(self.edges, self.edges[1:], strict=False)):
            raise ValueError("edges must be strictly ascending")
        return self

    def value_of(self, raw: object) -> Decimal:
        number = as_number(raw)
        if number is None:
            return self.missing
        return self.values[bisect_left(self.edges, number)]

    def possible_values(self) -> tuple[Decimal, ...]:
        return (*self.values, self.missing)


class CategoryBins(Immutable):
    """One value per known category (casefolded keys); `other` for categories not seen."""

    type: Literal["categorical"] = "categorical"
    categories: dict[str, Decimal]
    other: Decimal
    missing: Decimal

    @model_validator(mode="after")
    def _check(self) -> CategoryBins:
        if any(as_category(key) != key for key in self.categories):
            raise ValueError("category keys must be trimmed, casefolded and not missing")
        return self

    def value_of(self, raw: object) -> Decimal:
        key = as_category(raw)
        if key is None:
            return self.missing
        return self.categories.get(key, self.other)

    def possible_values(self) -> tuple[Decimal, ...]:
        return (*self.categories.values(), self.other, self.missing)


Encoding = Annotated[NumericBins | CategoryBins, Field(discriminator="type")]


class Feature(Immutable):
    name: str
    coefficient: Decimal
    encoding: Encoding


class ModelKind(StrEnum):
    EXPERT = "expert"
    LOGISTIC_WOE = "logistic_woe"  # weight-of-evidence bins, logistic regression


class Metrics(Immutable):
    """Measured on rows held out from fitting."""

    auc: Decimal
    gini: Decimal
    ks: Decimal
    train_rows: int
    test_rows: int


class ScoreModel(Immutable):
    kind: ModelKind
    features: tuple[Feature, ...]
    intercept: Decimal
    scaling: Scaling = Scaling()
    metrics: Metrics | None = None
    target: str | None = None  # the outcome column it was trained on
    description: str = ""

    @model_validator(mode="after")
    def _check(self) -> ScoreModel:
        if not self.features:
            raise ValueError("a model needs at least one feature")
        if len({f.name for f in self.features}) != len(self.features):
            raise ValueError("feature names must be unique")
        return self

    @property
    def feature_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.features)

    def assess(self, features: Mapping[str, object], version: int) -> Scored:
        with fixed_precision():
            z = self.intercept
            shortfalls: list[tuple[Decimal, int, str]] = []
            for index, feature in enumerate(self.features):
                weight = feature.coefficient
                contribution = weight * feature.encoding.value_of(features.get(feature.name))
                best = min(weight * v for v in feature.encoding.possible_values())
                z += contribution
                if contribution > best:
                    shortfalls.append((best - contribution, index, feature.name))
        score = self.scaling.score(z)
        return Scored(
            pd=probability_of_default(z),
            score=score,
            grade=self.scaling.grade(score),
            reasons=tuple(name for _, _, name in sorted(shortfalls)[:MAX_REASONS]),
            version=version,
        )


@dataclass(frozen=True)
class Scored:
    """One assessment: PD (6 places), score, grade, reasons (worst first) and model version."""

    pd: Decimal
    score: int
    grade: str
    reasons: tuple[str, ...]
    version: int
